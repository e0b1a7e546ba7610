"""Matching the cities of a partnership: entries, shared themes, matches, votes and projects.

Theme ranking — how strongly the compared cities *all* carry a theme:

    weight(theme, city) = entries of the city tagged with the theme
                        + actors of the city tagged with the theme
    score(theme)        = min(weight(theme, city) for each compared city)
    total(theme)        = sum(weight(theme, city) for each compared city)

Themes are ranked by score (highest first), ties broken by total, then by the vocabulary's
order. The minimum means a theme only ranks high when every side brings something to it: a
theme with 9 entries in one city and none in the other scores 0 (it is listed separately as
"only one side"), while 2 + 2 beats 5 + 1. Pairwise comparison uses two cities; the
"all cities" view uses every city of the partnership.

Votes reuse the dot vote of services.voting: a facilitator opens a vote whose items are
the open matches (match_vote_items remembers which item is which match); people vote on the
facilitation page, the dots stay hidden until the facilitator reveals them, and from then on
the match list shows and sorts by the dots of the latest revealed vote.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import City, Partnership, Project
from ..models.actor import ACTOR_KINDS, Actor, actor_themes
from ..models.entry import MatchEntry, entry_themes
from ..models.match import Match, match_vote_items
from ..models.theme import Theme
from . import Conflict, DomainError
from .activity import describes, log
from .board import backlog_column, columns_of
from .cards import create_card
from .entries import ENTRY_KIND_LABELS, entries_of
from .projects import create_project
from .themes import theme_name, themes_of
from .voting import open_vote

DOTS_PER_PERSON = 3


# Ranking ---------------------------------------------------------------------------------------


@dataclass
class ThemeRank:
    theme: Theme
    weights: dict[int, int]  # city id -> entries + actors tagged with the theme
    entries: dict[int, list[MatchEntry]] = field(default_factory=dict)  # city id -> entries

    @property
    def score(self) -> int:
        return min(self.weights.values(), default=0)

    @property
    def total(self) -> int:
        return sum(self.weights.values())


def _weights(partnership: Partnership) -> dict[tuple[int, int], int]:
    """(theme id, city id) -> entries + actors tagged with the theme, in two queries."""
    counts: dict[tuple[int, int], int] = {}
    for model, link, key in ((MatchEntry, entry_themes, "entry_id"), (Actor, actor_themes, "actor_id")):
        rows = db.session.execute(
            db.select(link.c.theme_id, model.city_id, func.count())
            .join(model, model.id == link.c[key])
            .where(model.partnership_id == partnership.id)
            .group_by(link.c.theme_id, model.city_id)
        )
        for theme_id, city_id, n in rows:
            counts[(theme_id, city_id)] = counts.get((theme_id, city_id), 0) + n
    return counts


def rank_themes(partnership: Partnership, cities: list[City]) -> tuple[list[ThemeRank], list[ThemeRank]]:
    """(shared, one-sided): themes carried by every city in `cities`, ranked as explained in the
    module docstring, each with the cities' entries; then themes only some of them carry."""
    counts = _weights(partnership)
    ids = [c.id for c in cities]
    ranks = {
        t.id: ThemeRank(t, {cid: counts.get((t.id, cid), 0) for cid in ids}, {cid: [] for cid in ids})
        for t in themes_of(partnership)
    }
    for entry in entries_of(partnership):
        if entry.city_id in ids:
            for theme in entry.themes:
                ranks[theme.id].entries[entry.city_id].append(entry)
    ordered = sorted(ranks.values(), key=lambda r: (-r.score, -r.total, r.theme.position, r.theme.id))
    shared = [r for r in ordered if r.score > 0]
    one_sided = [r for r in ordered if r.score == 0 and r.total > 0]
    return shared, one_sided


# Matches ---------------------------------------------------------------------------------------


