"""Accounts: registering, signing in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_url
from sqlalchemy import bindparam, select

from ..extensions import db, login_manager
from ..models import User
from ..pagination import positive_int

bp = Blueprint("auth", __name__)


# Built once: it runs on every request of everyone signed in.
USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The person a session or remember-me cookie names ("<id>:<token>"), if the token
    is still theirs: signing out, a new password, a suspension or an erasure gives them
    a new one, which ends every session made before."""
    raw_id, _, token = session_id.partition(":")
    user_id = positive_int(raw_id)
    if not user_id or not token:
        return None
    user = db.session.scalar(USER_BY_ID, {"user_id": user_id})
    if user is None or not user.has_session_token(token):
        return None
    # A suspension signs the person out everywhere, at their next request.
    return user if user.is_active else None


@bp.before_app_request
def load_signed_in_person() -> None:
    """Load who is asking at the start of every request, not whenever a template first asks.

    The same query then runs at the same point on every page, whatever else the
    page loads, which keeps each page's query count fixed.
    """
    current_user._get_current_object()


@login_manager.unauthorized_handler
def ask_to_sign_in():
    """Send a visitor to sign in, and afterwards back to where they were."""
    flash(_("Please sign in to do that."), "info")
    return redirect(login_url("auth.login", next_url=return_address()))


def return_address() -> str:
    """Where to come back to after signing in.

    The page asked for, if it can be shown again (GET); for a button that POSTs
    (support, offer, comment), the page the button was on.
    """
    here = request.full_path.rstrip("?")
    if request.method == "GET" or _accepts_get(request.path):
        return here
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("home.index")


def _accepts_get(path: str) -> bool:
    return current_app.url_map.bind_to_environ(request.environ).test(path, method="GET")


from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
