"""Following ideas and help requests: automatically for what a person takes part in,
or with the follow button."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Idea, User, utcnow
from .models import Follow, Followable


def _target_column(target: Followable):
    return Follow.idea_id if isinstance(target, Idea) else Follow.help_request_id


def _follow_of(user: User, target: Followable) -> Follow | None:
    return db.session.scalar(
        select(Follow).where(Follow.user_id == user.id, _target_column(target) == target.id)
    )


def follow(user: User, target: Followable, explicitly: bool = False) -> None:
    """Follow `target`. Taking part follows it unless the person chose to stop; the
    button always does."""
    existing = _follow_of(user, target)
    if existing is None:
        kind = "idea_id" if isinstance(target, Idea) else "help_request_id"
        db.session.add(Follow(user_id=user.id, **{kind: target.id}))
    elif explicitly:
        existing.stopped_at = None


def unfollow(user: User, target: Followable) -> None:
    existing = _follow_of(user, target)
    if existing is None:
        kind = "idea_id" if isinstance(target, Idea) else "help_request_id"
        existing = Follow(user_id=user.id, **{kind: target.id})
        db.session.add(existing)
    existing.stopped_at = utcnow()


def is_following(user, target: Followable) -> bool:
    if not (user and user.is_authenticated):
        return False
    existing = _follow_of(user, target)
    return existing is not None and existing.stopped_at is None


def followers_of(target: Followable) -> list[int]:
    """The ids of everyone following `target` now."""
    return list(db.session.scalars(
        select(Follow.user_id).where(_target_column(target) == target.id, Follow.stopped_at.is_(None))
    ))
