"""Delivering the outbox over SMTP, with back-off while the server is down.

Safe to run in several processes at once: each message is claimed with a conditional
UPDATE before it is sent, and marked sent straight after.
"""

from __future__ import annotations

import smtplib
import ssl
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, or_, select, update

from ..extensions import db
from ..models import utcnow
from .models import OutboxMessage

# How long a sender may take over one message before another may try it.
CLAIM_SECONDS = 120


def sender_address() -> str:
    cfg = current_app.config
    if cfg["MAIL_FROM"]:
        return cfg["MAIL_FROM"]
    from ..admin import board_settings

    host = urlsplit(cfg["BOARD_URL"]).hostname or "localhost"
    return formataddr((board_settings().name, f"noreply@{host}"))


def as_email(message: OutboxMessage) -> EmailMessage:
    """The message with a plain-text and an HTML part, and one-click unsubscribe headers."""
    email = EmailMessage()
    email["From"] = sender_address()
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at.replace(tzinfo=UTC))
    email["Message-ID"] = make_msgid(domain=urlsplit(current_app.config["BOARD_URL"]).hostname)
    if message.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    return email


def _connect() -> smtplib.SMTP:
    cfg = current_app.config
    timeout = cfg["MAIL_TIMEOUT_SECONDS"]
    if cfg["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout)
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
    if cfg["MAIL_USERNAME"]:
        smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
    return smtp


def _waiting_ids(now, limit: int) -> list[int]:
    return list(db.session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ))


def _claim(message_id: int, now) -> OutboxMessage | None:
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    )
    db.session.commit()
    return db.session.get(OutboxMessage, message_id) if claimed.rowcount == 1 else None


def retry_delay(attempts: int) -> timedelta:
    """60 s, 2 min, 4 min, ... up to an hour (MAIL_RETRY_SECONDS, MAIL_RETRY_MAX_SECONDS)."""
    cfg = current_app.config
    seconds = cfg["MAIL_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, cfg["MAIL_RETRY_MAX_SECONDS"]))


def send_due(limit: int | None = None) -> tuple[int, int]:
    """Send what is waiting and due. Returns (sent, not sent: waiting for a retry or failed)."""
    if not current_app.config["MAIL_SERVER"]:
        return 0, 0
    now = utcnow()
    ids = _waiting_ids(now, limit or 10_000)
    db.session.commit()
    sent = unsent = 0
    smtp = None
    try:
        for message_id in ids:
            message = _claim(message_id, now)
            if message is None:
                continue  # another sender has it
            try:
                smtp = smtp or _connect()
                smtp.send_message(as_email(message))
            except smtplib.SMTPRecipientsRefused as refusal:
                permanent = all(code >= 500 for code, _ in refusal.recipients.values())
                _failed(message, repr(refusal), permanent)
                unsent += 1
            except (OSError, smtplib.SMTPException) as error:
                _failed(message, repr(error), permanent=False)
                unsent += 1
                smtp = None  # the connection is not to be trusted; later messages wait too
                break
            except Exception as error:  # a message that can never be built or sent
                _failed(message, repr(error), permanent=True)
                unsent += 1
            else:
                message.sent_at = utcnow()
                message.claimed_until = None
                db.session.commit()
                sent += 1
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return sent, unsent


def _failed(message: OutboxMessage, error: str, permanent: bool) -> None:
    message.attempts += 1
    message.last_error = error[:2000]
    message.claimed_until = None
    if permanent:
        message.failed_at = utcnow()
    else:
        message.next_attempt_at = utcnow() + retry_delay(message.attempts)
    db.session.commit()


def forget_sent() -> int:
    """Remove messages sent more than MAIL_KEEP_SENT_DAYS ago."""
    cutoff = utcnow() - timedelta(days=current_app.config["MAIL_KEEP_SENT_DAYS"])
    removed = db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.sent_at < cutoff)
    ).rowcount
    db.session.commit()
    return removed
