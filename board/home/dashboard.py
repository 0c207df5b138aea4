"""What the dashboard shows a person: what needs them, and how their posts and offers are doing.

The queries are built once, with the person as a bound parameter (see board/listing.py).
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, joinedload

from ..extensions import db
from ..listing import help_cards, help_list
from ..models import HelpRequest, Idea, Offer, OfferStatus, User
from ..notifications.reading import notifications_of

# The dashboard is a glance: a few of each, with links to the rest.
RECENT_EVENTS = 5
LIST_LENGTH = 10
AWAITING_SHOWN = 20
ME = bindparam("user_id")

OFFERS_AWAITING_ANSWER = (
    select(Offer)
    .join(Offer.help_request)
    .where(HelpRequest.author_id == ME, Offer.status == OfferStatus.PENDING)
    .options(
        joinedload(Offer.helper),
        contains_eager(Offer.help_request).options(*HelpRequest.without_bodies()),
    )
    .order_by(Offer.id.desc())
    .limit(AWAITING_SHOWN)
)
OFFERS_MADE_BY = (
    select(Offer)
    .join(Offer.help_request)
    .where(Offer.helper_id == ME)
    .options(
        contains_eager(Offer.help_request).options(
            *HelpRequest.without_bodies(), joinedload(HelpRequest.author)
        )
    )
    .order_by(Offer.id.desc())
    .limit(LIST_LENGTH)
)
IDEAS_BY = (
    select(Idea).where(Idea.author_id == ME).options(*Idea.without_bodies())
    .order_by(Idea.id.desc()).limit(LIST_LENGTH)
)
HELP_REQUESTS_BY = help_list(
    HelpRequest.author_id == ME, order_by=[HelpRequest.status.desc(), HelpRequest.id.desc()]
)


def offers_awaiting_answer(user: User) -> list[Offer]:
    """Offers on this person's help requests that they have not accepted or declined yet."""
    return db.session.scalars(OFFERS_AWAITING_ANSWER, {"user_id": user.id}).all()


def latest_for(user: User):
    """The person's latest notifications: what others did on what they posted or follow."""
    return notifications_of(user, limit=RECENT_EVENTS)


def offers_made_by(user: User) -> list[Offer]:
    return db.session.scalars(OFFERS_MADE_BY, {"user_id": user.id}).all()


def ideas_by(user: User) -> list[Idea]:
    return db.session.scalars(IDEAS_BY, {"user_id": user.id}).all()


def help_requests_by(user: User):
    """Their open requests first, as cards."""
    return help_cards(HELP_REQUESTS_BY, limit=LIST_LENGTH, user_id=user.id)
