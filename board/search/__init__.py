"""Search: the search page and the full-text index behind it (index.py)."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from . import routes  # noqa: E402,F401
