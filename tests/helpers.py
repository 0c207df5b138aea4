"""Helpers the tests share: a test app, signing in, and looking at what a person sees."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from html import unescape
from pathlib import Path

from sqlalchemy import event, func, select
from werkzeug.security import generate_password_hash

from board import create_app
from board.config import load_settings
from board.extensions import db
from board.models import User

PASSWORD = "correct horse battery"
# Hashing is deliberately slow; hash the shared test password once per run, as the board would.
PASSWORD_HASH = generate_password_hash(PASSWORD, method=load_settings(".")["PASSWORD_HASH"])


def make_test_app(database, **overrides):
    """The board for a test, on `database`: a SQLAlchemy URL, or a SQLite file's path."""
    url = str(database) if "://" in str(database) else f"sqlite:///{database}"
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": "",  # whatever the environment says; mail tests start their own
        "BOARD_URL": "http://board.test",
        # Pages and discussions are kept the first time, so that tests need not ask twice first.
        "CACHE_MIN_USES": 1,
    }
    config.update(overrides)
    return create_app(config)


def offer_languages(app, default="en", offered="en,fr,cy"):
    """The board's default language and the languages it offers, as an admin would set them."""
    from board.admin.models import BoardSettings

    with app.app_context():
        row = db.session.get(BoardSettings, 1) or BoardSettings(id=1, name="Simpl")
        row.default_language, row.languages_offered = default, offered
        db.session.add(row)
        db.session.commit()


def saved(thing):
    """Commit, reload and detach `thing`, so tests can read it outside an app context."""
    db.session.add(thing)
    db.session.commit()
    db.session.refresh(thing)
    db.session.expunge(thing)
    return thing


def signed_in(app, user: User):
    """A client of its own, signed in as `user`: for tests where several people act."""
    browser = app.test_client()
    Auth(browser).sign_in(user)
    return browser


def account(app, username: str) -> User | None:
    """The person with this username as they are now in the database (detached), or None."""
    with app.app_context():
        user = User.by_username(username)
        if user is not None:
            db.session.expunge(user)
        return user


class Auth:
    """Sign in through the real form, or quickly by setting the session."""

    def __init__(self, client):
        self.client = client

    def login(self, login: str, password: str = PASSWORD, **extra):
        return self.client.post("/login", data={"login": login, "password": password, **extra})

    def logout(self):
        return self.client.post("/logout")

    def sign_in(self, user: User) -> None:
        with self.client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True


# --- Looking at the database -------------------------------------------------


def count_rows(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def fetch(app, model, thing_id):
    """The row as it is now in the database (detached), or None."""
    with app.app_context():
        thing = db.session.get(model, thing_id)
        if thing is not None:
            db.session.expunge(thing)
        return thing


# --- Looking at what a person sees --------------------------------------------


def text_of(response) -> str:
    """The page's text as a person reads it: tags removed, whitespace collapsed, and
    entities such as &#39; turned back into characters."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def field_error(response, field_id: str) -> str | None:
    """The message shown next to a field, as read aloud ("Error: ..."), or None."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<p id="{re.escape(field_id)}-error"[^>]*>(.*?)</p>', html, flags=re.S)
    if match is None:
        return None
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip())


def input_value(response, name: str) -> str | None:
    """What an <input> holds, as the person typed it, or None when there is no such input."""
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', response.get_data(as_text=True))
    if match is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return unescape(value.group(1)) if value else ""


def textarea_value(response, name: str) -> str | None:
    match = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>(.*?)</textarea>',
                      response.get_data(as_text=True), re.S)
    # A textarea drops one newline right after its start tag, as browsers do.
    return re.sub(r"^\r?\n", "", unescape(match.group(1))) if match else None


def csrf_token_from(response) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    if match is None:
        match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


@contextmanager
def count_queries(app):
    """Count the SQL statements run inside the block: `with count_queries(app) as queries:`.

    Pages inside the block are rendered afresh: those kept for visitors are forgotten first.
    """
    statements: list[str] = []
    app.extensions.get("pages", {}).clear()

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


# --- The real server ----------------------------------------------------------


ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def demo_board_served(instance: Path, password: str = PASSWORD, gunicorn_args: tuple = (),
                      database_url: str | None = None, **env_overrides: str):
    """The demo board on a fresh database, served by gunicorn on 127.0.0.1: yields its URL.

    The database is a SQLite file in the instance folder unless `database_url` names one.
    """
    env = _server_environment(instance, database_url, env_overrides)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "board", "demo", "--password", password], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    with board_served(instance, database_url, gunicorn_args, **env_overrides) as url:
        yield url


def _server_environment(instance: Path, database_url: str | None, overrides: dict) -> dict:
    env = {**os.environ, "INSTANCE_PATH": str(instance), "RATELIMIT_ENABLED": "0",
           "MAIL_SERVER": "", "SECRET_KEY": "test-secret-key", **overrides}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@contextmanager
def board_served(instance: Path, database_url: str | None = None, gunicorn_args: tuple = (),
                 **env_overrides: str):
    """The board on an existing database, served by its own gunicorn on 127.0.0.1: yields its URL.

    Two workers of four threads, as `board start` runs it: a browser's connections opened
    ahead of time would hold single-threaded workers.
    """
    env = _server_environment(instance, database_url, env_overrides)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4",
         "--bind", f"127.0.0.1:{port}",
         *gunicorn_args, "app:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A person's browser against a served board: its own cookie jar, and redirects shown,
    not followed."""

    def __init__(self, url: str):
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirects
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.url + path, data=body, timeout=20) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.headers.get("Location", ""), answer.read().decode()

    def post_form(self, page: str, data: dict, to: str | None = None) -> tuple[int, str, str]:
        """Post as the page's form would, with the CSRF token the page gave."""
        status, _, html = self.request(page)
        assert status == 200, (page, status)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        return self.request(to or page, {"csrf_token": unescape(token), **data})


def run_at_once(app, work, threads=2):
    """Run `work` in several threads at the same moment, each in its own app context."""
    barrier = threading.Barrier(threads)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                results.append(work())
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(60)
    assert not errors, errors
    return results
