"""What admins set for the whole board, and the invitations they hand out."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, false, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import NotPossible, User, utcnow
from ..text import render_markdown
from ..words import lazy_gettext as _l


class RegistrationMode:
    OPEN = "open"
    INVITE = "invite"
    DOMAINS = "domains"
    ALL = (OPEN, INVITE, DOMAINS)
    LABELS = {
        OPEN: _l("Open: anyone can register"),
        INVITE: _l("By invitation: people need an invite link from an admin"),
        DOMAINS: _l("Listed email domains only, such as council staff addresses"),
    }


DEFAULT_LICENCE_NAME = "Open Government Licence v3.0"
DEFAULT_LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


class BoardSettings(db.Model):
    """The board's settings: one row, made with the defaults the first time it is read."""

    __tablename__ = "board_settings"
    __table_args__ = (
        CheckConstraint("registration_mode IN ('open', 'invite', 'domains')", name="registration_mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    introduction: Mapped[str] = mapped_column(Text, default="")
    introduction_html: Mapped[str] = mapped_column(Text, default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    code_of_conduct: Mapped[str] = mapped_column(Text, default="")
    code_of_conduct_html: Mapped[str] = mapped_column(Text, default="")
    registration_mode: Mapped[str] = mapped_column(String(10), default=RegistrationMode.OPEN)
    # Comma-separated, lower case, without "@": "camden.gov.uk, example.org".
    allowed_domains: Mapped[str] = mapped_column(Text, default="")
    # Posting waits until a person has confirmed their address (when the board sends email).
    require_verified_email: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The licence open data is published under (/data), and the privacy notice (/privacy).
    data_licence_name: Mapped[str] = mapped_column(
        String(120), default=DEFAULT_LICENCE_NAME, server_default=DEFAULT_LICENCE_NAME
    )
    data_licence_url: Mapped[str] = mapped_column(
        String(300), default=DEFAULT_LICENCE_URL, server_default=DEFAULT_LICENCE_URL
    )
    privacy_notice: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Raised by every save, so that each worker sees a change on its very next request.
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    privacy_notice_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The language of a page when neither the visitor's choice nor their browser's settles it,
    # and the languages the board offers (comma-separated codes: "en,fr,cy").
    default_language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    languages_offered: Mapped[str] = mapped_column(
        String(60), default="en,fr,cy", server_default="en,fr,cy"
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The board's pledge: every idea with at least `pledge_supporters` supporters gets an
    # official answer within `pledge_days` calendar days (board/pledge.py).
    pledge_on: Mapped[bool] = mapped_column(default=False, server_default=false())
    pledge_supporters: Mapped[int] = mapped_column(default=10, server_default="10")
    pledge_days: Mapped[int] = mapped_column(default=20, server_default="20")
    # When staff were last sent the day's list of ideas overdue or coming due: claimed
    # by one UPDATE, so that two runs never send it twice.
    answers_reminded_at: Mapped[datetime | None]

    def set_texts(self, introduction: str, code_of_conduct: str, privacy_notice: str = "") -> None:
        self.introduction = introduction or ""
        self.introduction_html = render_markdown(introduction) if introduction else ""
        self.code_of_conduct = code_of_conduct or ""
        self.code_of_conduct_html = render_markdown(code_of_conduct) if code_of_conduct else ""
        self.privacy_notice = privacy_notice or ""
        self.privacy_notice_html = render_markdown(privacy_notice) if privacy_notice else ""

    @property
    def languages(self) -> list[str]:
        """The languages offered, the default first; never none."""
        offered = [code for code in (self.languages_offered or "").split(",") if code]
        default = self.default_language or "en"
        return [default] + [code for code in offered if code != default]

    @property
    def domains(self) -> list[str]:
        return [d.strip().lstrip("@").lower() for d in self.allowed_domains.split(",") if d.strip()]

    def allows_email(self, email: str) -> bool:
        if self.registration_mode != RegistrationMode.DOMAINS:
            return True
        return email.rsplit("@", 1)[-1].lower() in self.domains


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invite(db.Model):
    """A single-use invitation to register, valid until it expires.

    Only a digest of the token is stored: the link is shown once, to the admin who
    made it, and cannot be read back from the database.
    """

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    used_by: Mapped[User | None] = relationship(foreign_keys=[used_by_id])

    @classmethod
    def make(cls, by: User, days: int, note: str = "") -> tuple[Invite, str]:
        """A new invite and its token (the token is not kept)."""
        token = secrets.token_urlsafe(24)
        invite = cls(token_digest=_digest(token), note=note, created_by=by,
                     expires_at=utcnow() + timedelta(days=days))
        db.session.add(invite)
        return invite, token

    @classmethod
    def usable(cls, token: str | None) -> Invite | None:
        if not token:
            return None
        invite = db.session.scalar(select(cls).where(cls.token_digest == _digest(token)))
        if invite is None or invite.used_at is not None or invite.expires_at <= utcnow():
            return None
        return invite

    def use(self, by: User) -> None:
        """Spend the invite; two people racing for it cannot both succeed."""
        spent = db.session.execute(
            update(Invite).where(Invite.id == self.id, Invite.used_at.is_(None))
            .values(used_at=utcnow(), used_by_id=by.id)
        )
        if spent.rowcount != 1:
            raise NotPossible(_("That invitation has already been used."))

    @property
    def state(self) -> str:
        """Used, Expired or Waiting: what code compares; pages show `state_label`."""
        if self.used_at:
            return "Used"
        return "Expired" if self.expires_at <= utcnow() else "Waiting"

    @property
    def state_label(self) -> str:
        return str(self.STATE_LABELS[self.state])

    STATE_LABELS = {"Used": _l("Used"), "Expired": _l("Expired"), "Waiting": _l("Waiting")}
