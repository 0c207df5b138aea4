"""Writes that meet another at the same moment on PostgreSQL are tried again.

PostgreSQL may end one of two transactions that wait on each other (a deadlock), or
that it cannot serialise; it leaves the database as if that one had never started, so
the request can simply run again. SQLite never does this: writers take turns from
their first statement.
"""

from __future__ import annotations

import random
import time
from functools import wraps

from sqlalchemy.exc import OperationalError

from .extensions import db

# PostgreSQL's deadlock_detected and serialization_failure.
TRY_AGAIN = {"40P01", "40001"}
ATTEMPTS = 3


def ended_by_a_clash(error: BaseException) -> bool:
    return isinstance(error, OperationalError) and getattr(error.orig, "sqlstate", None) in TRY_AGAIN


def tried_again_after_a_clash(view):
    @wraps(view)
    def run(*args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return view(*args, **kwargs)
            except OperationalError as error:
                if not ended_by_a_clash(error) or attempt == ATTEMPTS:
                    raise
                db.session.rollback()
                # Apart a little, so the two do not meet again at once.
                time.sleep(random.uniform(0.005, 0.05) * attempt)
        raise AssertionError("unreachable")

    return run


def init_app(app) -> None:
    """Every view that writes runs again, whole, when PostgreSQL ended it for a clash."""
    writing = {rule.endpoint for rule in app.url_map.iter_rules()
               if rule.methods and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}}
    for endpoint in writing:
        app.view_functions[endpoint] = tried_again_after_a_clash(app.view_functions[endpoint])
