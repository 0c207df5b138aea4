"""Moderation: reports, the moderators' queue, hiding and restoring, locking, suspending.

The rules live here as plain functions (`moderate(...)`, `report(...)`), so that the
pages, the command line and later an API apply them the same way. Every action goes
into the log with who, what, when and why.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint
from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select, update

from ..extensions import db
from ..models import Comment, HelpRequest, Idea, NotAllowed, NotPossible, Role, User, utcnow
from ..photos import Photo
from ..words import lazy_gettext as _l
from .models import ModerationAction, Report

bp = Blueprint("moderation", __name__)

KINDS = {"idea": Idea, "help_request": HelpRequest, "comment": Comment, "user": User, "photo": Photo}
KIND_LABELS = {"idea": _l("idea"), "help_request": _l("help request"), "comment": _l("comment"), "user": _l("person"),
               "photo": _l("photo")}
# Whole sentences for each kind, so that every language can make its words agree.
REPORT_TITLES = {"idea": _l("Report this idea"), "help_request": _l("Report this help request"),
                 "comment": _l("Report this comment"), "user": _l("Report this person"),
                 "photo": _l("Report this photo")}
MODERATE_TITLES = {"idea": _l("Moderate this idea"), "help_request": _l("Moderate this help request"),
                   "comment": _l("Moderate this comment"), "user": _l("Moderate this person"),
                   "photo": _l("Moderate this photo")}
DELETED_LABELS = {"idea": _l("Deleted idea"), "help_request": _l("Deleted help request"),
                  "comment": _l("Deleted comment"), "user": _l("Deleted person"),
                  "photo": _l("Deleted photo")}

# What the board itself writes into the log and the reports when a person deletes their
# account (people/own_data.py). The database keeps these English words, whoever was reading
# at the time; pages show them in the reader's language.
DELETED_NAME = "Deleted user"
WITHDRAWN_REASON = "The person who made this report has deleted their account."
REMOVED_SUMMARY = "Removed with a deleted account"
_BOARD_WORDS = {
    DELETED_NAME: _l("Deleted user"),
    WITHDRAWN_REASON: _l("The person who made this report has deleted their account."),
    REMOVED_SUMMARY: _l("Removed with a deleted account"),
}


def in_readers_words(text: str) -> str:
    """A log summary or a report's reason, with the board's own words in the reader's language."""
    return str(_BOARD_WORDS.get(text, text))


def kind_of(thing) -> str:
    return next(kind for kind, model in KINDS.items() if isinstance(thing, model))


def summary_of(thing) -> str:
    """A few words that say what the thing is, for the queue and the report pages."""
    if isinstance(thing, Comment):
        text = " ".join(thing.body.split())
        return _("Comment by @%(username)s: %(text)s", username=thing.author.username, text=text[:120])
    if isinstance(thing, Photo):
        return _("Photo on “%(title)s”: %(description)s", title=thing.target.title, description=thing.alt)
    return kept_summary_of(thing)


def kept_summary_of(thing) -> str:
    """What the log keeps to name the thing: only people's own names and words. The log is
    read later, in every language, and its entry's own words say what kind of thing it was."""
    if isinstance(thing, User):
        return f"@{thing.username}"
    if isinstance(thing, Comment):
        return f"@{thing.author.username}: {' '.join(thing.body.split())[:120]}"
    if isinstance(thing, Photo):
        return f"{thing.target.title}: {thing.alt}"
    return thing.title


@dataclass(frozen=True)
class Action:
    name: str
    label: str  # the button
    done: str  # what the log and the message say
    kinds: tuple[str, ...]


ACTIONS = {
    action.name: action
    for action in (
        Action("hide", _l("Hide"), "hid", ("idea", "help_request", "comment", "photo")),
        Action("restore", _l("Restore"), "restored", ("idea", "help_request", "comment", "photo")),
        Action("lock", _l("Lock comments"), "locked comments on", ("idea",)),
        Action("unlock", _l("Unlock comments"), "unlocked comments on", ("idea",)),
        Action("suspend", _l("Suspend"), "suspended", ("user",)),
        Action("reinstate", _l("Reinstate"), "reinstated", ("user",)),
        Action("dismiss", _l("Dismiss reports"), "dismissed the reports about", KINDS.keys()),
    )
}

