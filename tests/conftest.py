"""Fixtures: an app on a database of its own per test, a client, a CLI runner, and
small factories so that each test states only what matters to it.

Every test that uses the database runs twice: on a SQLite file, and on PostgreSQL when
TEST_DATABASE_URL names a server (tests/postgres.py). A test about one engine says so
with `@pytest.mark.engine("sqlite")`.
"""

from __future__ import annotations

import os
import shutil

import pytest

import postgres
from board.extensions import db
from board.models import Comment, HelpRequest, Idea, Offer, User
from helpers import PASSWORD_HASH, Auth, make_test_app, saved
from redis_server import NOT_INSTALLED, SHARED_URL, RedisServer
from smtp import SmtpServer

ENGINES = ("sqlite", "postgresql")


def pytest_collection_modifyitems(config, items):
    """A test marked for one engine is not collected for the other."""
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("engine")
        engine = getattr(item, "callspec", None) and item.callspec.params.get("engine")
        (dropped if marker and engine and engine not in marker.args else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def missing_service(reason: str):
    """Skip, with what to install; in CI (SIMPL_REQUIRE_SERVICES=1) a missing service fails."""
    if os.environ.get("SIMPL_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server():
    if not postgres.SERVER_URL:
        missing_service(postgres.NOT_CONFIGURED)
    server = postgres.Server(postgres.SERVER_URL)
    yield server
    server.close()


@pytest.fixture(params=ENGINES)
def engine(request):
    """The database engine this run of the test is on."""
    if request.param == "postgresql":
        request.getfixturevalue("postgres_server")
    return request.param


def _build_schema(url: str) -> None:
    template = make_test_app(url)
    with template.app_context():
        db.create_all()
        db.engine.dispose()


@pytest.fixture
def database_url(engine, tmp_path, request):
    """A database of the test's own, with the board's schema, as a SQLAlchemy URL."""
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'board.db'}"
        _build_schema(url)
        yield url
        return
    server = request.getfixturevalue("postgres_server")
    name = server.database_with_schema(_build_schema)
    yield server.url_of(name)
    server.drop(name)


@pytest.fixture
def empty_database_url(engine, tmp_path, request):
    """A database of the test's own with nothing in it, for migrations and the CLI."""
    if engine == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = server.empty_database()
    yield server.url_of(name)
    server.drop(name)


@pytest.fixture
def redis_server(tmp_path):
    """A real Redis server on 127.0.0.1 (tests/redis_server.py)."""
    if not SHARED_URL and shutil.which("redis-server") is None:
        missing_service(NOT_INSTALLED)
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 that keeps what it receives (tests/smtp.py)."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(request, database_url):
    """The board on its own database. Tests marked `mail` also get an SMTP server."""
    overrides = {}
    if request.node.get_closest_marker("mail"):
        server = request.getfixturevalue("smtp_server")
        overrides = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port,
                     "MAIL_FROM": "Simpl <board@board.test>"}
    app = make_test_app(database_url, **overrides)
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


