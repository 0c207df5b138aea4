"""The home page and each person's dashboard."""

from flask import Blueprint

bp = Blueprint("home", __name__)

from . import routes  # noqa: E402,F401
