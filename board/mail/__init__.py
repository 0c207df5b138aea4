"""Email: written to the outbox with the change that caused it, sent after the response.

`queue_email` is all the rest of the board uses. Sending (board/mail/outbox.py) happens
once the page is answered, or from `flask --app app board send-mail`, so a slow or
missing SMTP server never slows or breaks a page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import Flask, current_app, g, render_template
from flask_babel import force_locale

from ..extensions import db
from .models import OutboxMessage


def mail_enabled() -> bool:
    return bool(current_app.config["MAIL_SERVER"])


def absolute_url(endpoint: str, _anchor: str | None = None, **values) -> str:
    """A full address on the board for an email, built from BOARD_URL, never from the
    request's Host header (which anyone can set, and which would let them aim password
    reset links at their own site)."""
    base = urlsplit(current_app.config["BOARD_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{_anchor}" if _anchor else url


def language_of(person) -> str:
    """The language to write to a person in: their own choice, else the board's default."""
    from ..languages import offered

    choices = offered()
    language = getattr(person, "language", None)
    return language if language in choices else choices[0]


@contextmanager
def speaking_to(person) -> Iterator[None]:
    """Everything written inside (subjects, bodies, dates) is in the person's language,
    not the language of the page that caused it: an email reaches its recipient, not
    the person who clicked."""
    with force_locale(language_of(person)):
        yield


def queue_email(to_address: str, subject: str, template: str, unsubscribe_url: str | None = None,
                **context) -> OutboxMessage | None:
    """Write an email to the outbox, as part of the current transaction.

    `template` names a pair, templates/email/<template>.txt and .html. Nothing is
    queued when the board has no mail server.
    """
    if not mail_enabled():
        return None
    subject = str(subject)  # a lazy text becomes words in the language in force now
    context.update(subject=subject, unsubscribe_url=unsubscribe_url,
                   board_url=current_app.config["BOARD_URL"])
    message = OutboxMessage(
        to_address=to_address,
        # One line, whatever the title or name in it held: headers cannot carry line breaks.
        subject=" ".join(subject.split())[:200],
        text_body=render_template(f"email/{template}.txt", **context),
        html_body=render_template(f"email/{template}.html", **context),
        unsubscribe_url=unsubscribe_url,
    )
    db.session.add(message)
    g.mail_waiting = True
    return message


def init_app(app: Flask) -> None:
    @app.after_request
    def send_after_response(response):
        if g.pop("mail_waiting", False) and app.config["MAIL_SEND_AFTER_RESPONSE"]:
            response.call_on_close(lambda: _send_waiting(app))
        return response


def _send_waiting(app: Flask) -> None:
    from .outbox import send_due

    with app.app_context():
        try:
            send_due(limit=app.config["MAIL_BATCH_SIZE"])
        except Exception:  # the page is answered; what is not sent stays in the outbox
            app.logger.exception("Sending mail after a response failed")
