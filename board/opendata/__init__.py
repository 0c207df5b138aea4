"""Open data: what the board publishes, as CSV and JSON downloads anyone may reuse."""

from flask import Blueprint

bp = Blueprint("opendata", __name__, url_prefix="/data")

from . import routes  # noqa: E402,F401
