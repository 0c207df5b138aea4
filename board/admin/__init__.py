"""Running the board, for admins: roles, topics and areas, settings and invitations."""

from __future__ import annotations

import time

from flask import Blueprint, current_app
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from .models import DEFAULT_LICENCE_NAME, DEFAULT_LICENCE_URL, BoardSettings

bp = Blueprint("admin", __name__, url_prefix="/admin")


def board_settings() -> BoardSettings:
    """The board's settings, read at most every few seconds in each worker.

    Every page shows some of them (the board's name), so they are kept in memory;
    the worker that saves a change forgets its copy at once, the others within
    SETTINGS_CACHE_SECONDS.
    """
    kept = current_app.extensions.get("board_settings")
    now = time.monotonic()
    if kept and now - kept[0] < current_app.config["SETTINGS_CACHE_SECONDS"]:
        return kept[1]
    try:
        settings = db.session.get(BoardSettings, 1)
    except SQLAlchemyError:
        # Even an error page needs the board's name, and must not fail for want of it.
        db.session.rollback()
        return _defaults()
    if settings is None:
        settings = _defaults()
    else:
        db.session.expunge(settings)
    current_app.extensions["board_settings"] = (now, settings)
    return settings


def _defaults() -> BoardSettings:
    settings = BoardSettings(id=1, name=current_app.config["BOARD_NAME"])
    settings.set_texts("", "")
    settings.contact_email, settings.allowed_domains = "", ""
    settings.registration_mode = "open"
    settings.require_verified_email = False
    settings.data_licence_name, settings.data_licence_url = DEFAULT_LICENCE_NAME, DEFAULT_LICENCE_URL
    return settings


def forget_board_settings() -> None:
    current_app.extensions.pop("board_settings", None)


from . import routes  # noqa: E402,F401
