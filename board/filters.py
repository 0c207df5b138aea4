"""The filters lists share (topic, area, status, skill), read from the query string.

Filters stay in the address, so a filtered list can be shared. Each filter becomes
a condition with a bound parameter; a list builds its query once per combination
of filters in use (see board/listing.py for why).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import select

from .extensions import db
from .models import Area, Skill, Topic, normalise_skill


@dataclass
class Filters:
    topic: Topic | None = None
    area: Area | None = None
    status: str | None = None
    skill: Skill | None = None
    kind: str | None = None  # of help: skills, time, equipment, a space, the council

    @property
    def active(self) -> tuple[str, ...]:
        """The names of the filters in use, in a fixed order: the key of a list's query."""
        names = ("topic", "area", "status", "skill", "kind")
        return tuple(name for name in names if getattr(self, name))

    def params(self) -> dict:
        """The bound parameters of the filters in use."""
        values = {"topic_id": self.topic and self.topic.id, "area_id": self.area and self.area.id,
                  "status": self.status, "skill_id": self.skill and self.skill.id,
                  "kind": self.kind}
        return {key: value for key, value in values.items() if value is not None}

    def args(self, **changes) -> dict:
        """The filters as query-string arguments, for links that keep them."""
        values = {"topic": self.topic and self.topic.slug, "area": self.area and self.area.slug,
                  "status": self.status, "skill": self.skill and self.skill.name,
                  "kind": self.kind}
        values.update(changes)
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    slug: str


def choices_of(model) -> list[Choice]:
    """Every topic or area, for the filter forms above lists: read at most every few
    seconds per worker (SETTINGS_CACHE_SECONDS), as lists are the busiest pages."""
    key = f"choices:{model.__tablename__}"
    kept = current_app.extensions.get(key)
    now = time.monotonic()
    if kept and now - kept[0] < current_app.config["SETTINGS_CACHE_SECONDS"]:
        return kept[1]
    choices = [Choice(*row) for row in db.session.execute(
        select(model.id, model.name, model.slug).order_by(model.name)
    )]
    current_app.extensions[key] = (now, choices)
    return choices


def forget_choices() -> None:
    """After an admin changes topics or areas, this worker shows the change at once."""
    for model in (Topic, Area):
        current_app.extensions.pop(f"choices:{model.__tablename__}", None)


def read_filters(statuses: Iterable[str] = (), skills: bool = False,
                 kinds: Iterable[str] = ()) -> Filters:
    """The filters asked for in ?topic=&area=&status=&skill=&kind=; unknown values are ignored."""
    args = request.args
    status, kind = args.get("status"), args.get("kind")
    skill = None
    if skills and args.get("skill"):
        skill = db.session.scalar(select(Skill).where(Skill.name == normalise_skill(args["skill"])))
    return Filters(
        topic=Topic.by_slug(args.get("topic")),
        area=Area.by_slug(args.get("area")),
        status=status if status in statuses else None,
        skill=skill,
        kind=kind if kind in kinds else None,
    )
