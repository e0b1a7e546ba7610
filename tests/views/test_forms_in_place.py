"""No dead ends: every form refused with 422, 409 or 423 is answered with that form again, in place.

A walk over the writing routes of tests/views/routes/*.py, each posted with what a person gets
wrong (nothing filled in; nonsense in every field) by someone allowed to use it, as a page and
as an htmx request, and again by a member while the facilitator has frozen the board (423).
Whatever answers 422/409/423 must give back the form it came from (a <form> posting to the same
URL, inside the page for browsers, as the fragment that replaces it for htmx), with the message
in the person's language and what they typed still in the fields. Not a bare error page with a
link home, and never a 500.
"""

from __future__ import annotations

import functools
import re
from html import unescape

import pytest

from tests.views.test_bad_input import _payload
from tests.views.test_routes import ROUTES, _rules, _url, route_params

REFUSED = (409, 422, 423)
GERMAN = {"Accept-Language": "de"}
ENGLISH = {"Accept-Language": "en"}
SKIP = {"auth.logout", "auth.login", "auth.setup"}  # the session itself; answered by test_auth
TEXT_INPUT = re.compile(r'<input\b(?=[^>]*\btype="(?:text|email|url|search|tel)")[^>]*>')


def _writing_rules(app):
    for rule in _rules(app):
        spec = ROUTES[rule.endpoint]
        if "POST" not in rule.methods or rule.endpoint in SKIP:
            continue
        if isinstance(spec, tuple) and spec[0] == "api":
            continue  # problem+json, tests/views/test_api*.py
        yield rule


def _forms(html: str, url: str) -> list[str]:
    """The <form>s in `html` that post to `url` (plain action or htmx), with their content."""
    found = []
    for match in re.finditer(r"<form\b[^>]*>", html):
        tag = match.group(0)
        if re.search(rf'\b(?:action|data-hx-post|hx-post)="{re.escape(url)}"', tag):
            end = html.find("</form>", match.end())
            found.append(html[match.start() : end if end != -1 else len(html)])
    return found


def _messages(html: str) -> list[str]:
    """What the answer says is wrong: field errors and error boxes, as text."""
    parts = re.findall(
        r'<(?:p|span|div)[^>]*class="[^"]*\berror(?:-box)?\b[^"]*"[^>]*>(.*?)</(?:p|span|div)>', html, re.S
    )
    parts += re.findall(r'<[^>]*role="alert"[^>]*>(.*?)</', html, re.S)
    return [t for t in (" ".join(unescape(re.sub(r"<[^>]+>", " ", p)).split()) for p in parts) if t]


def _check(response, english, url, data, htmx) -> list[str]:
    """What is wrong with a refused answer (nothing: [])."""
    html = response.get_data(as_text=True)
    problems = []
    if "error-page" in html or response.headers.get("HX-Retarget") == "#flash":
        problems.append("a bare error message instead of the form")
    forms = _forms(html, url)
    if not forms:
        problems.append("no form posting to the same URL")
    if htmx and "<html" in html and any(re.search(r"\bdata-hx-post=", f.split(">", 1)[0]) for f in forms):
        problems.append("a whole page for an htmx form")  # (a plain form's page is fine)
    if not htmx and '<html lang="de"' not in html:
        problems.append("not a page in German")
    messages = _messages(html)
    if not messages:
        problems.append("no message")
    elif messages == _messages(english.get_data(as_text=True)):
        problems.append(f"the message is not translated: {messages}")
    for form in forms:
        for tag in TEXT_INPUT.findall(form):
            name = re.search(r'\bname="([^"]+)"', tag)
            if name and data.get(name.group(1)) and f'value="{data[name.group(1)]}"' not in tag:
                problems.append(f"{name.group(1)} lost what was typed")
        for name, value in re.findall(r'<textarea\b[^>]*\bname="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
            if data.get(name) and unescape(value).strip() != data[name]:
                problems.append(f"{name} lost what was typed")
    return problems


@functools.cache
def _writing_endpoints() -> list[str]:
    """The endpoints walked (read off an app built only for its URL map, at collection)."""
    import tempfile

    from sprintboard import create_app

    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "SECRET_KEY": "x" * 32,
                "INSTANCE_PATH": instance,
            }
        )
        return sorted({rule.endpoint for rule in _writing_rules(app)})


