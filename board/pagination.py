"""Page numbers from the query string, read so that no value can break a list."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import current_app, request
from sqlalchemy import Select, func, select

from .extensions import db


@dataclass
class Page:
    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to show, with None for a gap: 1 … 4 5 [6] 7 8 … 20."""
        shown = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in numbers:
            if out and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out


def positive_int(raw: str | None, max_digits: int = 18) -> int | None:
    """A positive whole number written in ASCII digits (so not '²' or '٣'), or None."""
    if raw and raw.isascii() and raw.isdecimal() and len(raw) <= max_digits and int(raw) > 0:
        return int(raw)
    return None


def requested_page() -> int:
    """The ?page= number; anything that is not a positive whole number means page 1."""
    return positive_int(request.args.get("page"), max_digits=9) or 1


def paginate(query: Select, per_page: int | None = None, count_query: Select | None = None) -> Page:
    """One page of `query`'s rows (a page past the end shows the last one).

    `count_query` counts the rows more cheaply than wrapping `query`, where the caller knows how.
    """
    per_page = per_page or current_app.config["PER_PAGE"]
    if count_query is None:
        count_query = select(func.count()).select_from(query.order_by(None).subquery())
    total = db.session.scalar(count_query) or 0
    last = max(1, ceil(total / per_page))
    number = min(requested_page(), last)
    items = db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(items=list(items), number=number, per_page=per_page, total=total)
