"""Fill a demo board with N realistic cards quickly (bulk inserts, for demos and benchmarks)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert

from ..extensions import db
from ..models import Card, ChecklistItem, Comment, Label, Project, card_assignees, card_labels
from ..models.base import utcnow
from ..services.board import GAP, columns_of

PROJECTS = [
    ("Youth exchange 2027", "Summer camp for teenagers from both cities."),
    ("Bike lanes pilot", "Learning from each other's cycling plans."),
    ("Shared archive", "Digitising letters between the twin cities since 1989."),
    ("Culture week", "A week of music, film and theatre in both cities."),
    ("Green schools", "School gardens and energy saving in ten schools."),
    ("Start-up bridge", "Mentoring for young founders across the border."),
]
LABELS = [
    ("urgent", "red"),
    ("funding", "green"),
    ("youth", "blue"),
    ("culture", "purple"),
    ("volunteers", "orange"),
]
WORDS = (
    "plan contact invite translate budget venue agenda poster report partners school "
    "museum visit workshop survey photos press volunteers sponsor bus tickets"
).split()


def fill_board(partnership, n: int, people: list) -> None:
    """Add `n` cards spread over the board's columns, with projects, labels, assignees."""
    rng = random.Random(partnership.id)  # noqa: S311 - demo data, not secrets
    now = utcnow()
    columns = columns_of(partnership)
    projects = [
        Project(
            partnership=partnership,
            title=t,
            summary=s,
            status="active",
            lead_city_id=partnership.cities[i % len(partnership.cities)].id,
        )
        for i, (t, s) in enumerate(PROJECTS)
    ]
    labels = [Label(partnership_id=partnership.id, name=name, colour=colour) for name, colour in LABELS]
    db.session.add_all(projects + labels)
    db.session.flush()
    rows = []
    for i in range(n):
        column = columns[i % len(columns)]
        words = rng.sample(WORDS, 3)
        rows.append(
            {
                "partnership_id": partnership.id,
                "project_id": projects[i % len(projects)].id if i % 7 else None,
                "column_id": column.id,
                "title": f"{words[0].capitalize()} {words[1]} and {words[2]} #{i + 1}",
                "body": "Notes for the team.\n\n- first step\n- second step",
                "language": rng.choice(["en", "de", "ru", "uk", "be"]),
                "estimate": rng.choice([None, 1, 2, 3, 5, 8]),
                "due_date": (now + timedelta(days=rng.randint(-10, 40))).date() if i % 3 == 0 else None,
                "position": (i // len(columns) + 1) * GAP,
                "version": 1,
                "revision": 1,
                "author_id": rng.choice(people).id,
                "created_at": now,
                "updated_at": now,
                "done_at": now - timedelta(hours=i) if column.is_done else None,
                "comment_count": 1 if i % 4 == 0 else 0,
                "checklist_total": 2 if i % 5 == 0 else 0,
                "checklist_done": 1 if i % 5 == 0 else 0,
            }
        )
    ids = db.session.scalars(insert(Card).returning(Card.id, sort_by_parameter_order=True), rows).all()
    assignees, card_label_rows, comments, items = [], [], [], []
    for offset, card_id in enumerate(ids):
        for person in rng.sample(people, rng.choice([1, 1, 2])):
            assignees.append({"card_id": card_id, "user_id": person.id})
        if offset % 3 == 0:
            card_label_rows.append({"card_id": card_id, "label_id": labels[offset % len(labels)].id})
        if offset % 4 == 0:
            comments.append(
                {
                    "card_id": card_id,
                    "author_id": people[offset % len(people)].id,
                    "body": "Sounds good, let's discuss at the next call.",
                    "created_at": now,
                }
            )
        if offset % 5 == 0:
            items += [
                {"card_id": card_id, "text": "Draft", "done": True, "position": 1},
                {"card_id": card_id, "text": "Review", "done": False, "position": 2},
            ]
    db.session.execute(insert(card_assignees), assignees)
    if card_label_rows:
        db.session.execute(insert(card_labels), card_label_rows)
    if comments:
        db.session.execute(insert(Comment), comments)
    if items:
        db.session.execute(insert(ChecklistItem), items)
