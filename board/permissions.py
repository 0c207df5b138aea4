"""Who may see and change what: the one place these checks live."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app
from flask_babel import gettext as _
from flask_login import current_user

from .extensions import db
from .models import NotAllowed


def can_see(thing, user=None) -> bool:
    """Hidden content is seen only by its author and by moderators."""
    user = user or current_user
    return thing.hidden_at is None or thing.is_by(user) or is_moderator(user)


def is_moderator(user=None) -> bool:
    user = user or current_user
    return bool(user.is_authenticated and user.is_moderator)


def is_admin(user=None) -> bool:
    user = user or current_user
    return bool(user.is_authenticated and user.is_admin)


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


def moderators_only(view):
    """A view for moderators and admins: others signed in get 403, visitors sign in first."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not is_moderator():
            raise NotAllowed(_("This page is for the board's moderators."))
        return view(*args, **kwargs)

    return guarded


def admins_only(view):
    """A view for admins only."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not is_admin():
            raise NotAllowed(_("This page is for the board's admins."))
        return view(*args, **kwargs)

    return guarded


def ensure_can_edit(thing) -> None:
    """Stop the request with 403 unless the signed-in person may change `thing`."""
    if not can_edit(thing):
        raise NotAllowed(_("Only the person who wrote this can change it."))


def confirmed_to_post(view):
    """Where the board asks for it (Admin, Settings), posting waits until the person has
    confirmed their email address. Reading, supporting and their account do not."""

    @wraps(view)
    def guarded(*args, **kwargs):
        from flask import render_template

        from .admin import board_settings
        from .mail import mail_enabled

        if (current_user.is_authenticated and not current_user.email_verified
                and board_settings().require_verified_email and mail_enabled()):
            return render_template("auth/confirm_first.html"), 403
        return view(*args, **kwargs)

    return guarded
