"""Demo content for the actor map and the match page (used by `sprintboard demo`)."""

from __future__ import annotations

from ..models import Partnership
from ..services import actors, entries, match
from ..services.themes import themes_of

# (city index, name, kind, themes, interest, influence, contact person or None)
ACTORS = [
    (0, "Minsk City Executive Committee, culture department", "administration", ["culture"], 3, 5, None),
    (0, "Youth centre “Zubrenok”", "ngo", ["youth", "sport"], 5, 2, "Nadia K."),
    (0, "Belarusian State University of Informatics", "university", ["digital", "youth"], 4, 3, None),
    (0, "Minsk cycling initiative", "initiative", ["mobility", "environment"], 5, 1, None),
    (1, "Bezirksamt Hamburg-Nord", "administration", ["social", "mobility"], 2, 5, None),
    (1, "Kulturfabrik Kampnagel", "culture", ["culture", "youth"], 4, 4, "Jonas B."),
    (1, "Hamburger Sportjugend", "ngo", ["sport", "youth"], 4, 2, None),
    (1, "Hamburg Chamber of Commerce", "business", ["economy", "digital"], 2, 4, None),
]
# (city index, kind, text, themes)
ENTRIES = [
    (0, "interest", "Exchange of youth theatre groups", ["culture", "youth"]),
    (0, "need", "Partners for a bicycle-friendly city centre", ["mobility", "environment"]),
    (0, "potential", "IT students who want to build civic apps", ["digital", "youth"]),
    (0, "idea", "Joint memorial project on the shared history of both cities", ["history", "culture"]),
    (0, "interest", "Youth football tournament", ["sport", "youth"]),
    (1, "potential", "Kampnagel offers a stage for guest performances", ["culture"]),
    (1, "interest", "Experience with cycle lanes and bike sharing", ["mobility"]),
    (1, "need", "Volunteers for the summer sports camp", ["sport", "youth"]),
    (1, "idea", "Hackathon on open city data", ["digital"]),
    (1, "interest", "Oral-history interviews with older citizens", ["history", "social"]),
]


def fill_match(partnership: Partnership, *, actor) -> None:
    by_key = {t.key: t for t in themes_of(partnership)}
    cities = partnership.cities
    for city, name, kind, keys, interest, influence, contact in ACTORS:
        actors.create_actor(
            partnership,
            cities[city],
            actor=actor,
            name=name,
            kind=kind,
            themes=[by_key[k] for k in keys],
            interest=interest,
            influence=influence,
            consent=contact is not None,
            contact_person=contact,
        )
    recorded = [
        entries.create_entry(partnership, cities[city], kind, text, [by_key[k] for k in keys], actor=actor)
        for city, kind, text, keys in ENTRIES
    ]
    match.create_match(partnership, [recorded[0], recorded[5]], theme=by_key["culture"], actor=actor)
    match.create_match(partnership, [recorded[1], recorded[6]], theme=by_key["mobility"], actor=actor)
