"""A person's own data: everything the board holds about them, as a download, and
erasing it when they delete their account.

`export_of(user)` and `erase(user, keep_posts)` are the rules; the account pages and
`flask board erase-user` both call them. Neither commits: the caller does, so that an
erasure is one transaction that either happens completely or not at all.

What an erasure keeps, and why:
- The user row stays, as a tombstone ("Deleted user", `deleted-<id>`), so that posts
  kept under "Deleted user", official responses and the moderators' log still point
  at someone. Nothing on it names or reaches the person any more.
- Private conversations are deleted whole, on both sides: once one side is gone,
  the other side's replies stand alone, and they name and answer the erased person.
- Reports the person made are kept, so that the moderators still see that something
  was flagged, but their words are replaced. Reports about posts removed with the
  account go with them; reports about the person are resolved, and their name is
  taken out of reports and the moderators' log.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import zipfile

from flask import url_for
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from ..auth.models import Registration
from ..extensions import db
from ..help.models import Invitation, Message
from ..ideas.duplicates import release_joined
from ..mail.models import OutboxMessage
from ..models import (
    Comment,
    Event,
    EventKind,
    HelpRequest,
    Idea,
    Offer,
    Role,
    Skill,
    StatusUpdate,
    Support,
    User,
    help_request_skills,
    iso,
    user_skills,
    utcnow,
)
from ..moderation import DELETED_NAME, REMOVED_SUMMARY, WITHDRAWN_REASON
from ..moderation.models import ModerationAction, Report
from ..notifications.models import EmailChoice, Follow, Notification
from ..notifications.rules import email_choices_of
from ..photos import Photo
from ..search.index import purge

DATA_FILE = "my-data.json"
# The photos they added, as files beside the data, at the largest size the board keeps.
PHOTOS_FOLDER = "photos"



# --- Download my data ---------------------------------------------------------------


def _about(thing) -> dict | None:
    """Which idea or help request: its kind, id and address, and its title while it is public
    (one's own posts are listed in full elsewhere in the export)."""
    if thing is None:
        return None
    if isinstance(thing, Idea):
        kind, url = "idea", url_for("ideas.detail", idea_id=thing.id, _external=True)
    else:
        kind, url = "help_request", url_for("help.detail", help_request_id=thing.id, _external=True)
    about = {"kind": kind, "id": thing.id, "url": url}
    if thing.hidden_at is None:
        about["title"] = thing.title
    return about


def export_of(user: User) -> dict:
    """Everything the board holds about `user`, and everything they wrote.

    Nothing anyone else wrote, and no one else's name: where the person's things
    touch someone else's (an official response, an offer received, a message, a
    notification), the export names the post or the act (its kind, id and address),
    never its words or who did it.
    """
    uid = user.id
    return {
        "exported_at": iso(utcnow()),
        "profile": {
            "username": user.username,
            "email": user.email,
            "display_name": user.display_name,
            "bio": user.bio,
            "role": user.role,
            "official": user.is_official,
            "created_at": iso(user.created_at),
            "last_active_at": iso(user.last_active_at),
            "email_confirmed_at": iso(user.email_verified_at),
            "suspended_at": iso(user.suspended_at),
        },
        "skills": [skill.name for skill in user.skills],
        "areas_you_help_in": [area.name for area in user.areas],
        "email_choices": email_choices_of(uid),
        "ideas": _ideas_of(uid),
        "help_requests": _help_requests_of(uid),
        "comments": _comments_of(uid),
        "photos": _photos_of(uid),
        "offers": _offers_of(uid),
        "supports": [
            {"idea": _about(support.idea), "supported_at": iso(support.created_at)}
            for support in db.session.scalars(
                select(Support).where(Support.user_id == uid)
                .options(joinedload(Support.idea)).order_by(Support.created_at)
            )
        ],
        "follows": _follows_of(uid),
        "invitations_received": [
            {"help_request": _about(request), "invited_at": iso(invitation.created_at)}
            for invitation, request in db.session.execute(
                select(Invitation, HelpRequest)
                .join(HelpRequest, HelpRequest.id == Invitation.help_request_id)
                .where(Invitation.person_id == uid).order_by(Invitation.id)
            )
        ],
        "conversations": _conversations_of(uid),
        "notifications": _notifications_of(uid),
        "reports_made": [
            {"about": {"kind": report.target_kind, "id": report.target_id},
             "reason": report.reason, "made_at": iso(report.created_at),
             "resolved_at": iso(report.resolved_at)}
            for report in db.session.scalars(
                select(Report).where(Report.reporter_id == uid).order_by(Report.id)
            )
        ],
        # Staff only: what they wrote on the board's behalf.
        "official_responses_written": [
            {"idea": _about(update_.idea), "status": update_.status,
             "response": update_.response, "at": iso(update_.created_at)}
            for update_ in db.session.scalars(
                select(StatusUpdate).where(StatusUpdate.by_id == uid)
                .options(joinedload(StatusUpdate.idea)).order_by(StatusUpdate.id)
            )
        ],
        "moderation_actions_taken": [
            {"action": entry.action, "on": {"kind": entry.target_kind, "id": entry.target_id},
             "reason": entry.reason, "at": iso(entry.created_at)}
            for entry in db.session.scalars(
                select(ModerationAction).where(ModerationAction.moderator_id == uid)
                .order_by(ModerationAction.id)
            )
        ],
    }


def _ideas_of(uid: int) -> list[dict]:
    ideas = db.session.scalars(
        select(Idea).where(Idea.author_id == uid).order_by(Idea.id)
        .options(selectinload(Idea.topics), joinedload(Idea.area), selectinload(Idea.status_updates))
    ).unique()
    return [
        {
            "id": idea.id,
            "title": idea.title,
            "body": idea.body,
            "status": idea.status,
            "topics": [topic.name for topic in idea.topics],
            "area": idea.area.name if idea.area else None,
            "created_at": iso(idea.created_at),
            "updated_at": iso(idea.updated_at),
            "hidden_by_moderators": idea.hidden_at is not None,
            "supporters_count": idea.supporters_count,
            "comments_count": idea.comments_count,
            # The status the board gave the idea; the response is the official's words.
            "official_responses": [
                {"id": answer.id, "status": answer.status, "at": iso(answer.created_at),
                 "url": url_for("ideas.detail", idea_id=idea.id, _external=True) + "#official"}
                for answer in reversed(idea.status_updates)
            ],
        }
        for idea in ideas
    ]


def _their_photos(uid: int):
    return (select(Photo).where(Photo.author_id == uid).order_by(Photo.id)
            .options(joinedload(Photo.idea), joinedload(Photo.help_request)))


def _photo_file(photo: Photo) -> str:
    return f"{PHOTOS_FOLDER}/photo-{photo.id}.{photo.extension}"


def _photos_of(uid: int) -> list[dict]:
    """Each photo they added: the file in the download, its description, what it is on."""
    return [
        {"id": photo.id, "file": _photo_file(photo), "description": photo.alt,
         "on": _about(photo.target), "position": photo.position, "added_at": iso(photo.created_at),
         "hidden_by_moderators": photo.hidden_at is not None}
        for photo in db.session.scalars(_their_photos(uid))
    ]


def _help_requests_of(uid: int) -> list[dict]:
    requests = db.session.scalars(
        select(HelpRequest).where(HelpRequest.author_id == uid).order_by(HelpRequest.id)
        .options(selectinload(HelpRequest.skills), selectinload(HelpRequest.topics),
                 joinedload(HelpRequest.area), joinedload(HelpRequest.idea),
                 selectinload(HelpRequest.offers))
    ).unique()
    return [
        {
            "id": request.id,
            "title": request.title,
            "body": request.body,
            "kind": request.kind,
            "status": request.status,
            "skills": [skill.name for skill in request.skills],
            "topics": [topic.name for topic in request.topics],
            "area": request.area.name if request.area else None,
            "for_idea": _about(request.idea),
            "created_at": iso(request.created_at),
            "updated_at": iso(request.updated_at),
            "hidden_by_moderators": request.hidden_at is not None,
            # Which offers came and how the person answered; the messages are the helpers' words.
            "offers_received": [
                {"id": offer.id, "status": offer.status, "made_at": iso(offer.created_at),
                 "answered_at": iso(offer.decided_at),
                 "url": url_for("help.detail", help_request_id=request.id, _external=True) + "#offers"}
                for offer in request.offers
            ],
        }
        for request in requests
    ]


def _comments_of(uid: int) -> list[dict]:
    comments = db.session.scalars(
        select(Comment).where(Comment.author_id == uid).order_by(Comment.id)
        .options(joinedload(Comment.idea), joinedload(Comment.help_request))
    )
    return [
        {"id": comment.id, "on": _about(comment.target), "body": comment.body,
         "created_at": iso(comment.created_at), "updated_at": iso(comment.updated_at),
         "hidden_by_moderators": comment.hidden_at is not None}
        for comment in comments
    ]


def _offers_of(uid: int) -> list[dict]:
    offers = db.session.scalars(
        select(Offer).where(Offer.helper_id == uid).order_by(Offer.id)
        .options(joinedload(Offer.help_request))
    )
    return [
        {"help_request": _about(offer.help_request), "message": offer.message,
         "status": offer.status, "made_at": iso(offer.created_at),
         "answered_at": iso(offer.decided_at)}
        for offer in offers
    ]


def _follows_of(uid: int) -> list[dict]:
    rows = db.session.execute(
        select(Follow, Idea, HelpRequest)
        .outerjoin(Idea, Idea.id == Follow.idea_id)
        .outerjoin(HelpRequest, HelpRequest.id == Follow.help_request_id)
        .where(Follow.user_id == uid).order_by(Follow.id)
    )
    return [
        {"what": _about(idea or request), "since": iso(follow.created_at),
         "stopped_at": iso(follow.stopped_at)}
        for follow, idea, request in rows
    ]


def _their_conversations(uid: int):
    """The offers whose private conversation the person is part of: as the helper, or as
    the person asking for help."""
    return select(Offer.id).join(HelpRequest, HelpRequest.id == Offer.help_request_id).where(
        or_(Offer.helper_id == uid, HelpRequest.author_id == uid)
    )


def _conversations_of(uid: int) -> list[dict]:
    """The messages the person sent, by conversation; the other side's messages are theirs."""
    messages = db.session.scalars(
        select(Message).where(Message.offer_id.in_(_their_conversations(uid)), Message.sender_id == uid)
        .order_by(Message.offer_id, Message.id)
    ).all()
    if not messages:
        return []
    offers = {
        offer.id: offer for offer in db.session.scalars(
            select(Offer).where(Offer.id.in_({m.offer_id for m in messages}))
            .options(joinedload(Offer.help_request))
        )
    }
    conversations: dict[int, dict] = {}
    for message in messages:
        offer = offers[message.offer_id]
        conversation = conversations.setdefault(offer.id, {
            "help_request": _about(offer.help_request), "offer_id": offer.id,
            "url": url_for("help.messages", help_request_id=offer.help_request_id, offer_id=offer.id,
                           _external=True),
            "messages_you_sent": [],
        })
        conversation["messages_you_sent"].append({"body": message.body, "sent_at": iso(message.created_at)})
    return list(conversations.values())


def _notifications_of(uid: int) -> list[dict]:
    """What each notification was about, without who acted: that is someone else's doing."""
    notifications = db.session.scalars(
        select(Notification).where(Notification.recipient_id == uid).order_by(Notification.id)
        .options(joinedload(Notification.event).options(
            joinedload(Event.idea), joinedload(Event.help_request),
        ))
    ).unique()
    found = []
    for notification in notifications:
        event = notification.event
        entry = {"what": event.kind, "about": _about(event.idea or event.help_request),
                 "category": notification.category, "read": notification.is_read,
                 "at": iso(notification.created_at)}
        if event.kind == EventKind.STATUS_CHANGED:
            entry["status"] = event.note
        if event.comment_id is not None:
            entry["comment_id"] = event.comment_id
        if event.offer_id is not None:
            entry["offer_id"] = event.offer_id
        found.append(entry)
    return found


def export_zip(user: User) -> bytes:
    """The download: one pretty-printed UTF-8 JSON file in a ZIP, made in memory."""
    data = json.dumps(export_of(user), indent=2, ensure_ascii=False)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DATA_FILE, data.encode("utf-8"))
        # One photo's bytes in memory at a time. Already compressed: stored as they are.
        for photo_id in db.session.scalars(select(Photo.id).where(Photo.author_id == user.id).order_by(Photo.id)):
            photo = db.session.get(Photo, photo_id)
            archive.writestr(_photo_file(photo), photo.large, compress_type=zipfile.ZIP_STORED)
            db.session.expunge(photo)
    return buffer.getvalue()