def matches_of(partnership: Partnership, dots: dict[int, int] | None = None) -> list[Match]:
    """Matches, those with the most `dots` ({match id: dots}, see dot_votes) first."""
    dots = dots or {}
    matches = list(
        db.session.scalars(
            db.select(Match)
            .where(Match.partnership_id == partnership.id)
            .options(
                selectinload(Match.entries).selectinload(MatchEntry.city),
                selectinload(Match.theme),
                selectinload(Match.project),
            )
        )
    )
    return sorted(matches, key=lambda m: (-dots.get(m.id, 0), m.id))


def create_match(
    partnership: Partnership, entries: list[MatchEntry], *, theme: Theme | None = None, actor
) -> Match:
    """Mark entries of different cities (one per city, at least two) as a match."""
    if any(e.partnership_id != partnership.id for e in entries) or (
        theme is not None and theme.partnership_id != partnership.id
    ):
        raise DomainError(_("That belongs to another partnership."))
    cities = [e.city_id for e in entries]
    if len(entries) < 2:
        raise DomainError(_("Choose entries of at least two cities."))
    if len(set(cities)) != len(cities):
        raise DomainError(_("Choose one entry per city."))
    wanted = sorted(e.id for e in entries)
    for existing in matches_of(partnership):
        if sorted(e.id for e in existing.entries) == wanted:
            raise Conflict(_("These entries are already a match."))
    if theme is None:
        common = set.intersection(*({t.id for t in e.themes} for e in entries))
        theme = next((t for t in entries[0].themes if t.id in common), None)
    match = Match(
        partnership=partnership, entries=list(entries), theme=theme, created_by_id=actor.id if actor else None
    )
    db.session.add(match)
    db.session.flush()
    log(actor, "match.created", match, partnership=partnership, title=match_title(match))
    return match


def accept_match(match: Match, *, actor) -> None:
    match.status = "accepted"
    db.session.flush()
    log(actor, "match.accepted", match, partnership=match.partnership, title=match_title(match))


def delete_match(match: Match, *, actor) -> None:
    if match.project_id:
        raise Conflict(_("This match has become a project and cannot be deleted."))
    log(actor, "match.deleted", match, partnership=match.partnership, title=match_title(match))
    db.session.delete(match)
    db.session.flush()


def open_dot_vote(partnership: Partnership, *, votes_per_person: int = DOTS_PER_PERSON, actor):
    """A dot vote (services.voting) on the matches that are not projects yet."""

    candidates = [m for m in matches_of(partnership) if m.project_id is None]
    if len(candidates) < 2:
        raise DomainError(_("A dot vote needs at least two matches that are not projects yet."))
    session = open_vote(
        partnership,
        _("Which matches should become projects?"),
        votes_per_person,
        ideas=[match_title(m) for m in candidates],
        actor=actor,
    )
    db.session.execute(
        match_vote_items.insert(),
        [{"match_id": m.id, "item_id": item.id} for m, item in zip(candidates, session.items, strict=True)],
    )
    return session


def dot_votes(partnership: Partnership) -> dict:
    """The latest dot vote on matches: {"session": VoteSession | None, "dots": {match id: dots}}.
    `dots` stays empty while that vote is open (votes are hidden until revealed)."""
    from ..models.facilitation import Vote, VoteItem, VoteSession

    session = db.session.scalar(
        db.select(VoteSession)
        .join(VoteItem)
        .join(match_vote_items, match_vote_items.c.item_id == VoteItem.id)
        .where(VoteSession.partnership_id == partnership.id)
        .order_by(VoteSession.id.desc())
        .limit(1)
    )
    if session is None or session.state != "revealed":
        return {"session": session, "dots": {}}
    rows = db.session.execute(
        db.select(match_vote_items.c.match_id, func.count(Vote.id))
        .join(VoteItem, VoteItem.id == match_vote_items.c.item_id)
        .outerjoin(Vote, Vote.item_id == VoteItem.id)
        .where(VoteItem.session_id == session.id)
        .group_by(match_vote_items.c.match_id)
    )
    return {"session": session, "dots": dict(rows.all())}


