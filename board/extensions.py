"""The Flask extensions, created here and bound to the app in `create_app`."""

from flask import g, has_app_context, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so that Alembic can alter them later (SQLite needs batch mode for that).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class BoardSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's session, on the request's reading connection when it has one
    (`reading_connection`): a page that reads rows and then loads models still holds one
    connection, in one transaction, which the session then controls as its own (commits,
    rolls back) as it would one it had begun."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and has_app_context():
            reading = g.get("reading_connection")
            if reading is not None:
                return reading
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


db = SQLAlchemy(model_class=Base,
                session_options={"class_": BoardSession, "join_transaction_mode": "control_fully"})
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def read_rows(statement, params=None):
    """The rows of a select of columns (not of model objects), without the ORM's steps
    around each statement and row: some 30 µs a query, and more on long lists, on the
    busiest pages. Read on `reading_connection()`."""
    return reading_connection().execute(statement, params)


def reading_connection():
    """The connection a request reads rows on.

    Once the request has a session (anyone signed in, every request that writes, any page
    that loads models), the session's own, in its transaction, with what it holds flushed
    first as its own `execute` would: what the request wrote is read back. Until then (most
    pages a visitor opens), a connection of the request's own, taken from the pool at its
    first read and given back at its end: a session begun, ended and cleared around a
    page's few reads cost more than they did (a visitor's page 3 to 6 % less). A session
    begun later takes this connection as its own (`BoardSession`), so the page still holds
    one, in one transaction.
    """
    if not db.session.registry.has() and not is_write_request():
        connection = g.get("reading_connection")
        if connection is None:
            connection = g.reading_connection = db.engine.connect()
        return connection
    db.session.flush()  # nothing to do, and quick, when there are none
    return db.session.connection()


def is_write_request() -> bool:
    try:
        return request.method not in ("GET", "HEAD", "OPTIONS")
    except RuntimeError:  # outside a request: the CLI, tests and migrations write
        return True


def _give_back_reading_connection(_error=None) -> None:
    connection = g.pop("reading_connection", None)
    if connection is not None:
        connection.close()


def init_reading(app) -> None:
    app.teardown_appcontext(_give_back_reading_connection)
