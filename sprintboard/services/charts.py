"""Chart data from the Activity log, and the geometry to draw it as inline SVG (no library).

A card's column over time is replayed from its `card.created` and `card.moved` activities
(`to_id` is the column id); a card counts as done while it sits in an `is_done` column.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Activity, Card, Partnership, Sprint
from ..models.base import utcnow
from .board import columns_of

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 34
FLOW_DAYS = 30


def day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min)


class History:
    """Where each card of a partnership was, at any moment, according to the Activity log."""

    def __init__(self, partnership: Partnership, cards: list[Card]):
        self.cards = {c.id: c for c in cards}
        columns = columns_of(partnership)
        by_name = {}
        for column in columns:
            by_name.setdefault(column.name, column.id)
        self.done_ids = {c.id for c in columns if c.is_done}
        self.events: dict[int, list[tuple[datetime, int | None]]] = {c.id: [] for c in cards}
        rows = db.session.execute(
            select(Activity.subject_id, Activity.verb, Activity.data, Activity.created_at)
            .where(
                Activity.partnership_id == partnership.id,
                Activity.subject_type == "card",
                Activity.verb.in_(("card.created", "card.moved")),
            )
            .order_by(Activity.id)
        )
        for card_id, verb, data, at in rows:
            if card_id not in self.events:
                continue
            data = data or {}
            if verb == "card.moved":
                column_id = data.get("to_id")
            else:
                column_id = data.get("column_id") or by_name.get(data.get("column"))
            self.events[card_id].append((at, column_id))
        self.times = {cid: [at for at, _c in ev] for cid, ev in self.events.items()}

    def column_at(self, card_id: int, moment: datetime) -> int | None:
        """The card's column just before `moment`, or None when it did not exist yet."""
        card = self.cards[card_id]
        if card.archived_at is not None and card.archived_at < moment:
            return None
        events = self.events[card_id]
        if not events:  # made outside the services: trust its current state
            return card.column_id if card.created_at < moment else None
        i = bisect_left(self.times[card_id], moment)
        return events[i - 1][1] if i else None

    def is_done_at(self, card_id: int, moment: datetime) -> bool:
        return self.column_at(card_id, moment) in self.done_ids


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def burndown(sprint: Sprint, today: date | None = None) -> dict:
    """Ideal line and remaining points at the end of each day of the sprint (None for future days)."""
    today = today or utcnow().date()
    cards = list(
        db.session.scalars(select(Card).where(Card.sprint_id == sprint.id, Card.archived_at.is_(None)))
    )
    history = History(sprint.partnership, cards)
    total = sum(c.estimate or 0 for c in cards)
    days = _days(sprint.start_date, sprint.end_date)
    steps = max(len(days) - 1, 1)
    ideal = [round(total * (1 - i / steps), 1) for i in range(len(days))]
    remaining = []
    for day in days:
        if day > today:
            remaining.append(None)
            continue
        done = sum(c.estimate or 0 for c in cards if history.is_done_at(c.id, day_end(day)))
        remaining.append(total - done)
    current = next((v for v in reversed(remaining) if v is not None), None)
    return {"days": days, "ideal": ideal, "remaining": remaining, "total": total, "current": current}


def cumulative_flow(partnership: Partnership, today: date | None = None, days: int = FLOW_DAYS) -> dict:
    """Cards per column at the end of each of the last `days` days."""
    today = today or utcnow().date()
    columns = columns_of(partnership)
    cards = list(db.session.scalars(select(Card).where(Card.partnership_id == partnership.id)))
    history = History(partnership, cards)
    span = _days(today - timedelta(days=days - 1), today)
    counts = {c.id: [0] * len(span) for c in columns}
    for i, day in enumerate(span):
        moment = day_end(day)
        for card in cards:
            column_id = history.column_at(card.id, moment)
            if column_id in counts:
                counts[column_id][i] += 1
    return {"days": span, "columns": [(c, counts[c.id]) for c in columns]}


# Geometry ------------------------------------------------------------------------------------


def _nice_max(value: float) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step * 4:
            return max(step * 4, 4)
    return int(value) + 1


def _frame(count: int, top_value: float) -> dict:
    top = _nice_max(top_value or 0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i):
        return round(LEFT + (plot_w * i / max(count - 1, 1)), 1)

    def y(v):
        return round(TOP + plot_h * (1 - v / top), 1)

    ticks = [(round(y(top * k / 4), 1), int(top * k / 4)) for k in range(5)]
    return {
        "x": x,
        "y": y,
        "top": top,
        "ticks": ticks,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "plot_top": TOP,
    }


def _labels(days: list[date], frame) -> list[tuple[float, date, str]]:
    """About six date labels along the x axis: (x, day, text-anchor); the last one ends at the edge."""
    every = max(1, len(days) // 6)
    last = len(days) - 1
    picked = [i for i in range(len(days)) if i % every == 0 and (last - i >= every / 2 or i == last)]
    if last not in picked:
        picked.append(last)
    return [
        (frame["x"](i), days[i], "end" if i == last and i else "start" if i == 0 else "middle")
        for i in picked
    ]


def burndown_svg(data: dict) -> dict:
    days = data["days"]
    frame = _frame(len(days), data["total"])
    x, y = frame["x"], frame["y"]
    ideal = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(data["ideal"]))
    actual = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(data["remaining"]) if v is not None)
    dots = [(x(i), y(v)) for i, v in enumerate(data["remaining"]) if v is not None]
    return {**frame, "ideal": ideal, "actual": actual, "dots": dots, "labels": _labels(days, frame)}


def velocity_svg(sprints: list[Sprint]) -> dict:
    frame = _frame(len(sprints) + 1, max([s.points_done or 0 for s in sprints] or [0]))
    plot_w = frame["right"] - frame["left"]
    slot = plot_w / max(len(sprints), 1)
    bars = []
    for i, sprint in enumerate(sprints):
        value = sprint.points_done or 0
        top = frame["y"](value)
        width = min(slot * 0.7, 80)
        bars.append(
            {
                "x": round(LEFT + slot * (i + 0.5) - width / 2, 1),
                "w": round(width, 1),
                "y": top,
                "h": round(frame["bottom"] - top, 1),
                "value": value,
                "label_x": round(LEFT + slot * (i + 0.5), 1),
                "sprint": sprint,
            }
        )
    return {**frame, "bars": bars}


def flow_svg(data: dict) -> dict:
    days = data["days"]
    totals = [sum(counts[i] for _c, counts in data["columns"]) for i in range(len(days))]
    frame = _frame(len(days), max(totals or [0]))
    x, y = frame["x"], frame["y"]
    below = [0] * len(days)
    bands = []
    # Done column at the bottom, like a classic cumulative flow diagram.
    for index, (column, counts) in reversed(list(enumerate(data["columns"]))):
        above = [b + c for b, c in zip(below, counts, strict=True)]
        upper = [f"{x(i)},{y(v)}" for i, v in enumerate(above)]
        lower = [f"{x(i)},{y(v)}" for i, v in reversed(list(enumerate(below)))]
        bands.append({"column": column, "points": " ".join(upper + lower), "index": index % 6})
        below = above
    return {**frame, "bands": bands, "labels": _labels(days, frame)}
