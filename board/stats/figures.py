"""The figures /stats, the open data downloads and the API publish: counted in SQL, a row
per month, so that a board of 100,000 ideas reads a few hundred rows, not its ideas.

Ideas are counted in the month they were posted; whether each was answered within the
pledge is judged against the board's pledge as it stands today. Days to an answer count
from when the idea reached the pledge, or from its posting when it never did; days to a
match count from a help request's posting to the first offer its author accepted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from statistics import median

from sqlalchemy import and_, case, func, select

from ..extensions import db
from ..models import (
    Area,
    HelpRequest,
    Idea,
    Offer,
    OfferStatus,
    Topic,
    help_request_topics,
    idea_topics,
)
from .engines import days_between, month_of


@dataclass
class IdeaMonth:
    month: str
    posted: int = 0
    reached_pledge: int = 0
    answered_within_pledge: int = 0
    answered_late: int = 0
    still_waiting: int = 0


@dataclass
class HelpMonth:
    month: str
    posted: int = 0
    matched: int = 0
    median_days_to_match: float | None = None


@dataclass
class Figures:
    pledge_days: int | None
    ideas: list[IdeaMonth]
    ideas_total: IdeaMonth
    median_days_to_answer: float | None
    ideas_answered: int  # the ideas that median is taken over
    median_days_by_topic: list[tuple[str, float, int]]  # name, median days, ideas answered
    median_days_by_area: list[tuple[str, float, int]]
    help_requests: list[HelpMonth]
    help_total: HelpMonth
    filters: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "filters": self.filters,
            "pledge_days": self.pledge_days,
            "ideas_by_month": [asdict(month) for month in self.ideas],
            "ideas_total": {k: v for k, v in asdict(self.ideas_total).items() if k != "month"},
            "median_days_to_official_answer": self.median_days_to_answer,
            "ideas_answered": self.ideas_answered,
            "median_days_to_official_answer_by_topic": [
                {"topic": name, "median_days": days, "ideas_answered": count}
                for name, days, count in self.median_days_by_topic],
            "median_days_to_official_answer_by_area": [
                {"area": name, "median_days": days, "ideas_answered": count}
                for name, days, count in self.median_days_by_area],
            "help_requests_by_month": [asdict(month) for month in self.help_requests],
            "help_requests_total": {k: v for k, v in asdict(self.help_total).items() if k != "month"},
        }


def _one_decimal(days: list[float]) -> float | None:
    return round(median(days), 1) if days else None


def _idea_filters(topic, area) -> list:
    where = [Idea.visible()]
    if topic is not None:
        where.append(Idea.id.in_(select(idea_topics.c.idea_id).where(idea_topics.c.topic_id == topic.id)))
    if area is not None:
        where.append(Idea.area_id == area.id)
    return where


def _help_filters(topic, area) -> list:
    where = [HelpRequest.visible()]
    if topic is not None:
        where.append(HelpRequest.id.in_(
            select(help_request_topics.c.help_request_id)
            .where(help_request_topics.c.topic_id == topic.id)))
    if area is not None:
        where.append(HelpRequest.area_id == area.id)
    return where


def idea_months(where: list, pledge_days: int | None) -> list[IdeaMonth]:
    reached = Idea.pledge_reached_at.is_not(None)
    answered = and_(reached, Idea.answered_at.is_not(None))
    taken = days_between(Idea.pledge_reached_at, Idea.answered_at)
    # Whole days within D: fewer than D + 1 days.
    limit = (pledge_days if pledge_days is not None else 0) + 1

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    month = month_of(Idea.created_at).label("month")
    rows = db.session.execute(
        select(month, func.count(), count_if(reached), count_if(and_(answered, taken < limit)),
               count_if(and_(answered, taken >= limit)),
               count_if(and_(reached, Idea.answered_at.is_(None), Idea.duplicate_of_id.is_(None))))
        .where(*where).group_by(month).order_by(month)
    ).all()
    return [IdeaMonth(*row) for row in rows]


def _days_to_answer(where: list, group=None) -> list:
    days = days_between(func.coalesce(Idea.pledge_reached_at, Idea.created_at), Idea.answered_at)
    query = select(days).where(*where, Idea.answered_at.is_not(None))
    if group is Topic:
        query = (select(Topic.name, days)
                 .join(idea_topics, idea_topics.c.idea_id == Idea.id)
                 .join(Topic, Topic.id == idea_topics.c.topic_id)
                 .where(*where, Idea.answered_at.is_not(None)))
    elif group is Area:
        query = (select(Area.name, days).join(Area, Area.id == Idea.area_id)
                 .where(*where, Idea.answered_at.is_not(None)))
    return db.session.execute(query).all()


def _medians_by(rows) -> list[tuple[str, float, int]]:
    grouped: dict[str, list[float]] = {}
    for name, days in rows:
        grouped.setdefault(name, []).append(max(float(days), 0.0))
    return [(name, _one_decimal(days), len(days)) for name, days in sorted(grouped.items())]


def help_months(where: list) -> tuple[list[HelpMonth], list[float]]:
    matched = (
        select(Offer.help_request_id, func.min(Offer.decided_at).label("matched_at"))
        .where(Offer.status == OfferStatus.ACCEPTED)
        .group_by(Offer.help_request_id).subquery()
    )
    month = month_of(HelpRequest.created_at).label("month")
    rows = db.session.execute(
        select(month, days_between(HelpRequest.created_at, matched.c.matched_at))
        .outerjoin(matched, matched.c.help_request_id == HelpRequest.id)
        .where(*where)
    ).all()
    months: dict[str, HelpMonth] = {}
    waits: dict[str, list[float]] = {}
    for name, days in rows:
        row = months.setdefault(name, HelpMonth(name))
        row.posted += 1
        if days is not None:
            row.matched += 1
            waits.setdefault(name, []).append(max(float(days), 0.0))
    for name, row in months.items():
        row.median_days_to_match = _one_decimal(waits.get(name, []))
    return [months[name] for name in sorted(months)], [d for ds in waits.values() for d in ds]


def figures(topic=None, area=None, pledge_days: int | None = None) -> Figures:
    where = _idea_filters(topic, area)
    ideas = idea_months(where, pledge_days)
    total = IdeaMonth("total")
    for month in ideas:
        for name in ("posted", "reached_pledge", "answered_within_pledge", "answered_late", "still_waiting"):
            setattr(total, name, getattr(total, name) + getattr(month, name))
    everything = [max(float(days), 0.0) for (days,) in _days_to_answer(where)]
    help_rows, waits = help_months(_help_filters(topic, area))
    help_total = HelpMonth("total", sum(m.posted for m in help_rows), sum(m.matched for m in help_rows),
                           _one_decimal(waits))
    return Figures(
        pledge_days=pledge_days, ideas=ideas, ideas_total=total,
        median_days_to_answer=_one_decimal(everything), ideas_answered=len(everything),
        median_days_by_topic=_medians_by(_days_to_answer(where, Topic)),
        median_days_by_area=_medians_by(_days_to_answer(where, Area)),
        help_requests=help_rows, help_total=help_total,
        filters={"topic": topic and topic.slug, "area": area and area.slug},
    )
