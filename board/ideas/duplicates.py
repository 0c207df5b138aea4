"""Ideas that say the same thing, joined into one.

The author of an idea, or staff, propose that it duplicates another; the other idea's
author agrees or not. Staff may decide alone once a proposal has waited
DUPLICATE_DECIDE_DAYS, so that nothing waits for ever, yet nothing is joined in the
first days without the consent of the person whose idea takes the others in.

Joining happens in one transaction: the duplicate is marked, its supporters support
the other idea (each counted once), its followers follow it, and everyone involved is
told. Its comments stay where they were, readable on its own page.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..models import (
    MAX_ID,
    Decision,
    DuplicateProposal,
    Event,
    EventKind,
    Idea,
    IdeaStatus,
    NotAllowed,
    NotPossible,
    Support,
    User,
    hold,
    utcnow,
)
from ..moderation.models import ModerationAction
from ..notifications.models import Follow
from ..pledge import start_clock_if_due

_NUMBER = re.compile(r"^\s*#?\s*(\d{1,12})\s*$")
_ADDRESS = re.compile(r"/ideas/(\d{1,12})(?:[/?#]|$)")


def idea_named(text: str) -> Idea | None:
    """The idea a person means by its number ("12", "#12") or its address."""
    match = _NUMBER.match(text or "") or _ADDRESS.search((text or "").strip())
    if match is None:
        return None
    idea_id = int(match.group(1))
    return db.session.get(Idea, idea_id) if idea_id <= MAX_ID else None


def may_propose(idea: Idea, user) -> bool:
    return bool(user and user.is_authenticated and (idea.author_id == user.id or user.is_moderator))


def can_be_joined(idea: Idea) -> bool:
    return idea.hidden_at is None and idea.duplicate_of_id is None


def pending_about(idea: Idea) -> DuplicateProposal | None:
    """The proposal still waiting that this idea duplicates another."""
    return db.session.scalar(
        select(DuplicateProposal)
        .where(DuplicateProposal.idea_id == idea.id, DuplicateProposal.decided_at.is_(None))
    )


def propose(idea: Idea, target: Idea | None, by: User) -> DuplicateProposal:
    if not may_propose(idea, by):
        raise NotAllowed(_("Only the idea's author or the board's staff can say it duplicates another."))
    if target is None or target.hidden_at is not None:
        raise NotPossible(_("There is no idea with that number or address."))
    if target.id == idea.id:
        raise NotPossible(_("An idea cannot duplicate itself: choose another one."))
    if not can_be_joined(idea):
        raise NotPossible(_("This idea has already joined another one."))
    if target.duplicate_of_id is not None:
        raise NotPossible(_("That idea has itself joined another one: choose that one instead."))
    if pending_about(idea) is not None:
        raise NotPossible(_("A proposal about this idea is already waiting for an answer."))
    proposal = DuplicateProposal(idea=idea, target=target, proposed_by=by)
    db.session.add(proposal)
    db.session.flush()
    Event.record(EventKind.DUPLICATE_PROPOSED, by, recipient_id=target.author_id, idea=idea,
                 note=str(target.id))
    return proposal


def staff_may_decide_from(proposal: DuplicateProposal):
    return proposal.created_at + timedelta(days=current_app.config["DUPLICATE_DECIDE_DAYS"])


def may_decide(proposal: DuplicateProposal, user) -> bool:
    """The target's author decides; staff too, once the proposal has waited long enough."""
    if not (user and user.is_authenticated) or not proposal.pending:
        return False
    if proposal.target.author_id == user.id:
        return True
    return user.is_moderator and utcnow() >= staff_may_decide_from(proposal)


def _check_decision(proposal: DuplicateProposal, by: User) -> None:
    if not proposal.pending:
        raise NotPossible(_("That proposal has already been answered."))
    if not may_decide(proposal, by):
        raise NotAllowed(_(
            "Only the author of the other idea can answer this, or the board's staff once it "
            "has waited %(days)s days.", days=current_app.config["DUPLICATE_DECIDE_DAYS"]))


def _log(action: str, proposal: DuplicateProposal, by: User, reason: str) -> None:
    db.session.add(ModerationAction(
        moderator=by, action=action, target_kind="idea", target_id=proposal.idea_id,
        target_summary=proposal.idea.title[:200], reason=reason,
    ))


def _reason(proposal: DuplicateProposal, by: User, joined: bool) -> str:
    target = proposal.target
    by_author = by.id == target.author_id
    days = current_app.config["DUPLICATE_DECIDE_DAYS"]
    if joined and by_author:
        return _("A duplicate of idea #%(id)s, “%(title)s”: joined by its author.",
                 id=target.id, title=target.title)
    if joined:
        return _("A duplicate of idea #%(id)s, “%(title)s”: joined by staff after the proposal "
                 "waited %(days)s days.", id=target.id, title=target.title, days=days)
    if by_author:
        return _("Proposed as a duplicate of idea #%(id)s, “%(title)s”: kept apart by its author.",
                 id=target.id, title=target.title)
    return _("Proposed as a duplicate of idea #%(id)s, “%(title)s”: kept apart by staff after "
             "the proposal waited %(days)s days.", id=target.id, title=target.title, days=days)


def decline(proposal: DuplicateProposal, by: User) -> None:
    _check_decision(proposal, by)
    hold(proposal)  # two answers at once take turns: the second finds it answered
    db.session.refresh(proposal)
    _check_decision(proposal, by)
    proposal.decided_at, proposal.decision, proposal.decided_by = utcnow(), Decision.DECLINED, by
    _log("keep_apart", proposal, by, _reason(proposal, by, joined=False))
    Event.record(EventKind.DUPLICATE_DECLINED, by, recipient_id=proposal.idea.author_id,
                 idea=proposal.idea, note=str(proposal.target_id))


