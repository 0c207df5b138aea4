"""What the dashboard shows a person: what needs them, and how their posts and offers are doing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import (
    Event,
    HelpRequest,
    Idea,
    Offer,
    OfferStatus,
    User,
)

RECENT_EVENTS = 20
LIST_LENGTH = 20


def offers_awaiting_answer(user: User) -> list[Offer]:
    """Offers on this person's help requests that they have not accepted or declined yet."""
    return db.session.scalars(
        select(Offer)
        .join(Offer.help_request)
        .where(HelpRequest.author_id == user.id, Offer.status == OfferStatus.PENDING)
        .options(joinedload(Offer.helper), joinedload(Offer.help_request))
        .order_by(Offer.id.desc())
    ).all()


def recent_events_for(user: User, limit: int = RECENT_EVENTS) -> list[Event]:
    """What others did on this person's ideas, requests and offers, newest first."""
    return db.session.scalars(
        select(Event)
        .where(Event.recipient_id == user.id, Event.actor_id != user.id)
        .options(
            joinedload(Event.actor),
            joinedload(Event.idea).options(*Idea.without_bodies()),
            joinedload(Event.help_request).options(*HelpRequest.without_bodies()),
        )
        .order_by(Event.id.desc())
        .limit(limit)
    ).all()


def offers_made_by(user: User) -> list[Offer]:
    return db.session.scalars(
        select(Offer)
        .where(Offer.helper_id == user.id)
        .options(joinedload(Offer.help_request).joinedload(HelpRequest.author))
        .order_by(Offer.id.desc())
        .limit(LIST_LENGTH)
    ).all()


def ideas_by(user: User) -> list[Idea]:
    return db.session.scalars(
        select(Idea).where(Idea.author_id == user.id).order_by(Idea.id.desc()).limit(LIST_LENGTH)
    ).all()


def help_requests_by(user: User) -> list[HelpRequest]:
    return db.session.scalars(
        select(HelpRequest)
        .where(HelpRequest.author_id == user.id)
        .options(selectinload(HelpRequest.skills))
        .order_by(HelpRequest.status.desc(), HelpRequest.id.desc())
        .limit(LIST_LENGTH)
    ).all()
