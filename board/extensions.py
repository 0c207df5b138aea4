"""The Flask extensions, created here and bound to the app in `create_app`."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
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


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def read_rows(statement, params=None):
    """The rows of a select of columns (not of model objects), read on the session's own
    connection and transaction but without the ORM's steps around each statement and row:
    some 30 µs a query, and more on long lists, on the busiest pages. Changes the session
    holds are flushed first, as its own `execute` would."""
    db.session.flush()  # nothing to do, and quick, when there are none
    return db.session.connection().execute(statement, params)