# What the moderator is told after each action on each kind of thing, as whole sentences.
# What the moderation log and a thing's history say was done.
LOGGED = {
    ("hide", "idea"): _l("Hid the idea"),
    ("hide", "help_request"): _l("Hid the help request"),
    ("hide", "comment"): _l("Hid the comment"),
    ("restore", "idea"): _l("Restored the idea"),
    ("restore", "help_request"): _l("Restored the help request"),
    ("restore", "comment"): _l("Restored the comment"),
    ("hide", "photo"): _l("Hid the photo"),
    ("restore", "photo"): _l("Restored the photo"),
    ("dismiss", "photo"): _l("Dismissed the reports about the photo"),
    ("lock", "idea"): _l("Locked comments on the idea"),
    ("unlock", "idea"): _l("Unlocked comments on the idea"),
    ("suspend", "user"): _l("Suspended the person"),
    ("reinstate", "user"): _l("Reinstated the person"),
    ("dismiss", "idea"): _l("Dismissed the reports about the idea"),
    ("dismiss", "help_request"): _l("Dismissed the reports about the help request"),
    ("dismiss", "comment"): _l("Dismissed the reports about the comment"),
    ("dismiss", "user"): _l("Dismissed the reports about the person"),
    # Not moderators' actions, but on the record with them (board/ideas/duplicates.py).
    ("merge", "idea"): _l("Joined the idea with another"),
    ("keep_apart", "idea"): _l("Declined to join the idea with another"),
}
DONE = {
    ("hide", "idea"): _l("You hid this idea."),
    ("hide", "help_request"): _l("You hid this help request."),
    ("hide", "comment"): _l("You hid this comment."),
    ("restore", "idea"): _l("You restored this idea."),
    ("restore", "help_request"): _l("You restored this help request."),
    ("restore", "comment"): _l("You restored this comment."),
    ("hide", "photo"): _l("You hid this photo."),
    ("restore", "photo"): _l("You restored this photo."),
    ("dismiss", "photo"): _l("You dismissed the reports about this photo."),
    ("lock", "idea"): _l("You locked comments on this idea."),
    ("unlock", "idea"): _l("You unlocked comments on this idea."),
    ("suspend", "user"): _l("You suspended this person."),
    ("reinstate", "user"): _l("You reinstated this person."),
    ("dismiss", "idea"): _l("You dismissed the reports about this idea."),
    ("dismiss", "help_request"): _l("You dismissed the reports about this help request."),
    ("dismiss", "comment"): _l("You dismissed the reports about this comment."),
    ("dismiss", "user"): _l("You dismissed the reports about this person."),
}


def available_actions(thing, by: User) -> list[Action]:
    """What this moderator may do to this thing now."""
    kind = kind_of(thing)
    possible = []
    for action in ACTIONS.values():
        if kind not in action.kinds:
            continue
        try:
            _check(action.name, thing, by)
        except (NotAllowed, NotPossible):
            continue
        possible.append(action)
    return possible


def _check(action: str, thing, by: User) -> None:
    if not by.is_moderator:
        raise NotAllowed(_("Only moderators can do that."))
    if action == "hide" and thing.hidden_at is not None:
        raise NotPossible(_("That is already hidden."))
    if action == "restore" and thing.hidden_at is None:
        raise NotPossible(_("That is not hidden."))
    if action == "lock" and thing.comments_locked_at is not None:
        raise NotPossible(_("Comments on that idea are already locked."))
    if action == "unlock" and thing.comments_locked_at is None:
        raise NotPossible(_("Comments on that idea are not locked."))
    if action in ("suspend", "reinstate"):
        if thing.id == by.id:
            raise NotAllowed(_("You cannot suspend or reinstate yourself."))
        if thing.role != Role.MEMBER and not by.is_admin:
            raise NotAllowed(_("Only an admin can suspend or reinstate a moderator or an admin."))
    if action == "suspend" and thing.suspended_at is not None:
        raise NotPossible(_("That person is already suspended."))
    if action == "reinstate" and thing.suspended_at is None:
        raise NotPossible(_("That person is not suspended."))
    if action == "dismiss" and not open_reports_about(kind_of(thing), thing.id):
        raise NotPossible(_("There are no open reports about that."))


def moderate(action: str, thing, by: User, reason: str) -> ModerationAction:
    """Apply a moderation action, resolve the open reports about the thing, and log it."""
    if action not in ACTIONS or kind_of(thing) not in ACTIONS[action].kinds:
        raise NotPossible(_("That action does not apply here."))
    _check(action, thing, by)
    now = utcnow()
    if action in ("hide", "restore"):
        thing.hidden_at = now if action == "hide" else None
        if isinstance(thing, Photo):
            thing.hidden_by_id = by.id if action == "hide" else None
        if isinstance(thing, Comment):
            # Counters count what people can read.
            target = thing.target
            step = -1 if action == "hide" else 1
            target.comments_count = type(target).comments_count + step
    elif action in ("lock", "unlock"):
        thing.comments_locked_at = now if action == "lock" else None
    elif action in ("suspend", "reinstate"):
        thing.suspended_at = now if action == "suspend" else None
        if action == "suspend":
            thing.end_all_sessions()
    kind = kind_of(thing)
    db.session.execute(
        update(Report)
        .where(Report.target_kind == kind, Report.target_id == thing.id, Report.resolved_at.is_(None))
        .values(resolved_at=now)
    )
    entry = ModerationAction(
        moderator=by, action=action, target_kind=kind, target_id=thing.id,
        target_summary=kept_summary_of(thing)[:200], reason=reason,
    )
    db.session.add(entry)
    return entry


def report(thing, by: User, reason: str) -> Report:
    """Someone signed in reports content or a person to the moderators."""
    if isinstance(thing, User) and thing.id == by.id or getattr(thing, "author_id", None) == by.id:
        raise NotPossible(_("You cannot report your own posts or yourself."))
    kind = kind_of(thing)
    if any(entry.reporter_id == by.id for entry in open_reports_about(kind, thing.id)):
        raise NotPossible(_("You have already reported this. The moderators will look at it."))
    entry = Report(reporter=by, target_kind=kind, target_id=thing.id, reason=reason)
    db.session.add(entry)
    return entry


def target_exists():
    """The condition that a report's target still exists: reports about deleted things
    (and things deleted with them, like an idea's comments) leave the queue by themselves."""
    return or_(*(
        and_(Report.target_kind == kind, exists().where(model.id == Report.target_id))
        for kind, model in KINDS.items()
    ))


def open_reports_about(kind: str, target_id: int) -> list[Report]:
    return db.session.scalars(
        select(Report)
        .where(Report.target_kind == kind, Report.target_id == target_id, Report.resolved_at.is_(None))
        .order_by(Report.id.desc())
    ).all()


from . import routes  # noqa: E402,F401
