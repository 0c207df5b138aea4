"""The app as a whole: configuration, SQLite settings, security headers, sizes,
error pages, CSRF, and two workers sharing one database file."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict

from board import create_app
from board.config import instance_secret_key
from board.extensions import db, read_rows
from board.models import Comment, Idea
from helpers import PASSWORD, csrf_token_from, field_error, make_test_app, text_of


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    first = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key_file = tmp_path / "secret_key"
    assert key_file.exists()
    assert len(first.secret_key) >= 64
    assert first.secret_key == second.secret_key == key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.secret_key == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_an_empty_secret_key_file_is_not_used(tmp_path):
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(RuntimeError, match="empty"):
        instance_secret_key(str(tmp_path))


def test_database_defaults_to_a_sqlite_file_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'simpl.db'}"


def test_database_url_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("elsewhere.db")


def test_limits_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TITLE_MAX_LENGTH", "80")
    monkeypatch.setenv("RATELIMIT_ENABLED", "0")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert app.config["TITLE_MAX_LENGTH"] == 80
    assert app.config["RATELIMIT_ENABLED"] is False


def test_the_statements_a_worker_keeps_compiled_are_a_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("SQL_CACHE_SIZE", "7")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    with app.app_context():
        assert db.engine._compiled_cache.capacity == 7  # SQLAlchemy's LRU of compiled statements
        db.engine.dispose()


@pytest.mark.engine("sqlite")
def test_sqlite_uses_wal_foreign_keys_and_a_busy_timeout(app):
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 15000


@pytest.mark.engine("sqlite")
def test_a_write_that_finds_the_database_locked_fails_as_sqlalchemy_reports_it(database_url):
    """Transactions begin through the driver: its "database is locked" must still reach the
    board as SQLAlchemy's OperationalError, which the error handlers catch."""
    app = make_test_app(database_url, SQLITE_BUSY_TIMEOUT_MS=50)
    other = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        with app.test_request_context("/ideas/new", method="POST"):
            with pytest.raises(OperationalError, match="database is locked"):
                db.session.execute(text("SELECT 1"))
            db.session.rollback()
    finally:
        other.rollback()
        other.close()
        with app.app_context():
            db.engine.dispose()


def test_a_visitors_page_that_reads_rows_then_loads_models_holds_one_connection(
        app, client, auth, make_user, make_idea):
    """An idea's page reads its rows on a connection of the request's own, then its official
    answers as models: the session takes that connection, rather than a second one."""
    idea = make_idea(title="Benches by the pond")
    auth.sign_in(make_user(role="moderator"))
    client.post(f"/ideas/{idea.id}/status", data={"status": "in_progress", "response": "We will help."})
    visitor = app.test_client()
    checkouts = []

    def count(*_):
        checkouts.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "checkout", count)
    try:
        page = visitor.get(f"/ideas/{idea.id}")
    finally:
        event.remove(engine, "checkout", count)
    assert page.status_code == 200 and "We will help." in text_of(page)
    assert len(checkouts) == 1


def test_a_session_begun_after_rows_were_read_commits_what_it_writes(app, make_idea):
    idea = make_idea(title="Benches by the pond")
    with app.test_request_context(f"/ideas/{idea.id}"):
        assert read_rows(select(Idea.title).where(Idea.id == idea.id)).scalar_one() == "Benches by the pond"
        db.session.get(Idea, idea.id).title = "Benches by the lake"
        db.session.commit()
        # Read again on the session's connection, the same one: the change is there.
        assert read_rows(select(Idea.title).where(Idea.id == idea.id)).scalar_one() == "Benches by the lake"
    with app.app_context():
        assert db.session.get(Idea, idea.id).title == "Benches by the lake"


def test_pages_carry_security_headers(client):
    for _ in range(3):  # rendered, then sent again as kept: each header once
        response = client.get("/")
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers.getlist("X-Content-Type-Options") == ["nosniff"]
        assert response.headers.getlist("X-Frame-Options") == ["DENY"]
        assert response.headers.getlist("Referrer-Policy") == ["strict-origin-when-cross-origin"]
        assert len(response.headers.getlist("Content-Security-Policy")) == 1


