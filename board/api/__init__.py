"""A read-only JSON API under /api/v1/: what the board publishes, for other programs.

Open to any website (CORS, GET only), limited per client (API_RATE_LIMIT), paged by
cursor, and answering conditional requests. Described by /api/v1/openapi.json.
"""

from flask import Blueprint, current_app
from flask_cors import CORS

from ..extensions import csrf, limiter

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # nothing here writes

CORS(
    bp,
    methods=["GET", "HEAD", "OPTIONS"],
    allow_headers=["If-None-Match", "If-Modified-Since"],
    expose_headers=["ETag", "Last-Modified", "Link", "Retry-After", "X-RateLimit-Limit",
                    "X-RateLimit-Remaining", "X-RateLimit-Reset"],
    supports_credentials=False,
    send_wildcard=True,
    max_age=86400,
)
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api")(bp)

from . import routes  # noqa: E402,F401
