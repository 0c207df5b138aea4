"""Reading a person's notifications, and marking them read, keeping the header's count in step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.orm import aliased

from ..extensions import db, read_rows
from ..models import Comment, Event, HelpRequest, Idea, Offer, User, name_of, utcnow
from ..templating import remembered_url_for
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
# `describe` reads of each (who did it, the idea, help request and offer it is about), as
# plain rows in one query however many there are: making ORM objects of five kinds for
# each notification cost more than the query.
_actor, _helper = aliased(User), aliased(User)
NOTIFICATIONS_OF = (
    select(
        Notification.id, Notification.recipient_id, Notification.category, Notification.created_at,
        Notification.read_at, Event.kind, Event.note, Event.recipient_id.label("event_recipient_id"),
        Event.idea_id, Event.help_request_id, Event.comment_id, Event.offer_id,
        _actor.display_name.label("actor_display_name"), _actor.username.label("actor_username"),
        _actor.erased_at.label("actor_erased_at"),
        Idea.title.label("idea_title"), Idea.hidden_at.label("idea_hidden_at"), Idea.duplicate_of_id,
        HelpRequest.title.label("request_title"), HelpRequest.hidden_at.label("request_hidden_at"),
        Offer.helper_id, _helper.display_name.label("helper_display_name"),
        _helper.username.label("helper_username"), _helper.erased_at.label("helper_erased_at"),
    )
    .join(Event, Event.id == Notification.event_id)
    .join(_actor, _actor.id == Event.actor_id)
    .outerjoin(Idea, Idea.id == Event.idea_id)
    .outerjoin(HelpRequest, HelpRequest.id == Event.help_request_id)
    .outerjoin(Offer, Offer.id == Event.offer_id)
    .outerjoin(_helper, _helper.id == Offer.helper_id)
    .where(Notification.recipient_id == bindparam("user_id"))
    .order_by(Notification.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


def _as_described(row) -> SimpleNamespace:
    """A row of NOTIFICATIONS_OF shaped as the notification, event, people and posts that
    `describe` reads (what it does not read is not there). Unpacked in the query's column
    order: a page of notifications reads some five hundred values."""
    (_id, recipient_id, category, _created_at, _read_at, kind, note, event_recipient_id, idea_id,
     help_request_id, comment_id, offer_id, actor_display_name, actor_username, actor_erased_at,
     idea_title, idea_hidden_at, duplicate_of_id, request_title, request_hidden_at, helper_id,
     helper_display_name, helper_username, helper_erased_at) = row
    idea = None if idea_title is None else SimpleNamespace(
        title=idea_title, hidden_at=idea_hidden_at, duplicate_of_id=duplicate_of_id)
    request = None if request_title is None else SimpleNamespace(
        title=request_title, hidden_at=request_hidden_at)
    offer = None if helper_id is None else SimpleNamespace(
        helper_id=helper_id,
        helper=SimpleNamespace(name=name_of(helper_display_name, helper_username, helper_erased_at)))
    event = SimpleNamespace(
        kind=kind, note=note, recipient_id=event_recipient_id, idea_id=idea_id,
        help_request_id=help_request_id, comment_id=comment_id, offer_id=offer_id,
        actor=SimpleNamespace(name=name_of(actor_display_name, actor_username, actor_erased_at)),
        idea=idea, help_request=request, offer=offer,
    )
    return SimpleNamespace(recipient_id=recipient_id, category=category, event=event)


def _shown(row) -> Shown:
    told = describe(_as_described(row))
    url = remembered_url_for(told.endpoint, **told.values) + (f"#{told.anchor}" if told.anchor else "")
    return Shown(row[0], told.sentence, url, row[3], row[4] is not None)


def notifications_of(user: User, limit: int, offset: int = 0) -> list[Shown]:
    return [
        _shown(row) for row in read_rows(
            NOTIFICATIONS_OF, {"user_id": user.id, "limit": limit, "offset": offset}
        )
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
