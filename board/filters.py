"""The filters lists share (topic, area, status, skill), read from the query string.

Filters stay in the address, so a filtered list can be shared. Each filter becomes
a condition with a bound parameter; a list builds its query once per combination
of filters in use (see board/listing.py for why).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import g, request
from sqlalchemy import String, cast, func, select

from .extensions import db
from .models import Area, Skill, Topic, normalise_skill


@dataclass
class Filters:
    topic: Topic | None = None
    area: Area | None = None
    status: str | None = None
    skill: Skill | None = None
    kind: str | None = None  # of help: skills, time, equipment, a space, the council
    clock: str | None = None  # of ideas against the pledge: awaiting, overdue, answered

    @property
    def active(self) -> tuple[str, ...]:
        """The names of the filters in use, in a fixed order: the key of a list's query."""
        names = ("topic", "area", "status", "skill", "kind", "clock")
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
                  "kind": self.kind, "clock": self.clock}
        values.update(changes)
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class Choice:
    id: int
    name: str
    slug: str


def choices_of(model) -> list[Choice]:
    """Every topic or area, for the filter forms above lists: kept in each worker, as
    lists are the busiest pages, until an admin changes them (the settings' stamp)."""
    from .admin import kept_while_unchanged

    return kept_while_unchanged(f"choices:{model.__tablename__}", lambda: [
        Choice(*row) for row in db.session.execute(
            select(model.id, model.name, model.slug).order_by(model.name)
        )
    ])


def topic_ids_column(post_link, post_id):
    """A post's topics' ids, comma-separated, as one column of the post's own query (no
    query of their own): `post_link` is the link table's column naming the post, such as
    idea_topics.c.idea_id. `topics_listed` turns them into the topics kept in the worker."""
    topic_id = post_link.table.c.topic_id
    return (
        select(func.aggregate_strings(cast(topic_id, String), ","))
        .where(post_link == post_id)
        .scalar_subquery().label("topic_ids")
    )


def area_name_column(post):
    """A post's area's name as one column of the post's own query: a page that shows it
    then needs no query of its own for the area."""
    return select(Area.name).where(Area.id == post.area_id).scalar_subquery().label("area_name")


def topics_listed(topic_ids: str | None) -> list[Choice]:
    """The topics whose ids `topic_ids_column` read, by name."""
    if not topic_ids:
        return []
    wanted = {int(topic_id) for topic_id in topic_ids.split(",")}
    return [topic for topic in choices_of(Topic) if topic.id in wanted]


def forget_choices() -> None:
    """After an admin changes topics or areas: the rest of this request reads them again
    (other requests and workers see the change by the settings' stamp)."""
    g.pop("settings_version", None)


def read_filters(statuses: Iterable[str] = (), skills: bool = False,
                 kinds: Iterable[str] = (), clocks: Iterable[str] = ()) -> Filters:
    """The filters asked for in ?topic=&area=&status=&skill=&kind=&clock=; unknown values are ignored."""
    args = request.args
    status, kind, clock = args.get("status"), args.get("kind"), args.get("clock")
    skill = None
    if skills and args.get("skill"):
        skill = db.session.scalar(select(Skill).where(Skill.name == normalise_skill(args["skill"])))
    return Filters(
        topic=Topic.by_slug(args.get("topic")),
        area=Area.by_slug(args.get("area")),
        status=status if status in statuses else None,
        skill=skill,
        kind=kind if kind in kinds else None,
        clock=clock if clock in clocks else None,
    )