def test_session_cookie_is_http_only_and_same_site(client, make_user, auth):
    make_user("alice")
    response = auth.login("alice")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_request_over_one_megabyte_gets_the_friendly_413_page(client, make_user, auth):
    auth.sign_in(make_user())
    response = client.post(
        "/ideas/new", data={"title": "Big", "description": "x" * (1024 * 1024 + 10)}
    )
    assert response.status_code == 413
    assert "too big" in text_of(response)
    assert "Skip to main content" in text_of(response)  # in the site's layout


def test_an_unknown_page_gets_the_friendly_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    assert "Go to the home page" in text_of(response)


def test_a_crash_gets_the_friendly_500_page_without_details(database_url):
    app = make_test_app(database_url, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/crash-for-test")
    def crash():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/crash-for-test")
    assert response.status_code == 500
    assert "something went wrong" in text_of(response)
    assert "secret internal detail" not in response.get_data(as_text=True)


def test_a_wrong_method_gets_405(client):
    assert client.get("/logout").status_code == 405


def test_forms_without_a_csrf_token_are_refused(app, database_url, make_user):
    make_user("alice")  # in the same database file as the CSRF-checking app below
    csrf_app = make_test_app(database_url, WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    login_page = client.get("/login")
    client.post("/login", data={"login": "alice", "password": PASSWORD,
                                "csrf_token": csrf_token_from(login_page)})

    response = client.post("/ideas/new", data={"title": "Sneaky", "description": "Forged"})
    assert response.status_code == 400
    assert "expired or was not sent from this site" in text_of(response)
    for path in ("/ideas/1/support", "/logout"):
        assert client.post(path).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Idea.id))) == 0

    form = client.get("/ideas/new")
    response = client.post("/ideas/new", data={
        "title": "Honest", "description": "Sent from the form", "csrf_token": csrf_token_from(form)
    })
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Idea.title)) == "Honest"
    with csrf_app.app_context():
        db.engine.dispose()


def test_a_second_worker_on_the_same_file_sees_and_writes_the_same_data(
    app, database_url, make_user, auth, client
):
    """Two app instances on one SQLite file behave like two gunicorn workers."""
    alice = make_user("alice")
    auth.sign_in(alice)
    response = client.post("/ideas/new", data={"title": "Shared", "description": "From worker one"})
    idea_path = response.headers["Location"]

    second = make_test_app(database_url)
    other = second.test_client()
    assert "From worker one" in text_of(other.get(idea_path))
    with other.session_transaction() as session:
        session["_user_id"] = alice.get_id()
    assert other.post(f"{idea_path}/comments", data={"comment": "From worker two"}).status_code == 302

    assert "From worker two" in text_of(client.get(idea_path))
    with app.app_context():
        assert db.session.scalar(select(Comment.body)) == "From worker two"
        assert db.session.scalar(select(Idea.comments_count)) == 1
    with second.app_context():
        db.engine.dispose()


def test_the_instance_folder_is_not_in_the_repository():
    ignored = open(os.path.join(os.path.dirname(__file__), "..", ".gitignore")).read().split()
    assert "instance/" in ignored


# --- What forms say --------------------------------------------------------------


def wtforms_own_words() -> list[re.Pattern]:
    """Every message WTForms can show, from its own translation template."""
    import wtforms

    pot = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
    messages = re.findall(r'^msgid(?:_plural)? "(.+)"$', pot.read_text(), re.M)
    return [re.compile(re.sub(r"%\\\(\w+\\\)\w", ".*", re.escape(m))) for m in messages]


def every_form_class() -> list[type]:
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import board

    for module in pkgutil.walk_packages(board.__path__, "board."):
        if module.name.endswith(".forms") or module.name == "board.forms_common":
            importlib.import_module(module.name)
    found, waiting = [], [FlaskForm]
    while waiting:
        for sub in waiting.pop().__subclasses__():
            waiting.append(sub)
            if sub.__module__.startswith("board."):
                found.append(sub)
    return found


def build_form(form_class, formdata, person):
    from werkzeug.datastructures import MultiDict

    from board.models import Topic

    extra = {"person": person} if "person" in form_class.__init__.__code__.co_varnames else {}
    if form_class.__name__ == "LabelForm":
        extra["model"] = Topic
    form = form_class(formdata=MultiDict(formdata), **extra)
    if hasattr(form, "offer_areas"):
        form.offer_areas([])
    if hasattr(form, "offer_languages"):
        form.offer_languages()
    return form


