"""The board's frame without Jinja: what templates/board/_board.html produces, whitespace
aside (a test compares both in every locale), at a fraction of the cost.

The frame is the board around its cells: column tabs and heads, each lane with its cells' marks
(board.render puts the cards there), "Show N more cards" links and quick-add forms. It is made
whenever the board's shape changes, and for every board when a worker starts: a template with a
few hundred expressions, includes and macro calls cost more than the rest of a cold board
besides its cards. Every value shown is escaped as Jinja's autoescape would.

Keep it in step with templates/board/_board.html, _column_tab.html, _column_head.html and
_quick_add.html (those stay: they document the markup, live updates use the column heads, and
the test holds this to them).
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext, ngettext
from markupsafe import Markup

from .card_html import escape


def frame(board, *, may_edit: bool, csrf: str, board_args: dict, cell_urls: dict) -> str:
    """The board's HTML (`board`: a planned board whose lanes' cells hold what goes in them,
    `csrf` the token its forms carry, `board_args` its normalised arguments, `cell_urls` each
    cut cell's link to the rest of its cards by (lane key, column id))."""
    partnership_id = board.partnership.id
    columns = board.columns
    counts = [board.counts.get(column.id, 0) for column in columns]
    names = [escape(column.shown_name) for column in columns]
    tabs = "".join(
        f'<a class="col-tab" id="col-tab-{column.id}" href="#col-head-{column.id}">{name} '
        f'<span class="col-tab-count">{count}</span></a>'
        for column, name, count in zip(columns, names, counts, strict=True)
    )
    heads = "".join(
        _column_head(column, name, count) for column, name, count in zip(columns, names, counts, strict=True)
    )
    editable = " data-editable" if may_edit else ""
    parts = [
        f'<div id="board" class="board" data-columns="{len(columns)}"'
        f' data-group="{escape(board_args.get("group") or "project")}"'
        f' data-move-url="{escape(url_for("board.move", pid=partnership_id, card_id=0))}"'
        f' data-lane-url="{escape(url_for("board.fold_lane", pid=partnership_id))}"{editable}>\n'
        f'<nav class="col-switch" aria-label="{escape(gettext("Columns"))}">{tabs}</nav>\n'
        f'<div class="board-scroll" tabindex="0" role="region" aria-label="{escape(gettext("Board"))}">\n'
        f'<div class="board-row board-heads">{heads}</div>\n'
    ]
    all_url = escape(url_for("board.show", pid=partnership_id, all=1, **board_args))
    add = _QuickAdd(url_for("board.add_card", pid=partnership_id), csrf) if may_edit else None
    for lane in board.lanes:
        key, title = escape(lane.key), escape(lane.title)
        shown = sum(map(len, lane.rows.values())) + sum(lane.more.values())
        parts.append(
            f'<section class="lane" aria-labelledby="lane-{key}">\n'
            f'<details class="lane-fold" data-lane="{key}" open>\n'
            f'<summary class="lane-head"><h2 class="lane-title" id="lane-{key}">{title}</h2>\n'
            f'<span class="lane-count">{_count("%(num)d card", "%(num)d cards", shown)}</span></summary>\n'
            '<div class="board-row">\n'
        )
        adds = add is not None and lane.key.startswith("p")
        for column in columns:
            parts.append(f'<div class="cell">\n{lane.cells[column.id]}\n')
            more = lane.more.get(column.id)
            if more:
                text = _count("Show %(num)d more card", "Show %(num)d more cards", more)
                parts.append(
                    f'<a class="cell-more" href="{all_url}"'
                    f' data-hx-get="{escape(cell_urls[lane.key, column.id])}"'
                    ' data-hx-trigger="revealed, click"'
                    ' data-hx-target="previous .card-list" data-hx-swap="outerHTML"'
                    f" data-remove-after-load>{text}</a>\n"
                )
            if adds and not column.is_done:
                parts.append(add.form(column, lane))
            parts.append("</div>\n")
        parts.append("</div>\n</details>\n</section>\n")
    if board.done_more:
        done_url = escape(url_for("board.done", pid=partnership_id))
        parts.append(
            f'<p class="done-more"><a href="{done_url}">{escape(gettext("Show more done cards"))}</a></p>\n'
        )
    parts.append("</div>\n</div>")
    return "".join(parts)


def board_texts() -> dict[str, str]:
    """Translated patterns the board repeats per cell, looked up once per render (a gettext
    call per cell costs more than the rest of the cell); formatted with % in the template."""
    return {
        "cell": gettext("%(column)s in %(lane)s"),
        "new_card": gettext("New card in %(column)s, %(lane)s"),
        "add": gettext("+ Add a card"),
    }


def _count(singular: str, plural: str, num: int) -> str:
    """ngettext as a template shows it: the translation trusted, the number put in."""
    return str(Markup(ngettext(singular, plural, num)))  # noqa: S704 - our own catalogs, as in templates


def _column_head(column, name: str, count: int) -> str:
    """templates/board/_column_head.html (not out of band)."""
    limit = column.wip_limit
    state = ""
    if limit and count > limit:
        state = " over-limit"
    elif limit and count == limit:
        state = " at-limit"
    shown = str(Markup(gettext("%(count)d of %(limit)d", count=count, limit=limit))) if limit else count  # noqa: S704
    return (
        f'<div class="col-head{state}" id="col-head-{column.id}">\n'
        f'<h2 class="col-name">{name}</h2>\n'
        f'<span class="col-count">{shown}<span class="visually-hidden">'
        f" {escape(ngettext('card', 'cards', count))}</span></span>\n</div>"
    )


class _QuickAdd:
    """templates/board/_quick_add.html's form in a cell (no title typed, no error), its texts
    looked up once per frame."""

    def __init__(self, url: str, csrf: str):
        texts = board_texts()
        self.new_card, self.add = texts["new_card"], escape(texts["add"])
        self.url, self.csrf = escape(url), escape(csrf)

    def form(self, column, lane) -> str:
        fid = escape(f"qa-{lane.key}-{column.id}")
        label = escape(self.new_card % {"column": column.shown_name, "lane": lane.title})
        project = (
            f'<input type="hidden" name="project" value="{escape(lane.project_id)}">\n'
            if lane.project_id
            else ""
        )
        return (
            f'<form class="quick-add" id="{fid}-form" method="post" action="{self.url}"'
            f' data-hx-post="{self.url}" data-hx-target="previous .card-list" data-hx-swap="beforeend"'
            " data-reset>\n"
            f'<input type="hidden" name="csrf_token" value="{self.csrf}">\n'
            f'<input type="hidden" name="column" value="{column.id}">\n'
            f"{project}"
            f'<label class="visually-hidden" for="{fid}">{label}</label>\n'
            f'<input id="{fid}" name="title" maxlength="200" required placeholder="{self.add}"'
            ' autocomplete="off">\n'
            "</form>\n"
        )
