"""Pages of a list, read from ?page= so that no value can break it, at the same cost on
page 200 as on page 1.

A page is found in two steps: the ids on the page, from a covering index (the
visible-rows partial indexes on each list's sort order), then those rows with what
the page shows. Lists do not count their rows on every request; only a page past
the end asks for a count, to show the last page instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import current_app, request
from sqlalchemy import func, select

from .extensions import db


@dataclass
class Page:
    items: list
    number: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1


def positive_int(raw: str | None, max_digits: int = 18) -> int | None:
    """A positive whole number written in ASCII digits (so not '²' or '٣'), or None."""
    if raw and raw.isascii() and raw.isdecimal() and len(raw) <= max_digits and int(raw) > 0:
        return int(raw)
    return None


def requested_page() -> int:
    """The ?page= number; anything that is not a positive whole number means page 1."""
    return positive_int(request.args.get("page"), max_digits=9) or 1


def paginate(model, *, where=(), order_by=(), options=(), per_page: int | None = None) -> Page:
    """One page of `model` rows matching `where`, in `order_by` order, loaded with `options`."""
    per_page = per_page or current_app.config["PER_PAGE"]

    def ids_on(number: int) -> list[int]:
        return db.session.scalars(
            select(model.id).where(*where).order_by(*order_by)
            .limit(per_page + 1).offset((number - 1) * per_page)
        ).all()

    number = requested_page()
    ids = ids_on(number)
    if not ids and number > 1:  # past the end: show the last page
        total = db.session.scalar(select(func.count(model.id)).where(*where))
        number = max(1, ceil(total / per_page))
        ids = ids_on(number)
    has_next = len(ids) > per_page
    ids = ids[:per_page]
    items = []
    if ids:
        items = db.session.scalars(
            select(model).where(model.id.in_(ids)).options(*options).order_by(*order_by)
        ).unique().all()
    return Page(items=list(items), number=number, has_next=has_next)
