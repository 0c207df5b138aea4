"""Fixtures: an app on its own SQLite file per test, a client, a CLI runner, and
small factories so that each test states only what matters to it."""

from __future__ import annotations

import pytest

from board.extensions import db
from board.models import Comment, HelpRequest, Idea, Offer, User
from helpers import PASSWORD_HASH, Auth, saved, make_test_app
from smtp import SmtpServer


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "board.db"


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 that keeps what it receives (tests/smtp.py)."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(request, db_path):
    """The board on its own SQLite file. Tests marked `mail` also get an SMTP server."""
    overrides = {}
    if request.node.get_closest_marker("mail"):
        server = request.getfixturevalue("smtp_server")
        overrides = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port,
                     "MAIL_FROM": "Simpl <board@board.test>"}
    app = make_test_app(db_path, **overrides)
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


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(username: str | None = None, email: str | None = None, **fields) -> User:
        with app.app_context():
            username = username or f"person{next(counter)}"
            user = User(
                username=username,
                email=(email or f"{username}@example.org").lower(),
                password_hash=PASSWORD_HASH,
                **fields,
            )
            return saved(user)

    return make


@pytest.fixture
def make_idea(app, make_user):
    def make(author: User | None = None, title="A community fridge", body="Share food, waste less.") -> Idea:
        with app.app_context():
            author = db.session.get(User, (author or make_user()).id)
            idea = Idea.post(author, title, body)
            return saved(idea)

    return make


@pytest.fixture
def make_help_request(app, make_user):
    def make(author: User | None = None, title="A van on Saturday", body="To move benches.",
             skills=("van", "lifting"), idea: Idea | None = None) -> HelpRequest:
        with app.app_context():
            author = db.session.get(User, (author or make_user()).id)
            linked = db.session.get(Idea, idea.id) if idea else None
            help_request = HelpRequest.post(author, title, body, list(skills), idea=linked)
            return saved(help_request)

    return make


@pytest.fixture
def make_offer(app, make_user):
    def make(help_request: HelpRequest, helper: User | None = None, message="I can help.") -> Offer:
        with app.app_context():
            helper = db.session.get(User, (helper or make_user()).id)
            offer = db.session.get(HelpRequest, help_request.id).make_offer(helper, message)
            return saved(offer)

    return make


@pytest.fixture
def make_comment(app, make_user):
    def make(on: Idea | HelpRequest, author: User | None = None, body="Count me in.") -> Comment:
        with app.app_context():
            author = db.session.get(User, (author or make_user()).id)
            target = db.session.get(type(on), on.id)
            comment = target.add_comment(author, body)
            return saved(comment)

    return make


# --- Signing in ----------------------------------------------------------------


@pytest.fixture
def auth(client):
    return Auth(client)


