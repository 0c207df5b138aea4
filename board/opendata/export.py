"""What the open data downloads hold, and how they are written as CSV and JSON.

Each download reads the database in batches by id ("id > last id ORDER BY id LIMIT
1000"), as plain columns rather than model objects, and yields text batch by batch:
a board of 100,000 ideas streams in a few seconds and is never all in memory.
Each batch's topics, skills and official responses come in one extra query per
batch, never one per row.

Only what a visitor may see is read: visible rows, usernames (never an email
address), counts rather than who supported or offered, and no private messages.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from statistics import median

from flask import url_for
from sqlalchemy import bindparam, case, extract, func, literal, select

from ..extensions import db
from ..listing import LINKED_IDEA, SHOWN_LINKED_IDEA
from ..models import (
    Area,
    HelpRequest,
    Idea,
    Skill,
    StatusUpdate,
    Topic,
    User,
    help_request_skills,
    help_request_topics,
    idea_topics,
    iso,
    utcnow,
)
from ..words import lazy_gettext as _l

BATCH_SIZE = 1000

# A spreadsheet runs a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The cell as a spreadsheet shows it but never runs it: text that could start a
    formula gets a leading apostrophe. Numbers and empty cells are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value



# --- What each download holds ---------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """One download: its name in the address, what people read about it, its columns
    (name and meaning, in order) and the batches of rows that fill it."""

    name: str
    title: str
    holds: str
    json_key: str
    columns: tuple[tuple[str, str], ...]
    batches: Callable[[], Iterator[list[dict]]]

    def filename(self, extension: str) -> str:
        return f"{self.name}.{extension}"


def _batches(query) -> Iterator[list]:
    """The rows of `query` (which has `id > :after ORDER BY id LIMIT BATCH_SIZE`), batch by batch."""
    after = 0
    while True:
        rows = db.session.execute(query, {"after": after}).all()
        if rows:
            yield rows
        if len(rows) < BATCH_SIZE:
            return
        after = rows[-1].id


def _names_by_id(query, lo: int, hi: int) -> dict[int, list[str]]:
    """{row id: [names]} from a query of (id, name) pairs, for ids from lo to hi."""
    found: dict[int, list[str]] = defaultdict(list)
    for row_id, name in db.session.execute(query, {"lo": lo, "hi": hi}):
        found[row_id].append(name)
    return found


def _address(endpoint: str, key: str) -> Callable[[int], str]:
    """The page of a thing by id. url_for once, then joining strings: called for every
    row, url_for would take seconds on a big board. Ids end the address."""
    prefix = url_for(endpoint, **{key: 1}, _external=True)[:-1]
    return lambda thing_id: f"{prefix}{thing_id}"


def _joined_range(column):
    """Rows of a batch are found by their id's range, not `IN (...1000 ids)`: one small
    query whatever the database's limit on parameters. Rows of hidden things in the
    range are fetched too, and simply not used."""
    return column.between(bindparam("lo"), bindparam("hi"))


# An erased account's posts, when kept, show as by "Deleted user": no username.
_USERNAME = case((User.erased_at.is_(None), User.username), else_=literal("")).label("author")


# --- Ideas ------------------------------------------------------------------------------

IDEA_COLUMNS = (
    ("id", _l("The idea's number on the board.")),
    ("title", _l("The idea's title.")),
    ("url", _l("The idea's page.")),
    ("author", _l("The username of the person who posted it (empty if they deleted their account).")),
    ("created_at", _l("When it was posted, in UTC (ISO 8601).")),
    ("status", _l("Where it stands: new, under_consideration, in_progress, done or not_taken_forward.")),
    ("area", _l("The area it is in, if any.")),
    ("topics", _l("Its topics, separated by “; ” (a list in JSON).")),
    ("supporters_count", _l("How many people support it.")),
    ("comments_count", _l("How many comments it has.")),
    ("official_response", _l("The latest official response, in Markdown (empty if none).")),
    ("official_response_at", _l("When the latest official response was given, in UTC.")),
)

_IDEAS = (
    select(Idea.id, Idea.title, Idea.created_at, Idea.status, Idea.supporters_count,
           Idea.comments_count, _USERNAME, Area.name.label("area"))
    .join(User, User.id == Idea.author_id)
    .outerjoin(Area, Area.id == Idea.area_id)
    .where(Idea.visible(), Idea.id > bindparam("after"))
    .order_by(Idea.id)
    .limit(BATCH_SIZE)
)
_IDEA_TOPICS = (
    select(idea_topics.c.idea_id, Topic.name)
    .join(Topic, Topic.id == idea_topics.c.topic_id)
    .where(_joined_range(idea_topics.c.idea_id))
    .order_by(idea_topics.c.idea_id, Topic.name)
)
# The latest answer is the one with the highest id, as on the idea's page.
_LATEST_RESPONSES = select(StatusUpdate.idea_id, StatusUpdate.response, StatusUpdate.created_at).where(
    StatusUpdate.id.in_(
        select(func.max(StatusUpdate.id))
        .where(_joined_range(StatusUpdate.idea_id))
        .group_by(StatusUpdate.idea_id)
    )
)


def idea_batches() -> Iterator[list[dict]]:
    address = _address("ideas.detail", "idea_id")
    for rows in _batches(_IDEAS):
        lo, hi = rows[0].id, rows[-1].id
        topics = _names_by_id(_IDEA_TOPICS, lo, hi)
        responses = {r.idea_id: r for r in db.session.execute(_LATEST_RESPONSES, {"lo": lo, "hi": hi})}
        batch = []
        for row in rows:
            response = responses.get(row.id)
            batch.append({
                "id": row.id,
                "title": row.title,
                "url": address(row.id),
                "author": row.author,
                "created_at": iso(row.created_at),
                "status": row.status,
                "area": row.area,
                "topics": topics.get(row.id, []),
                "supporters_count": row.supporters_count,
                "comments_count": row.comments_count,
                "official_response": response.response if response else None,
                "official_response_at": iso(response.created_at) if response else None,
            })
        yield batch


# --- Help requests ----------------------------------------------------------------------

HELP_REQUEST_COLUMNS = (
    ("id", _l("The help request's number on the board.")),
    ("title", _l("What help is asked for.")),
    ("url", _l("The help request's page.")),
    ("author", _l("The username of the person asking (empty if they deleted their account).")),
    ("created_at", _l("When it was posted, in UTC (ISO 8601).")),
    ("status", _l("open, matched (someone is helping) or closed.")),
    ("kind", _l("The kind of help: skills, time, equipment, space or council.")),
    ("skills", _l("The skills or resources needed, separated by “; ” (a list in JSON).")),
    ("area", _l("The area it is in, if any.")),
    ("topics", _l("Its topics, separated by “; ” (a list in JSON).")),
    ("offers_count", _l("How many people offered to help (who, and what they wrote, stays private).")),
    ("comments_count", _l("How many comments it has.")),
    ("idea_id", _l("The idea it helps with, if any (see the ideas download).")),
)

_HELP_REQUESTS = (
    select(HelpRequest.id, HelpRequest.title, HelpRequest.created_at, HelpRequest.status,
           HelpRequest.kind, HelpRequest.offers_count, HelpRequest.comments_count, _USERNAME,
           Area.name.label("area"), LINKED_IDEA.id.label("idea_id"))
    .join(User, User.id == HelpRequest.author_id)
    .outerjoin(Area, Area.id == HelpRequest.area_id)
    # A link to a hidden idea is left out, as on the help request's page.
    .outerjoin(LINKED_IDEA, SHOWN_LINKED_IDEA)
    .where(HelpRequest.visible(), HelpRequest.id > bindparam("after"))
    .order_by(HelpRequest.id)
    .limit(BATCH_SIZE)
)
_HELP_SKILLS = (
    select(help_request_skills.c.help_request_id, Skill.name)
    .join(Skill, Skill.id == help_request_skills.c.skill_id)
    .where(_joined_range(help_request_skills.c.help_request_id))
    .order_by(help_request_skills.c.help_request_id, Skill.name)
)
_HELP_TOPICS = (
    select(help_request_topics.c.help_request_id, Topic.name)
    .join(Topic, Topic.id == help_request_topics.c.topic_id)
    .where(_joined_range(help_request_topics.c.help_request_id))
    .order_by(help_request_topics.c.help_request_id, Topic.name)
)


def help_request_batches() -> Iterator[list[dict]]:
    address = _address("help.detail", "help_request_id")
    for rows in _batches(_HELP_REQUESTS):
        lo, hi = rows[0].id, rows[-1].id
        skills = _names_by_id(_HELP_SKILLS, lo, hi)
        topics = _names_by_id(_HELP_TOPICS, lo, hi)
        yield [
            {
                "id": row.id,
                "title": row.title,
                "url": address(row.id),
                "author": row.author,
                "created_at": iso(row.created_at),
                "status": row.status,
                "kind": row.kind,
                "skills": skills.get(row.id, []),
                "area": row.area,
                "topics": topics.get(row.id, []),
                "offers_count": row.offers_count,
                "comments_count": row.comments_count,
                "idea_id": row.idea_id,
            }
            for row in rows
        ]


# --- Statistics by month ------------------------------------------------------------------

STATISTICS_COLUMNS = (
    ("month", _l("The calendar month, in UTC (YYYY-MM).")),
    ("ideas_posted", _l("Ideas posted that month.")),
    ("ideas_answered", _l("Ideas that got their first official response that month.")),
    ("median_days_to_answer",
     _l("For those ideas, the median number of days from posting to the first official response, "
        "to one decimal place (empty if none).")),
    ("help_requests_posted", _l("Help requests posted that month.")),
)

_FIRST_ANSWERS = (
    select(StatusUpdate.idea_id, func.min(StatusUpdate.created_at).label("answered_at"))
    .group_by(StatusUpdate.idea_id)
    .subquery()
)
_ANSWERED = (
    select(Idea.created_at, _FIRST_ANSWERS.c.answered_at)
    .join(_FIRST_ANSWERS, _FIRST_ANSWERS.c.idea_id == Idea.id)
    .where(Idea.visible())
    .order_by(_FIRST_ANSWERS.c.answered_at)
)


def _posted_per_month(model) -> dict[tuple[int, int], int]:
    year, month = extract("year", model.created_at), extract("month", model.created_at)
    query = select(year, month, func.count()).where(model.visible()).group_by(year, month)
    return {(int(y), int(m)): n for y, m, n in db.session.execute(query)}


def _answered_per_month() -> dict[tuple[int, int], tuple[int, float]]:
    """{(year, month): (ideas answered, median days to answer)}. Answers come in date
    order, so only one month's waits are in memory at a time."""
    found = {}
    answers = db.session.execute(_ANSWERED.execution_options(yield_per=BATCH_SIZE))
    for month, group in groupby(answers, key=lambda a: (a.answered_at.year, a.answered_at.month)):
        days = [(a.answered_at - a.created_at).total_seconds() / 86400 for a in group]
        found[month] = (len(days), round(median(days), 1))
    return found


