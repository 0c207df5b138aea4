"""Email: confirming an address, resetting a password, notifications and digests, one-click
unsubscribe, and the outbox that keeps mail safe while the SMTP server is down.

Every email here goes over SMTP to a real server on 127.0.0.1 (tests/smtp.py), and the
tests read what it received, as the person would in their inbox.
"""

from __future__ import annotations

import base64
import re
import time
import zlib
from datetime import datetime, timedelta
from html import unescape
from types import SimpleNamespace
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import itsdangerous.timed
import pytest
from sqlalchemy import select, update

from board.admin.models import BoardSettings
from board.auth.models import Registration
from board.extensions import db, limiter
from board.mail.models import OutboxMessage
from board.mail.outbox import retry_delay, send_due
from board.models import Comment, Idea, User, utcnow
from board.notifications.emails import digest_cutoff, send_due_digests
from board.notifications.models import EmailChoice, Frequency, Notification
from board.tokens import VERIFY, make_token, unsubscribe_token
from helpers import (
    PASSWORD,
    PASSWORD_HASH,
    Auth,
    account,
    count_rows,
    fetch,
    field_error,
    make_test_app,
    run_at_once,
    signed_in,
    text_of,
)
from smtp import html_part, text_part

MAIL_FROM = "Simpl <board@board.test>"
UTC = ZoneInfo("UTC")
BOARD_ZONE = ZoneInfo("Europe/London")  # the default BOARD_TIMEZONE


# --- Helpers ------------------------------------------------------------------------


def answered(response):
    """Finish the response as a WSGI server does once it has sent it: read the body and
    close it, which runs what the board does after answering (sending its mail)."""
    response.get_data()
    response.close()
    return response


def board_links(text: str, path: str = "") -> list[str]:
    """The board's links in an email's text, in order: those starting with BOARD_URL + path."""
    return re.findall(rf"http://board\.test{re.escape(path)}[^\s\"<>]*", text)


def link_in(message, path: str) -> str:
    links = board_links(text_part(message), path)
    assert links, f"no http://board.test{path}... link in:\n{text_part(message)}"
    return links[0]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def unsubscribe_url_of(message) -> str:
    header = message["List-Unsubscribe"]
    assert header, "the email has no List-Unsubscribe header"
    match = re.fullmatch(r"<(http://board\.test/unsubscribe/[^>]+)>", str(header))
    assert match, f"List-Unsubscribe is {header!r}"
    return match.group(1)


def registration(username="alice", email=None) -> dict:
    return {"username": username, "email": email or f"{username}@example.org",
            "password": PASSWORD, "confirm_password": PASSWORD}


def rows(app, model, *where, order_by=None) -> list:
    """The rows as they are now in the database, detached."""
    with app.app_context():
        found = db.session.scalars(
            select(model).where(*where).order_by(order_by if order_by is not None else model.id)
        ).all()
        for row in found:
            db.session.expunge(row)
        return list(found)


def outbox(app) -> list[OutboxMessage]:
    return rows(app, OutboxMessage)


def choice_of(app, user: User, category: str) -> str | None:
    with app.app_context():
        chosen = db.session.get(EmailChoice, (user.id, category))
        return chosen.frequency if chosen else None


def notifications_of(app, user: User) -> list[Notification]:
    return rows(app, Notification, Notification.recipient_id == user.id)


def change(app, model, *where, **values) -> None:
    """Change rows straight in the database, as time passing or a moderator would."""
    with app.app_context():
        db.session.execute(update(model).where(*where).values(**values))
        db.session.commit()


def add_user(app, username: str, verified: bool = True, skills=(), **fields) -> User:
    """A person on an app the `make_user` factory does not know about."""
    with app.app_context():
        user = User(username=username, email=fields.pop("email", f"{username}@example.org"),
                    password_hash=PASSWORD_HASH,
                    email_verified_at=utcnow() if verified else None, **fields)
        if skills:
            user.set_skills(list(skills))
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def give_skills(app, user: User, *skills: str) -> None:
    with app.app_context():
        db.session.get(User, user.id).set_skills(list(skills))
        db.session.commit()


def choose(app, user: User, **choices: str) -> None:
    with app.app_context():
        for category, frequency in choices.items():
            db.session.merge(EmailChoice(user_id=user.id, category=category, frequency=frequency))
        db.session.commit()


def add_idea(app, author: User, title="A community fridge") -> Idea:
    with app.app_context():
        idea = Idea.post(db.session.get(User, author.id), title, "Share food, waste less.")
        db.session.commit()
        db.session.refresh(idea)
        db.session.expunge(idea)
        return idea


def add_comment(app, idea: Idea, author: User, body="Count me in.") -> Comment:
    """A comment made outside any request: its email waits in the outbox for `send-mail`."""
    with app.app_context():
        comment = db.session.get(Idea, idea.id).add_comment(db.session.get(User, author.id), body)
        db.session.commit()
        db.session.refresh(comment)
        db.session.expunge(comment)
        return comment


def comment_through_the_page(browser, idea: Idea, body="Count me in."):
    return browser.post(f"/ideas/{idea.id}/comments", data={"comment": body})


def comment_id_from(response) -> int:
    match = re.search(r"#comment-(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def next_digest_time(after: datetime, weekday: int | None = None, hour: int = 8) -> datetime:
    """The first moment after `after` (naive UTC) when the board's clock shows `hour`
    o'clock (on `weekday`, for weekly digests), as naive UTC."""
    local = after.replace(tzinfo=UTC).astimezone(BOARD_ZONE)
    due = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    while due <= local or (weekday is not None and due.weekday() != weekday):
        due += timedelta(days=1)  # wall-clock days, as the board's clock shows them
    return due.astimezone(UTC).replace(tzinfo=None)


def signed_elsewhere(app, work):
    """What `work` makes on a board with the same data but another secret key: a forgery."""
    other = make_test_app(app.config["SQLALCHEMY_DATABASE_URI"],
                          SECRET_KEY="someone-elses-key")
    with other.app_context():
        try:
            return work()
        finally:
            db.session.remove()
            db.engine.dispose()


def in_app_context(app, work):
    with app.app_context():
        return work()


@pytest.fixture
def later(monkeypatch):
    """Make every signed link look as if it was made `seconds` ago: `later(seconds)`."""
    real_time = time.time

    def move(seconds: float) -> None:
        monkeypatch.setattr(itsdangerous.timed, "time",
                            SimpleNamespace(time=lambda: real_time() + seconds))

    return move


@pytest.fixture
def mail_app(tmp_path, smtp_server):
    """Build an app that sends to the test SMTP server, with any settings: `mail_app(**settings)`."""
    apps = []

    def build(**settings):
        config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port, "MAIL_FROM": MAIL_FROM}
        config.update(settings)
        app = make_test_app(tmp_path / f"mail{len(apps)}.db", **config)
        with app.app_context():
            db.create_all()
            if app.config["RATELIMIT_ENABLED"]:
                limiter.reset()  # counts are kept in memory, shared by every app in the process
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            if app.config["RATELIMIT_ENABLED"]:
                limiter.reset()
            db.engine.dispose()


