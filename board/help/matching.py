"""Matching help requests with the people whose skills fit them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, case, func, select

from ..extensions import db, read_rows
from ..listing import HelpCard, help_cards, help_list
from ..models import (
    HelpRequest,
    HelpStatus,
    Offer,
    User,
    help_request_skills,
    user_areas,
    user_skills,
)
from .models import Invitation

ME = bindparam("user_id")


@dataclass
class PossibleHelper:
    person: User
    matching_skills: int
    invited: bool


MATCHING = func.count(user_skills.c.skill_id).label("matching")

PEOPLE_WHO_COULD_HELP = (
    select(User, MATCHING)
    .join(user_skills, user_skills.c.user_id == User.id)
    .where(
        user_skills.c.skill_id.in_(
            select(help_request_skills.c.skill_id)
            .where(help_request_skills.c.help_request_id == bindparam("help_request_id"))
        ),
        User.id != bindparam("author_id"),
        User.suspended_at.is_(None),
        User.id.not_in(select(Offer.helper_id).where(Offer.help_request_id == bindparam("help_request_id"))),
    )
    .group_by(User.id)
    .order_by(User.last_active_at.desc(), User.id)
    .limit(bindparam("limit"))
)


def people_who_could_help(help_request: HelpRequest) -> list[PossibleHelper]:
    """Those offering a skill the request needs and not offering yet, most recently
    active first: for the person asking, to invite."""
    rows = db.session.execute(PEOPLE_WHO_COULD_HELP, {
        "help_request_id": help_request.id, "author_id": help_request.author_id,
        "limit": current_app.config["HELPERS_SHOWN"],
    }).all()
    invited = set(db.session.scalars(
        select(Invitation.person_id).where(Invitation.help_request_id == help_request.id)
    ))
    return [PossibleHelper(person, matching, person.id in invited) for person, matching in rows]


# How many of the newest open requests the dashboard looks through for matches: enough for
# any board's current needs, and it keeps the dashboard quick however long the board has run.
MATCH_WINDOW = 500
RECENT_OPEN = (
    select(HelpRequest.id)
    .where(HelpRequest.visible(), HelpRequest.status == HelpStatus.OPEN)
    .order_by(HelpRequest.id.desc())
    .limit(MATCH_WINDOW)
    .subquery()
)
MATCHES = func.count(help_request_skills.c.skill_id)
NEAR = case(
    (HelpRequest.area_id.in_(select(user_areas.c.area_id).where(user_areas.c.user_id == ME)), 1),
    else_=0,
)
REQUESTS_FOR = (
    select(HelpRequest.id)
    .join(RECENT_OPEN, RECENT_OPEN.c.id == HelpRequest.id)
    .join(help_request_skills, help_request_skills.c.help_request_id == HelpRequest.id)
    .where(
        help_request_skills.c.skill_id.in_(select(user_skills.c.skill_id).where(user_skills.c.user_id == ME)),
        HelpRequest.author_id != ME,
        HelpRequest.id.not_in(select(Offer.help_request_id).where(Offer.helper_id == ME)),
    )
    .group_by(HelpRequest.id)
    .order_by(MATCHES.desc(), NEAR.desc(), HelpRequest.id.desc())
    .limit(bindparam("limit"))
)


A_SKILL_OF = select(user_skills.c.skill_id).where(user_skills.c.user_id == ME).limit(1)


def offers_a_skill(user: User) -> bool:
    """Whether the person lists any skill or thing they can offer: without one, no request
    can match them, and the dashboard need not look."""
    return read_rows(A_SKILL_OF, {"user_id": user.id}).first() is not None


MATCHED_CARDS = help_list(HelpRequest.id.in_(bindparam("ids", expanding=True)))


def requests_you_could_help_with(user: User, limit: int = 10) -> list[HelpCard]:
    """Open requests that need this person's skills, which they have not offered on:
    more matching skills first, then those in the areas they help in, then the newest
    (among the newest MATCH_WINDOW open requests)."""
    ids = list(read_rows(REQUESTS_FOR, {"user_id": user.id, "limit": limit}).scalars())
    if not ids:
        return []
    cards = {card.id: card for card in help_cards(MATCHED_CARDS, limit=limit, ids=ids)}
    return [cards[i] for i in ids if i in cards]
