"""Simpl: an idea board for local communities. `create_app` builds the Flask app."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import instance_secret_key, load_settings
from .extensions import csrf, db, init_reading, is_write_request, limiter, login_manager

ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The board's settings cannot work together; the message says what to change."""


def create_app(config: dict | None = None) -> Flask:
    from .languages.templates import Board  # here, so the models import without the app

    # The instance folder holds the SQLite file and the generated secret key.
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH")
    app = Board(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(instance_path or ROOT / "instance"),
    )
    app.config.from_mapping(load_settings(app.instance_path))
    if config:
        app.config.from_mapping(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            # Each server would make a key of its own, and sign out everyone the other signed in.
            raise ConfigurationError(
                "SECRET_KEY is not set. With a database server, every app server must sign "
                "sessions with the same key: set SECRET_KEY to the same long random value on "
                "each (make one with: python3 -c 'import secrets; print(secrets.token_hex(32))')."
            )
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from . import incoming
    from .sessions import CookieSessions
    from .templating import IdConverter, init_templating

    app.session_interface = CookieSessions(app.config["SESSION_COOKIES_KEPT"])
    incoming.init_app(app)
    app.url_map.converters["id"] = IdConverter
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), "query_cache_size": app.config["SQL_CACHE_SIZE"]}
    # First, so that it runs after the session's end (teardowns run last first).
    init_reading(app)
    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"

    with app.app_context():
        _configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        _configure_postgresql(db.engine)

    from . import (
        admin,
        api,
        auth,
        comments,
        errors,
        feeds,
        help,
        home,
        ideas,
        languages,
        mail,
        moderation,
        notifications,
        opendata,
        page_cache,
        people,
        photos,
        pledge,
        search,
        stats,
        transactions,
    )
    blueprints = (
        home, auth, ideas, help, comments, people, moderation, admin, search, notifications, api,
        feeds, opendata, languages, stats,
    )
    for blueprint in (module.bp for module in blueprints):
        app.register_blueprint(blueprint)
    errors.init_app(app)
    transactions.init_app(app)
    mail.init_app(app)
    notifications.init_app(app)
    pledge.init_app(app)
    photos.init_app(app)
    init_templating(app)
    languages.init_app(app)
    page_cache.init_app(app)
    if not _serving_only():
        _add_commands(app)
    app.after_request(_security_headers)
    return app


def _serving_only() -> bool:
    """True in a gunicorn worker, which only serves pages: it needs neither the commands
    nor the migrations, and Alembic alone would make each worker about 10 MB larger."""
    return "gunicorn" in sys.modules


def _add_commands(app: Flask) -> None:
    """`flask board ...` and Flask-Migrate's `flask db ...`, with the migrations folder."""
    from flask_migrate import Migrate

    from .cli import board_cli
    from .search.index import outside_the_index

    Migrate(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
            include_name=outside_the_index)
    app.cli.add_command(board_cli)


# Browsers may run only our own scripts and styles, and never frame the board.
_SECURITY_HEADERS = (
    ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                                "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
)


def _security_headers(response):
    """The headers above, each unless the response has its own: added in one step, as
    every response carries them (one `setdefault` each looked through all the headers)."""
    present = {name.lower() for name, _ in response.headers}
    response.headers.extend([(name, value) for name, value in _SECURITY_HEADERS if name.lower() not in present])
    return response


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys and a busy timeout on every SQLite connection.

    Writes start with BEGIN IMMEDIATE: a request that changes something takes the
    write lock when its transaction starts, and waits its turn (busy timeout)
    instead of failing with "database is locked" when it later tries to write.
    Reads start with a plain BEGIN and never wait for writers under WAL.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # Deleted rows are overwritten, not left in free pages: erased accounts stay erased.
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()

    def begin(pooled_connection) -> None:
        # Straight to the driver: every request that reads begins, and SQLAlchemy's own
        # execution costs more than the statement. SQLAlchemy wraps its errors, so that a
        # locked database is still an OperationalError to try again.
        pooled_connection.driver_connection.execute("BEGIN IMMEDIATE" if is_write_request() else "BEGIN")

    # The dialect's own step for beginning (a no-op for the sqlite3 driver), rather than a
    # "begin" event: any listener on the engine makes SQLAlchemy dispatch events around
    # every statement it runs, some 3 µs each.
    engine.dialect.do_begin = begin


def _configure_postgresql(engine: Engine) -> None:
    """A page that only reads runs without a transaction of its own on PostgreSQL.

    Each statement then sees the latest committed data, as it would at the start of a
    transaction, and the BEGIN and ROLLBACK that would wrap every page view (two round
    trips to the database server) are not sent. Requests that write keep their
    transaction, so every change they make lands whole or not at all.
    """
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, _record, _proxy):
        dbapi_connection.autocommit = not is_write_request()

    @event.listens_for(engine, "before_cursor_execute")
    def streaming_in_a_transaction(connection, _cursor, _statement, _parameters, context, _many):
        # Results read a batch at a time (downloads) come from a server-side cursor,
        # which lives only inside a transaction.
        if context is not None and context.execution_options.get("stream_results"):
            connection.connection.driver_connection.autocommit = False
