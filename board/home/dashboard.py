"""What the dashboard shows a person: what needs them, and how their posts and offers are doing.

The queries are built once, with the person as a bound parameter (see board/listing.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, bindparam, cast, literal_column, null, select, union_all
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

# Read as plain rows, as lists are (board/listing.py), two lists to a query: each query
# costs more than the few rows it reads. A part number says which list a row is of.
AWAITING, MADE = 1, 2
HELPER, REQUESTER = aliased(User, name="helper"), aliased(User, name="requester")
_OFFER_COLUMNS = (Offer.id.label("offer_id"), Offer.created_at, Offer.status, HelpRequest.id.label("request_id"),
                  HelpRequest.title)


def _offers(part: int, person, person_id, where, limit: int):
    """Offers of one of the two kinds, with the person on the other side (`person_id`)."""
    return (
        select(literal_column(str(part)).label("part"), *_OFFER_COLUMNS, *person_columns(person))
        .join(HelpRequest, HelpRequest.id == Offer.help_request_id)
        .join(person, person.id == person_id)
        .where(where).order_by(Offer.id.desc()).limit(limit)
        .subquery()
    )


# Offers waiting for the person's answer on their requests, and the offers they made.
_AWAITING = _offers(AWAITING, HELPER, Offer.helper_id,
                    (HelpRequest.author_id == ME) & (Offer.status == OfferStatus.PENDING), AWAITING_SHOWN)
_MADE = _offers(MADE, REQUESTER, HelpRequest.author_id, Offer.helper_id == ME, LIST_LENGTH)
YOUR_OFFERS = union_all(select(_AWAITING), select(_MADE)).order_by(literal_column("part"),
                                                                  literal_column("offer_id").desc())
IDEAS, REQUESTS = 1, 2
# Their ideas, and their help requests, open first: only what the dashboard's lines show
# (a card's skills, photo and linked idea are not there).
_IDEAS = (
    select(literal_column(str(IDEAS)).label("part"), Idea.id, Idea.title, cast(null(), HelpRequest.status.type).label("status"),
           Idea.supporters_count.label("first_count"), Idea.comments_count.label("second_count"))
    .where(Idea.author_id == ME).order_by(Idea.id.desc()).limit(LIST_LENGTH).subquery()
)
_REQUESTS = (
    select(literal_column(str(REQUESTS)).label("part"), HelpRequest.id, HelpRequest.title, HelpRequest.status,
           HelpRequest.offers_count.label("first_count"), cast(null(), Integer).label("second_count"))
    .where(HelpRequest.author_id == ME, HelpRequest.visible())
    .order_by(HelpRequest.status.desc(), HelpRequest.id.desc()).limit(LIST_LENGTH).subquery()
)
YOUR_POSTS = union_all(select(_IDEAS), select(_REQUESTS)).order_by(
    literal_column("part"), literal_column("status").desc(), literal_column("id").desc())


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
class IdeaLine:
    """One of the person's ideas, as the dashboard lists it."""

    id: int
    title: str
    supporters_count: int
    comments_count: int


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


def offers_of(user: User) -> tuple[list[OfferLine], list[OfferLine]]:
    """Offers on this person's help requests that they have not accepted or declined yet,
    and the help they offered, newest first."""
    found: dict[int, list[OfferLine]] = {AWAITING: [], MADE: []}
    for part, *offer, person_id, username, display_name, erased_at in read_rows(YOUR_OFFERS, {"user_id": user.id}):
        found[part].append(OfferLine(*offer, Person(person_id, username, display_name, erased_at)))
    return found[AWAITING], found[MADE]


def latest_for(user: User):
    """The person's latest notifications: what others did on what they posted or follow."""
    return notifications_of(user, limit=RECENT_EVENTS)


def posts_of(user: User) -> tuple[list[IdeaLine], list[RequestLine]]:
    """The person's latest ideas, and their help requests, open first."""
    ideas, requests = [], []
    for part, post_id, title, status, first_count, second_count in read_rows(YOUR_POSTS, {"user_id": user.id}):
        if part == IDEAS:
            ideas.append(IdeaLine(post_id, title, first_count, second_count))
        else:
            requests.append(RequestLine(post_id, title, status, first_count))
    return ideas, requests
