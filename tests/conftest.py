"""Fixtures: an app on its own SQLite file per test, a client, a CLI runner, and
small factories so that each test states only what matters to it."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select
from werkzeug.security import generate_password_hash

from board import create_app
from board.extensions import db
from board.models import Comment, HelpRequest, Idea, Offer, User

PASSWORD = "correct horse battery"
# Hashing is deliberately slow; hash the shared test password once per run.
_PASSWORD_HASH = generate_password_hash(PASSWORD)


def make_test_app(db_path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "board.db"


@pytest.fixture
def app(db_path):
    app = make_test_app(db_path)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context, for tests that use the models directly."""
    with app.app_context():
        yield


# --- Factories ---------------------------------------------------------------


def _saved(thing):
    """Commit, reload and detach `thing`, so tests can read it outside an app context."""
    db.session.add(thing)
    db.session.commit()
    db.session.refresh(thing)
    db.session.expunge(thing)
    return thing


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(username: str | None = None, email: str | None = None, **fields) -> User:
        with app.app_context():
            username = username or f"person{next(counter)}"
            user = User(
                username=username,
                email=(email or f"{username}@example.org").lower(),
                password_hash=_PASSWORD_HASH,
                **fields,
            )
            return _saved(user)

    return make


@pytest.fixture
def make_idea(app, make_user):
    def make(author: User | None = None, title="A community fridge", body="Share food, waste less.") -> Idea:
        with app.app_context():
            author = db.session.get(User, (author or make_user()).id)
            idea = Idea.post(author, title, body)
            return _saved(idea)

    return make


@pytest.fixture
def make_help_request(app, make_user):
    def make(author: User | None = None, title="A van on Saturday", body="To move benches.",
             skills=("van", "lifting"), idea: Idea | None = None) -> HelpRequest:
        with app.app_context():
            author = db.session.get(User, (author or make_user()).id)
            linked = db.session.get(Idea, idea.id) if idea else None
            help_request = HelpRequest.post(author, title, body, list(skills), idea=linked)
            return _saved(help_request)

    return make


@pytest.fixture
def make_offer(app, make_user):
    def make(help_request: HelpRequest, helper: User | None = None, message="I can help.") -> Offer:
        with app.app_context():
            helper = db.session.get(User, (helper or make_user()).id)
            offer = db.session.get(HelpRequest, help_request.id).make_offer(helper, message)
            return _saved(offer)

    return make


@pytest.fixture
def make_comment(app, make_user):
    def make(on: Idea | HelpRequest, author: User | None = None, body="Count me in.") -> Comment:
        with app.app_context():
            author = db.session.get(User, (author or make_user()).id)
            target = db.session.get(type(on), on.id)
            comment = target.add_comment(author, body)
            return _saved(comment)

    return make


# --- Signing in ----------------------------------------------------------------


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
            session["_user_id"] = str(user.id)
            session["_fresh"] = True


@pytest.fixture
def auth(client):
    return Auth(client)


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
    """The page's text with tags removed and whitespace collapsed, as a person reads it."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def csrf_token_from(response) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    if match is None:
        match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


@contextmanager
def count_queries(app):
    """Count the SQL statements run inside the block: `with count_queries(app) as queries:`."""
    statements: list[str] = []

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
