"""Reading a person's notifications, and marking them read, keeping the header's count in step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Event, HelpRequest, Idea, Offer, User, utcnow
from .describe import describe
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
    .options(
        joinedload(Notification.event).options(
            joinedload(Event.actor),
            joinedload(Event.idea).options(*Idea.without_bodies()),
            joinedload(Event.help_request).options(*HelpRequest.without_bodies()),
            joinedload(Event.offer).joinedload(Offer.helper),
        )
    )
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