def download_name(board_name: str, user: User) -> str:
    """`<board>-<username>-data.zip`, in letters safe in any Content-Disposition header."""
    board = re.sub(r"[^a-z0-9]+", "-", board_name.lower()).strip("-") or "board"
    return f"{board}-{user.username}-data.zip"


# --- Delete my account ------------------------------------------------------------------


def erase(user: User, keep_posts: bool) -> None:
    """Erase the person's personal data from every table, at once.

    With `keep_posts` their ideas, help requests, comments and offers stay, shown as by
    "Deleted user"; without, they are removed, and the counters on other people's posts
    move with them. Every session and remember-me cookie of theirs ends (a new session
    token, and an erased person is not active either). The caller commits.
    """
    uid = user.id
    names = _names_of(user)
    their_skills = [skill.id for skill in user.skills]
    removed: dict[str, list] = {}
    # Their photos go whether their posts stay or not: a photo may show them, or their home.
    db.session.execute(delete(Photo).where(Photo.author_id == uid))
    if not keep_posts:
        their_skills += db.session.scalars(
            select(help_request_skills.c.skill_id)
            .join(HelpRequest, HelpRequest.id == help_request_skills.c.help_request_id)
            .where(HelpRequest.author_id == uid)
        ).all()
        removed = _remove_posts(uid)
    _forget_conversations(uid)
    _forget_what_they_did_on_the_board(uid)
    _forget_in_moderation(user, names, removed)
    _forget_in_outbox(user, names, removed)
    _forget_in_admin_records(user)
    # A registration waiting for the address would give it an account again.
    Registration.forget(user.email)
    _make_tombstone(user)
    db.session.flush()
    _drop_skills_no_one_has(their_skills)
    _recount_unread_notifications()
    db.session.flush()
    if not keep_posts:
        purge(db.session.connection())


