"""Sessions that end: signing out, a new password, a suspension, "Sign out everywhere"
and an erasure each end every session and remember-me cookie of the person, including
cookies copied before. Black-box, over HTTP, against the demo board served by gunicorn.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import sqlite3
import subprocess
import sys
import time
from html import unescape

import pytest
from flask import request

import helpers
from helpers import PASSWORD, ROOT, demo_board_served
from smtp import text_part

COOKIES = ("session", "remember_token")


class Browser(helpers.Browser):
    """A browser that signs in, and whose cookies can be copied as a thief would."""

    def sign_in(self, login: str, password: str = PASSWORD) -> None:
        status, location, _ = self.post_form(
            "/login", {"login": login, "password": password, "remember": "y"}
        )
        assert status == 302, "signing in failed"
        assert {cookie.name for cookie in self.jar} >= set(COOKIES)

    def cookie(self, name: str) -> http.cookiejar.Cookie:
        return next(cookie for cookie in self.jar if cookie.name == name)

    def copy_of(self, name: str) -> Browser:
        """Another browser holding only this one cookie, copied as a thief would."""
        other = Browser(self.url)
        other.jar.set_cookie(self.cookie(name))
        return other

    def is_signed_in(self) -> bool:
        status, location, _ = self.request("/account")
        return status == 200


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    instance = tmp_path_factory.mktemp("sessions") / "instance"
    with demo_board_served(instance) as url:
        yield url, instance


def copied_cookies(url: str, login: str) -> tuple[Browser, list[Browser]]:
    person = Browser(url)
    person.sign_in(login)
    copies = [person.copy_of(name) for name in COOKIES]
    assert all(copy.is_signed_in() for copy in copies), "a copied cookie should sign in at first"
    return person, copies


def reset_link_sent_to(smtp_server, address: str) -> str:
    """The path in the reset email (the demo's own notifications may arrive too)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for message in smtp_server.to(address):
            if message["Subject"] == "Reset your password":
                return re.search(r"http://board\.test(/password/reset/\S+)", text_part(message)).group(1)
        time.sleep(0.05)
    raise AssertionError(f"no reset email reached {address}")


def user_id(instance, username: str) -> int:
    with sqlite3.connect(instance / "simpl.db") as connection:
        return connection.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()[0]


def test_signing_out_ends_the_copied_session_and_remember_me_cookie(board):
    url, _ = board
    person, copies = copied_cookies(url, "amina")

    status, _, _ = person.post_form("/account", {}, to="/logout")

    assert status == 302
    assert not person.is_signed_in()
    for copy in copies:
        assert not copy.is_signed_in()


def test_signing_out_everywhere_ends_every_session_this_one_too(board):
    url, _ = board
    elsewhere = Browser(url)
    elsewhere.sign_in("tom_h")
    person, copies = copied_cookies(url, "tom_h")

    status, location, _ = person.post_form("/account", {}, to="/account/sign-out-everywhere")

    assert status == 302 and location.endswith("/login")
    _, _, page = person.request("/login")
    assert "You have signed out on every device, this one too." in unescape(page)
    for browser in (person, elsewhere, *copies):
        assert not browser.is_signed_in()
    # Signing in again works, and starts a new session.
    person.sign_in("tom_h")
    assert person.is_signed_in()


def test_a_suspension_ends_the_copied_session_and_remember_me_cookie(board):
    url, instance = board
    _, copies = copied_cookies(url, "dave")
    moderator = Browser(url)
    moderator.sign_in("council_team")
    page = f"/moderation/user/{user_id(instance, 'dave')}"

    status, _, _ = moderator.post_form(page, {"action": "suspend", "reason": "Spam."})

    assert status == 302
    for copy in copies:
        assert not copy.is_signed_in()
    # Reinstated, the person signs in afresh; the old cookies stay dead.
    assert moderator.post_form(page, {"action": "reinstate", "reason": "Sorted."})[0] == 302
    for copy in copies:
        assert not copy.is_signed_in()
    Browser(url).sign_in("dave")


def test_deleting_the_account_ends_the_copied_session_and_remember_me_cookie(board):
    url, _ = board
    person, copies = copied_cookies(url, "sam")

    status, _, _ = person.post_form("/account/delete", {"password": PASSWORD, "posts": "keep"})

    assert status == 302
    for copy in copies:
        assert not copy.is_signed_in()


def test_erasing_with_the_command_ends_the_copied_session_and_remember_me_cookie(board):
    url, instance = board
    _, copies = copied_cookies(url, "grace")
    env = {**os.environ, "INSTANCE_PATH": str(instance), "MAIL_SERVER": ""}
    env.pop("DATABASE_URL", None)

    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "board", "erase-user", "grace",
                    "--posts", "keep"], cwd=ROOT, env=env, check=True, capture_output=True)

    for copy in copies:
        assert not copy.is_signed_in()