# --- 1. Confirming an email address ----------------------------------------------------


@pytest.mark.mail
def test_registering_sends_one_confirmation_email_with_text_and_html(app, client, smtp_server):
    response = answered(client.post("/register", data=registration("alice")))

    assert response.status_code == 302
    assert response.headers["Location"] == "/register/sent"
    sent = client.get("/register/sent")
    assert "Check your email" in text_of(sent)
    assert "We have sent a link to alice@example.org." in text_of(sent)
    smtp_server.wait_for(1)
    assert len(smtp_server.received) == 1
    message = smtp_server.received[0]
    assert message["To"] == "alice@example.org"
    assert message["From"] == MAIL_FROM
    assert message["Subject"] == "Confirm your email address to finish registering"
    assert message.get_content_type() == "multipart/alternative"
    link = link_in(message, "/register/finish/")
    assert link in html_part(message)
    assert "alice" in text_part(message)
    # The confirmation email is not a newsletter: nothing to unsubscribe from.
    assert message["List-Unsubscribe"] is None
    # Nothing is made, and no one is signed in, until the link is followed.
    assert account(app, "alice") is None
    assert client.get("/dashboard").status_code == 302


@pytest.mark.mail
def test_following_the_registration_link_makes_the_account_and_signs_in_once(
        app, client, smtp_server):
    answered(client.post("/register", data=registration("alice")))
    link = path_of(link_in(smtp_server.wait_for(1)[0], "/register/finish/"))
    newcomer = app.test_client()

    # A mail scanner fetching the link makes nothing.
    assert "Make my account" in text_of(newcomer.get(link))
    assert account(app, "alice") is None
    response = newcomer.post(link)

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert "Welcome to Simpl, alice. Your email address is confirmed." in text_of(
        newcomer.get("/dashboard"))
    assert account(app, "alice").email_verified_at is not None
    assert Auth(app.test_client()).login("alice").status_code == 302

    again = app.test_client().post(link)
    assert again.status_code == 400
    assert "This link does not work" in text_of(again)


@pytest.mark.mail
def test_registering_with_an_address_that_has_an_account_looks_the_same_and_tells_the_owner(
        app, make_user, smtp_server):
    make_user("alice", email="alice@example.org")

    def register(username, email):
        browser = app.test_client()
        form = browser.get("/register")
        posted = answered(browser.post("/register", data=registration(username, email)))
        page = browser.get(posted.headers["Location"])
        cookies = sorted(cookie.key for cookie in browser._cookies.values())
        return form, posted, page, cookies

    new = register("bob", "bob@example.org")
    taken = register("mallory", "alice@example.org")

    for one, other in zip(new[:3], taken[:3], strict=True):
        assert one.status_code == other.status_code
        assert one.headers.get("Location") == other.headers.get("Location")
        assert (one.get_data(as_text=True).replace("bob@example.org", "ADDRESS")
                == other.get_data(as_text=True).replace("alice@example.org", "ADDRESS"))
    assert new[3] == taken[3]
    smtp_server.wait_for(2)
    [notice] = smtp_server.to("alice@example.org")
    assert notice["Subject"] == "Someone tried to register with your email address"
    assert "We did not make a second account." in text_part(notice)
    assert account(app, "mallory") is None

    # The link in the notice lets the owner choose a new password.
    owner = app.test_client()
    reset = path_of(link_in(notice, "/password/reset/"))
    chosen = owner.post(reset, data={"password": "a new long password",
                                     "confirm_password": "a new long password"})
    assert chosen.status_code == 302
    assert Auth(app.test_client()).login("alice", "a new long password").status_code == 302


@pytest.mark.mail
def test_an_expired_registration_link_is_refused_and_the_same_link_works_in_time(
        app, client, smtp_server):
    answered(client.post("/register", data=registration("alice")))
    link = path_of(link_in(smtp_server.wait_for(1)[0], "/register/finish/"))
    [waiting] = rows(app, Registration)
    assert waiting.expires_at - waiting.created_at == timedelta(hours=72)  # VERIFY_EMAIL_HOURS

    change(app, Registration, **values_expiring_in(-60))
    expired = app.test_client().post(link)
    assert expired.status_code == 400
    assert "This link does not work" in text_of(expired)
    assert account(app, "alice") is None

    change(app, Registration, **values_expiring_in(60))
    assert app.test_client().post(link).status_code == 302
    assert account(app, "alice") is not None


def values_expiring_in(seconds: int) -> dict:
    return {"expires_at": utcnow() + timedelta(seconds=seconds)}


@pytest.mark.mail
def test_registering_again_with_the_same_address_replaces_the_first_link(
        app, smtp_server):
    first, second = app.test_client(), app.test_client()
    answered(first.post("/register", data=registration("alice")))
    answered(second.post("/register", data=registration("alice_again", "ALICE@example.org")))
    first_link, second_link = (path_of(link_in(message, "/register/finish/"))
                               for message in smtp_server.wait_for(2))

    assert [waiting.username for waiting in rows(app, Registration)] == ["alice_again"]
    assert app.test_client().post(first_link).status_code == 400
    assert app.test_client().post(second_link).status_code == 302
    assert account(app, "alice") is None
    assert account(app, "alice_again").email == "alice@example.org"
    assert rows(app, Registration) == []


@pytest.mark.mail
def test_expired_registrations_are_removed_when_someone_registers(app, smtp_server):
    answered(app.test_client().post("/register", data=registration("alice")))
    change(app, Registration, **values_expiring_in(-1))

    answered(app.test_client().post("/register", data=registration("bob")))

    assert [waiting.username for waiting in rows(app, Registration)] == ["bob"]


@pytest.mark.mail
def test_a_waiting_registration_holds_no_username_against_others(app, client, smtp_server):
    answered(client.post("/register", data=registration("alice")))

    other = answered(app.test_client().post("/register", data=registration("alice", "al@example.org")))

    assert other.status_code == 302
    assert len(rows(app, Registration)) == 2


@pytest.mark.mail
def test_deleting_an_account_leaves_no_waiting_registration_for_its_address(
        app, client, make_user, smtp_server):
    answered(client.post("/register", data=registration("alice")))
    # An account made for the address another way, say by an admin, meanwhile.
    owner = make_user("alice_made", email="alice@example.org")
    assert len(rows(app, Registration)) == 1

    deleted = signed_in(app, owner).post("/account/delete",
                                          data={"password": PASSWORD, "posts": "keep"})

    assert deleted.status_code == 302
    assert rows(app, Registration) == []


@pytest.mark.mail
def test_a_changed_or_forged_registration_link_is_refused(app, client, smtp_server):
    answered(client.post("/register", data=registration("alice")))
    link = link_in(smtp_server.wait_for(1)[0], "/register/finish/")
    token = link.rsplit("/", 1)[1]
    changed = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]

    for bad in (changed, token[:-10], "not-a-token"):
        response = client.post(f"/register/finish/{bad}")
        assert response.status_code == 400, bad
        assert "This link does not work" in text_of(response)
    assert account(app, "alice") is None


