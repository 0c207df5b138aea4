"""Pages of a list, read from ?page= so that no value can break it.

Lists do not count their rows on every request (a count reads the whole list);
they ask for one row more than a page holds, to know whether there is a next
page. Only a page past the end asks for a count, to show the last page instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import current_app, request
from sqlalchemy import func, select

from .extensions import read_rows
from .models import MAX_ID


@dataclass
class Page:
    items: list
    number: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1


def positive_int(raw: str | None, max_digits: int = 10) -> int | None:
    """A positive whole number written in ASCII digits (so not '²' or '٣') that could be
    an id, or None."""
    if raw and raw.isascii() and raw.isdecimal() and len(raw) <= max_digits and 0 < int(raw) <= MAX_ID:
        return int(raw)
    return None


def requested_page() -> int:
    """The ?page= number; anything that is not a positive whole number means page 1."""
    return positive_int(request.args.get("page"), max_digits=9) or 1


def paginate(load, count, per_page: int | None = None) -> Page:
    """One page of a list: `load(limit, offset)` reads rows, `count()` counts them all."""
    per_page = per_page or current_app.config["PER_PAGE"]
    number = requested_page()
    items = load(per_page + 1, (number - 1) * per_page)
    if not items and number > 1:  # past the end: show the last page
        number = max(1, ceil(count() / per_page))
        items = load(per_page + 1, (number - 1) * per_page)
    return Page(items=list(items[:per_page]), number=number, has_next=len(items) > per_page)


def count_rows(model, where, **params) -> int:
    return read_rows(select(func.count(model.id)).where(*where), params).scalar() or 0
