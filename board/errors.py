"""Friendly error pages in the board's own layout."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .models import NotAllowed, NotPossible
from .transactions import ended_by_a_clash
from .words import lazy_gettext as _l

MESSAGES = {
    400: (_l("Something was wrong with that request"), _l("Go back, reload the page and try again.")),
    403: (_l("You cannot do that"), _l("This belongs to someone else, or needs a different account.")),
    404: (_l("Page not found"), _l("If you typed the address, check it is correct. "
          "The page may also have been deleted.")),
    405: (_l("That is not how this page works"), _l("Go back and use the page's buttons instead.")),
    409: (_l("That cannot be done now"), _l("Go back and reload the page to see where things stand.")),
    413: (_l("That was too big to send"), _l("What you sent is over the size this board accepts. "
          "Make it shorter and try again.")),
    429: (_l("Too many tries"), _l("You have done that a lot in a short time. Wait a minute and try again.")),
    500: (_l("Sorry, something went wrong on our side"), _l("Nothing you did caused this. "
          "Try again in a moment; if it keeps happening, tell the people who run this board.")),
}  # fmt: skip


def render_error(status: int, detail: str | None = None):
    title, advice = (str(text) for text in MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400]))
    if request.path.startswith("/api/"):
        # Programs reading the API get JSON errors, as the OpenAPI document describes.
        return jsonify(error={"status": status, "title": title, "detail": detail or advice}), status
    return render_template(
        "errors/error.html", status=status, title=title, advice=advice, detail=detail
    ), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # Our own words, translated, rather than Flask-WTF's English reason.
        return render_error(
            400, _("The form had expired or was not sent from this site. Reload it and try again.")
        )

    @app.errorhandler(NotAllowed)
    def not_allowed(error):
        db.session.rollback()
        return render_error(403, str(error))

    @app.errorhandler(NotPossible)
    def not_possible(error):
        db.session.rollback()
        return render_error(409, str(error))

    @app.errorhandler(OperationalError)
    def database_error(error):
        if ended_by_a_clash(error):  # still clashing after being tried again
            return clashed(error)
        db.session.rollback()
        current_app.logger.exception("The database failed", exc_info=error)
        return render_error(500)

    @app.errorhandler(IntegrityError)
    @app.errorhandler(StaleDataError)
    def clashed(error):
        # Two requests did the same thing at the same moment (a double click, two people
        # taking one username): the database kept one and refused the other, whole.
        db.session.rollback()
        current_app.logger.info("A change clashed with another and was refused: %s", error)
        return render_error(409, _("Someone made the same change at the same moment, so this one "
                                   "was not made. Reload the page to see where things stand."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        body, status = render_error(error.code, error.description if request.path.startswith("/api/") else None)
        response = error.get_response()  # keeps headers such as Allow and Retry-After
        response.set_data(body if isinstance(body, str) else body.get_data())
        response.mimetype = "application/json" if request.path.startswith("/api/") else "text/html"
        return response

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)