def readable_forms(text: str) -> list[str]:
    """The text, and every piece of it that base64 decodes (and unzips), as anyone who
    reads a link can: a signed token is not a sealed one."""
    forms = [text]
    for piece in re.findall(r"[A-Za-z0-9_-]{8,}", text):
        try:
            raw = base64.urlsafe_b64decode(piece + "=" * (-len(piece) % 4))
        except ValueError:
            continue
        try:
            raw = zlib.decompress(raw)
        except zlib.error:
            pass
        forms.append(raw.decode("latin-1"))
    return forms


PASSWORD_HASH_SHAPE = re.compile(r"(pbkdf2|scrypt):[\w:]*\$\w+\$[0-9a-f]{16,}")


@pytest.mark.mail
def test_the_registration_email_holds_no_password_hash_nor_any_part_of_it(app, client, smtp_server):
    answered(client.post("/register", data=registration("alice")))
    message = smtp_server.wait_for(1)[0]
    everything = "\n".join(
        form for part in (message.as_string(), text_part(message), html_part(message))
        for form in readable_forms(part)
    )

    assert not PASSWORD_HASH_SHAPE.search(everything)
    assert PASSWORD not in everything
    [waiting] = rows(app, Registration)
    stored = waiting.password_hash
    method, salt, digest = stored.split("$")
    for secret in (stored, salt, digest, digest[:16], digest[-16:]):
        assert secret not in everything


@pytest.mark.mail
def test_a_used_registration_link_makes_no_account_even_after_that_account_is_deleted(
        app, client, smtp_server):
    answered(client.post("/register", data=registration("alice")))
    link = path_of(link_in(smtp_server.wait_for(1)[0], "/register/finish/"))
    newcomer = app.test_client()
    assert newcomer.post(link).status_code == 302
    deleted = newcomer.post("/account/delete", data={"password": PASSWORD, "posts": "remove"})
    assert deleted.status_code == 302
    assert account(app, "alice") is None

    again = app.test_client().post(link)

    assert again.status_code == 400
    assert "This link does not work" in text_of(again)
    assert account(app, "alice") is None


@pytest.mark.mail
def test_a_username_taken_before_the_link_is_followed_asks_to_register_again(
        app, client, make_user, smtp_server):
    answered(client.post("/register", data=registration("alice")))
    link = path_of(link_in(smtp_server.wait_for(1)[0], "/register/finish/"))
    make_user("Alice", email="someone@example.org")

    response = client.post(link)

    assert response.status_code == 409
    assert "Someone took the username alice" in text_of(response)
    assert account(app, "alice").email == "someone@example.org"


def test_following_the_confirmation_link_confirms_the_address_and_then_no_longer_works(
        mail_app, smtp_server):
    app = mail_app()
    client = signed_in(app, add_user(app, "alice", verified=False))
    answered(client.post("/account/verify"))
    link = link_in(smtp_server.wait_for(1)[0], "/verify/")

    response = client.get(path_of(link))

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert "Thank you: your email address is confirmed." in text_of(client.get("/dashboard"))
    assert account(app, "alice").email_verified_at is not None

    again = client.get(path_of(link))
    assert again.status_code == 400
    assert "This link does not work" in text_of(again)


def test_a_changed_or_forged_confirmation_link_is_refused(mail_app, smtp_server):
    app = mail_app()
    client = signed_in(app, add_user(app, "alice", verified=False))
    answered(client.post("/account/verify"))
    link = link_in(smtp_server.wait_for(1)[0], "/verify/")
    token = link.rsplit("/", 1)[1]
    changed = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    forged = signed_elsewhere(app, lambda: make_token(VERIFY, db.session.get(User, account(app, "alice").id)))

    for bad in (changed, forged, token[:-10], "not-a-token"):
        response = client.get(f"/verify/{bad}")
        assert response.status_code == 400, bad
        assert "This link does not work" in text_of(response)
    assert account(app, "alice").email_verified_at is None


def test_the_reminder_to_confirm_shows_until_the_address_is_confirmed(mail_app, smtp_server):
    app = mail_app()
    client = signed_in(app, add_user(app, "alice", verified=False))
    reminder = "Please confirm your email address with the link we sent to alice@example.org"
    assert reminder in text_of(client.get("/dashboard"))
    assert reminder in text_of(client.get("/ideas"))

    answered(client.post("/account/verify"))
    client.get(path_of(link_in(smtp_server.wait_for(1)[0], "/verify/")))

    assert "Please confirm your email address" not in text_of(client.get("/dashboard"))
    assert "Please confirm your email address" not in text_of(client.get("/ideas"))


def test_asking_for_the_link_again_sends_a_new_one_that_works(mail_app, smtp_server):
    app = mail_app()
    client = signed_in(app, add_user(app, "alice", verified=False))
    answered(client.post("/account/verify"))
    smtp_server.wait_for(1)

    response = answered(client.post("/account/verify"))

    assert response.status_code == 302
    assert "We have sent a new link to alice@example.org." in text_of(client.get("/dashboard"))
    smtp_server.wait_for(2)
    assert len(smtp_server.to("alice@example.org")) == 2
    newest = smtp_server.received[-1]
    assert newest["Subject"] == "Please confirm your email address"
    assert client.get(path_of(link_in(newest, "/verify/"))).status_code == 302
    assert account(app, "alice").email_verified_at is not None

    # Once confirmed, asking again sends nothing more.
    answered(client.post("/account/verify"))
    assert "Your email address is already confirmed." in text_of(client.get("/dashboard"))
    time.sleep(0.2)
    assert len(smtp_server.received) == 2


def test_asking_for_the_link_again_is_limited(mail_app, smtp_server):
    app = mail_app(RATELIMIT_ENABLED=True, EMAIL_RATE_LIMIT="2 per hour")
    alice = add_user(app, "alice", verified=False)
    browser = signed_in(app, alice)

    for _ in range(2):
        assert answered(browser.post("/account/verify")).status_code == 302
    refused = answered(browser.post("/account/verify"))

    assert refused.status_code == 429
    assert "Too many tries" in text_of(refused)
    smtp_server.wait_for(2)
    time.sleep(0.2)
    assert len(smtp_server.to("alice@example.org")) == 2
    assert len(outbox(app)) == 2


def test_without_mail_from_emails_come_from_the_board_name_at_the_board_url_host(
        mail_app, smtp_server):
    app = mail_app(MAIL_FROM="", BOARD_NAME="Elm Road Ideas")
    answered(app.test_client().post("/register", data=registration("alice")))

    [message] = smtp_server.wait_for(1)
    assert message["From"] == "Elm Road Ideas <noreply@board.test>"
    assert message["Message-ID"].endswith("@board.test>")


# --- 2. Resetting a password -----------------------------------------------------------