def _names_of(user: User) -> list[str]:
    """The strings that name the person, as others may have written them."""
    return [name for name in {user.username, user.display_name, user.email} if name]


def _remove_posts(uid: int) -> dict[str, list]:
    """Delete their ideas, help requests, comments and offers. Returns what went, by kind."""
    idea_ids = list(db.session.scalars(select(Idea.id).where(Idea.author_id == uid)))
    request_ids = list(db.session.scalars(select(HelpRequest.id).where(HelpRequest.author_id == uid)))
    comments = db.session.scalars(select(Comment).where(Comment.author_id == uid)).all()
    removed = {"idea": idea_ids, "help_request": request_ids,
               "comment": [comment.id for comment in comments]}
    removed["titles"] = list(db.session.scalars(
        select(Idea.title).where(Idea.id.in_(idea_ids))
        .union_all(select(HelpRequest.title).where(HelpRequest.id.in_(request_ids)))
    ))
    for comment in comments:
        comment.delete()
        # Each delete moves a counter with "SET n = n - 1": flush it before the next
        # one on the same idea, or two comments would take only one off.
        db.session.flush()
    db.session.execute(
        update(HelpRequest)
        .where(HelpRequest.id.in_(select(Offer.help_request_id).where(Offer.helper_id == uid)))
        .values(offers_count=HelpRequest.offers_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(delete(Offer).where(Offer.helper_id == uid))
    # Their comments, supports, offers, conversations, follows and events go by cascade,
    # and the search index's triggers take them out of search.
    db.session.execute(delete(HelpRequest).where(HelpRequest.author_id == uid))
    release_joined(author_id=uid)
    db.session.execute(delete(Idea).where(Idea.author_id == uid))
    db.session.expire_all()
    return removed


def _forget_conversations(uid: int) -> None:
    """Both sides of their private conversations, and the notices that a message came."""
    offers = list(db.session.scalars(_their_conversations(uid)))
    if not offers:
        return
    db.session.execute(delete(Message).where(Message.offer_id.in_(offers)))
    db.session.execute(
        delete(Event).where(Event.kind == EventKind.MESSAGE_SENT, Event.offer_id.in_(offers))
    )


def _forget_what_they_did_on_the_board(uid: int) -> None:
    supported = select(Support.idea_id).where(Support.user_id == uid)
    others = Support.user_id != uid
    db.session.execute(
        update(Idea)
        .where(Idea.id.in_(supported))
        .values(
            supporters_count=Idea.supporters_count - 1,
            # Trending goes by the latest support still standing.
            last_supported_at=select(func.max(Support.created_at))
            .where(Support.idea_id == Idea.id, others).scalar_subquery(),
        )
        .execution_options(synchronize_session=False)
    )
    for model, column in (
        (Support, Support.user_id), (Follow, Follow.user_id), (EmailChoice, EmailChoice.user_id),
        (Notification, Notification.recipient_id), (Invitation, Invitation.person_id),
    ):
        db.session.execute(delete(model).where(column == uid))


def _naming(names: list[str]) -> re.Pattern:
    """Mentions of the person as whole words ("@sam", "Sam Jones", their address), so
    that erasing "sam" leaves "same" and "Samuel" alone."""
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w.@-])@?(?:{alternatives})(?![\w-])", re.IGNORECASE)