TAMPERED = ["not-a-number", "99999999", "-1", "1.5", "", "\u00e9\u0000"]


def test_no_form_ever_shows_wtforms_own_words(app, make_user):
    """Whatever is posted to any field of any form, every message is the board's own."""
    person = make_user()
    from board.forms_common import Form

    forms = every_form_class()
    assert len(forms) >= 15
    # Only the board's own Form reads nothing but the form fields (no files, no JSON).
    assert [f.__name__ for f in forms if not issubclass(f, Form)] == []
    patterns = wtforms_own_words()
    with app.test_request_context(method="POST"):
        from board.models import User

        person = db.session.get(User, person.id)
        for form_class in forms:
            names = [f.name for f in build_form(form_class, [], person)]
            for value in TAMPERED:
                posts = [[(name, value) for name in names], []]
                posts += [[(name, value), (name, "also-wrong")] for name in names]
                for formdata in posts:
                    form = build_form(form_class, formdata, person)
                    form.validate()
                    for field_name, errors in form.errors.items():
                        for error in errors:
                            assert not any(p.fullmatch(str(error)) for p in patterns), (
                                f"{form_class.__name__}.{field_name} says {error!r}"
                            )


# --- Limits the browser knows ------------------------------------------------------


class FormsOnPage(HTMLParser):
    """The POST forms of a page: their action and what they would send as they stand."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._textarea, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "post": a.get("method") == "post",
                               "fields": [], "limits": {}})
        elif not self.forms or "name" not in a:
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.forms[-1]["fields"].append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "file"):  # a photo's file has no length to check
                self.forms[-1]["fields"].append((a["name"], a.get("value", "")))
                if kind not in ("hidden", "search"):
                    self.forms[-1]["limits"][a["name"]] = a.get("maxlength")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.forms[-1]["fields"].append((a["name"], ""))
            self.forms[-1]["limits"][a["name"]] = a.get("maxlength")
        elif tag == "select":
            self._select = a["name"]
        if tag == "option" and self._select and "selected" in a:
            self.forms[-1]["fields"].append((self._select, a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            name, typed = self.forms[-1]["fields"][-1]
            self.forms[-1]["fields"][-1] = (name, typed + data)


# Lists of things, not one piece of text: their limits are on each part, and on how many.
# Whole numbers are checked by their range, not their length.
WITHOUT_ONE_LENGTH = {"skills", "allowed_domains", "pledge_supporters", "pledge_days"}


@pytest.fixture
def demo_board(app, client):
    """The demo board, signed in as its admin, who has posted an idea, a help request,
    a comment and an offer of their own."""
    from board.models import Offer, User

    result = app.test_cli_runner().invoke(args=["board", "demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "council_team"))
        admin_id = admin.id
    client.post("/login", data={"login": "council_team", "password": PASSWORD})
    idea = client.post("/ideas/new", data={"title": "Mine", "description": "Mine too"}).location
    help_request = client.post("/help/new", data={"title": "Mine", "details": "Mine",
                                                 "skills": "van"}).location
    client.post(f"{idea}/comments", data={"comment": "My comment"})
    helper = app.test_client()
    helper.post("/login", data={"login": "amina", "password": PASSWORD})
    helper.post(f"{help_request}/offers", data={"message": "I can"})
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.author_id == admin_id))
        offer = db.session.scalar(select(Offer).where(Offer.help_request_id == int(
            help_request.rsplit("/", 1)[1])))
    client.post(f"{help_request}/offers/{offer.id}/accept")
    return {"idea": idea, "help": help_request, "comment": f"/comments/{comment.id}",
            "messages": f"{help_request}/offers/{offer.id}/messages",
            "idea_id": idea.rsplit("/", 1)[1]}


FORM_PAGES = [
    "/ideas/new", "/help/new", "{idea}", "{idea}/edit", "{help}", "{help}/edit",
    "{comment}/edit", "{messages}", "/account", "/account/delete", "/account/notifications",
    "/report/idea/{idea_id}", "/moderation/idea/{idea_id}", "/admin/settings", "/admin/people",
    "/admin/topics", "/admin/invites", "visitor:/register", "visitor:/login",
    "visitor:/password/forgot",
]


def forms_on(client, page):
    response = client.get(page)
    assert response.status_code == 200, page
    parser = FormsOnPage()
    parser.feed(response.get_data(as_text=True))
    return [(form["action"] or page, form) for form in parser.forms if form["post"]]


def every_form(app, client, demo_board):
    visitor = app.test_client()
    for page in FORM_PAGES:
        who = client
        if page.startswith("visitor:"):
            who, page = visitor, page.removeprefix("visitor:")
        for action, form in forms_on(who, page.format(**demo_board)):
            yield who, page, action, form


def test_every_text_field_tells_the_browser_the_limit_the_board_checks(app, client, demo_board):
    checked = 0
    for who, page, action, form in every_form(app, client, demo_board):
        for name, limit in form["limits"].items():
            if name in WITHOUT_ONE_LENGTH:
                continue
            assert limit is not None, f"{name} on {page} has no maxlength"
            limit = int(limit)
            for length, refused in ((limit, False), (limit + 1, True)):
                fields = [(n, v) for n, v in form["fields"] if n != name] + [(name, "é" * length)]
                response = who.post(action, data=MultiDict(fields))
                assert response.status_code < 500, (page, name)
                said = field_error(response, name) or ""
                assert (f"{limit:,}" in said or str(limit) in said) == refused, (page, name, said)
            checked += 1
    assert checked >= 25


def test_a_form_filled_to_every_limit_with_four_byte_characters_is_not_too_big(
    app, client, demo_board
):
    for who, page, action, form in every_form(app, client, demo_board):
        filled = dict(form["limits"])
        if not filled:
            continue  # buttons (sign out, support, follow): nothing to fill
        fields = [(n, "\U0001f333" * int(filled[n]) if filled.get(n) else v)
                  for n, v in form["fields"]]
        response = who.post(action, data=MultiDict(fields))
        assert response.status_code not in (413, 500), (page, action)


# --- Where signing in leads ----------------------------------------------------------


@pytest.mark.parametrize("next_value", [
    "/ideas\r\nX-Injected: 1", "/\nX-Injected: 1", "/ideas%0d%0aX-Injected: 1",
    "/\t/evil.example", "/\x00", "/ideas\x0b", "/\x7f", "/\u0085evil", "\r\n/ideas",
])
def test_signing_in_with_a_control_character_in_next_stays_on_the_board(
    app, client, make_user, next_value
):
    from urllib.parse import quote, urlsplit

    make_user("sam")
    response = client.post(f"/login?next={quote(next_value, safe='%')}",
                           data={"login": "sam", "password": PASSWORD})
    assert response.status_code == 302
    assert "X-Injected" not in response.headers
    location = urlsplit(response.headers["Location"])
    assert not location.netloc or location.netloc == "localhost"
    assert location.path.startswith("/") and not location.path.startswith("//")
    assert not any(ord(c) < 32 or ord(c) == 127 for c in response.headers["Location"])


@pytest.mark.parametrize("path", ["/users/%00", "/users/amina%00", "/skills/van%00"])
def test_an_address_with_a_nul_names_no_page(client, path):
    assert client.get(path).status_code == 404


def test_nul_characters_sent_in_a_form_or_a_query_are_dropped_not_a_server_error(client, make_user):
    make_user("amina")
    response = client.post("/login", data={"login": "ami\x00na", "password": "wrong\x00"})
    assert response.status_code == 422
    assert "do not match" in text_of(response)
    assert client.get("/search?q=gar%00den").status_code == 200
    assert client.get("/ideas?area=%00&topic=%00&sort=%00").status_code == 200


@pytest.mark.engine("postgresql")
def test_on_postgresql_a_read_runs_without_a_transaction_and_a_write_in_one(app):
    def autocommit(method: str) -> bool:
        with app.test_request_context("/", method=method):
            mode = db.session.connection().connection.driver_connection.autocommit
            db.session.remove()
            return mode

    # Reading saves the BEGIN and ROLLBACK round trips; a change still lands whole or not at all.
    assert autocommit("GET") is True
    assert autocommit("POST") is False
    assert autocommit("GET") is True
