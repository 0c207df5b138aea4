"""The board's record, in public: how many ideas reach the pledge and how fast they are
answered, how many help requests find help; in charts drawn on the server, with tables."""

from flask import Blueprint

bp = Blueprint("stats", __name__)

from . import routes  # noqa: E402,F401
