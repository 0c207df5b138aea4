"""The board's data: people, ideas, help requests, offers of help, comments, supports.

Each model carries the small rules about itself (who may accept an offer, what
supporting changes), so that views, the CLI and later an API all apply them the
same way. Counters read on every list (supporters, comments, offers) are columns
kept in step in the same transaction as the change, never counted per page.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    exists,
    false,
    func,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, declared_attr, defer, joinedload, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from .extensions import db
from .passwords import hash_password, matches
from .signals import event_recorded, idea_supported
from .text import plain_words, render_markdown
from .words import lazy_gettext as _l


def utcnow() -> datetime:
    """Naive UTC, the way every timestamp is stored (SQLite has no time zones)."""
    return datetime.now(UTC).replace(tzinfo=None)


def iso(moment: datetime | None) -> str | None:
    """A stored (naive UTC) time as published in feeds, the API and downloads: ISO 8601 with Z."""
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


class NotAllowed(Exception):
    """The person asking may not do this (shown as 403)."""


class NotPossible(Exception):
    """The action makes no sense in the current state (shown as a message)."""


# --- Skills -------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def normalise_skill(name: str) -> str:
    """'  Carpentry   Tools ' and 'carpentry tools' are one skill."""
    return _SPACES.sub(" ", name).strip().lower()


def parse_skills(text: str) -> list[str]:
    """Skills typed as a comma-separated list, normalised, without repeats, in order."""
    seen: dict[str, None] = {}
    for part in (text or "").split(","):
        skill = normalise_skill(part)
        if skill:
            seen.setdefault(skill, None)
    return list(seen)


class Skill(db.Model):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)

    @classmethod
    def get_or_create_many(cls, names: list[str]) -> list[Skill]:
        """The Skill rows for these normalised names, creating the missing ones."""
        if not names:
            return []
        found = {s.name: s for s in db.session.scalars(select(cls).where(cls.name.in_(names)))}
        for name in names:
            if name not in found:
                found[name] = cls(name=name)
                db.session.add(found[name])
        return [found[name] for name in names]

    def __str__(self) -> str:
        return self.name


user_skills = Table(
    "user_skills",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True),
)

help_request_skills = Table(
    "help_request_skills",
    db.metadata,
    Column("help_request_id", ForeignKey("help_requests.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True),
)


# --- Topics and areas ----------------------------------------------------------


def slugify(name: str) -> str:
    """'Young people' -> 'young-people', 'Львів' -> 'львів': for addresses people can share.

    Letters of every script are kept (browsers show them in the address bar); a name
    with no letters or digits at all gets a short code made from it.
    """
    slug = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFKC", name).lower()).strip("-")
    return slug or "x" + hashlib.sha256(name.encode()).hexdigest()[:8]


class Label:
    """What topics and areas share: a name people read and a slug for addresses."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)

    def rename(self, name: str) -> None:
        self.name = name
        self.slug = slugify(name)

    @classmethod
    def named(cls, name: str):
        thing = cls()
        thing.rename(name)
        return thing

    @classmethod
    def by_slug(cls, slug: str | None):
        return db.session.scalar(select(cls).where(cls.slug == slug)) if slug else None

    @classmethod
    def all(cls) -> list:
        return db.session.scalars(select(cls).order_by(cls.name)).all()


class Topic(Label, db.Model):
    """What an idea or help request is about: Environment, Transport, Young people."""

    __tablename__ = "topics"


class Area(Label, db.Model):
    """Where it is: a ward or a neighbourhood."""

    __tablename__ = "areas"


# The areas a person can help in: requests there come first in what they could help with.
user_areas = Table(
    "user_areas",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True, index=True),
)

idea_topics = Table(
    "idea_topics",
    db.metadata,
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True),
)