def match_title(match: Match, limit: int = 200) -> str:
    parts = [e.text if len(e.text) <= 90 else e.text[:89] + "…" for e in match.entries]
    title = " ↔ ".join(parts)
    return title if len(title) <= limit else title[: limit - 1] + "…"


def create_project_from_match(match: Match, *, actor) -> Project:
    """Turn a match into a project in one step: title from the entries, summary listing them,
    lead city = the first entry's city; links the entries and the actors of the entries' cities
    tagged with the match's theme (or the entries' shared themes), and puts a first card in the
    Backlog column."""
    if match.project_id:
        raise Conflict(_("This match is already a project."))
    partnership = match.partnership
    entries = list(match.entries)
    project = create_project(
        partnership,
        match_title(match),
        summary="\n".join(f"- {e.city.name} ({ENTRY_KIND_LABELS[e.kind]}): {e.text}" for e in entries),
        lead_city=entries[0].city,
        actor=actor,
    )
    from ..models.entry import project_entries

    db.session.execute(
        project_entries.insert(), [{"project_id": project.id, "entry_id": e.id} for e in entries]
    )
    if match.theme is not None:
        theme_ids = {match.theme.id}
    else:
        theme_ids = set.intersection(*({t.id for t in e.themes} for e in entries)) if entries else set()
    if theme_ids:
        helpers = db.session.scalars(
            db.select(Actor).where(
                Actor.partnership_id == partnership.id,
                Actor.city_id.in_({e.city_id for e in entries}),
                Actor.themes.any(Theme.id.in_(theme_ids)),
            )
        )
        for helper in helpers:
            helper.projects.append(project)
    columns = columns_of(partnership)
    column = backlog_column(columns)
    if column is None:
        raise DomainError(_("The board has no columns yet."))
    create_card(partnership, _("Agree on goals and first steps"), column=column, project=project, actor=actor)
    match.project = project
    match.status = "accepted"
    db.session.flush()
    log(actor, "match.project_created", match, partnership=partnership, title=project.title)
    return project


TOP_MATCHES = 3


def vote_result(dot_vote: dict, matches: list[Match]) -> list[tuple[Match, int]] | None:
    """The revealed dot vote's matches (of `matches`, as matches_of sorts them) with their dots,
    most first; None while no vote on the matches has been revealed."""
    session, dots = dot_vote["session"], dot_vote["dots"]
    if session is None or session.state != "revealed":
        return None
    return [(m, dots[m.id]) for m in matches if m.id in dots]


def is_match_vote(session) -> bool:
    """Whether the dot vote `session` was opened on the matches (open_dot_vote)."""
    from ..models.facilitation import VoteItem

    return (
        db.session.scalar(
            db.select(func.count())
            .select_from(match_vote_items)
            .join(VoteItem, VoteItem.id == match_vote_items.c.item_id)
            .where(VoteItem.session_id == session.id)
        )
        > 0
    )


def top_match_ids(result: list[tuple[Match, int]], n: int = TOP_MATCHES) -> set[int]:
    """The `n` matches with the most dots that are not projects yet (ticked in the vote result)."""
    chosen = [m.id for m, dots in result if m.project_id is None and dots > 0]
    return set(chosen[:n])


def create_projects_from_matches(matches: list[Match], *, actor) -> list[Project]:
    """Turn several matches into projects in one step: all of them, or none when one of them
    is a project already."""
    if not matches:
        raise DomainError(_("Tick at least one match."))
    taken = [m for m in matches if m.project_id]
    if taken:
        raise Conflict(
            _("“%(title)s” is already a project; nothing was created.", title=match_title(taken[0], 80))
        )
    return [create_project_from_match(m, actor=actor) for m in dict.fromkeys(matches)]


def project_entries_of(project: Project) -> list[MatchEntry]:
    from ..models.entry import project_entries

    return list(
        db.session.scalars(
            db.select(MatchEntry)
            .join(project_entries)
            .where(project_entries.c.project_id == project.id)
            .order_by(MatchEntry.id)
        )
    )


