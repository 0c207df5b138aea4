"""The little SQL the two engines write differently for /stats: the month of a moment, and
the days between two. Everything else in the figures is SQL both understand."""

from __future__ import annotations

from sqlalchemy import func

from ..extensions import db


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def month_of(moment):
    """'2026-03' for any moment in March 2026 (stored times are UTC)."""
    if _postgres():
        return func.to_char(moment, "YYYY-MM")
    return func.strftime("%Y-%m", moment)


def days_between(start, end):
    """How many days (with a fraction) from `start` to `end`."""
    if _postgres():
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)