@pytest.mark.mail
def test_forgot_password_answers_the_same_with_or_without_an_account_and_emails_only_one(
        app, client, make_user, smtp_server):
    make_user("alice", email="alice@example.org")

    known = answered(client.post("/password/forgot", data={"email": "alice@example.org"}))
    unknown = answered(client.post("/password/forgot", data={"email": "nobody@example.org"}))

    assert known.status_code == unknown.status_code == 200
    assert "Check your email" in text_of(known)
    assert (text_of(known).replace("alice@example.org", "ADDRESS")
            == text_of(unknown).replace("nobody@example.org", "ADDRESS"))
    smtp_server.wait_for(1)
    time.sleep(0.2)
    assert len(smtp_server.received) == 1
    message = smtp_server.received[0]
    assert message["To"] == "alice@example.org"
    assert message["From"] == MAIL_FROM
    assert message["Subject"] == "Reset your password"
    assert link_in(message, "/password/reset/") in html_part(message)
    assert smtp_server.to("nobody@example.org") == []


@pytest.mark.mail
def test_a_reset_link_sets_a_new_password_once(app, client, make_user, smtp_server):
    alice = make_user("alice")
    answered(client.post("/password/forgot", data={"email": "alice@example.org"}))
    link = link_in(smtp_server.wait_for(1)[0], "/password/reset/")
    assert link.startswith("http://board.test/password/reset/")

    form = client.get(path_of(link))
    assert form.status_code == 200
    assert "New password" in text_of(form)
    response = client.post(path_of(link), data={"password": "a brand new secret",
                                                "confirm_password": "a brand new secret"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "Your password is changed." in text_of(client.get("/login"))
    # Following the link proves the address is theirs.
    assert fetch(app, User, alice.id).email_verified_at is not None
    assert Auth(app.test_client()).login("alice", PASSWORD).status_code == 422
    assert Auth(app.test_client()).login("alice", "a brand new secret").status_code == 302

    assert client.get(path_of(link)).status_code == 400
    again = client.post(path_of(link), data={"password": "yet another secret",
                                             "confirm_password": "yet another secret"})
    assert again.status_code == 400
    assert "This link does not work" in text_of(again)
    assert Auth(app.test_client()).login("alice", "a brand new secret").status_code == 302


@pytest.mark.mail
def test_an_expired_reset_link_is_refused_and_the_same_link_works_in_time(
        app, client, make_user, smtp_server, later):
    make_user("alice")
    answered(client.post("/password/forgot", data={"email": "alice@example.org"}))
    link = link_in(smtp_server.wait_for(1)[0], "/password/reset/")

    later(61 * 60)  # RESET_PASSWORD_MINUTES is 60
    expired = app.test_client().get(path_of(link))
    assert expired.status_code == 400
    assert "This link does not work" in text_of(expired)
    refused = app.test_client().post(path_of(link), data={"password": "a brand new secret",
                                                          "confirm_password": "a brand new secret"})
    assert refused.status_code == 400
    assert Auth(app.test_client()).login("alice", PASSWORD).status_code == 302

    later(59 * 60)
    assert app.test_client().get(path_of(link)).status_code == 200


@pytest.mark.mail
def test_mismatched_new_passwords_are_shown_next_to_the_field_and_change_nothing(
        app, client, make_user, smtp_server):
    alice = make_user("alice")
    answered(client.post("/password/forgot", data={"email": "alice@example.org"}))
    link = link_in(smtp_server.wait_for(1)[0], "/password/reset/")

    response = client.post(path_of(link), data={"password": "a brand new secret",
                                                "confirm_password": "a different secret"})

    assert response.status_code == 422
    assert field_error(response, "confirm_password") == "Error: The two passwords do not match."
    assert fetch(app, User, alice.id).password_hash == alice.password_hash
    assert fetch(app, User, alice.id).email_verified_at is None
    assert Auth(app.test_client()).login("alice", PASSWORD).status_code == 302
    assert client.get(path_of(link)).status_code == 200  # the link still works


def test_asking_for_reset_emails_is_limited_per_address_asking(mail_app, smtp_server):
    app = mail_app(RATELIMIT_ENABLED=True, EMAIL_RATE_LIMIT="2 per hour")
    add_user(app, "alice")
    add_user(app, "bob")
    client = app.test_client()

    assert answered(client.post("/password/forgot", data={"email": "alice@example.org"})).status_code == 200
    assert answered(client.post("/password/forgot", data={"email": "bob@example.org"})).status_code == 200
    refused = answered(client.post("/password/forgot", data={"email": "bob@example.org"}))

    assert refused.status_code == 429
    assert "Too many tries" in text_of(refused)
    assert client.get("/password/forgot").status_code == 200  # looking at the form is not limited
    smtp_server.wait_for(2)
    time.sleep(0.2)
    assert len(smtp_server.to("alice@example.org")) == 1
    assert len(smtp_server.to("bob@example.org")) == 1


def test_reset_emails_to_one_account_are_limited_whoever_asks(mail_app, smtp_server):
    app = mail_app(RATELIMIT_ENABLED=True, EMAIL_RATE_LIMIT="2 per hour")
    add_user(app, "alice")

    answers = []
    for n in range(1, 4):
        answers.append(answered(app.test_client().post(
            "/password/forgot", data={"email": "alice@example.org"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        )))

    # The same answer every time, so that the limit does not tell whether the account exists.
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert text_of(answers[2]) == text_of(answers[0])
    smtp_server.wait_for(2)
    time.sleep(0.2)
    assert len(smtp_server.to("alice@example.org")) == 2


@pytest.mark.mail
def test_links_in_emails_use_the_board_url_not_the_host_the_request_named(
        app, client, make_user, smtp_server):
    make_user("alice")
    evil = app.test_client()

    answered(evil.post("/password/forgot", data={"email": "alice@example.org"},
                       base_url="http://evil.example"))
    answered(evil.post("/register", data=registration("bob"), headers={"Host": "evil.example"}))

    smtp_server.wait_for(2)
    reset, verify = smtp_server.to("alice@example.org")[0], smtp_server.to("bob@example.org")[0]
    assert link_in(reset, "/password/reset/").startswith("http://board.test/password/reset/")
    assert link_in(verify, "/register/finish/").startswith("http://board.test/register/finish/")
    for message in (reset, verify):
        assert "evil.example" not in text_part(message)
        assert "evil.example" not in html_part(message)


# --- 3. Notification emails ----------------------------------------------------------


@pytest.mark.mail
def test_a_comment_emails_the_ideas_author_once_the_page_is_answered(
        app, make_user, make_idea, smtp_server):
    author = make_user("alice", email_verified_at=utcnow(), display_name="Alice Smith")
    commenter = make_user("bob", email_verified_at=utcnow(), display_name="Bob Jones")
    idea = make_idea(author=author, title="A community fridge")
    browser = signed_in(app, commenter)

    response = comment_through_the_page(browser, idea, "I can bring a fridge.")

    assert response.status_code == 302
    comment_id = comment_id_from(response)
    # Written to the outbox with the comment; sent only once the page is answered.
    assert smtp_server.received == []
    assert [m.to_address for m in outbox(app)] == ["alice@example.org"]
    answered(response)
    smtp_server.wait_for(1)
    assert len(smtp_server.received) == 1
    message = smtp_server.received[0]
    assert message["To"] == "alice@example.org"
    assert message["From"] == MAIL_FROM
    assert message["Subject"] == "Bob Jones commented on \u201cA community fridge\u201d"
    text = text_part(message)
    assert "Bob Jones commented on \u201cA community fridge\u201d" in text
    assert f"http://board.test/comments/{comment_id}" in board_links(text)
    assert f'href="http://board.test/comments/{comment_id}"' in html_part(message)
    assert unsubscribe_url_of(message).startswith("http://board.test/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert outbox(app)[0].sent_at is not None
    assert smtp_server.to("bob@example.org") == []


@pytest.mark.mail
def test_an_unverified_author_gets_no_email_but_is_still_notified_on_the_board(
        app, make_user, make_idea, smtp_server):
    author = make_user("alice")  # never confirmed their address
    idea = make_idea(author=author)
    browser = signed_in(app, make_user("bob", email_verified_at=utcnow()))

    response = answered(comment_through_the_page(browser, idea))

    assert response.status_code == 302
    time.sleep(0.2)
    assert smtp_server.received == []
    assert outbox(app) == []
    [notification] = notifications_of(app, author)
    assert notification.email == Frequency.NEVER
    assert "bob commented on \u201cA community fridge\u201d" in text_of(
        signed_in(app, author).get("/notifications"))


@pytest.mark.mail
def test_choosing_never_for_replies_stops_those_emails(app, make_user, make_idea, smtp_server):
    author = make_user("alice", email_verified_at=utcnow())
    idea = make_idea(author=author)
    settings = signed_in(app, author).post("/account/notifications", data={
        "mine": "never", "invitations": "immediately", "matches": "daily", "following": "daily",
    })
    assert settings.status_code == 302
    assert choice_of(app, author, "mine") == "never"

    browser = signed_in(app, make_user("bob", email_verified_at=utcnow()))
    assert answered(comment_through_the_page(browser, idea)).status_code == 302

    time.sleep(0.2)
    assert smtp_server.received == []
    assert outbox(app) == []
    [notification] = notifications_of(app, author)
    assert notification.email == Frequency.NEVER


@pytest.mark.mail
def test_peoples_words_read_as_written_in_the_text_and_are_escaped_in_the_html(
        app, make_user, make_idea, smtp_server):
    author = make_user("alice", email_verified_at=utcnow())
    idea = make_idea(author=author, title="Sam's fridge & <b>bench</b>")
    browser = signed_in(app, make_user("bob", display_name='Bob "B" O\'Neil'))

    answered(comment_through_the_page(browser, idea))

    [message] = smtp_server.wait_for(1)
    sentence = "Bob \"B\" O'Neil commented on \u201cSam's fridge & <b>bench</b>\u201d"
    assert message["Subject"] == sentence
    assert sentence in text_part(message)
    html = html_part(message)
    assert "<b>bench</b>" not in html
    assert unescape(re.search(r'<a href="http://board\.test/comments/[^"]+"[^>]*>(.*?)</a>',
                              html).group(1)) == sentence


@pytest.mark.mail
def test_a_title_with_a_line_break_does_not_jam_the_outbox(
        app, runner, make_user, make_idea, make_comment, smtp_server):
    """Titles come from a form; a hand-made POST can put CR LF in one. The subject of the
    email about it must stay one line, and the message must not stop the others."""
    alice = make_user("alice", email_verified_at=utcnow())
    posted = signed_in(app, alice).post("/ideas/new", data={
        "title": "A fridge\r\nBcc: evil@example.org", "description": "Share food."})
    assert posted.status_code == 302
    [idea] = rows(app, Idea)
    answered(comment_through_the_page(signed_in(app, make_user("bob")), idea))
    make_comment(on=make_idea(author=make_user("carol", email_verified_at=utcnow())),
                 author=make_user("dan"))
    # Two minutes on, as when cron runs send-mail.
    change(app, OutboxMessage, OutboxMessage.claimed_until.is_not(None),
           claimed_until=utcnow() - timedelta(seconds=1))

    result = runner.invoke(args=["board", "send-mail"])

    assert result.exit_code == 0, result.output
    assert len(smtp_server.to("carol@example.org")) == 1
    [to_alice] = smtp_server.to("alice@example.org")
    assert "\n" not in to_alice["Subject"] and "\r" not in to_alice["Subject"]
    assert to_alice["Bcc"] is None
    assert all(m.sent_at is not None for m in outbox(app))


# --- 4. Unsubscribing without signing in -------------------------------------------


@pytest.mark.mail
def test_the_unsubscribe_link_asks_first_and_changes_nothing_by_itself(
        app, make_user, make_idea, smtp_server):
    author = make_user("alice", email_verified_at=utcnow())
    idea = make_idea(author=author)
    answered(comment_through_the_page(signed_in(app, make_user("bob")), idea))
    url = unsubscribe_url_of(smtp_server.wait_for(1)[0])

    page = app.test_client().get(path_of(url))  # a visitor: no session

    assert page.status_code == 200
    assert "Unsubscribe from these emails?" in text_of(page)
    assert "Replies to what you posted" in text_of(page)
    html = page.get_data(as_text=True)
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    assert form and form.group(1) == path_of(url)
    assert re.search(r"<button[^>]*>\s*Unsubscribe\s*</button>", form.group(2))
    assert choice_of(app, author, "mine") is None
    assert count_rows(app, EmailChoice) == 0


def test_one_click_unsubscribe_from_a_mail_client_works_without_a_session_or_form_token(
        mail_app, smtp_server):
    app = mail_app(WTF_CSRF_ENABLED=True)
    # Forms elsewhere do need their token on this board.
    assert app.test_client().post("/login", data={"login": "x", "password": "y"}).status_code == 400
    author = add_user(app, "alice")
    bob = add_user(app, "bob")
    idea = add_idea(app, author)
    add_comment(app, idea, bob)
    assert app.test_cli_runner().invoke(args=["board", "send-mail"]).exit_code == 0
    url = unsubscribe_url_of(smtp_server.wait_for(1)[0])

    # As a mail client does it (RFC 8058): a POST with this body, no cookies, no token.
    response = app.test_client().post(path_of(url), data="List-Unsubscribe=One-Click",
                                      content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    assert "You are unsubscribed" in text_of(response)
    assert choice_of(app, author, "mine") == "never"
    assert choice_of(app, author, "following") is None  # only what the email was about

    add_comment(app, idea, bob, "Another thought.")
    result = app.test_cli_runner().invoke(args=["board", "send-mail"])
    assert "Sent 0 email(s)." in result.output
    assert len(smtp_server.received) == 1
    assert [n.email for n in notifications_of(app, author)] == ["immediately", "never"]


@pytest.mark.mail
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_unsubscribe_link_is_not_found_and_changes_nothing(app, make_user, method):
    alice = make_user("alice", email_verified_at=utcnow())
    forged = signed_elsewhere(app, lambda: unsubscribe_token(db.session.get(User, alice.id),
                                                             ("mine", "following")))
    with app.app_context():
        genuine = unsubscribe_token(db.session.get(User, alice.id), ("mine",))
    changed = genuine[:3] + ("A" if genuine[3] != "A" else "B") + genuine[4:]

    for bad in ("not-a-token", forged, changed, genuine[:-8]):
        response = getattr(app.test_client(), method)(f"/unsubscribe/{bad}")
        assert response.status_code == 404, bad
        assert "This unsubscribe link does not work" in text_of(response)
    assert count_rows(app, EmailChoice) == 0


# --- 5. The outbox --------------------------------------------------------------------


@pytest.mark.mail
def test_a_comment_posted_while_the_mail_server_is_down_waits_in_the_outbox(
        app, make_user, make_idea, smtp_server):
    idea = make_idea(author=make_user("alice", email_verified_at=utcnow()))
    browser = signed_in(app, make_user("bob"))
    smtp_server.stop()

    response = answered(comment_through_the_page(browser, idea, "Still works."))

    assert response.status_code == 302
    assert [c.body for c in rows(app, Comment)] == ["Still works."]
    [message] = outbox(app)
    assert message.to_address == "alice@example.org"
    assert message.sent_at is None and message.failed_at is None
    assert message.attempts == 1
    assert message.last_error
    assert message.next_attempt_at > utcnow()
    assert message.next_attempt_at <= utcnow() + timedelta(seconds=60)


@pytest.mark.mail
def test_send_mail_waits_until_the_retry_time_then_delivers_once(
        app, runner, make_user, make_idea, smtp_server):
    idea = make_idea(author=make_user("alice", email_verified_at=utcnow()))
    smtp_server.stop()
    answered(comment_through_the_page(signed_in(app, make_user("bob")), idea))
    smtp_server.start()

    early = runner.invoke(args=["board", "send-mail"])
    assert early.exit_code == 0, early.output
    assert "Sent 0 email(s)." in early.output
    time.sleep(0.2)
    assert smtp_server.received == []

    change(app, OutboxMessage, OutboxMessage.sent_at.is_(None),
           next_attempt_at=utcnow() - timedelta(seconds=1))
    due = runner.invoke(args=["board", "send-mail"])

    assert due.exit_code == 0, due.output
    assert "Sent 1 email(s)." in due.output
    assert [m["To"] for m in smtp_server.received] == ["alice@example.org"]
    [message] = outbox(app)
    assert message.sent_at is not None
    assert "Sent 0 email(s)." in runner.invoke(args=["board", "send-mail"]).output
    assert len(smtp_server.received) == 1


@pytest.mark.mail
def test_each_failed_attempt_waits_twice_as_long(app, runner, make_user, make_idea, smtp_server):
    idea = make_idea(author=make_user("alice", email_verified_at=utcnow()))
    smtp_server.stop()
    answered(comment_through_the_page(signed_in(app, make_user("bob")), idea))
    assert outbox(app)[0].attempts == 1

    change(app, OutboxMessage, next_attempt_at=utcnow() - timedelta(seconds=1))
    before = utcnow()
    result = runner.invoke(args=["board", "send-mail"])

    assert result.exit_code == 0, result.output
    assert "Sent 0 email(s); 1 could not be sent now" in result.output
    [message] = outbox(app)
    assert message.attempts == 2
    assert before + timedelta(seconds=119) <= message.next_attempt_at <= utcnow() + timedelta(seconds=120)


@pytest.mark.mail
def test_retry_delays_double_up_to_the_maximum(app, ctx):
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 6, 7, 20)] == [
        60, 120, 240, 480, 1920, 3600, 3600]
    app.config.update(MAIL_RETRY_SECONDS=10, MAIL_RETRY_MAX_SECONDS=50)
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 50, 50]


@pytest.mark.mail
def test_an_address_the_server_refuses_for_good_is_marked_failed_and_not_retried(
        app, runner, make_user, make_idea, make_comment, smtp_server):
    bob = make_user("bob")
    bounce = make_user("bouncer", email="bounce@example.org", email_verified_at=utcnow())
    fine = make_user("carol", email_verified_at=utcnow())
    make_comment(on=make_idea(author=bounce), author=bob)
    make_comment(on=make_idea(author=fine), author=bob)

    result = runner.invoke(args=["board", "send-mail"])

    assert result.exit_code == 0, result.output
    assert "Sent 1 email(s)" in result.output
    assert [m["To"] for m in smtp_server.received] == ["carol@example.org"]
    refused, delivered = outbox(app)
    assert refused.to_address == "bounce@example.org"
    assert refused.failed_at is not None and refused.sent_at is None
    assert refused.attempts == 1 and "550" in refused.last_error
    assert delivered.sent_at is not None

    change(app, OutboxMessage, next_attempt_at=utcnow() - timedelta(hours=1))
    runner.invoke(args=["board", "send-mail"])
    assert len(smtp_server.received) == 1
    assert outbox(app)[0].attempts == 1


@pytest.mark.mail
def test_two_senders_at_once_deliver_each_message_exactly_once(
        app, make_user, make_idea, make_comment, smtp_server):
    idea = make_idea(author=make_user("alice", email_verified_at=utcnow()))
    for n in range(12):
        make_comment(on=idea, author=make_user(f"neighbour{n}"), body=f"Comment {n}")
    assert len(outbox(app)) == 12

    results = run_at_once(app, send_due)

    assert sum(sent for sent, _ in results) == 12
    assert sum(unsent for _, unsent in results) == 0
    smtp_server.wait_for(12)
    time.sleep(0.2)
    assert len(smtp_server.received) == 12
    comment_links = [link_in(m, "/comments/") for m in smtp_server.received]
    assert len(set(comment_links)) == 12
    assert all(m.sent_at is not None for m in outbox(app))


def test_without_a_mail_server_nothing_is_queued_and_send_mail_says_email_is_off(
        app, runner, make_user, make_idea):
    author = make_user("alice", email_verified_at=utcnow())
    idea = make_idea(author=author)

    response = answered(comment_through_the_page(signed_in(app, make_user("bob")), idea))
    registered = answered(app.test_client().post("/register", data=registration("carol")))

    assert response.status_code == 302 and registered.status_code == 302
    assert outbox(app) == []
    assert [n.email for n in notifications_of(app, author)] == ["never"]
    result = runner.invoke(args=["board", "send-mail"])
    assert result.exit_code != 0
    assert "Email is off" in result.output


# --- 6. Digests -----------------------------------------------------------------------


@pytest.fixture
def followed_idea(app, make_user, make_idea, make_comment):
    """Alice's idea, followed by Fran (who commented on it) with the default daily choice."""
    alice = make_user("alice", email_verified_at=utcnow())
    fran = make_user("fran", email_verified_at=utcnow(), display_name="Fran")
    idea = make_idea(author=alice, title="A community fridge")
    make_comment(on=idea, author=fran, body="Lovely.")
    with app.app_context():
        send_due()  # Alice's email about Fran's comment
    return SimpleNamespace(idea=idea, alice=alice, fran=fran)


@pytest.mark.mail
def test_a_follower_hears_about_a_comment_in_the_next_daily_digest_once(
        app, make_user, followed_idea, smtp_server):
    fran = followed_idea.fran
    bob = make_user("bob", display_name="Bob Jones")
    smtp_server.received.clear()

    response = answered(comment_through_the_page(signed_in(app, bob), followed_idea.idea, "Me too."))
    comment_id = comment_id_from(response)
    smtp_server.wait_for(1)  # Alice's, at once
    time.sleep(0.2)
    assert smtp_server.to("fran@example.org") == []
    [waiting] = [n for n in notifications_of(app, fran) if n.email == "daily"]
    due = next_digest_time(waiting.created_at)

    assert in_app_context(app, lambda: send_due_digests(now=due - timedelta(minutes=1))) == 0
    assert in_app_context(app, lambda: send_due_digests(now=due + timedelta(minutes=1))) == 1
    in_app_context(app, send_due)

    [digest] = smtp_server.to("fran@example.org")
    assert digest["Subject"] == "Your daily digest: 1 update"
    assert digest["From"] == MAIL_FROM
    text = text_part(digest)
    assert "Bob Jones commented on \u201cA community fridge\u201d" in text
    link = f"http://board.test/comments/{comment_id}"
    assert link in board_links(text)
    assert f'href="{link}"' in html_part(digest)

    assert in_app_context(app, lambda: send_due_digests(now=due + timedelta(days=2))) == 0
    in_app_context(app, send_due)
    assert len(smtp_server.to("fran@example.org")) == 1


@pytest.mark.mail
def test_the_digest_has_a_one_click_unsubscribe(app, make_user, followed_idea, smtp_server):
    answered(comment_through_the_page(signed_in(app, make_user("bob")), followed_idea.idea))
    in_app_context(app, lambda: send_due_digests(now=utcnow() + timedelta(days=2)))
    in_app_context(app, send_due)
    [digest] = smtp_server.to("fran@example.org")

    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = unsubscribe_url_of(digest)
    assert url in text_part(digest)
    response = app.test_client().post(path_of(url), data="List-Unsubscribe=One-Click",
                                      content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert choice_of(app, followed_idea.fran, "following") == "never"


@pytest.mark.mail
def test_unsubscribing_also_stops_the_digest_already_waiting(
        app, make_user, followed_idea, smtp_server):
    idea = followed_idea.idea
    answered(comment_through_the_page(signed_in(app, make_user("bob")), idea, "First."))
    in_app_context(app, lambda: send_due_digests(now=utcnow() + timedelta(days=2)))
    in_app_context(app, send_due)
    [first_digest] = smtp_server.to("fran@example.org")
    answered(comment_through_the_page(signed_in(app, make_user("carol")), idea, "Second."))

    response = app.test_client().post(path_of(unsubscribe_url_of(first_digest)),
                                      data="List-Unsubscribe=One-Click",
                                      content_type="application/x-www-form-urlencoded")
    assert "You will get no more emails about: New activity on ideas and requests you follow" \
        in text_of(response)
    in_app_context(app, lambda: send_due_digests(now=utcnow() + timedelta(days=2)))
    in_app_context(app, send_due)

    assert len(smtp_server.to("fran@example.org")) == 1, \
        "a digest came after the person unsubscribed from what it is about"


@pytest.mark.mail
def test_notifications_after_the_digest_hour_wait_for_the_next_digest(
        app, make_user, make_comment, followed_idea, smtp_server):
    fran, idea = followed_idea.fran, followed_idea.idea
    make_comment(on=idea, author=make_user("bob"), body="First.")
    [first] = [n for n in notifications_of(app, fran) if n.email == "daily"]
    due = next_digest_time(first.created_at)
    make_comment(on=idea, author=make_user("carol"), body="Second.")
    second = notifications_of(app, fran)[-1]
    assert second.id != first.id
    # Carol's comment came after that day's digest hour.
    change(app, Notification, Notification.id == second.id,
           created_at=due + timedelta(minutes=30))
    smtp_server.received.clear()

    assert in_app_context(app, lambda: send_due_digests(now=due + timedelta(hours=1))) == 1
    in_app_context(app, send_due)
    [digest] = smtp_server.to("fran@example.org")
    assert "bob commented" in text_part(digest)
    assert "carol commented" not in text_part(digest)

    next_due = next_digest_time(due + timedelta(minutes=30))
    assert in_app_context(app, lambda: send_due_digests(now=next_due - timedelta(minutes=1))) == 0
    assert in_app_context(app, lambda: send_due_digests(now=next_due + timedelta(minutes=1))) == 1
    in_app_context(app, send_due)
    first_digest, second_digest = smtp_server.to("fran@example.org")
    assert "carol commented" in text_part(second_digest)
    assert "bob commented" not in text_part(second_digest)


@pytest.mark.mail
def test_a_weekly_choice_waits_for_the_weekly_digest(
        app, make_user, make_comment, followed_idea, smtp_server):
    fran = followed_idea.fran
    choose(app, fran, following="weekly")
    make_comment(on=followed_idea.idea, author=make_user("bob"))
    [waiting] = [n for n in notifications_of(app, fran) if n.email == "weekly"]
    weekly = next_digest_time(waiting.created_at, weekday=0)  # DIGEST_WEEKDAY: Monday
    smtp_server.received.clear()

    assert in_app_context(app, lambda: send_due_digests(now=weekly - timedelta(minutes=1))) == 0
    assert in_app_context(app, lambda: send_due_digests(now=weekly + timedelta(minutes=1))) == 1
    in_app_context(app, send_due)
    [digest] = smtp_server.to("fran@example.org")
    assert digest["Subject"] == "Your weekly digest: 1 update"
    assert "bob commented on \u201cA community fridge\u201d" in text_part(digest)


@pytest.mark.mail
def test_digest_cutoffs_follow_the_board_clock(app, ctx):
    # Wednesday 10 January 2024, noon: London is on GMT.
    winter = datetime(2024, 1, 10, 12, 0)
    assert digest_cutoff(Frequency.DAILY, winter) == datetime(2024, 1, 10, 8, 0)
    assert digest_cutoff(Frequency.WEEKLY, winter) == datetime(2024, 1, 8, 8, 0)
    assert digest_cutoff(Frequency.DAILY, datetime(2024, 1, 10, 7, 59)) == datetime(2024, 1, 9, 8, 0)
    # In summer 08:00 in London is 07:00 UTC.
    assert digest_cutoff(Frequency.DAILY, datetime(2024, 7, 10, 6, 30)) == datetime(2024, 7, 9, 7, 0)
    assert digest_cutoff(Frequency.DAILY, datetime(2024, 7, 10, 7, 0)) == datetime(2024, 7, 10, 7, 0)
    assert digest_cutoff(Frequency.WEEKLY, datetime(2024, 7, 10, 12, 0)) == datetime(2024, 7, 8, 7, 0)
    # A Monday before the hour: last week's.
    assert digest_cutoff(Frequency.WEEKLY, datetime(2024, 7, 8, 6, 0)) == datetime(2024, 7, 1, 7, 0)


@pytest.mark.mail
def test_two_digest_runs_at_once_send_each_person_one_digest(
        app, make_user, make_idea, make_comment, smtp_server):
    idea = make_idea(author=make_user("alice", email_verified_at=utcnow()))
    followers = [make_user(f"fan{n}", email_verified_at=utcnow()) for n in range(4)]
    for fan in followers:
        make_comment(on=idea, author=fan)
    make_comment(on=idea, author=make_user("bob"), body="Last word.")
    smtp_server.received.clear()
    now = utcnow() + timedelta(days=2)

    results = run_at_once(app, lambda: send_due_digests(now=now), threads=2)
    in_app_context(app, send_due)

    assert sum(results) == 4
    digests = [m for m in smtp_server.received if "digest" in m["Subject"]]
    assert sorted(m["To"] for m in digests) == sorted(f.email for f in followers)
    assert in_app_context(app, lambda: send_due_digests(now=now)) == 0


@pytest.mark.mail
def test_suspended_or_unconfirmed_people_get_no_digest(
        app, make_user, make_idea, make_comment, smtp_server):
    idea = make_idea(author=make_user("alice", email_verified_at=utcnow()))
    sam = make_user("sam", email_verified_at=utcnow())
    una = make_user("una", email_verified_at=utcnow())
    vic = make_user("vic", email_verified_at=utcnow())
    early = make_user("eve", email_verified_at=utcnow())
    for person in (sam, una, vic, early):
        make_comment(on=idea, author=person)
    change(app, User, User.id == early.id, suspended_at=utcnow())  # before the comment
    make_comment(on=idea, author=make_user("bob"), body="News.")
    # After the comment, before the digest:
    change(app, User, User.id == sam.id, suspended_at=utcnow())
    change(app, User, User.id == una.id, email_verified_at=None)
    in_app_context(app, send_due)  # Alice's emails about the comments on her idea
    smtp_server.received.clear()

    in_app_context(app, lambda: send_due_digests(now=utcnow() + timedelta(days=2)))
    in_app_context(app, send_due)

    assert [m["To"] for m in smtp_server.received] == ["vic@example.org"]
    assert notifications_of(app, early) == []  # suspended people are not told at all
    assert notifications_of(app, sam) and notifications_of(app, una)


# --- 7. Emails about matching help requests, at most a few a day ------------------------


def post_help_request(browser, title: str, skills="van"):
    return browser.post("/help/new", data={
        "title": title, "details": "To move benches.", "skills": skills, "kind": "skills",
        "idea": "0", "area": "0",
    })


def test_matching_requests_are_emailed_at_once_up_to_the_days_limit_then_wait_for_the_digest(
        mail_app, smtp_server):
    app = mail_app(MATCH_EMAILS_PER_DAY=2)
    vera = add_user(app, "vera", skills=["van"])
    chosen = signed_in(app, vera).post("/account/notifications", data={
        "mine": "immediately", "invitations": "immediately", "matches": "immediately",
        "following": "daily",
    })
    assert chosen.status_code == 302
    requester = add_user(app, "rita", skills=["van"], display_name="Rita")
    suspended = add_user(app, "stan", skills=["van"], suspended_at=utcnow())
    choose(app, suspended, matches="immediately")
    browser = signed_in(app, requester)

    for title in ("A van on Saturday", "A van on Sunday", "A van on Monday"):
        assert answered(post_help_request(browser, title)).status_code == 302

    smtp_server.wait_for(2)
    time.sleep(0.2)
    at_once = smtp_server.to("vera@example.org")
    assert [m["Subject"] for m in at_once] == [
        "Rita needs help you could give: \u201cA van on Saturday\u201d",
        "Rita needs help you could give: \u201cA van on Sunday\u201d",
    ]
    assert link_in(at_once[0], "/help/").startswith("http://board.test/help/")
    assert [(n.email, n.emailed_at is not None) for n in notifications_of(app, vera)] == [
        ("immediately", True), ("immediately", True), ("daily", False)]
    assert smtp_server.to("rita@example.org") == []
    assert smtp_server.to("stan@example.org") == []
    assert notifications_of(app, suspended) == []

    in_app_context(app, lambda: send_due_digests(now=utcnow() + timedelta(days=2)))
    in_app_context(app, send_due)
    [digest] = [m for m in smtp_server.to("vera@example.org") if "digest" in m["Subject"]]
    assert digest["Subject"] == "Your daily digest: 1 update"
    assert "Rita needs help you could give: \u201cA van on Monday\u201d" in text_part(digest)
    assert "Saturday" not in text_part(digest)
    assert smtp_server.to("rita@example.org") == []


# --- 8. The admin's settings -------------------------------------------------------------


SETTINGS = {
    "name": "Simpl", "introduction": "", "contact_email": "", "code_of_conduct": "",
    "registration_mode": "open", "allowed_domains": "",
}


def test_the_settings_page_says_email_is_off_without_a_mail_server(app, make_user):
    page = signed_in(app, make_user("root", role="admin")).get("/admin/settings")

    assert page.status_code == 200
    assert "Email is off" in text_of(page)
    assert "Email is on" not in text_of(page)


@pytest.mark.mail
def test_the_settings_page_says_email_is_on_with_a_mail_server(app, make_user):
    page = signed_in(app, make_user("root", role="admin")).get("/admin/settings")

    assert page.status_code == 200
    assert "Email is on: the board sends through 127.0.0.1." in text_of(page)
    assert "Links in emails start with http://board.test." in text_of(page)
    assert "Email is off" not in text_of(page)


@pytest.mark.mail
def test_requiring_a_confirmed_address_stops_unconfirmed_people_posting(app, make_user, make_idea):
    admin = signed_in(app, make_user("root", role="admin", email_verified_at=utcnow()))
    page = admin.get("/admin/settings")
    assert "People must confirm their email address before they post" in text_of(page)
    saved = admin.post("/admin/settings", data={**SETTINGS, "require_verified_email": "y"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(BoardSettings, 1).require_verified_email is True

    newcomer = signed_in(app, make_user("newbie"))
    refused = newcomer.get("/ideas/new")
    assert refused.status_code == 403
    assert "Confirm your email address first" in text_of(refused)
    assert newcomer.post("/ideas/new", data={"title": "Mine", "description": "Text"}).status_code == 403
    other_idea = make_idea()
    assert comment_through_the_page(newcomer, other_idea).status_code == 403
    assert count_rows(app, Idea) == 1 and count_rows(app, Comment) == 0
    # Reading is still open to them.
    assert newcomer.get(f"/ideas/{other_idea.id}").status_code == 200

    confirmed = signed_in(app, make_user("regular", email_verified_at=utcnow()))
    assert confirmed.get("/ideas/new").status_code == 200
    posted = confirmed.post("/ideas/new", data={"title": "Mine", "description": "Text"})
    assert posted.status_code == 302
    assert count_rows(app, Idea) == 2


def test_with_email_off_the_confirmation_requirement_stops_nobody(app, make_user):
    """Nobody could confirm an address on a board that sends no email."""
    admin = signed_in(app, make_user("root", role="admin"))
    assert admin.post("/admin/settings",
                      data={**SETTINGS, "require_verified_email": "y"}).status_code == 302
    newcomer = signed_in(app, make_user("newbie"))

    page = newcomer.get("/ideas/new")

    assert page.status_code == 200
    assert "Please confirm your email address" not in text_of(page)
    assert newcomer.post("/ideas/new", data={"title": "Mine", "description": "Text"}).status_code == 302
