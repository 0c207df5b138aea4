"""Running the board, for admins: roles, topics and areas, settings and invitations."""

from __future__ import annotations

from flask import Blueprint, current_app, g, has_app_context
from sqlalchemy import event, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db, is_write_request, reading_connection
from ..models import Area, Topic
from .models import DEFAULT_LICENCE_NAME, DEFAULT_LICENCE_URL, BoardSettings

bp = Blueprint("admin", __name__, url_prefix="/admin")

# What every page reads and admins change: a change to any of them raises the
# settings' version stamp, and every worker reloads what it keeps on its next request.
_STAMPED = (BoardSettings, Topic, Area)


# Built once: building the statement costs more than running it. On the table rather than
# the mapped class, so the session runs it without the ORM's own steps: every request
# reads it, a kept page too.
_SETTINGS = BoardSettings.__table__
_VERSION = select(_SETTINGS.c.version).where(_SETTINGS.c.id == 1)


def settings_version(alone: bool = False) -> int | None:
    """The settings' version stamp, read once per request (one tiny query).

    A worker keeps the settings, topics and areas in memory and trusts them only
    while this stamp is unchanged, so a change made by any worker or server applies
    to the very next request everywhere. None: the settings were never saved.
    `alone`: read on a connection of its own, with no session, when it may be all the
    request reads (a kept page being sent); otherwise on the one the request reads with.
    """
    if "settings_version" not in g:
        try:
            g.settings_version = _read_version(alone)
        except (SQLAlchemyError, db.engine.dialect.loaded_dbapi.Error):
            # Even an error page needs the board's name, and must not fail for want of it.
            db.session.rollback()
            return -1  # matches nothing kept, and is not remembered
    return g.settings_version


def _read_version(alone: bool) -> int | None:
    """Within the request's own transaction when it writes, since it may be raising the
    stamp. Otherwise through the database driver alone, on the connection the request
    reads with (begun here if it has none yet), or, `alone`, on a pooled connection of
    its own unless the request has one already: a kept page then costs this one
    statement, with no session and no transaction."""
    if g.get("settings_changing") or is_write_request():
        return db.session.scalar(_VERSION)
    sql = current_app.extensions.get("settings_version_sql")
    if sql is None:
        sql = current_app.extensions["settings_version_sql"] = str(
            _VERSION.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    if not alone or g.get("reading_connection") is not None or (
            db.session.registry.has() and db.session().in_transaction()):
        return _version_read_on(reading_connection().connection, sql)
    connection = db.engine.raw_connection()
    try:
        return _version_read_on(connection, sql)
    finally:
        connection.close()


def _version_read_on(connection, sql: str) -> int | None:
    cursor = connection.cursor()
    try:
        cursor.execute(sql)
        row = cursor.fetchone()
    finally:
        cursor.close()
    return row[0] if row else None


def kept_while_unchanged(key: str, load):
    """What `load()` returns, kept in this worker until the settings' stamp changes."""
    version = settings_version()
    kept = current_app.extensions.get(key)
    if kept and kept[0] == version:
        return kept[1]
    value = load()
    # Not kept if this request changed them and has not committed yet (it may roll back).
    if version != -1 and not g.get("settings_changing"):
        current_app.extensions[key] = (version, value)
    return value


def board_settings() -> BoardSettings:
    """The board's settings, reloaded by each worker whenever an admin saves them."""
    return kept_while_unchanged("board_settings", _load_settings)


def _load_settings() -> BoardSettings:
    try:
        settings = db.session.get(BoardSettings, 1)
    except SQLAlchemyError:
        db.session.rollback()
        return _defaults()
    if settings is None:
        return _defaults()
    db.session.expunge(settings)
    return settings


def _defaults() -> BoardSettings:
    settings = BoardSettings(id=1, name=current_app.config["BOARD_NAME"])
    settings.set_texts("", "")
    settings.contact_email, settings.allowed_domains = "", ""
    settings.registration_mode = "open"
    settings.default_language = current_app.config["BOARD_LANGUAGE"]
    settings.languages_offered = current_app.config["BOARD_LANGUAGES"]
    settings.require_verified_email = False
    settings.pledge_on, settings.pledge_supporters, settings.pledge_days = False, 10, 20
    settings.data_licence_name, settings.data_licence_url = DEFAULT_LICENCE_NAME, DEFAULT_LICENCE_URL
    return settings


def _raise_version(connection) -> None:
    # version + 1 in SQL, so that two admins saving at once both count.
    table = BoardSettings.__table__
    raised = connection.execute(update(table).where(table.c.id == 1).values(version=table.c.version + 1))
    if not raised.rowcount and not _saving_new_settings():
        # The stamp needs its row: the defaults, as a first read would show them.
        connection.execute(insert(table).values(id=1, name=current_app.config["BOARD_NAME"], version=1))
    if has_app_context():
        g.pop("settings_version", None)
        g.settings_changing = True


def _saving_new_settings() -> bool:
    return any(isinstance(obj, BoardSettings) for obj in db.session.new)


def forget_board_settings() -> None:
    """After a bulk UPDATE of the settings row: raise the stamp in the same transaction
    (call it before the commit), so that every worker reloads the settings."""
    _raise_version(db.session.connection())


@event.listens_for(db.session, "before_flush")
def _stamp_changes(session, flush_context, instances) -> None:
    if any(isinstance(obj, _STAMPED) for obj in (*session.new, *session.dirty, *session.deleted)):
        _raise_version(session.connection())


from . import routes  # noqa: E402,F401
