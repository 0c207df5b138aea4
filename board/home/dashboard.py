"""What the dashboard shows a person: what needs them, and how their posts and offers are doing."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from ..extensions import db
from ..models import (
    Comment,
    Event,
    EventKind,
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
    own_idea = aliased(Idea)
    own_request = aliased(HelpRequest)
    own_offer = aliased(Offer)
    return db.session.scalars(
        select(Event)
        .outerjoin(own_idea, own_idea.id == Event.idea_id)
        .outerjoin(own_request, own_request.id == Event.help_request_id)
        .outerjoin(own_offer, own_offer.id == Event.offer_id)
        .where(
            Event.actor_id != user.id,
            or_(
                and_(
                    Event.kind == EventKind.COMMENT_POSTED,
                    or_(own_idea.author_id == user.id, own_request.author_id == user.id),
                ),
                and_(Event.kind == EventKind.OFFER_MADE, own_request.author_id == user.id),
                and_(
                    Event.kind.in_([EventKind.OFFER_ACCEPTED, EventKind.OFFER_DECLINED]),
                    own_offer.helper_id == user.id,
                ),
            ),
        )
        .options(
            joinedload(Event.actor),
            joinedload(Event.idea),
            joinedload(Event.help_request),
            joinedload(Event.comment).joinedload(Comment.author),
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
