"""What the dashboard shows a person: what needs them, and how their posts and offers are doing.

The queries are built once, with the person as a bound parameter (see board/listing.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased

from ..extensions import read_rows
from ..languages import named
from ..listing import Person, person_columns
from ..models import HelpRequest, HelpStatus, Idea, Offer, OfferStatus, User
from ..notifications.reading import notifications_of

# The dashboard is a glance: a few of each, with links to the rest.
RECENT_EVENTS = 5
LIST_LENGTH = 10
AWAITING_SHOWN = 20
ME = bindparam("user_id")

# Read as plain rows, as lists are (board/listing.py): the dashboard shows a few of each.
HELPER, REQUESTER = aliased(User, name="helper"), aliased(User, name="requester")
_OFFER_COLUMNS = (Offer.id, Offer.created_at, Offer.status, HelpRequest.id, HelpRequest.title)
OFFERS_AWAITING_ANSWER = (
    select(*_OFFER_COLUMNS, *person_columns(HELPER))
    .join(HelpRequest, HelpRequest.id == Offer.help_request_id)
    .join(HELPER, HELPER.id == Offer.helper_id)
    .where(HelpRequest.author_id == ME, Offer.status == OfferStatus.PENDING)
    .order_by(Offer.id.desc())
    .limit(AWAITING_SHOWN)
)
OFFERS_MADE_BY = (
    select(*_OFFER_COLUMNS, *person_columns(REQUESTER))
    .join(HelpRequest, HelpRequest.id == Offer.help_request_id)
    .join(REQUESTER, REQUESTER.id == HelpRequest.author_id)
    .where(Offer.helper_id == ME)
    .order_by(Offer.id.desc())
    .limit(LIST_LENGTH)
)
IDEAS_BY = (
    select(Idea.id, Idea.title, Idea.supporters_count, Idea.comments_count)
    .where(Idea.author_id == ME).order_by(Idea.id.desc()).limit(LIST_LENGTH)
)
# Only what the dashboard's lines show: a card's skills, photo and linked idea are not there.
HELP_REQUESTS_BY = (
    select(HelpRequest.id, HelpRequest.title, HelpRequest.status, HelpRequest.offers_count)
    .where(HelpRequest.author_id == ME, HelpRequest.visible())
    .order_by(HelpRequest.status.desc(), HelpRequest.id.desc()).limit(LIST_LENGTH)
)


@dataclass(slots=True)
class OfferLine:
    """An offer as the dashboard lists it, with the other person: the helper of an offer
    waiting for your answer, the requester of one you made."""

    id: int
    created_at: datetime
    status: str
    request_id: int
    request_title: str
    person: Person

    @property
    def status_label(self) -> str:
        return named(OfferStatus.LABELS[self.status])


@dataclass(slots=True)
class RequestLine:
    """One of the person's help requests, as the dashboard lists it."""

    id: int
    title: str
    status: str
    offers_count: int

    @property
    def status_label(self) -> str:
        return named(HelpStatus.LABELS[self.status])


def _offer_lines(query, user: User) -> list[OfferLine]:
    return [OfferLine(*row[:5], Person(*row[5:])) for row in read_rows(query, {"user_id": user.id})]


def offers_awaiting_answer(user: User) -> list[OfferLine]:
    """Offers on this person's help requests that they have not accepted or declined yet."""
    return _offer_lines(OFFERS_AWAITING_ANSWER, user)


def latest_for(user: User):
    """The person's latest notifications: what others did on what they posted or follow."""
    return notifications_of(user, limit=RECENT_EVENTS)


def offers_made_by(user: User) -> list[OfferLine]:
    return _offer_lines(OFFERS_MADE_BY, user)


def ideas_by(user: User):
    return read_rows(IDEAS_BY, {"user_id": user.id}).all()


def help_requests_by(user: User) -> list[RequestLine]:
    """Their open requests first."""
    return [RequestLine(*row) for row in read_rows(HELP_REQUESTS_BY, {"user_id": user.id})]
