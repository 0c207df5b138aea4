"""Who is told about what happens on the board, and how.

`tell_about(event)` runs in the transaction that made the event (it listens to
Event.record's signal, connected in board/notifications/__init__.py): it
follows what the actor took part in, works out who to tell and in which category,
and writes their notifications, and any email due at once to the outbox, with it.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, insert, select, update

from ..extensions import db
from ..mail import mail_enabled
from ..models import (
    DuplicateProposal,
    Event,
    EventKind,
    Idea,
    Support,
    User,
    help_request_skills,
    user_skills,
    utcnow,
)
from ..pledge import staff_ids
from .emails import email_at_once
from .following import follow, followers_of
from .models import Category, EmailChoice, Frequency, Notification


def tell_about(event: Event) -> None:
    _follow_what_they_took_part_in(event)
    told: dict[int, str] = {}

    def tell(people, category: str) -> None:
        for person_id in people:
            told.setdefault(person_id, category)

    kind, actor = event.kind, event.actor
    if kind == EventKind.COMMENT_POSTED:
        target = event.idea or event.help_request
        tell([target.author_id], Category.MINE)
        tell(followers_of(target), Category.FOLLOWING)
    elif kind == EventKind.OFFER_MADE:
        tell([event.help_request.author_id], Category.MINE)
        tell(followers_of(event.help_request), Category.FOLLOWING)
    elif kind == EventKind.OFFER_ACCEPTED:
        tell([event.offer.helper_id], Category.MINE)
        tell(followers_of(event.help_request), Category.FOLLOWING)
    elif kind == EventKind.OFFER_DECLINED:
        # Only the helper: being turned down is nobody else's business.
        tell([event.offer.helper_id], Category.MINE)
    elif kind == EventKind.STATUS_CHANGED:
        tell([event.idea.author_id], Category.MINE)
        tell(followers_of(event.idea), Category.FOLLOWING)
    elif kind == EventKind.HELP_REQUESTED:
        tell(people_whose_skills_match(event.help_request), Category.MATCHES)
        if event.idea is not None:
            tell(followers_of(event.idea), Category.FOLLOWING)
    elif kind == EventKind.INVITED_TO_HELP:
        tell([event.recipient_id], Category.INVITATIONS)
    elif kind == EventKind.MESSAGE_SENT:
        tell([event.recipient_id], Category.MINE)
    elif kind == EventKind.DUPLICATE_PROPOSED:
        tell([event.recipient_id], Category.MINE)  # the other idea's author, who decides
        tell([event.idea.author_id], Category.MINE)
    elif kind == EventKind.DUPLICATE_DECLINED:
        tell([event.idea.author_id], Category.MINE)
        tell(proposers_of(event.idea), Category.MINE)
    elif kind == EventKind.DUPLICATE_MERGED:
        target = db.session.get(Idea, int(event.note))
        tell([event.idea.author_id, target.author_id], Category.MINE)
        tell(proposers_of(event.idea), Category.MINE)
        tell(supporters_of(event.idea), Category.FOLLOWING)
    elif kind == EventKind.PLEDGE_REACHED:
        tell([event.idea.author_id], Category.MINE)
        tell(staff_ids(), Category.ANSWERS)
        tell(followers_of(event.idea), Category.FOLLOWING)
    if kind != EventKind.PLEDGE_REACHED:  # reaching it is nobody's own doing: all are told
        told.pop(actor.id, None)  # nobody is told about what they did themselves
    if told:
        notify(event, told)


def proposers_of(idea) -> list[int]:
    """Whoever proposed, in the latest decided proposal, that this idea duplicates another."""
    proposal = db.session.scalar(
        select(DuplicateProposal).where(DuplicateProposal.idea_id == idea.id,
                                        DuplicateProposal.decided_at.is_not(None))
        .order_by(DuplicateProposal.id.desc()).limit(1)
    )
    return [proposal.proposed_by_id] if proposal and proposal.proposed_by_id else []


def supporters_of(idea) -> list[int]:
    return list(db.session.scalars(select(Support.user_id).where(Support.idea_id == idea.id)))


def _follow_what_they_took_part_in(event: Event) -> None:
    taking_part = {
        EventKind.IDEA_POSTED: event.idea,
        EventKind.HELP_REQUESTED: event.help_request,
        EventKind.COMMENT_POSTED: event.idea or event.help_request,
        EventKind.OFFER_MADE: event.help_request,
    }
    target = taking_part.get(event.kind)
    if target is not None:
        follow(event.actor, target)


def people_whose_skills_match(help_request) -> list[int]:
    """Everyone offering a skill the request needs, except its author and anyone suspended."""
    return list(db.session.scalars(
        select(user_skills.c.user_id)
        .join(User, User.id == user_skills.c.user_id)
        .join(help_request_skills, help_request_skills.c.skill_id == user_skills.c.skill_id)
        .where(
            help_request_skills.c.help_request_id == help_request.id,
            User.id != help_request.author_id,
            User.suspended_at.is_(None),
            User.erased_at.is_(None),
        )
        .distinct()
    ))


def email_choices_of(user_id: int) -> dict[str, str]:
    """How this person wants to hear about each category, defaults filled in."""
    chosen = dict(db.session.execute(
        select(EmailChoice.category, EmailChoice.frequency).where(EmailChoice.user_id == user_id)
    ).all())
    return {category: chosen.get(category, Frequency.DEFAULTS[category]) for category in Category.ALL}


def notify(event: Event, told: dict[int, str]) -> list[Notification]:
    """Write one notification per person told, with one statement for each step,
    however many people a help request matches."""
    people = db.session.execute(
        select(User.id, User.email_verified_at)
        .where(User.id.in_(told), User.suspended_at.is_(None), User.erased_at.is_(None))
    ).all()
    if not people:
        return []
    ids = [person.id for person in people]
    chosen = {
        (row.user_id, row.category): row.frequency
        for row in db.session.execute(
            select(EmailChoice.user_id, EmailChoice.category, EmailChoice.frequency)
            .where(EmailChoice.user_id.in_(ids))
        )
    }
    emailed_today = _match_emails_today(ids) if Category.MATCHES in told.values() else {}
    can_email = mail_enabled()
    now = utcnow()
    rows = []
    for person in people:
        category = told[person.id]
        email = chosen.get((person.id, category), Frequency.DEFAULTS[category])
        if not (can_email and person.email_verified_at):
            email = Frequency.NEVER
        elif (category == Category.MATCHES and email == Frequency.IMMEDIATELY
              and emailed_today.get(person.id, 0) >= current_app.config["MATCH_EMAILS_PER_DAY"]):
            email = Frequency.DAILY  # over the day's cap: it waits for the digest
        rows.append({
            "recipient_id": person.id, "event_id": event.id, "category": category,
            "created_at": now, "email": email,
            "emailed_at": now if email == Frequency.IMMEDIATELY else None,
        })
    db.session.execute(insert(Notification), rows)
    db.session.execute(
        update(User).where(User.id.in_(ids))
        .values(unread_notifications=User.unread_notifications + 1)
        .execution_options(synchronize_session=False)
    )
    now_ids = [row["recipient_id"] for row in rows if row["email"] == Frequency.IMMEDIATELY]
    if now_ids:
        notifications = db.session.scalars(
            select(Notification).where(Notification.event_id == event.id,
                                       Notification.recipient_id.in_(now_ids))
        ).all()
        for notification in notifications:
            email_at_once(notification)
    return rows


def _match_emails_today(ids: list[int]) -> dict[int, int]:
    since = utcnow() - timedelta(days=1)
    return dict(db.session.execute(
        select(Notification.recipient_id, func.count())
        .where(
            Notification.recipient_id.in_(ids),
            Notification.category == Category.MATCHES,
            Notification.email == Frequency.IMMEDIATELY,
            Notification.created_at > since,
        )
        .group_by(Notification.recipient_id)
    ).all())
