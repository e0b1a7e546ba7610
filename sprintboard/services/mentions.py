"""@mentions in card descriptions and comments: `@` + a member's name.

Only text outside code (inline `code`, fenced and indented blocks) counts, an `@` inside a word
(an email address) does not, and names resolve among the partnership's members only: the
longest full name that follows the `@` (case-insensitive), else a first name that only one
member has. At most MENTION_LIMIT people per text.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from sqlalchemy import select

from ..extensions import db
from ..models import Membership, Partnership, User

MENTION_LIMIT = 20
SUGGESTIONS = 8
_md = MarkdownIt("commonmark", {"html": False})
_SKIP = {"code_inline", "code_block", "fence", "html_inline", "html_block"}


def prose(text: str) -> str:
    """The prose of Markdown `text`: code and raw HTML become spaces, blocks become lines."""
    pieces = []
    for token in _md.parse(text or ""):
        if token.type != "inline":
            continue
        for child in token.children or ():
            pieces.append(child.content if child.type == "text" else " " if child.type in _SKIP else "\n")
        pieces.append("\n")
    return "".join(pieces)


def members(partnership: Partnership) -> list[User]:
    """Everyone who can be mentioned in the partnership, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.partnership_id == partnership.id)
            .order_by(User.name, User.id)
        )
    )


def _boundary(text: str, end: int) -> bool:
    return end >= len(text) or not (text[end].isalnum() or text[end] in "_-")


def find(text: str, people: list[User], limit: int = MENTION_LIMIT) -> list[User]:
    """The people of `people` that `text` mentions, in order of first mention, at most `limit`."""
    full = sorted(((p.name.casefold(), p) for p in people if p.name.strip()), key=lambda x: -len(x[0]))
    firsts: dict[str, list[User]] = {}
    for person in people:
        first = person.name.split()[0].casefold() if person.name.split() else ""
        if first:
            firsts.setdefault(first, []).append(person)
    found: dict[int, User] = {}
    if "@" in (text or ""):
        folded = prose(text).casefold()
        start = folded.find("@")
        while start != -1 and len(found) < limit:
            if start == 0 or not (folded[start - 1].isalnum() or folded[start - 1] in "_.-"):
                rest = start + 1
                person = next(
                    (
                        p
                        for name, p in full
                        if folded.startswith(name, rest) and _boundary(folded, rest + len(name))
                    ),
                    None,
                )
                if person is None:
                    word = (
                        folded[rest:].split(maxsplit=1)[0].rstrip(",.;:!?)") if folded[rest:].strip() else ""
                    )
                    candidates = firsts.get(word, [])
                    person = candidates[0] if len(candidates) == 1 else None
                if person is not None:
                    found.setdefault(person.id, person)
            start = folded.find("@", start + 1)
    return list(found.values())


def suggest(partnership: Partnership, query: str, limit: int = SUGGESTIONS) -> list[User]:
    """Members whose name contains a word starting with `query` (the suggestion list)."""
    query = (query or "").strip().lstrip("@").casefold()
    people = members(partnership)
    if not query:
        return people[:limit]
    hits = [p for p in people if any(w.startswith(query) for w in p.name.casefold().split())]
    return hits[:limit]