def test_a_password_reset_ends_the_copied_session_and_remember_me_cookie(tmp_path, smtp_server):
    with demo_board_served(tmp_path / "instance", MAIL_SERVER="127.0.0.1",
                           MAIL_PORT=str(smtp_server.port), BOARD_URL="http://board.test") as url:
        _, copies = copied_cookies(url, "priya")
        forgetful = Browser(url)
        forgetful.post_form("/password/forgot", {"email": "priya@example.org"})
        reset = reset_link_sent_to(smtp_server, "priya@example.org")

        status, _, _ = forgetful.post_form(reset, {"password": "a brand new password",
                                                   "confirm_password": "a brand new password"})

        assert status == 302
        for copy in copies:
            assert not copy.is_signed_in()
        Browser(url).sign_in("priya", "a brand new password")


def test_changing_the_password_ends_every_other_session_and_keeps_this_browser_signed_in(board):
    url, _ = board
    elsewhere = Browser(url)
    elsewhere.sign_in("lukasz")
    person, copies = copied_cookies(url, "lukasz")
    before = {name: person.cookie(name).value for name in COOKIES}

    status, location, _ = person.post_form("/account/password", {
        "current_password": PASSWORD, "password": "a brand new password",
        "confirm_password": "a brand new password"})

    assert status == 302 and location.endswith("/account")
    _, _, page = person.request("/account")
    assert "Your password is changed. You are signed out on every other device." in unescape(page)
    assert person.is_signed_in()
    # This browser was given new cookies; the ones copied from before sign no one in.
    assert all(person.cookie(name).value != before[name] for name in COOKIES)
    for browser in (elsewhere, *copies):
        assert not browser.is_signed_in()
    # The remember-me cookie this browser holds now still signs in on its own.
    assert person.copy_of("remember_token").is_signed_in()
    Browser(url).sign_in("lukasz", "a brand new password")


# --- A session cookie read before (board/sessions.py keeps what it read of it) -------------


def _asked_with(app, cookie: str, path: str = "/account"):
    """A request carrying exactly this session cookie, as a browser (or a thief) sends it."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client.get(path)


def _signed_in_cookie(app, client, auth, make_user) -> str:
    auth.login(make_user("kept").username)
    client.get("/account")  # where its "Signed in" message is shown, and leaves the session
    return client.get_cookie("session").value


def test_a_session_cookie_read_before_still_ends_when_its_lifetime_is_over(app, client, auth, make_user):
    app.permanent_session_lifetime = 2  # seconds
    cookie = _signed_in_cookie(app, client, auth, make_user)
    for _ in range(2):  # read, and read again from what was kept of it
        assert _asked_with(app, cookie).status_code == 200
    time.sleep(3.1)
    answer = _asked_with(app, cookie)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_a_changed_session_cookie_is_refused_though_the_real_one_was_read(app, client, auth, make_user):
    cookie = _signed_in_cookie(app, client, auth, make_user)
    assert _asked_with(app, cookie).status_code == 200
    payload, stamp, signature = cookie.rsplit(".", 2)
    forged = f"{payload}.{stamp}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    answer = _asked_with(app, forged)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert _asked_with(app, cookie).status_code == 200


def test_each_request_gets_its_own_session_from_a_cookie_read_before(app, client, auth, make_user):
    cookie = _signed_in_cookie(app, client, auth, make_user)
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
        first = app.session_interface.open_session(app, request)
        first["_flashes"] = [("info", "Only for this request.")]
        first["_user_id"] = "1:someone-else"
        second = app.session_interface.open_session(app, request)
    assert "_flashes" not in second and second["_user_id"] != "1:someone-else"