def _months(first: datetime, last: datetime) -> Iterator[tuple[int, int]]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def statistics_batches() -> Iterator[list[dict]]:
    """One row per month from the board's first post to this month: a few hundred rows
    at most, made from a handful of grouped queries."""
    starts = [db.session.scalar(select(func.min(model.created_at)).where(model.visible()))
              for model in (Idea, HelpRequest)]
    starts = [start for start in starts if start is not None]
    if not starts:
        return
    ideas, help_requests = _posted_per_month(Idea), _posted_per_month(HelpRequest)
    answered = _answered_per_month()
    yield [
        {
            "month": f"{year:04d}-{month:02d}",
            "ideas_posted": ideas.get((year, month), 0),
            "ideas_answered": answered.get((year, month), (0, None))[0],
            "median_days_to_answer": answered.get((year, month), (0, None))[1],
            "help_requests_posted": help_requests.get((year, month), 0),
        }
        for year, month in _months(min(starts), utcnow())
    ]


RECORD_COLUMNS = (
    ("month", _l("The calendar month ideas and help requests were posted, in UTC (YYYY-MM); "
                 "'total' for the whole board.")),
    ("ideas_posted", _l("Ideas posted that month.")),
    ("ideas_reached_pledge", _l("Of those, the ideas that reached the board's pledge (enough supporters).")),
    ("ideas_answered_within_pledge",
     _l("Of those, the ideas given an official answer within the pledge's days.")),
    ("ideas_answered_late", _l("Of those, the ideas given an official answer after the pledge's days.")),
    ("ideas_still_waiting", _l("Of those, the ideas still waiting for an official answer.")),
    ("help_requests_posted", _l("Help requests posted that month.")),
    ("help_requests_matched", _l("Of those, the requests that have an accepted offer of help.")),
    ("median_days_to_match", _l("For those, the median days from posting to the first accepted offer, "
                                "to one decimal place (empty if none).")),
)
ANSWER_TIME_COLUMNS = (
    ("by", _l("'topic', 'area' or 'board' (every answered idea).")),
    ("name", _l("The topic's or the area's name; empty for the board.")),
    ("median_days_to_answer", _l("The median days to the first official response, from when the idea "
                                 "reached the pledge (or its posting, if it never did), to one decimal place.")),
    ("ideas_answered", _l("How many ideas that median is taken over.")),
)


