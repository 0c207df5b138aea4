"""The outbox: every email is written here, in the same transaction as the change that
caused it, and delivered afterwards. A message leaves the table only once it is sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import utcnow


class OutboxMessage(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (
        # What is waiting to go: a small part of the table.
        Index(
            "ix_outbox_waiting", "next_attempt_at",
            sqlite_where=text("sent_at IS NULL AND failed_at IS NULL"),
            postgresql_where=text("sent_at IS NULL AND failed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # The signed one-click unsubscribe address, for the List-Unsubscribe header.
    unsubscribe_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A sender working on the message holds it until then, so that two never send it.
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    # The server refused the address for good (5xx): retrying would not help.
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
