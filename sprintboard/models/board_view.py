"""How one person likes to see one partnership's board: density and collapsed lanes."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

DENSITIES = ("comfortable", "compact")


class BoardView(db.Model):
    __tablename__ = "board_views"
    __table_args__ = (UniqueConstraint("user_id", "partnership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    density: Mapped[str] = mapped_column(String(20), default="comfortable")
    # Lane keys ("p12", "c3", "u0" …) separated by spaces: a handful per person at most.
    collapsed: Mapped[str] = mapped_column(String(2000), default="")

    @property
    def collapsed_lanes(self) -> set[str]:
        return set(self.collapsed.split())
