"""Markdown for user-written text: CommonMark without raw HTML, sanitised with nh3."""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

_md = MarkdownIt("commonmark", {"html": False}).enable("table")
_TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


# The parser's cost grows with the square of the delimiters in one paragraph ("[[[[…", "*a*a…",
# a 3,000-row table): 20,000 such characters took seconds. A text with more of them than this (or
# a block denser than this) is shown as plain text, every word of it, so any body renders in
# bounded time; real cards (a table, a few dozen links) stay far below.
MAX_DELIMITERS = 2000
MAX_DELIMITERS_PER_BLOCK = 500
_DELIMITERS = re.compile(r"[\[\]*_<>`|!]")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def too_dense(text: str) -> bool:
    """Whether the text, or a paragraph (list, table…) of it, outside code fences has too many
    delimiters to parse in bounded time."""
    in_fence, count, total = False, 0, 0
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence, count = not in_fence, 0
            continue
        if in_fence:
            continue
        if not line.strip():
            count = 0
            continue
        found = len(_DELIMITERS.findall(line))
        count, total = count + found, total + found
        if count > MAX_DELIMITERS_PER_BLOCK or total > MAX_DELIMITERS:
            return True
    return False


def _plain(text: str) -> Markup:
    escaped = str(escape(text.replace("\r\n", "\n")))
    paragraphs = (p.strip("\n") for p in re.split(r"\n\s*\n", escaped))
    return Markup(  # noqa: S704 - escaped just above
        "".join(f"<p>{p.replace(chr(10), '<br>' + chr(10))}</p>\n" for p in paragraphs if p.strip())
    )


def render_markdown(text: str | None) -> Markup:
    """`text` (Markdown) as safe HTML; raw HTML in the source is shown as text."""
    if not text:
        return Markup("")
    return Markup(_render(text))  # noqa: S704 - sanitised by nh3 (or escaped) in _render


@lru_cache(maxsize=256)  # the same card body shown again (its page, a refresh, a second reader)
def _render(text: str) -> str:
    if too_dense(text):
        return str(_plain(text))
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