def _record_figures():
    from ..pledge import the_pledge
    from ..stats.figures import figures

    pledge = the_pledge()
    return figures(pledge_days=pledge.pledge_days if pledge else None)


def record_batches() -> Iterator[list[dict]]:
    """The figures of /stats, a row per month and one for the whole board."""
    numbers = _record_figures()
    help_by_month = {row.month: row for row in numbers.help_requests}
    months = sorted({row.month for row in numbers.ideas} | set(help_by_month))
    ideas_by_month = {row.month: row for row in numbers.ideas}
    rows = []
    for month, ideas, help_row in [
        *((m, ideas_by_month.get(m), help_by_month.get(m)) for m in months),
        ("total", numbers.ideas_total, numbers.help_total),
    ]:
        rows.append({
            "month": month,
            "ideas_posted": ideas.posted if ideas else 0,
            "ideas_reached_pledge": ideas.reached_pledge if ideas else 0,
            "ideas_answered_within_pledge": ideas.answered_within_pledge if ideas else 0,
            "ideas_answered_late": ideas.answered_late if ideas else 0,
            "ideas_still_waiting": ideas.still_waiting if ideas else 0,
            "help_requests_posted": help_row.posted if help_row else 0,
            "help_requests_matched": help_row.matched if help_row else 0,
            "median_days_to_match": help_row.median_days_to_match if help_row else None,
        })
    yield rows


