"""Registrations waiting for their emailed link to be followed.

With email on, an account is made only when the person follows the link sent to their
address. Until then what they typed waits here, on the server: the link carries only a
random token, so their password hash never travels in an email or a URL, where mail
archives, proxy logs and browser history would keep it for offline cracking.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import utcnow


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Registration(db.Model):
    """Someone registering, until they follow the link or it expires.

    Only a digest of the token is kept, as for invitations: the database alone does not
    give anyone a working link. A waiting registration holds no username: the name is
    checked again when the account is made.
    """

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(30))
    # Lower-cased, as on users; one waiting registration per address.
    email: Mapped[str] = mapped_column(String(254), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # The invitation it came with: removing the invitation removes the registration.
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invites.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    @classmethod
    def start(cls, username: str, email: str, password_hash: str, invite_id: int | None,
              hours: int) -> tuple[Registration, str]:
        """A new waiting registration and the token for its link (the token is not kept).

        It replaces any earlier one for the same address, and expired ones go too, so
        that registering again and again leaves one row. The caller commits.
        """
        email = email.strip().lower()
        now = utcnow()
        db.session.execute(delete(cls).where((cls.email == email) | (cls.expires_at <= now)))
        token = secrets.token_urlsafe(32)
        registration = cls(token_digest=_digest(token), username=username, email=email,
                           password_hash=password_hash, invite_id=invite_id,
                           created_at=now, expires_at=now + timedelta(hours=hours))
        db.session.add(registration)
        return registration, token

    @classmethod
    def waiting(cls, token: str) -> Registration | None:
        """The registration the link names, if it is still waiting and in time."""
        if not token:
            return None
        found = db.session.scalar(select(cls).where(cls.token_digest == _digest(token)))
        if found is None or found.expires_at <= utcnow():
            return None
        return found

    def spend(self) -> bool:
        """Remove the registration as its account is made; of two people pressing the
        button at once, only one gets True. The caller commits."""
        return db.session.execute(delete(Registration).where(Registration.id == self.id)).rowcount == 1

    @classmethod
    def forget(cls, email: str) -> None:
        """No registration waits for an address once it has an account, or is erased."""
        db.session.execute(delete(cls).where(cls.email == email.strip().lower()))
