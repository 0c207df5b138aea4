from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import update

from ..auth.routes import safe_next
from ..extensions import db
from ..models import User
from . import bp, offered, remember_language


@bp.get("/language/<code>")
def choose(code: str):
    """Switch the board's language: a plain link, so it works without JavaScript and sets
    no session. A signed-in person's choice is kept in their account for every device."""
    if code not in offered():
        abort(404)
    response = redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    remember_language(response, code)
    if current_user.is_authenticated and current_user.language != code:
        person_id = current_user.id
        # The read that loaded the person ends first: on SQLite a read cannot turn into a
        # write once another writer has moved on, while a transaction that starts by
        # writing waits its turn.
        db.session.commit()
        db.session.execute(update(User).where(User.id == person_id).values(language=code))
        db.session.commit()
    return response
