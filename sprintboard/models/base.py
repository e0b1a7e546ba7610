"""Shared column helpers."""

from datetime import UTC, datetime

from sqlalchemy import Column, ForeignKey, Table

from ..extensions import db


def utcnow() -> datetime:
    """Naive UTC now: every timestamp is stored as naive UTC (SQLite has no time zones)."""
    return datetime.now(UTC).replace(tzinfo=None)


def link_table(name: str, left: tuple[str, str], right: tuple[str, str]) -> Table:
    """A many-to-many table between (column, table) `left` and `right`."""
    return Table(
        name,
        db.Model.metadata,
        Column(left[0], ForeignKey(f"{left[1]}.id", ondelete="CASCADE"), primary_key=True),
        Column(right[0], ForeignKey(f"{right[1]}.id", ondelete="CASCADE"), primary_key=True, index=True),
    )
