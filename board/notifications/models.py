"""Who follows what, what each person is told, and how they like to hear about it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Event, HelpRequest, Idea, User, utcnow
from ..words import lazy_gettext as _l


class Follow(db.Model):
    """A person follows an idea or a help request (exactly one of the two).

    Posting, supporting, commenting and offering follow a thing automatically. An
    explicit unfollow is kept (`stopped_at`), so that the next comment does not
    quietly follow it again.
    """

    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("user_id", "idea_id", name="uq_follows_user_idea"),
        UniqueConstraint("user_id", "help_request_id", name="uq_follows_user_help_request"),
        CheckConstraint("(idea_id IS NULL) != (help_request_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), index=True
    )
    help_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stopped_at: Mapped[datetime | None]


class Category:
    """Kinds of notification, each with its own choice of how often to hear about it."""

    MINE = "mine"
    INVITATIONS = "invitations"
    MATCHES = "matches"
    FOLLOWING = "following"
    # Staff only: ideas reaching the board's pledge, and the day's list of answers due.
    ANSWERS = "answers"
    ALL = (MINE, INVITATIONS, MATCHES, FOLLOWING, ANSWERS)
    LABELS = {
        MINE: _l("Replies to what you posted: comments, offers of help, answers to your offers, "
              "messages and official responses"),
        INVITATIONS: _l("Someone asks you to help with their request"),
        MATCHES: _l("New help requests that need a skill you offer"),
        FOLLOWING: _l("New activity on ideas and requests you follow"),
        ANSWERS: _l("Ideas owed an official answer: each idea that reaches the board's pledge, and "
                    "a daily list of those overdue or coming due (staff only)"),
    }


class Frequency:
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"
    ALL = (IMMEDIATELY, DAILY, WEEKLY, NEVER)
    DIGESTS = (DAILY, WEEKLY)
    LABELS = {
        IMMEDIATELY: _l("Email me straight away"),
        DAILY: _l("In a daily digest"),
        WEEKLY: _l("In a weekly digest"),
        NEVER: _l("Never by email (still shown here on the board)"),
    }
    # Things about a person's own posts reach them at once; the rest once a day.
    DEFAULTS = {
        Category.MINE: IMMEDIATELY,
        Category.INVITATIONS: IMMEDIATELY,
        Category.MATCHES: DAILY,
        Category.FOLLOWING: DAILY,
        Category.ANSWERS: DAILY,
    }


class EmailChoice(db.Model):
    """How often one person wants email about one category; missing rows mean the default."""

    __tablename__ = "email_choices"
    __table_args__ = (
        CheckConstraint(
            "frequency IN ('immediately', 'daily', 'weekly', 'never')", name="frequency"
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    frequency: Mapped[str] = mapped_column(String(12))


class Notification(db.Model):
    """One person is told about one event.

    `email` records, when it was made, how the person wanted to hear about it
    (immediately, in a digest, or not by email); `emailed_at` is set in the same
    transaction that puts the email in the outbox, which is what makes every
    notification reach a person's inbox at most once.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("recipient_id", "event_id"),
        Index("ix_notifications_recipient", "recipient_id", "id"),
        # What digests still have to send: a small part of the table.
        Index(
            "ix_notifications_digest_due", "email", "created_at",
            sqlite_where=text("emailed_at IS NULL AND email IN ('daily', 'weekly')"),
            postgresql_where=text("emailed_at IS NULL AND email IN ('daily', 'weekly')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    email: Mapped[str] = mapped_column(String(12))
    emailed_at: Mapped[datetime | None]

    recipient: Mapped[User] = relationship()
    event: Mapped[Event] = relationship()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


# What a follow can point at.
Followable = Idea | HelpRequest
