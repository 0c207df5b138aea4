"""What a notification says, and where it leads: one sentence, shared by the
notifications page, the dashboard and every email."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ..models import Event, EventKind, HelpRequest, Idea, IdeaStatus, Offer
from .models import Category, Notification

# What `describe` reads, loaded with the notifications in the same query.
WHAT_IT_IS_ABOUT = joinedload(Notification.event).options(
    joinedload(Event.actor),
    joinedload(Event.idea).options(*Idea.without_bodies()),
    joinedload(Event.help_request).options(*HelpRequest.without_bodies()),
    joinedload(Event.offer).joinedload(Offer.helper),
)


@dataclass(frozen=True)
class Told:
    sentence: str
    endpoint: str
    values: dict
    anchor: str | None = None


def _title(thing) -> str:
    if thing is None:
        return "something since deleted"
    if thing.hidden_at is not None:
        return "a post removed by a moderator"
    return f"\u201c{thing.title}\u201d"


def describe(notification: Notification) -> Told:
    event = notification.event
    who = event.actor.name
    kind = event.kind
    idea, request = event.idea, event.help_request
    on_request = {"endpoint": "help.detail", "values": {"help_request_id": event.help_request_id}}
    on_idea = {"endpoint": "ideas.detail", "values": {"idea_id": event.idea_id}}

    if kind == EventKind.COMMENT_POSTED:
        target = idea or request
        where = on_idea if idea is not None else on_request
        return Told(f"{who} commented on {_title(target)}", **where,
                    anchor=f"comment-{event.comment_id}")
    if kind == EventKind.OFFER_MADE:
        return Told(f"{who} offered to help with {_title(request)}", **on_request, anchor="offers")
    if kind in (EventKind.OFFER_ACCEPTED, EventKind.OFFER_DECLINED):
        verb = "accepted" if kind == EventKind.OFFER_ACCEPTED else "declined"
        if event.offer.helper_id == notification.recipient_id:
            whose = "your offer"
        else:
            whose = f"{event.offer.helper.name}\u2019s offer"
        return Told(f"{who} {verb} {whose} to help with {_title(request)}", **on_request)
    if kind == EventKind.STATUS_CHANGED:
        status = IdeaStatus.LABELS.get(event.note or "", "a new status")
        return Told(f"{who} answered {_title(idea)} officially: {status}", **on_idea,
                    anchor="official")
    if kind == EventKind.PLEDGE_REACHED:
        return Told(_("%(title)s has reached the board's pledge: an official answer is due within "
                      "%(days)s days", title=_title(idea), days=event.note or "?"), **on_idea)
    if kind == EventKind.HELP_REQUESTED:
        if notification.category == Category.MATCHES:
            return Told(f"{who} needs help you could give: {_title(request)}", **on_request)
        return Told(f"{who} asked for help with {_title(idea)}: {_title(request)}", **on_request)
    if kind == EventKind.INVITED_TO_HELP:
        return Told(f"{who} asks if you could help with {_title(request)}", **on_request)
    if kind == EventKind.MESSAGE_SENT:
        return Told(f"{who} sent you a message about {_title(request)}",
                    endpoint="help.messages",
                    values={"help_request_id": event.help_request_id, "offer_id": event.offer_id})
    return Told(f"{who} posted {_title(idea or request)}", **(on_idea if idea else on_request))
