"""Reading a person's notifications, and marking them read, keeping the header's count in step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import bindparam, case, func, select, update

from ..extensions import db
from ..models import Comment, Event, HelpRequest, Idea, User, utcnow
from .describe import WHAT_IT_IS_ABOUT, describe
from .models import Notification


@dataclass
class Shown:
    """A notification as a page shows it."""

    id: int
    sentence: str
    url: str
    created_at: datetime
    is_read: bool


# Built once (see board/listing.py): a page of one person's notifications, with what
# each is about, in one query however many there are.
NOTIFICATIONS_OF = (
    select(Notification)
    .where(Notification.recipient_id == bindparam("user_id"))
    .options(WHAT_IT_IS_ABOUT)
    .order_by(Notification.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


def _shown(notification: Notification) -> Shown:
    told = describe(notification)
    url = url_for(told.endpoint, **told.values) + (f"#{told.anchor}" if told.anchor else "")
    return Shown(notification.id, told.sentence, url, notification.created_at, notification.is_read)


def notifications_of(user: User, limit: int, offset: int = 0) -> list[Shown]:
    return [
        _shown(n) for n in db.session.scalars(
            NOTIFICATIONS_OF, {"user_id": user.id, "limit": limit, "offset": offset}
        ).unique()
    ]


def count_of(user: User) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.recipient_id == user.id)
    ) or 0


def mark_read(user: User, notification_id: int) -> bool:
    """Mark one of the person's notifications read; False if it is not theirs."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.recipient_id != user.id:
        return False
    if notification.read_at is None:
        notification.read_at = utcnow()
        user.unread_notifications = case(
            (User.unread_notifications > 0, User.unread_notifications - 1), else_=0
        )
    return True


def mark_all_read(user: User) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    # Also puts the count right if notifications went with deleted posts.
    user.unread_notifications = 0


def recount_unread(user_ids) -> None:
    """Set these people's unread count from their notifications, as they are now."""
    if not user_ids:
        return
    unread = (
        select(func.count(Notification.id))
        .where(Notification.recipient_id == User.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    db.session.execute(
        update(User).where(User.id.in_(list(user_ids))).values(unread_notifications=unread)
        .execution_options(synchronize_session=False)
    )


def delete_with_its_notifications(thing) -> None:
    """Delete an idea, help request or comment. Its events and notifications go with it
    (by cascade), so the unread counts of the people who had them are put right."""
    column = {Idea: Event.idea_id, HelpRequest: Event.help_request_id, Comment: Event.comment_id}[type(thing)]
    told = set(db.session.scalars(
        select(Notification.recipient_id).join(Event, Event.id == Notification.event_id)
        .where(column == thing.id, Notification.read_at.is_(None))
    ))
    if isinstance(thing, Comment):
        thing.delete()  # also keeps the comment count of what it was on
    else:
        db.session.delete(thing)
    db.session.flush()
    recount_unread(told)