help_request_topics = Table(
    "help_request_topics",
    db.metadata,
    Column("help_request_id", ForeignKey("help_requests.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True),
)


# --- People -------------------------------------------------------------------


class Role:
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"
    ALL = (MEMBER, MODERATOR, ADMIN)
    LABELS = {MEMBER: _l("Member"), MODERATOR: _l("Moderator"), ADMIN: _l("Admin")}


# The largest id an id column holds on every engine (PostgreSQL's integer is 32 bits):
# a larger number in an address can name nothing.
MAX_ID = 2**31 - 1


def name_of(display_name: str | None, username: str, erased_at: datetime | None) -> str:
    """The name the board shows for a person, from those columns of their row."""
    if erased_at is not None:
        return _("Deleted user")
    return display_name or username


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # Usernames are unique whatever their case; they are ASCII, so lower() agrees everywhere.
        Index("uq_users_username_lower", text("lower(username)"), unique=True),
        CheckConstraint("role IN ('member', 'moderator', 'admin')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30))
    # Stored lower-cased, so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(80))
    bio: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_active_at: Mapped[datetime] = mapped_column(default=utcnow)
    role: Mapped[str] = mapped_column(String(10), default=Role.MEMBER, server_default=Role.MEMBER)
    # Staff who answer for the council or the group running the board carry a badge.
    is_official: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A suspended person can read like any visitor but cannot sign in.
    suspended_at: Mapped[datetime | None]
    # Set when the person follows the link sent to their address; only then is it emailed.
    email_verified_at: Mapped[datetime | None]
    # The person deleted their account: their personal data is gone, and any posts they
    # chose to keep show as by "Deleted user".
    erased_at: Mapped[datetime | None]
    # Kept in step with their notifications, so the header shows it without a query.
    unread_notifications: Mapped[int] = mapped_column(default=0, server_default="0")
    # Part of what a session or remember-me cookie names: a new one ends every session.
    session_token: Mapped[str] = mapped_column(
        String(64), default=lambda: secrets.token_urlsafe(32), server_default=""
    )
    # The language the person chose for the board (en, fr, cy); "" until they choose one,
    # and their browser's language applies meanwhile (board/languages).
    language: Mapped[str] = mapped_column(String(8), default="", server_default="")

    skills: Mapped[list[Skill]] = relationship(secondary=user_skills, order_by=Skill.name)
    areas: Mapped[list[Area]] = relationship(secondary=user_areas, order_by=Area.name)

    @property
    def name(self) -> str:
        return name_of(self.display_name, self.username, self.erased_at)

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses to sign in, or keep signed in, anyone suspended or erased."""
        return self.suspended_at is None and self.erased_at is None

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def role_label(self) -> str:
        return Role.LABELS[self.role]

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def set_password(self, password: str) -> None:
        """A new password ends every session: whoever knew the old one is signed out."""
        self.password_hash = hash_password(password)
        self.end_all_sessions()

    def end_all_sessions(self) -> None:
        """Sign the person out everywhere: every session and remember-me cookie names
        the old token, which no longer matches. The caller commits."""
        self.session_token = secrets.token_urlsafe(32)

    def get_id(self) -> str:
        """What the session and remember-me cookies name: the person and their token."""
        return f"{self.id}:{self.session_token}"

    def has_session_token(self, token: str) -> bool:
        # People from before tokens have "", which no cookie may match.
        return bool(self.session_token) and hmac.compare_digest(
            token.encode(), self.session_token.encode()
        )

    def check_password(self, password: str) -> bool:
        return matches(self.password_hash, password)

    def set_skills(self, names: list[str]) -> None:
        self.skills = Skill.get_or_create_many(names)

    @classmethod
    def by_username(cls, username: str) -> User | None:
        return db.session.scalar(select(cls).where(func.lower(cls.username) == username.lower()))

    @classmethod
    def by_email(cls, email: str) -> User | None:
        return db.session.scalar(select(cls).where(cls.email == email.strip().lower()))

    @classmethod
    def by_login(cls, login: str) -> User | None:
        """The person with this username or email address."""
        return cls.by_email(login) if "@" in login else cls.by_username(login.strip())

    def touch(self) -> None:
        """Note that the person is active now.

        Approximate on purpose: when another change holds their row (telling them of
        something), the moment is left for next time rather than waited for, so two
        people acting on each other's posts at once never wait on each other.
        """
        now = utcnow()
        db.session.execute(
            update(User)
            .where(User.id.in_(select(User.id).where(User.id == self.id).with_for_update(skip_locked=True)))
            .values(last_active_at=now)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(self, "last_active_at", now)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


# --- Content: what people post ----------------------------------------------


VISIBLE = "hidden_at IS NULL"


def visible_index(name: str, *columns: str) -> Index:
    """An index over visible rows only: what every public list reads, and nothing else."""
    return Index(name, *columns, sqlite_where=text(VISIBLE), postgresql_where=text(VISIBLE))


def hold(row) -> None:
    """Make anyone else changing this row wait until this transaction ends.

    On PostgreSQL this is SELECT ... FOR UPDATE; SQLite has no row locks and needs none,
    since a request that writes holds the whole database from its first statement.
    """
    if db.engine.dialect.name == "sqlite":  # the lock would be a query that does nothing
        return
    model = type(row)
    db.session.execute(select(model.id).where(model.id == row.id).with_for_update())


class Content:
    """What ideas, help requests and comments share: an author, a Markdown body,
    timestamps, and a hidden flag that moderation sets. `visible()` is the one
    place that says what a visitor may see."""

    body: Mapped[str] = mapped_column(Text)
    # The body rendered and sanitised once, when written, instead of on every view.
    body_html: Mapped[str] = mapped_column(Text)
    # What search indexes and quotes: the body's plain words (board/text.py). Only the
    # database reads it, so it is never loaded.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)
    # The language the text is written in, which pages mark with lang="..." so that a screen
    # reader pronounces it right whatever the language of the page around it.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]

    @declared_attr
    def author_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def author(cls) -> Mapped[User]:
        return relationship(User)

    @classmethod
    def visible(cls):
        """The condition for rows a visitor may see."""
        return cls.hidden_at.is_(None)

    @classmethod
    def without_bodies(cls) -> tuple:
        """Loader options for lists, which show titles, not the (possibly long) bodies."""
        return defer(cls.body, raiseload=True), defer(cls.body_html, raiseload=True)

    def set_body(self, text: str) -> None:
        self.body = text
        self.body_html = render_markdown(text)
        self.search_text = plain_words(text)

    def is_by(self, user) -> bool:
        return bool(user and user.is_authenticated and self.author_id == user.id)

    @property
    def edited(self) -> bool:
        return self.updated_at is not None


class Placed:
    """Ideas and help requests have one area and any number of topics."""

    @declared_attr
    def area_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("areas.id", ondelete="SET NULL"), index=True)

    @declared_attr
    def area(cls) -> Mapped[Area | None]:
        return relationship(Area)

    def place(self, area: Area | None, topics: list[Topic]) -> None:
        self.area = area
        self.topics = list(topics)


class Commentable:
    """Ideas and help requests both take comments, and count them on the row."""

    def add_comment(self, author: User, body: str) -> Comment:
        if getattr(self, "comments_locked_at", None) is not None:
            raise NotPossible(_("A moderator has locked the comments here."))
        if getattr(self, "duplicate_of_id", None) is not None:
            raise NotPossible(_("This idea has joined another one: the conversation goes on there."))
        comment = Comment(author=author, **{self._comment_target: self})
        db.session.add(comment)
        comment.set_body(body)
        self.comments_count = type(self).comments_count + 1
        self._on_activity()
        author.touch()
        db.session.flush()
        Event.record(
            EventKind.COMMENT_POSTED, author, recipient_id=self.author_id, comment=comment,
            **{self._comment_target: self},
        )
        return comment

    def _on_activity(self) -> None:
        """Something new happened here (a comment, a help request)."""


class IdeaStatus:
    """Where an idea stands, as the people running the board answer it officially."""

    NEW = "new"
    UNDER_CONSIDERATION = "under_consideration"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_TAKEN_FORWARD = "not_taken_forward"
    # Joined with another idea that says the same (board/ideas/duplicates.py): set by
    # that merge, never as an official answer.
    DUPLICATE = "duplicate"
    OFFICIAL = (NEW, UNDER_CONSIDERATION, IN_PROGRESS, DONE, NOT_TAKEN_FORWARD)
    ALL = (*OFFICIAL, DUPLICATE)
    # Where the idea no longer goes anywhere: similar ideas list these after the open ones.
    CLOSED = (DONE, NOT_TAKEN_FORWARD)
    LABELS = {
        NEW: _l("New"),
        UNDER_CONSIDERATION: _l("Under consideration"),
        IN_PROGRESS: _l("In progress"),
        DONE: _l("Done"),
        NOT_TAKEN_FORWARD: _l("Not taken forward"),
        DUPLICATE: _l("Joined another idea"),
    }


_AWAITING = "hidden_at IS NULL AND answered_at IS NULL AND pledge_reached_at IS NOT NULL"


class Idea(Content, Placed, Commentable, db.Model):
    __tablename__ = "ideas"
    __table_args__ = (
        # One covering index per sort order of the list, over visible ideas only,
        # and for the filters that narrow a list most.
        # "new" reads only the id; trending also reads, past its recently supported
        # ideas, whether each is one of them.
        visible_index("ix_ideas_visible_new", "id", "last_supported_at"),
        visible_index("ix_ideas_visible_popular", "supporters_count", "id"),
        visible_index("ix_ideas_visible_supported", "last_supported_at", "id"),
        visible_index("ix_ideas_visible_active", "last_activity_at", "id"),
        visible_index("ix_ideas_visible_status", "status", "id"),
        visible_index("ix_ideas_visible_area", "area_id", "id"),
        # Ideas waiting for an official answer, the longest waiting first: the staff's
        # queue and the "waiting" list read only these rows.
        Index(
            "ix_ideas_awaiting_answer", "pledge_reached_at", "id",
            sqlite_where=text(_AWAITING), postgresql_where=text(_AWAITING),
        ),
        CheckConstraint(
            "status IN ('new', 'under_consideration', 'in_progress', 'done', 'not_taken_forward', "
            "'duplicate')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    supporters_count: Mapped[int] = mapped_column(default=0, server_default="0")
    comments_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # The latest comment or help request, for "most active" and for the dashboard.
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When its latest standing support was given, for "trending"; None when nobody supports it.
    last_supported_at: Mapped[datetime | None]
    # Set by a moderator: the discussion stays readable but takes no new comments.
    comments_locked_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(
        String(25), default=IdeaStatus.NEW, server_default=IdeaStatus.NEW
    )
    # When the idea reached the board's pledge (enough supporters for a promised answer):
    # the answer clock starts then. Stored, never recomputed, so support taken back later
    # does not stop the clock (board/pledge.py).
    pledge_reached_at: Mapped[datetime | None]
    # The first official response: it stops the clock. Later answers are history.
    answered_at: Mapped[datetime | None]
    # The idea this one was joined with, its supporters and followers with it
    # (board/ideas/duplicates.py); its own address then leads there.
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="SET NULL"), index=True
    )

    topics: Mapped[list[Topic]] = relationship(secondary=idea_topics, order_by=Topic.name)
    status_updates: Mapped[list[StatusUpdate]] = relationship(
        back_populates="idea", passive_deletes=True, order_by="StatusUpdate.id.desc()"
    )

    comments: Mapped[list[Comment]] = relationship(
        back_populates="idea", passive_deletes=True, order_by="Comment.id"
    )
    help_requests: Mapped[list[HelpRequest]] = relationship(
        back_populates="idea", passive_deletes=True, order_by="HelpRequest.id"
    )
    supports: Mapped[list[Support]] = relationship(back_populates="idea", passive_deletes=True)
    duplicate_of: Mapped[Idea | None] = relationship(remote_side="Idea.id")

    _comment_target = "idea"

    @classmethod
    def post(cls, author: User, title: str, body: str) -> Idea:
        idea = cls(author=author, title=title)
        db.session.add(idea)
        idea.set_body(body)
        author.touch()
        db.session.flush()
        Event.record(EventKind.IDEA_POSTED, author, idea=idea)
        return idea

    def edit(self, title: str, body: str) -> None:
        self.title = title
        self.set_body(body)
        self.updated_at = utcnow()

    def _on_activity(self) -> None:
        self.last_activity_at = utcnow()

    @property
    def status_label(self) -> str:
        return IdeaStatus.LABELS[self.status]

    def answer(self, status: str, response: str, by: User) -> StatusUpdate:
        """An official answer: staff set where the idea stands, and say why, on the record.

        Everyone following the idea (its author and supporters among them) is told.
        """
        if not by.is_moderator:
            raise NotAllowed(_("Only the board's staff can answer ideas officially."))
        if status not in IdeaStatus.OFFICIAL:
            raise NotPossible(_("That is not a status ideas can have."))
        if self.duplicate_of_id is not None:
            raise NotPossible(_("This idea has joined another one: answer that one instead."))
        answer = StatusUpdate(idea=self, status=status, by=by)
        answer.set_response(response)
        db.session.add(answer)
        self.status = status
        if answer.response.strip() and (by.is_moderator or by.is_official):
            # The first official response stops the clock; in SQL, so that of two
            # answers given at once the earlier one stays.
            self.answered_at = func.coalesce(Idea.answered_at, utcnow())
        self._on_activity()
        db.session.flush()
        Event.record(EventKind.STATUS_CHANGED, by, recipient_id=self.author_id, idea=self,
                     note=status)
        return answer

    def toggle_support(self, user: User) -> bool:
        """Support the idea, or take the support back. Returns whether it is now supported.

        Counters move by "SET n = n + 1" in SQL, so two workers never lose a count, and
        two clicks at once take turns, so the second sees what the first did.
        """
        if self.duplicate_of_id is not None:
            raise NotPossible(_("This idea has joined another one: support that one instead."))
        hold(self)
        support = db.session.get(Support, (user.id, self.id), populate_existing=True)
        if support is None:
            now = utcnow()
            db.session.add(Support(user_id=user.id, idea_id=self.id, created_at=now))
            self.supporters_count = Idea.supporters_count + 1
            self.last_supported_at = now
            idea_supported.send(current_app._get_current_object(), idea=self, user=user)
        else:
            db.session.delete(support)
            self.supporters_count = Idea.supporters_count - 1
            # Back to the latest support still standing, in the same statement.
            self.last_supported_at = (
                select(func.max(Support.created_at))
                .where(Support.idea_id == self.id, Support.user_id != user.id)
                .scalar_subquery()
            )
        db.session.flush()
        return support is None

    def __repr__(self) -> str:
        return f"<Idea {self.id} {self.title!r}>"


class Support(db.Model):
    __tablename__ = "supports"
    __table_args__ = (
        Index("ix_supports_idea_created", "idea_id", "created_at"),
        # Trending reads the last fortnight's supports.
        Index("ix_supports_created", "created_at"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    idea: Mapped[Idea] = relationship(back_populates="supports")


class StatusUpdate(db.Model):
    """One official answer to an idea: its new status and the response, dated, kept as history."""

    __tablename__ = "status_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(25))
    response: Mapped[str] = mapped_column(Text, default="")
    response_html: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    idea: Mapped[Idea] = relationship(back_populates="status_updates")
    by: Mapped[User | None] = relationship()

    @property
    def status_label(self) -> str:
        return IdeaStatus.LABELS[self.status]

    def set_response(self, text: str) -> None:
        self.response = text or ""
        self.response_html = render_markdown(text) if text else ""


class Decision:
    ACCEPTED = "accepted"
    DECLINED = "declined"


class DuplicateProposal(db.Model):
    """Someone says an idea duplicates another; the other idea's author decides
    (or staff, once it has waited long enough). Kept once decided, as the record."""

    __tablename__ = "duplicate_proposals"
    __table_args__ = (
        CheckConstraint("decision IN ('accepted', 'declined')", name="decision"),
        CheckConstraint("idea_id != target_id", name="not_itself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decision: Mapped[str | None] = mapped_column(String(10))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    idea: Mapped[Idea] = relationship(foreign_keys=[idea_id])
    target: Mapped[Idea] = relationship(foreign_keys=[target_id])
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def pending(self) -> bool:
        return self.decided_at is None


class HelpStatus:
    OPEN = "open"
    MATCHED = "matched"
    CLOSED = "closed"
    ALL = (OPEN, MATCHED, CLOSED)
    LABELS = {OPEN: _l("Open"), MATCHED: _l("Matched"), CLOSED: _l("Closed")}


class HelpKind:
    """What sort of help a request needs, so that people can look for what they have."""

    SKILLS = "skills"
    TIME = "time"
    EQUIPMENT = "equipment"
    SPACE = "space"
    COUNCIL = "council"
    ALL = (SKILLS, TIME, EQUIPMENT, SPACE, COUNCIL)
    LABELS = {
        SKILLS: _l("Skills"),
        TIME: _l("Time"),
        EQUIPMENT: _l("Equipment"),
        SPACE: _l("A space"),
        COUNCIL: _l("Expertise from the council"),
    }


class HelpRequest(Content, Placed, Commentable, db.Model):
    __tablename__ = "help_requests"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'matched', 'closed')", name="status"),
        # Listing open requests first is "ORDER BY status DESC, id DESC": open > matched > closed.
        visible_index("ix_help_requests_visible_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    status: Mapped[str] = mapped_column(String(10), default=HelpStatus.OPEN)
    kind: Mapped[str] = mapped_column(
        String(10), default=HelpKind.SKILLS, server_default=HelpKind.SKILLS
    )
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="SET NULL"), index=True
    )
    offers_count: Mapped[int] = mapped_column(default=0, server_default="0")
    comments_count: Mapped[int] = mapped_column(default=0, server_default="0")

    idea: Mapped[Idea | None] = relationship(back_populates="help_requests")
    skills: Mapped[list[Skill]] = relationship(secondary=help_request_skills, order_by=Skill.name)
    topics: Mapped[list[Topic]] = relationship(secondary=help_request_topics, order_by=Topic.name)
    offers: Mapped[list[Offer]] = relationship(
        back_populates="help_request", passive_deletes=True, order_by="Offer.id"
    )
    comments: Mapped[list[Comment]] = relationship(
        back_populates="help_request", passive_deletes=True, order_by="Comment.id"
    )

    _comment_target = "help_request"

    @classmethod
    def post(
        cls, author: User, title: str, body: str, skills: list[str], idea: Idea | None = None,
        kind: str = HelpKind.SKILLS, area: Area | None = None, topics: list[Topic] = (),
    ) -> HelpRequest:
        """Ask for help. The people whose skills match are told (see notifications)."""
        if idea is not None and idea.author_id != author.id:
            raise NotAllowed(_("A help request can only be linked to one of your own ideas."))
        help_request = cls(author=author, title=title, idea=idea, kind=kind)
        db.session.add(help_request)
        help_request.set_body(body)
        help_request.set_skills(skills)
        help_request.place(area, list(topics))
        if idea is not None:
            idea._on_activity()
        author.touch()
        db.session.flush()
        Event.record(EventKind.HELP_REQUESTED, author, help_request=help_request, idea=idea)
        return help_request

    def edit(self, title: str, body: str, skills: list[str], idea: Idea | None,
             kind: str | None = None) -> None:
        if idea is not None and idea.author_id != self.author_id:
            raise NotAllowed(_("A help request can only be linked to one of your own ideas."))
        self.title = title
        self.kind = kind or self.kind
        self.set_body(body)
        self.set_skills(skills)
        self.idea = idea
        self.updated_at = utcnow()

    @property
    def status_label(self) -> str:
        return HelpStatus.LABELS[self.status]

    @property
    def kind_label(self) -> str:
        return HelpKind.LABELS[self.kind]

    @property
    def is_open(self) -> bool:
        return self.status == HelpStatus.OPEN

    def set_skills(self, names: list[str]) -> None:
        self.skills = Skill.get_or_create_many(names)

    def offer_from(self, user) -> Offer | None:
        if not (user and user.is_authenticated):
            return None
        return db.session.scalar(
            select(Offer).where(Offer.help_request_id == self.id, Offer.helper_id == user.id)
        )

    def make_offer(self, helper: User, message: str) -> Offer:
        if helper.id == self.author_id:
            raise NotPossible(_("You cannot offer help on your own request."))
        if self.status == HelpStatus.CLOSED:
            raise NotPossible(_("This request is closed and no longer takes offers."))
        hold(self)  # two offers sent at once take turns: the second sees the first
        if self.offer_from(helper) is not None:
            raise NotPossible(_("You have already offered help on this request."))
        offer = Offer(help_request=self, helper=helper, message=message)
        db.session.add(offer)
        self.offers_count = HelpRequest.offers_count + 1
        helper.touch()
        db.session.flush()
        Event.record(
            EventKind.OFFER_MADE, helper, recipient_id=self.author_id, help_request=self, offer=offer
        )
        return offer

    def _decide(self, offer: Offer, by: User) -> None:
        if by.id != self.author_id:
            raise NotAllowed(_("Only the person who asked for help can answer offers."))
        if offer.help_request_id != self.id:
            raise NotAllowed(_("That offer belongs to another request."))
        if offer.status != OfferStatus.PENDING:
            raise NotPossible(_("That offer has already been answered."))

    def accept(self, offer: Offer, by: User) -> None:
        """Accept a helper's offer: the request is matched and the helper joins the team."""
        self._decide(offer, by)
        if self.status == HelpStatus.CLOSED:
            raise NotPossible(_("Reopen the request before accepting offers."))
        offer.status = OfferStatus.ACCEPTED
        offer.decided_at = utcnow()
        self.status = HelpStatus.MATCHED
        Event.record(
            EventKind.OFFER_ACCEPTED, by, recipient_id=offer.helper_id, help_request=self, offer=offer
        )

    def decline(self, offer: Offer, by: User) -> None:
        self._decide(offer, by)
        offer.status = OfferStatus.DECLINED
        offer.decided_at = utcnow()
        Event.record(
            EventKind.OFFER_DECLINED, by, recipient_id=offer.helper_id, help_request=self, offer=offer
        )

    def close(self, by: User) -> None:
        if by.id != self.author_id:
            raise NotAllowed(_("Only the person who asked for help can close the request."))
        self.status = HelpStatus.CLOSED

    def reopen(self, by: User) -> None:
        """Back to open: for a closed request, or a matched one that needs more hands."""
        if by.id != self.author_id:
            raise NotAllowed(_("Only the person who asked for help can reopen the request."))
        self.status = HelpStatus.OPEN

    def __repr__(self) -> str:
        return f"<HelpRequest {self.id} {self.title!r} {self.status}>"


class OfferStatus:
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    LABELS = {
        PENDING: _l("Waiting for an answer"),
        ACCEPTED: _l("Accepted"),
        DECLINED: _l("Declined"),
        WITHDRAWN: _l("Withdrawn"),
    }


class Offer(db.Model):
    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("help_request_id", "helper_id"),
        CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'withdrawn')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    help_request_id: Mapped[int] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE")
    )
    helper_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=OfferStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    help_request: Mapped[HelpRequest] = relationship(back_populates="offers")
    helper: Mapped[User] = relationship()

    @property
    def status_label(self) -> str:
        return OfferStatus.LABELS[self.status]

    def withdraw(self, by: User) -> None:
        if by.id != self.helper_id:
            raise NotAllowed(_("Only the helper can withdraw an offer."))
        if self.status != OfferStatus.PENDING:
            raise NotPossible(_("Only an offer still waiting for an answer can be withdrawn."))
        self.status = OfferStatus.WITHDRAWN
        self.decided_at = utcnow()


class Comment(Content, db.Model):
    """A comment on an idea or on a help request (exactly one of the two)."""

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint(
            "(idea_id IS NULL) != (help_request_id IS NULL)", name="one_target"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), index=True
    )
    help_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), index=True
    )

    idea: Mapped[Idea | None] = relationship(back_populates="comments")
    help_request: Mapped[HelpRequest | None] = relationship(back_populates="comments")

    @property
    def target(self) -> Idea | HelpRequest:
        return self.idea if self.idea_id is not None else self.help_request

    def edit(self, body: str) -> None:
        self.set_body(body)
        self.updated_at = utcnow()

    def delete(self) -> None:
        target = self.target
        if self.hidden_at is None:  # a hidden comment no longer counts already
            target.comments_count = type(target).comments_count - 1
        db.session.delete(self)


