"""Accounts: registering, signing in and out."""

from flask import Blueprint

from ..extensions import db, login_manager
from ..models import User
from ..pagination import positive_int

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user_id = positive_int(user_id)
    return db.session.get(User, user_id) if user_id else None


from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