# Counts and exports ----------------------------------------------------------------------------


def summary(partnership: Partnership) -> dict:
    """Counts only, no personal data: safe for the status page and public views."""

    def grouped(model, column):
        return dict(
            db.session.execute(
                db.select(column, func.count(model.id))
                .where(model.partnership_id == partnership.id)
                .group_by(column)
            ).all()
        )

    actors_by_city = grouped(Actor, Actor.city_id)
    entries_by_city = grouped(MatchEntry, MatchEntry.city_id)
    by_status = grouped(Match, Match.status)
    kinds = grouped(Actor, Actor.kind)
    projects = db.session.scalar(
        db.select(func.count(Match.id)).where(
            Match.partnership_id == partnership.id, Match.project_id.is_not(None)
        )
    )
    return {
        "cities": [
            {"city": c.name, "actors": actors_by_city.get(c.id, 0), "entries": entries_by_city.get(c.id, 0)}
            for c in partnership.cities
        ],
        "actors": sum(actors_by_city.values()),
        "actors_by_kind": {k: kinds[k] for k in ACTOR_KINDS if k in kinds},
        "entries": sum(entries_by_city.values()),
        "matches": sum(by_status.values()),
        "matches_accepted": by_status.get("accepted", 0),
        "projects": projects,
    }


def recorded_between(partnership: Partnership, start, end=None) -> dict:
    """Actors and entries recorded in [start, end) — e.g. during a workshop, for its outcomes
    page. Actors are model objects: show their contact only through `Actor.contact`."""

    def between(model):
        query = db.select(model).where(model.partnership_id == partnership.id, model.created_at >= start)
        if end is not None:
            query = query.where(model.created_at < end)
        return list(db.session.scalars(query.order_by(model.city_id, model.id)))

    return {"actors": between(Actor), "entries": between(MatchEntry)}


def match_csv(partnership: Partnership) -> tuple[list[str], list[list]]:
    """The match list; it holds no personal data, so it also serves public exports."""
    cities = list(partnership.cities)
    header = [_("Theme"), _("Status"), _("Votes")] + [c.name for c in cities] + [_("Project")]
    rows = []
    dots = dot_votes(partnership)["dots"]
    for m in matches_of(partnership, dots):
        by_city = {e.city_id: f"{ENTRY_KIND_LABELS[e.kind]}: {e.text}" for e in m.entries}
        rows.append(
            [theme_name(m.theme) if m.theme else "", str(STATUS_LABELS[m.status]), dots.get(m.id, "")]
            + [by_city.get(c.id, "") for c in cities]
            + [m.project.title if m.project else ""]
        )
    return header, rows


STATUS_LABELS = {"proposed": _l("Proposed"), "accepted": _l("Accepted")}


@describes("match.created")
def _match_created(d, who):
    return _("%(who)s marked a match: %(title)s", who=who, title=d.get("title", ""))


@describes("match.accepted")
def _match_accepted(d, who):
    return _("%(who)s accepted the match %(title)s", who=who, title=d.get("title", ""))


@describes("match.deleted")
def _match_deleted(d, who):
    return _("%(who)s removed the match %(title)s", who=who, title=d.get("title", ""))


@describes("match.project_created")
def _match_project(d, who):
    return _("%(who)s turned a match into the project %(title)s", who=who, title=d.get("title", ""))


def project_origin(project: Project) -> dict:
    """What match/_project_origin.html shows: the entries a project came from and its actors."""
    from .actors import actors_for_project

    return {"entries": project_entries_of(project), "actors": actors_for_project(project)}


def recorded_at(workshop) -> dict | None:
    """What match/_recorded.html shows: actors and entries recorded on the workshop's days
    (UTC), or None for a workshop without a date."""
    if workshop.start_date is None:
        return None
    start = datetime.combine(workshop.start_date, time.min)
    end = datetime.combine(workshop.end_date or workshop.start_date, time.min) + timedelta(days=1)
    return recorded_between(workshop.partnership, start, end)
