"""Notification emails: one at once, or many in a digest; each with a one-click
unsubscribe from what it is about."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import select, update

from ..extensions import db
from ..mail import absolute_url, queue_email, speaking_to
from ..models import User, utcnow
from ..tokens import unsubscribe_token
from .describe import WHAT_IT_IS_ABOUT, describe
from .models import Category, Frequency, Notification


def _link(notification: Notification) -> tuple[str, str]:
    told = describe(notification)
    return told.sentence, absolute_url(told.endpoint, _anchor=told.anchor, **told.values)


def _unsubscribe_url(user: User, categories: tuple[str, ...]) -> str:
    return absolute_url("notifications.unsubscribe", token=unsubscribe_token(user, categories))


def email_at_once(notification: Notification) -> None:
    user = notification.recipient
    with speaking_to(user):
        sentence, url = _link(notification)
        queue_email(
            user.email, sentence, "notification",
            unsubscribe_url=_unsubscribe_url(user, (notification.category,)),
            person=user, sentence=sentence, url=url,
            why=str(Category.LABELS[notification.category]),
            settings_url=absolute_url("notifications.settings"),
        )


# --- Digests --------------------------------------------------------------------


def digest_cutoff(frequency: str, now: datetime) -> datetime:
    """The latest moment a digest of this frequency became due, in naive UTC.

    Daily digests are due each day at DIGEST_HOUR in the board's time zone, weekly
    ones on DIGEST_WEEKDAY at that hour; each carries what came before that moment.
    """
    cfg = current_app.config
    zone = ZoneInfo(cfg["BOARD_TIMEZONE"])
    local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    due = local.replace(hour=cfg["DIGEST_HOUR"], minute=0, second=0, microsecond=0)
    if due > local:
        due -= timedelta(days=1)
    if frequency == Frequency.WEEKLY:
        due -= timedelta(days=(due.weekday() - cfg["DIGEST_WEEKDAY"]) % 7)
    return due.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _waiting(frequency: str, cutoff: datetime, recipient_id: int | None = None):
    where = [Notification.email == frequency, Notification.emailed_at.is_(None),
             Notification.created_at < cutoff]
    if recipient_id is not None:
        where.append(Notification.recipient_id == recipient_id)
    return where


def send_due_digests(now: datetime | None = None) -> int:
    """Write every digest that is due to the outbox. Returns how many were written.

    Each person's digest is one transaction that marks its notifications emailed
    only if no one else has: two runs at once, or a run after a crash, never send
    the same notification twice.
    """
    now = now or utcnow()
    written = 0
    for frequency in Frequency.DIGESTS:
        cutoff = digest_cutoff(frequency, now)
        people = list(db.session.scalars(
            select(Notification.recipient_id).where(*_waiting(frequency, cutoff)).distinct()
        ))
        db.session.commit()
        for person_id in people:
            written += _send_digest(person_id, frequency, cutoff)
    return written


def _send_digest(person_id: int, frequency: str, cutoff: datetime) -> int:
    notifications = db.session.scalars(
        select(Notification)
        .where(*_waiting(frequency, cutoff, person_id))
        .options(WHAT_IT_IS_ABOUT)
        .order_by(Notification.id)
    ).all()
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id.in_([n.id for n in notifications]), Notification.emailed_at.is_(None))
        .values(emailed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not notifications or claimed.rowcount != len(notifications):
        db.session.rollback()  # another run is sending this digest
        return 0
    user = db.session.get(User, person_id)
    if user.suspended_at is None and user.email_verified_at is not None:
        with speaking_to(user):
            items = [_link(n) for n in notifications]
            categories = tuple(sorted({n.category for n in notifications}))
            period = "daily" if frequency == Frequency.DAILY else "weekly"
            if frequency == Frequency.DAILY:
                subject = ngettext("Your daily digest: %(num)s update", "Your daily digest: %(num)s updates",
                                   len(items))
            else:
                subject = ngettext("Your weekly digest: %(num)s update", "Your weekly digest: %(num)s updates",
                                   len(items))
            queue_email(
                user.email, subject, "digest",
                unsubscribe_url=_unsubscribe_url(user, categories),
                person=user, items=items, period=period,
                settings_url=absolute_url("notifications.settings"),
            )
    db.session.commit()
    return 1
