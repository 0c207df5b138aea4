"""Following, notifications and the emails about them: how people hear about what
they care about without checking the board every day."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from . import routes  # noqa: E402,F401