def _client(app, world, login, endpoint, htmx, role=None):
    user = world.admin if ROUTES[endpoint] == "admin" else world.users[role or "facilitator"]
    client = login(app.test_client(), user)
    client.htmx = htmx
    return client


PAYLOADS = {"empty": {}, "nonsense": _payload("malformed")}
# What the page's form always sends along (hidden fields; htmx names the form that was sent).
SENT_BY_THE_PAGE = {
    "board.add_card": lambda p: ({"column": p["column_id"]}, {"HX-Trigger": f"qa-p-{p['column_id']}-form"}),
}


def _post_and_check(app, world, login, endpoint, role=None, then=None, payloads=PAYLOADS):
    """Post the payloads as a page and as htmx (after `then()`, once the route's objects exist):
    (whether any was refused, what is wrong)."""
    rule = next(r for r in _writing_rules(app) if r.endpoint == endpoint)
    params = route_params(world)
    if then:
        then()
    url = _url(rule, params)
    hidden, hx_headers = SENT_BY_THE_PAGE.get(endpoint, lambda p: ({}, {}))(params)
    problems, refused = [], False
    for kind, payload in payloads.items():
        data = {**payload, **hidden}
        for htmx in (False, True):
            client = _client(app, world, login, endpoint, htmx, role)
            headers = {**(hx_headers if htmx else {})}
            response = client.post(url, data=dict(data), headers={**GERMAN, **headers})
            # (503: a service that is not there, such as machine translation: try again later)
            assert response.status_code < 500 or response.status_code == 503, (endpoint, kind, htmx)
            if response.status_code not in REFUSED:
                continue
            refused = True
            english = client.post(url, data=dict(data), headers={**ENGLISH, **headers})
            where = f"{kind}, {'htmx' if htmx else 'page'}, {response.status_code}"
            problems += [f"{where}: {problem}" for problem in _check(response, english, url, data, htmx)]
    return refused, problems


# Still answered with a bare error page (or, for htmx, a message in the flash region) instead of
# their form, or without the form's message: to be fixed. Strict: a fixed one must leave the list.
NOT_YET_IN_PLACE = {
    "facilitation.freeze",  # a button: frozen meanwhile, the panel says so and offers Unfreeze
    "facilitation.unfreeze",  # a button: unfrozen meanwhile, the panel says so and offers Freeze
    "imports.csv_import",  # names a stashed file: gone, the upload form says so
    "imports.trello_import",  # names a stashed file: gone, the upload form says so
    "match.make_project",  # a match already a project has no button: the list says why
    "openspace_grid.place",  # htmx: a drag on the grid, told in the flash (the page form comes back)
    "openspace_people.set_role",  # a guest has no role button: refused, the people page says why
    "openspace_sessions.remove_dot",  # no dot to take back: no −1 button; the reason is beside the session
    "voting.note_to_card",  # a button: already a card, the retro says so (nothing left to send)
    "voting.reveal",  # a button: revealed meanwhile, the results say so (nothing left to send)
}

# Members' forms refused on a frozen board (423), not yet in place either.
NOT_YET_IN_PLACE_FROZEN: set[str] = set()


def _params(endpoints, not_yet):
    for endpoint in endpoints:
        marks = [pytest.mark.xfail(strict=True, reason="not in place yet")] if endpoint in not_yet else []
        yield pytest.param(endpoint, marks=marks, id=endpoint)


@pytest.mark.parametrize("endpoint", _params(_writing_endpoints(), NOT_YET_IN_PLACE))
def test_a_refused_form_comes_back_in_place_with_the_message(app, world, login, endpoint):
    refused, problems = _post_and_check(app, world, login, endpoint)
    assert not problems, "\n".join(problems)


MEMBER_ENDPOINTS = [e for e in _writing_endpoints() if ROUTES[e] == ("p", "edit")]


@pytest.mark.parametrize("endpoint", _params(MEMBER_ENDPOINTS, NOT_YET_IN_PLACE_FROZEN))
def test_a_form_refused_on_a_frozen_board_comes_back_in_place(app, world, login, endpoint):
    """The facilitator froze the board to present it; a member sends a form meanwhile (423)."""
    from sprintboard.models.base import utcnow

    def freeze():
        world.partnership.frozen_at = utcnow()

    nonsense = {"nonsense": PAYLOADS["nonsense"]}  # (the freeze refuses whatever is sent)
    _refused, problems = _post_and_check(app, world, login, endpoint, "member", freeze, nonsense)
    assert not problems, "\n".join(problems)
