"""Help requests: asking for help, offering it, and answering offers."""

from flask import Blueprint

bp = Blueprint("help", __name__, url_prefix="/help")

from . import routes  # noqa: E402,F401