def answer_time_batches() -> Iterator[list[dict]]:
    numbers = _record_figures()
    yield [
        {"by": "board", "name": "", "median_days_to_answer": numbers.median_days_to_answer,
         "ideas_answered": numbers.ideas_answered},
        *({"by": "topic", "name": name, "median_days_to_answer": days, "ideas_answered": count}
          for name, days, count in numbers.median_days_by_topic),
        *({"by": "area", "name": name, "median_days_to_answer": days, "ideas_answered": count}
          for name, days, count in numbers.median_days_by_area),
    ]


DOWNLOADS = {
    download.name: download
    for download in (
        Download("ideas", _l("Ideas"),
                 _l("Every idea, with its topics, area, status, number of supporters and comments, "
                    "and its latest official response."),
                 "ideas", IDEA_COLUMNS, idea_batches),
        Download("help-requests", _l("Help requests"),
                 _l("Every request for help, with the skills it needs, its status, kind, area, topics, "
                    "and how many offers of help it has had."),
                 "help_requests", HELP_REQUEST_COLUMNS, help_request_batches),
        Download("statistics", _l("Statistics by month"),
                 _l("For each month: ideas posted, ideas answered officially, the median days "
                    "they waited for an answer, and help requests posted."),
                 "months", STATISTICS_COLUMNS, statistics_batches),
        Download("record", _l("The board's record on answers and help"),
                 _l("For each month, and in total: ideas posted, those that reached the board's pledge, "
                    "answered within it, answered late and still waiting; help requests posted, matched, "
                    "and the median days to a match. The figures of the statistics page."),
                 "months", RECORD_COLUMNS, record_batches),
        Download("answer-times", _l("Days to an official answer"),
                 _l("The median days to an official answer for the whole board, by topic and by area."),
                 "answer_times", ANSWER_TIME_COLUMNS, answer_time_batches),
    )
}


# --- Writing ---------------------------------------------------------------------------


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return neutralise("; ".join(value))
    return neutralise(value)


def as_csv(download: Download) -> Iterator[str]:
    """A header row, then each batch of rows as one piece of text."""
    names = [name for name, _ in download.columns]
    yield _csv_text([names])
    for batch in download.batches():
        yield _csv_text([_cell(row[name]) for name in names] for row in batch)


def _csv_text(rows: Iterable[list]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def as_json(download: Download, licence: dict) -> Iterator[str]:
    """`{"licence": ..., "generated_at": ..., "<things>": [...]}`, written item by item."""
    yield (f'{{"licence": {json.dumps(licence, ensure_ascii=False)}, '
           f'"generated_at": {json.dumps(iso(utcnow()))}, {json.dumps(download.json_key)}: [')
    separator = "\n"
    for batch in download.batches():
        yield separator + ",\n".join(json.dumps(row, ensure_ascii=False) for row in batch)
        separator = ",\n"
    yield "\n]}\n"