def _scrub(text: str, names: list[str]) -> str:
    return _naming(names).sub(DELETED_NAME, text)


def _mentioning(column, names: list[str]):
    return or_(*(func.lower(column).contains(name.lower()) for name in names))


def _forget_in_moderation(user: User, names: list[str], removed: dict[str, list]) -> None:
    uid = user.id
    # Their own words in reports they made: the report stays, so the moderators still
    # see that something was flagged.
    db.session.execute(
        update(Report).where(Report.reporter_id == uid).values(reason=WITHDRAWN_REASON)
    )
    # Reports about them: there is no one left to act on.
    db.session.execute(
        update(Report)
        .where(Report.target_kind == "user", Report.target_id == uid, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow())
    )
    db.session.execute(
        update(ModerationAction)
        .where(ModerationAction.target_kind == "user", ModerationAction.target_id == uid)
        .values(target_summary=DELETED_NAME)
    )
    for kind in ("idea", "help_request", "comment"):
        ids = removed.get(kind)
        if ids:
            # Reports about posts removed with the account describe what is gone.
            db.session.execute(
                delete(Report).where(Report.target_kind == kind, Report.target_id.in_(ids))
            )
            db.session.execute(
                update(ModerationAction)
                .where(ModerationAction.target_kind == kind, ModerationAction.target_id.in_(ids))
                .values(target_summary=REMOVED_SUMMARY)
            )
    # Others' words that name them: in reasons, and in the log's summaries.
    for report in db.session.scalars(select(Report).where(_mentioning(Report.reason, names))):
        report.reason = _scrub(report.reason, names)
    for entry in db.session.scalars(
        select(ModerationAction).where(
            or_(_mentioning(ModerationAction.reason, names),
                _mentioning(ModerationAction.target_summary, names))
        )
    ):
        entry.reason = _scrub(entry.reason, names)
        entry.target_summary = _scrub(entry.target_summary, names)[:200]


