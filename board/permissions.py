"""Who may see and change what: the one place these checks live."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from .extensions import db
from .models import NotAllowed


def can_see(thing, user=None) -> bool:
    """Hidden content is seen only by its author (and, later, moderators)."""
    user = user or current_user
    return thing.hidden_at is None or thing.is_by(user)


def can_edit(thing, user=None) -> bool:
    """Only the author edits or deletes an idea, help request or comment."""
    return thing.is_by(user or current_user)


def ensure_visible(thing):
    """The thing, or 404 if it does not exist or may not be seen."""
    if thing is None or not can_see(thing):
        abort(404)
    return thing


def visible_or_404(model, thing_id: int):
    return ensure_visible(db.session.get(model, thing_id))


def ensure_can_edit(thing) -> None:
    """Stop the request with 403 unless the signed-in person may change `thing`."""
    if not can_edit(thing):
        raise NotAllowed("Only the person who wrote this can change it.")
