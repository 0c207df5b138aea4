"""Rate limits on writing, per signed-in person (or per address for visitors).

Limits come from the settings, so an operator can change them, or switch them all
off with RATELIMIT_ENABLED=0 for a trusted test run.
"""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from .extensions import limiter


def person_or_address() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


posting_limit = limiter.limit(
    lambda: current_app.config["POST_RATE_LIMIT"],
    key_func=person_or_address,
    methods=["POST"],
    scope="posting",
)


# Each of these makes the board send an email, so each is limited twice over.
email_limit_per_address = limiter.limit(
    lambda: current_app.config["EMAIL_RATE_LIMIT"], methods=["POST"], scope="email-address"
)
email_limit_per_person = limiter.limit(
    lambda: current_app.config["EMAIL_RATE_LIMIT"], key_func=person_or_address,
    methods=["POST"], scope="email-person",
)
