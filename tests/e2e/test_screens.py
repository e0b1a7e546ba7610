"""Every main page on a phone (360 px), a laptop (1366 px) and a projector (1920 px): nothing scrolls
sideways, axe finds nothing, the board is a workspace (first card in view on a phone, column heads
stay in view), presentation mode is readable from the back of a room, the focus ring is visible."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from sprintboard.extensions import db
from sprintboard.seed.board import fill_board
from sprintboard.seed.match import fill_match
from sprintboard.services import sprints, workshops
from tests import factories

SIZES = {"phone": (360, 740), "laptop": (1366, 768), "projector": (1920, 1080)}
PAGES = ("board", "card", "status", "actors", "match", "sprint", "report", "search", "close")


@pytest.fixture
def rich(world):
    """A partnership as a workshop series leaves it: 120 cards, actors, matches, a sprint, a workshop."""
    p, fiona = world.partnership, world.users["facilitator"]
    fill_match(p, actor=fiona)
    fill_board(p, 120, [fiona, world.users["member"]])
    cards = sprints.backlog_cards(p)[:12]  # (in the board's order on every database)
    sprint = factories.sprint(p, "Sprint 1", start=date.today() - timedelta(days=3), actor=fiona, cards=cards)
    sprints.start_sprint(sprint, actor=fiona)
    kickoff = workshops.plan_standard_series(p, fiona)[0]
    kickoff.start_date = kickoff.end_date = date.today() - timedelta(days=20)
    workshops.mark_held(kickoff, actor=fiona)
    db.session.commit()
    return {
        "board": f"/p/{p.id}/board",
        "card": f"/p/{p.id}/cards/{cards[0].id}",
        "status": f"/p/{p.id}/status",
        "actors": f"/p/{p.id}/actors/",
        "match": f"/p/{p.id}/match/",
        "sprint": f"/p/{p.id}/sprints/{sprint.id}",
        "report": f"/p/{p.id}/reports/done-since-workshop",
        "charts": f"/p/{p.id}/sprints/charts",
        "timebox": f"/p/{p.id}/facilitation/timebox",
        "search": f"/search?q={cards[0].title.split()[0]}",
        "close": f"/p/{p.id}/sprints/{sprint.id}/close",
        "pid": p.id,
    }


def _overflow(page) -> list[str]:
    """Elements that stick out of the page sideways (not those inside their own scrolling box)."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth, out = [];
          const scrolls = e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement)
            if (getComputedStyle(p).overflowX !== 'visible') return true; return false; };
          const total = document.documentElement.scrollWidth;
          if (total > width) out.push('page ' + total);
          document.querySelectorAll('body *').forEach(e => {
            const r = e.getBoundingClientRect();
            if (r.width && r.right > width + 1 && !scrolls(e) && out.length < 5)
              out.push(e.outerHTML.slice(0, 80));
          });
          return out;
        }"""
    )


@pytest.mark.parametrize("size", SIZES)
def test_main_pages_fit_the_screen_and_pass_axe(page, live_server, world, rich, log_in, axe_check, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    log_in(page, world.users["facilitator"])
    for name in PAGES:
        page.goto(rich[name])
        assert _overflow(page) == [], (name, size)
        axe_check(page)


def test_the_timebox_opened_directly_is_a_whole_page(page, live_server, world, rich, log_in, axe_check):
    log_in(page, world.users["facilitator"])
    page.goto(rich["timebox"])
    assert page.evaluate("document.doctype && document.doctype.name") == "html"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.title().startswith("Timebox · ")
    axe_check(page)


def test_on_a_phone_the_board_shows_a_card_at_once(page, live_server, world, rich, log_in):
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, world.users["member"])
    page.goto(rich["board"])
    first = page.locator("#board li.card").first
    box = first.bounding_box()
    assert box["y"] + 40 < 740, f"the first card starts at {box['y']} px"
    assert page.evaluate("document.documentElement.scrollWidth") == 360
    # The menu is one button; the filters are one control that says how many are on.
    expect(page.locator(".topnav")).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(page.locator(".topnav").get_by_role("link", name="Toolbox")).to_be_visible()
    page.get_by_text("Menu", exact=True).click()
    expect(page.locator(".topnav")).to_be_hidden()
    expect(page.locator(".filter-box > summary")).to_have_text("Filter")
    # One column fills the width; the switcher brings the next one into view.
    heads = page.locator(".board-heads > .col-head")
    area = page.locator(".board-scroll").bounding_box()
    assert abs(heads.nth(0).bounding_box()["width"] - area["width"]) < 2
    tab = page.locator(".col-switch .col-tab").nth(2)
    expect(tab).to_contain_text("In progress")
    tab.click()
    expect(page.locator(".col-switch .col-tab").nth(2)).to_have_attribute("aria-current", "true")
    assert abs(heads.nth(2).bounding_box()["x"] - page.locator(".board-scroll").bounding_box()["x"]) < 2
    page.goto(rich["board"] + "?due=overdue&city=" + str(world.partnership.cities[0].id))
    expect(page.locator(".filter-box > summary")).to_have_text("Filter (2 active)")


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_column_heads_stay_in_view_when_the_board_scrolls(page, live_server, world, rich, log_in, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    log_in(page, world.users["member"])
    page.goto(rich["board"])
    area = page.locator(".board-scroll")
    top = area.bounding_box()["y"]
    area.evaluate("el => el.scrollBy(0, 2500)")
    assert area.evaluate("el => el.scrollTop") > 1000  # the board scrolled, not the page
    assert page.evaluate("window.scrollY") == 0
    head = page.locator(".board-heads > .col-head").first.bounding_box()
    assert top - 1 <= head["y"] <= top + 10


def test_lanes_fold_and_stay_folded_for_that_person_only(page, new_context, live_server, world, rich, log_in):
    log_in(page, world.users["member"])
    page.goto(rich["board"])
    lane = page.locator("details.lane-fold").first
    key = lane.get_attribute("data-lane")
    with page.expect_response(lambda r: r.url.endswith("/board/lanes")) as saved:
        lane.locator("summary").click()
    assert saved.value.status == 204
    page.reload()
    expect(page.locator(f'details.lane-fold[data-lane="{key}"]')).not_to_have_attribute("open", "")
    expect(page.locator(f'details.lane-fold[data-lane="{key}"] li.card').first).to_be_hidden()
    other = new_context().new_page()
    log_in(other, world.users["facilitator"])
    other.goto(rich["board"])
    expect(other.locator(f'details.lane-fold[data-lane="{key}"]')).to_have_attribute("open", "")


def test_presentation_mode_is_readable_on_a_projector(page, live_server, world, rich, log_in):
    page.set_viewport_size({"width": 1920, "height": 1080})
    log_in(page, world.users["facilitator"])
    page.goto(rich["board"])
    page.get_by_role("link", name="Present").click()
    expect(page).to_have_url(f"{live_server.url}{rich['board']}?present=1")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".subnav")).to_have_count(0)
    sizes = page.evaluate(
        """() => ['.card-title', '.card-meta', '.col-name', '.lane-title'].map(s =>
             parseFloat(getComputedStyle(document.querySelector(s)).fontSize))"""
    )
    assert sizes[0] >= 24, sizes  # card titles readable from the back of the room
    assert min(sizes) >= 18, sizes
    width = page.locator(".board-scroll").bounding_box()["width"]
    assert width > 1920 * 0.95  # the whole width, not a column in the middle
    assert page.evaluate("document.documentElement.scrollWidth") == 1920
    page.get_by_role("link", name="Leave presentation").click()
    expect(page.locator(".subnav")).to_be_visible()


def test_chart_labels_are_readable_at_1080p(page, live_server, world, rich, log_in):
    page.set_viewport_size({"width": 1920, "height": 1080})
    log_in(page, world.users["facilitator"])
    for name in ("charts", "status"):
        page.goto(rich[name])
        smallest = page.evaluate(
            """() => Math.min(...[...document.querySelectorAll('svg.chart-svg')].flatMap(svg => {
                 const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                 return [...svg.querySelectorAll('text')].filter(t => t.getBoundingClientRect().width)
                   .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
               }))"""
        )
        assert smallest >= 14, (name, smallest)


CONTRAST = """(el) => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => {
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  let bg = null;
  for (let p = el.parentElement; p && !bg; p = p.parentElement) {
    const c = rgb(getComputedStyle(p).backgroundColor);
    if (c.length < 4 || c[3] > 0) bg = c;
  }
  bg = bg || [255, 255, 255];
  const ring = rgb(getComputedStyle(el).outlineColor), a = lum(ring), b = lum(bg);
  return { style: getComputedStyle(el).outlineStyle, width: parseFloat(getComputedStyle(el).outlineWidth),
           ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
}"""


def test_the_focus_ring_has_3_to_1_contrast_wherever_focus_goes(page, live_server, world, rich, log_in):
    log_in(page, world.users["member"])
    page.goto(rich["board"])
    page.keyboard.press("Tab")  # the skip link
    seen = 0
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if focused.evaluate("el => el.closest('.card') !== null"):
            focused = focused.locator("xpath=ancestor::li[contains(@class, 'card')]")  # the card shows it
        ring = focused.evaluate(CONTRAST)
        assert ring["style"] != "none" and ring["width"] >= 2, ring
        assert ring["ratio"] >= 3, (focused.evaluate("el => el.outerHTML.slice(0, 80)"), ring)
        seen += 1
    assert seen == 40


def test_the_board_prints_on_a4_landscape_with_every_column(page, live_server, world, rich, log_in, tmp_path):
    log_in(page, world.users["member"])
    page.goto(rich["board"])
    names = page.locator(".board-heads .col-name").all_inner_texts()
    pdf = page.pdf(path=str(tmp_path / "board.pdf"), prefer_css_page_size=True, print_background=True)
    boxes = {tuple(map(float, m)) for m in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
    assert boxes and all(abs(w - 842) < 2 and abs(h - 595) < 2 for w, h in boxes), boxes  # A4 landscape
    # The same layout the PDF was made from: every element inside the page box (297 mm − 2 × 8 mm).
    page.emulate_media(media="print")
    page.set_viewport_size({"width": round((297 - 16) / 25.4 * 96), "height": 700})
    width = page.viewport_size["width"]
    outside = page.evaluate(
        """(width) => [...document.querySelectorAll('.col-head, .cell, li.card')]
             .filter(e => e.getBoundingClientRect().right > width + 0.5).length""",
        width,
    )
    assert outside == 0
    shown = page.locator(".board-heads .col-name").all_inner_texts()
    assert shown == names and len(names) == 5


def test_the_report_prints_as_a_handout_with_aligned_tables(page, live_server, world, rich, log_in, tmp_path):
    log_in(page, world.users["facilitator"])
    page.goto(rich["report"])
    assert page.pdf(path=str(tmp_path / "report.pdf")).startswith(b"%PDF")
    page.emulate_media(media="print")
    expect(page.locator(".subnav")).to_be_hidden()
    expect(page.locator(".topbar")).to_be_hidden()
    columns = page.evaluate(
        """() => [2, 3].map(n => [...document.querySelectorAll(`.report-table th:nth-child(${n})`)]
             .map(th => Math.round(th.getBoundingClientRect().left)))"""
    )
    assert all(len(xs) >= 2 and len(set(xs)) == 1 for xs in columns), columns  # lined up across tables
