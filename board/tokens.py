"""Signed links sent by email: verify an address, reset a password, unsubscribe.

itsdangerous signs them with the board's secret key. Verification and reset links
expire, and carry a fingerprint of what they change, so each works once: after the
address is verified, or the password changed, the same link no longer matches.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from .extensions import db
from .models import User

VERIFY = "verify-email"
RESET = "reset-password"
UNSUBSCRIBE = "unsubscribe"


def _timed(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def _state(purpose: str, user: User) -> str:
    """What the link is good for: the unverified address, or the current password."""
    if purpose == VERIFY:
        return _fingerprint(f"{user.email}|{user.email_verified_at}")
    return _fingerprint(user.password_hash)


def make_token(purpose: str, user: User) -> str:
    return _timed(purpose).dumps({"u": user.id, "s": _state(purpose, user)})


def user_from_token(purpose: str, token: str, max_age_seconds: int) -> User | None:
    """The person the link was made for, if it is genuine, in time, and not used yet."""
    try:
        data = _timed(purpose).loads(token, max_age=max_age_seconds)
        user = db.session.get(User, int(data["u"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or data.get("s") != _state(purpose, user):
        return None
    return user


def unsubscribe_token(user: User, categories: tuple[str, ...]) -> str:
    """A link that stops some kinds of email without signing in. It does not expire:
    old emails must keep working."""
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE)
    return serializer.dumps({"u": user.id, "c": list(categories)})


def read_unsubscribe_token(token: str) -> tuple[User, list[str]] | None:
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE)
    try:
        data = serializer.loads(token)
        user = db.session.get(User, int(data["u"]))
        categories = [str(c) for c in data["c"]]
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return (user, categories) if user is not None else None
