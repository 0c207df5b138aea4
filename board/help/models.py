"""Around a help request: asking a person to help, and the private conversation
between the person asking and a helper, once the helper's offer is accepted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, Text, UniqueConstraint, bindparam, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db, read_rows
from ..models import (
    Event,
    EventKind,
    HelpRequest,
    NotAllowed,
    NotPossible,
    Offer,
    OfferStatus,
    User,
    name_of,
    utcnow,
)
from ..text import render_markdown


class Invitation(db.Model):
    """The person asking for help asked this person to offer (once per request)."""

    __tablename__ = "help_invitations"
    __table_args__ = (UniqueConstraint("help_request_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    help_request_id: Mapped[int] = mapped_column(
        ForeignKey("help_requests.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def invite_to_help(help_request: HelpRequest, person: User, by: User) -> Invitation:
    if by.id != help_request.author_id:
        raise NotAllowed(_("Only the person who asked for help can invite people to offer it."))
    if person.id == by.id:
        raise NotPossible(_("You cannot invite yourself."))
    if not help_request.is_open:
        raise NotPossible(_("Only an open request can take new offers."))
    if not person.is_active:
        raise NotPossible(_("%(name)s cannot take part at the moment.", name=person.name))
    if help_request.offer_from(person) is not None:
        raise NotPossible(_("%(name)s has already offered to help.", name=person.name))
    if db.session.scalar(
        select(Invitation.id).where(Invitation.help_request_id == help_request.id,
                                       Invitation.person_id == person.id)
    ):
        raise NotPossible(_("You have already asked %(name)s.", name=person.name))
    invitation = Invitation(help_request_id=help_request.id, person_id=person.id)
    db.session.add(invitation)
    Event.record(EventKind.INVITED_TO_HELP, by, recipient_id=person.id, help_request=help_request)
    return invitation


class Message(db.Model):
    """A private message between the person asking for help and a helper they accepted."""

    __tablename__ = "help_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sender: Mapped[User] = relationship()


def in_conversation(offer: Offer, user) -> bool:
    """The two people an accepted offer brings together, while both still have accounts."""
    return (
        offer.status == OfferStatus.ACCEPTED
        and user.is_authenticated
        and user.id in (offer.helper_id, offer.help_request.author_id)
        and offer.helper.erased_at is None
        and offer.help_request.author.erased_at is None
    )


def can_read_conversation(offer: Offer, user) -> bool:
    """The two of them, and moderators (who may need to look into a report)."""
    return in_conversation(offer, user) or (
        offer.status == OfferStatus.ACCEPTED and user.is_authenticated and user.is_moderator
    )


def send_message(offer: Offer, sender: User, body: str) -> Message:
    if not in_conversation(offer, sender):
        raise NotAllowed(_("Only the person asking and the helper they accepted can write here."))
    message = Message(offer_id=offer.id, sender_id=sender.id, body=body,
                      body_html=render_markdown(body))
    db.session.add(message)
    sender.touch()
    other = offer.helper_id if sender.id == offer.help_request.author_id else offer.help_request.author_id
    Event.record(EventKind.MESSAGE_SENT, sender, recipient_id=other,
                 help_request=offer.help_request, offer=offer)
    return message


@dataclass(slots=True)
class MessageLine:
    """A message as its conversation shows it."""

    id: int
    sender_id: int
    body_html: str
    created_at: datetime
    sender_name: str


# Built once, and read as plain rows: a conversation is read far more often than written to.
CONVERSATION = (
    select(Message.id, Message.sender_id, Message.body_html, Message.created_at,
           User.display_name, User.username, User.erased_at)
    .join(User, User.id == Message.sender_id)
    .where(Message.offer_id == bindparam("offer_id"))
    .order_by(Message.id)
)


def conversation(offer: Offer) -> list[MessageLine]:
    return [MessageLine(*row[:4], name_of(*row[4:]))
            for row in read_rows(CONVERSATION, {"offer_id": offer.id})]
