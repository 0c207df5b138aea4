"""What a notification says, and where it leads: one sentence, shared by the
notifications page, the dashboard and every email."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import joinedload

from ..languages import translated as _
from ..models import Event, EventKind, HelpRequest, Idea, IdeaStatus, Offer
from .models import Category, Notification

# What `describe` reads, loaded with the notifications in the same query (for emails; pages
# read the same as plain rows, see reading.py).
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
        return _("something since deleted")
    if thing.hidden_at is not None:
        return _("a post removed by a moderator")
    return _("\u201c%(title)s\u201d", title=thing.title)


def describe(notification: Notification) -> Told:
    """The sentence and link for a notification: a Notification with WHAT_IT_IS_ABOUT loaded,
    or anything with the same attributes (reading.py's rows)."""
    event = notification.event
    who = event.actor.name
    kind = event.kind
    idea, request = event.idea, event.help_request
    on_request = {"endpoint": "help.detail", "values": {"help_request_id": event.help_request_id}}
    on_idea = {"endpoint": "ideas.detail", "values": {"idea_id": event.idea_id}}

    if kind == EventKind.COMMENT_POSTED:
        # The comment's own address, which leads to it on whichever page of its discussion
        # it is by then (and to a joined idea's own page).
        return Told(_("%(who)s commented on %(what)s", who=who, what=_title(idea or request)),
                    "comments.show", {"comment_id": event.comment_id})
    if kind == EventKind.OFFER_MADE:
        return Told(_("%(who)s offered to help with %(what)s", who=who, what=_title(request)),
                    **on_request, anchor="offers")
    if kind in (EventKind.OFFER_ACCEPTED, EventKind.OFFER_DECLINED):
        what = _title(request)
        accepted = kind == EventKind.OFFER_ACCEPTED
        if event.offer.helper_id == notification.recipient_id:
            if accepted:
                sentence = _("%(who)s accepted your offer to help with %(what)s", who=who, what=what)
            else:
                sentence = _("%(who)s declined your offer to help with %(what)s", who=who, what=what)
        else:
            helper = event.offer.helper.name
            if accepted:
                sentence = _("%(who)s accepted %(helper)s\u2019s offer to help with %(what)s",
                             who=who, helper=helper, what=what)
            else:
                sentence = _("%(who)s declined %(helper)s\u2019s offer to help with %(what)s",
                             who=who, helper=helper, what=what)
        return Told(sentence, **on_request)
    if kind == EventKind.STATUS_CHANGED:
        status = IdeaStatus.LABELS.get(event.note or "") or _("a new status")
        return Told(_("%(who)s answered %(what)s officially: %(status)s", who=who, what=_title(idea),
                      status=status), **on_idea,
                    anchor="official")
    if kind in (EventKind.DUPLICATE_PROPOSED, EventKind.DUPLICATE_MERGED, EventKind.DUPLICATE_DECLINED):
        # The note is the other idea's id: its page is where a proposal is answered,
        # and where a joined idea's supporters now count.
        other = {"endpoint": "ideas.detail", "values": {"idea_id": int(event.note or 0)}}
        if kind == EventKind.DUPLICATE_PROPOSED:
            if notification.recipient_id == event.recipient_id:
                return Told(_("%(who)s proposes that %(what)s joins your idea: you decide",
                              who=who, what=_title(idea)), **other, anchor="duplicates")
            return Told(_("%(who)s proposes that your idea %(what)s joins another one",
                          who=who, what=_title(idea)), **other)
        if kind == EventKind.DUPLICATE_MERGED:
            return Told(_("%(what)s has joined another idea: its supporters now count there",
                          what=_title(idea)), **other)
        return Told(_("%(who)s declined to join %(what)s with their idea", who=who, what=_title(idea)),
                    **on_idea)
    if kind == EventKind.PLEDGE_REACHED:
        return Told(_("%(title)s has reached the board's pledge: an official answer is due within "
                      "%(days)s days", title=_title(idea), days=event.note or "?"), **on_idea)
    if kind == EventKind.HELP_REQUESTED:
        if notification.category == Category.MATCHES:
            return Told(_("%(who)s needs help you could give: %(what)s", who=who, what=_title(request)),
                        **on_request)
        return Told(_("%(who)s asked for help with %(idea)s: %(what)s", who=who, idea=_title(idea),
                      what=_title(request)), **on_request)
    if kind == EventKind.INVITED_TO_HELP:
        return Told(_("%(who)s asks if you could help with %(what)s", who=who, what=_title(request)),
                    **on_request)
    if kind == EventKind.MESSAGE_SENT:
        return Told(_("%(who)s sent you a message about %(what)s", who=who, what=_title(request)),
                    endpoint="help.messages",
                    values={"help_request_id": event.help_request_id, "offer_id": event.offer_id})
    return Told(_("%(who)s posted %(what)s", who=who, what=_title(idea or request)),
                **(on_idea if idea else on_request))