def accept(proposal: DuplicateProposal, by: User) -> None:
    """Join the proposal's idea with its target, in the caller's transaction."""
    _check_decision(proposal, by)
    duplicate, target = proposal.idea, proposal.target
    # Two decisions at once take turns; the second finds the first's work.
    for row in sorted((proposal, duplicate, target), key=lambda row: (type(row).__name__, row.id)):
        hold(row)
    db.session.refresh(proposal)
    db.session.refresh(duplicate)
    db.session.refresh(target)
    if not proposal.pending:
        raise NotPossible(_("That proposal has already been answered."))
    if not can_be_joined(duplicate) or not can_be_joined(target):
        raise NotPossible(_("One of the two ideas has been removed or joined another since."))
    # Supporters of both stay counted once: only those not supporting the target yet move.
    on_target = aliased(Support)
    supporters = db.session.execute(
        select(Support.user_id, Support.created_at).where(
            Support.idea_id == duplicate.id,
            Support.user_id.not_in(select(on_target.user_id).where(on_target.idea_id == target.id)),
        )
    ).mappings().all()
    if supporters:
        db.session.execute(insert(Support), [
            {"user_id": row["user_id"], "idea_id": target.id, "created_at": row["created_at"]}
            for row in supporters
        ])
    # Counted again rather than added to, so the count is right whatever happened before.
    db.session.execute(
        update(Idea).where(Idea.id == target.id).values(
            supporters_count=select(func.count()).where(Support.idea_id == target.id).scalar_subquery(),
            last_supported_at=select(func.max(Support.created_at))
            .where(Support.idea_id == target.id).scalar_subquery(),
        ).execution_options(synchronize_session=False)
    )
    # Its followers follow the target, unless they chose to stop following it.
    already = aliased(Follow)
    db.session.execute(
        insert(Follow).from_select(
            ["user_id", "idea_id", "created_at"],
            select(Follow.user_id, literal(target.id), literal(utcnow())).where(
                Follow.idea_id == duplicate.id, Follow.stopped_at.is_(None),
                Follow.user_id.not_in(select(already.user_id).where(already.idea_id == target.id)),
            ),
        )
    )
    now = utcnow()
    duplicate.status, duplicate.duplicate_of_id = IdeaStatus.DUPLICATE, target.id
    proposal.decided_at, proposal.decision, proposal.decided_by = now, Decision.ACCEPTED, by
    # Other proposals waiting about the duplicate, or for it to take others in, have
    # nothing left to decide.
    db.session.execute(
        update(DuplicateProposal)
        .where(DuplicateProposal.decided_at.is_(None), DuplicateProposal.id != proposal.id,
               or_(DuplicateProposal.idea_id == duplicate.id,
                   DuplicateProposal.target_id == duplicate.id))
        .values(decided_at=now, decision=Decision.DECLINED, decided_by_id=by.id)
        .execution_options(synchronize_session=False)
    )
    _log("merge", proposal, by, _reason(proposal, by, joined=True))
    db.session.flush()
    db.session.refresh(target)
    Event.record(EventKind.DUPLICATE_MERGED, by, recipient_id=duplicate.author_id, idea=duplicate,
                 note=str(target.id))
    start_clock_if_due(target, by)


def _around(idea_id):
    """Proposals an idea's page shows: those waiting about it (on either side), and the
    accepted ones that joined other ideas into it."""
    return or_(
        and_(DuplicateProposal.target_id == idea_id,
             or_(DuplicateProposal.decided_at.is_(None), DuplicateProposal.decision == Decision.ACCEPTED)),
        and_(DuplicateProposal.idea_id == idea_id, DuplicateProposal.decided_at.is_(None)),
    )


# Whether an idea has any: read with the idea itself, since most ideas have none and
# loading none still costs the full query below its setting up.
HAS_PROPOSALS_AROUND = exists().where(_around(Idea.id)).label("has_proposals_around")

# Built once, like every statement a page runs each time.
_PROPOSALS_AROUND = (
    select(DuplicateProposal)
    .where(_around(bindparam("idea_id")))
    .options(joinedload(DuplicateProposal.idea).options(*Idea.without_bodies()),
             joinedload(DuplicateProposal.target).options(*Idea.without_bodies()),
             joinedload(DuplicateProposal.proposed_by))
    .order_by(DuplicateProposal.id)
)


def proposals_around(idea: Idea, any_around: bool = True) -> list[DuplicateProposal]:
    """In one query, whatever the idea's page shows about duplicates (see `_around`);
    none without a query when `any_around` (HAS_PROPOSALS_AROUND) already says so."""
    if not any_around:
        return []
    return db.session.scalars(_PROPOSALS_AROUND, {"idea_id": idea.id}).unique().all()


def release_joined(idea_id: int | None = None, author_id: int | None = None) -> None:
    """Before an idea (or every idea of one author) is deleted: the ideas joined with it
    are ideas of their own again. They kept their own supporters and conversation, so
    nothing is missing from them."""
    going = aliased(Idea)  # not the row being updated
    ids = select(going.id).where(going.id == idea_id if author_id is None else going.author_id == author_id)
    db.session.execute(
        update(Idea).where(Idea.duplicate_of_id.in_(ids))
        .values(status=IdeaStatus.NEW, duplicate_of_id=None)
        .execution_options(synchronize_session=False)
    )