def _forget_in_outbox(user: User, names: list[str], removed: dict[str, list]) -> None:
    """Email to them, and email to others that names them or the posts removed with them."""
    naming = _naming(names)
    titles = [f"\u201c{title}\u201d" for title in removed.get("titles", [])]
    candidates = db.session.scalars(
        select(OutboxMessage).where(or_(
            OutboxMessage.to_address == user.email,
            _mentioning(OutboxMessage.subject, names + titles),
            _mentioning(OutboxMessage.text_body, names + titles),
        ))
    )
    for message in candidates:
        text = f"{message.subject}\n{message.text_body}"
        if (message.to_address == user.email or naming.search(text)
                or any(title in text for title in titles)):
            db.session.delete(message)


def _forget_in_admin_records(user: User) -> None:
    from ..admin import forget_board_settings
    from ..admin.models import BoardSettings, Invite

    # An admin's note on the invitation they used usually says who it was for.
    db.session.execute(update(Invite).where(Invite.used_by_id == user.id).values(note=""))
    changed = db.session.execute(
        update(BoardSettings).where(func.lower(BoardSettings.contact_email) == user.email.lower())
        .values(contact_email="")
    )
    if changed.rowcount:
        forget_board_settings()


def _tombstone_username(uid: int) -> str:
    username = f"deleted-{uid}"
    if db.session.scalar(
        select(User.id).where(func.lower(User.username) == username, User.id != uid)
    ):
        username = f"deleted-{uid}-{secrets.token_hex(4)}"
    return username


def _make_tombstone(user: User) -> None:
    user.username = _tombstone_username(user.id)
    user.email = f"deleted-{user.id}@invalid"
    user.display_name = DELETED_NAME
    user.bio = None
    # Not a hash of anything: no password can match it.
    user.password_hash = "erased$" + secrets.token_hex(32)
    user.end_all_sessions()
    user.skills = []
    user.areas = []
    user.role = Role.MEMBER
    user.is_official = False
    user.email_verified_at = None
    user.unread_notifications = 0
    user.erased_at = utcnow()


def _drop_skills_no_one_has(skill_ids: list[int]) -> None:
    """A skill only they offered, or only their removed requests needed, would still say
    something about them."""
    if not skill_ids:
        return
    db.session.execute(
        delete(Skill).where(
            Skill.id.in_(skill_ids),
            Skill.id.not_in(select(user_skills.c.skill_id)),
            Skill.id.not_in(select(help_request_skills.c.skill_id)),
        )
    )


def _recount_unread_notifications() -> None:
    """Notifications went with the removed posts and conversations (by cascade): put the
    header's count right for everyone whose count is now too high."""
    unread = (
        select(func.count(Notification.id))
        .where(Notification.recipient_id == User.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    db.session.execute(
        update(User).where(User.unread_notifications > unread)
        .values(unread_notifications=unread)
        .execution_options(synchronize_session=False)
    )