# --- What happened ------------------------------------------------------------


class EventKind:
    IDEA_POSTED = "idea_posted"
    COMMENT_POSTED = "comment_posted"
    HELP_REQUESTED = "help_requested"
    OFFER_MADE = "offer_made"
    OFFER_ACCEPTED = "offer_accepted"
    OFFER_DECLINED = "offer_declined"
    STATUS_CHANGED = "status_changed"
    INVITED_TO_HELP = "invited_to_help"
    MESSAGE_SENT = "message_sent"
    # An idea reached the board's pledge: its answer clock started (board/pledge.py).
    PLEDGE_REACHED = "pledge_reached"
    # An idea is said to duplicate another, and that idea's author answers
    # (board/ideas/duplicates.py). The event's idea is the duplicate; its note, the other's id.
    DUPLICATE_PROPOSED = "duplicate_proposed"
    DUPLICATE_MERGED = "duplicate_merged"
    DUPLICATE_DECLINED = "duplicate_declined"


class Event(db.Model):
    """One record of something that happened on the board: who did what, to what, when.

    The dashboard reads it now; notifications, activity feeds and the moderation
    log read the same record rather than each finding out in its own way.
    """

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_recipient", "recipient_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The person it happened to: the author of what was commented on or offered on,
    # the helper whose offer was answered. Their dashboard lists it.
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), index=True
    )
    help_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[int | None] = mapped_column(
        ForeignKey("offers.id", ondelete="CASCADE"), index=True
    )
    # A detail worth keeping as it was then: the status an idea was given.
    note: Mapped[str | None] = mapped_column(String(40))

    actor: Mapped[User] = relationship(foreign_keys=[actor_id])
    idea: Mapped[Idea | None] = relationship()
    help_request: Mapped[HelpRequest | None] = relationship()
    comment: Mapped[Comment | None] = relationship()
    offer: Mapped[Offer | None] = relationship()

    @classmethod
    def record(cls, kind: str, actor: User, **subjects) -> Event:
        """Keep what happened, and announce it: board/notifications listens and tells
        the people who follow it, in this same transaction."""
        event = cls(kind=kind, actor=actor, **subjects)
        db.session.add(event)
        db.session.flush()
        event_recorded.send(current_app._get_current_object(), event=event)
        return event


# Whether an idea has official answers, and help requests, as columns of the query that reads
# it: most ideas have neither, and their pages then ask for neither.
IDEA_HAS_ANSWERS = exists().where(StatusUpdate.idea_id == Idea.id).label("has_answers")
IDEA_HAS_HELP_REQUESTS = exists().where(HelpRequest.idea_id == Idea.id).label("has_help_requests")
# An idea's official answers, the latest first as Idea.status_updates keeps them, with who gave each.
ANSWERS_TO = (
    select(StatusUpdate)
    .where(StatusUpdate.idea_id == bindparam("idea_id"))
    .options(joinedload(StatusUpdate.by))
    .order_by(StatusUpdate.id.desc())
)
