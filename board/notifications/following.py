"""Following ideas and help requests: automatically for what a person takes part in,
or with the follow button."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import bindparam, exists, select

from ..extensions import db
from ..models import HelpRequest, Idea, User, utcnow
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


def reader_id() -> int:
    """The signed-in person's id, or 0 for a visitor: bound as `reader_id` in the columns
    below, which nobody's id matches."""
    return current_user.id if current_user.is_authenticated else 0


# Whether the person reading follows the idea or help request, as a column of the post's own
# query (bound as `reader_id`): a page learns it without a query of its own.
IDEA_FOLLOWED_BY_READER = exists().where(
    Follow.user_id == bindparam("reader_id"), Follow.idea_id == Idea.id, Follow.stopped_at.is_(None)
).label("followed_by_reader")
REQUEST_FOLLOWED_BY_READER = exists().where(
    Follow.user_id == bindparam("reader_id"), Follow.help_request_id == HelpRequest.id,
    Follow.stopped_at.is_(None),
).label("followed_by_reader")


def followers_of(target: Followable) -> list[int]:
    """The ids of everyone following `target` now."""
    return list(db.session.scalars(
        select(Follow.user_id).where(_target_column(target) == target.id, Follow.stopped_at.is_(None))
    ))
