"""What moderation keeps: reports from people, and the log of what moderators did.

Neither points at its target with a foreign key: the log must outlive what it is
about (a deleted comment's removal stays on the record), so each names its target
by kind and id and keeps a short description of it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import User, utcnow


class Report(db.Model):
    """Someone telling the moderators that something breaks the code of conduct."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_open_target", "resolved_at", "target_kind", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    reporter: Mapped[User] = relationship()


class ModerationAction(db.Model):
    """One entry of the moderators' log: who did what to what, when and why."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    # What the target was, in a few words, as it was when the action was taken.
    target_summary: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    moderator: Mapped[User | None] = relationship()
