from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, jsonify, request, url_for
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.urls import iri_to_uri

from ..admin import board_settings
from ..conditional import conditional, newest
from ..extensions import db
from ..listing import trending_since
from ..models import (
    ANSWERS_TO,
    IDEA_HAS_ANSWERS,
    IDEA_HAS_HELP_REQUESTS,
    Area,
    Comment,
    HelpKind,
    HelpRequest,
    HelpStatus,
    Idea,
    IdeaStatus,
    Skill,
    Topic,
    User,
    help_request_skills,
    help_request_topics,
    idea_topics,
    normalise_skill,
)
from ..photos import public_photos_of
from . import bp, cursors, represent
from .openapi import document

IDEA_SORTS = ("new", "popular", "active", "trending")


# --- Reading the query string strictly: a program should hear what it got wrong -------


@bp.before_request
def each_parameter_once():
    repeated = [name for name in request.args if len(request.args.getlist(name)) > 1]
    if repeated:
        abort(400, f"Give each parameter once ({', '.join(repeated)} came more than once).")


def _limit() -> int:
    if "limit" not in request.args:
        return current_app.config["API_PAGE_SIZE"]
    raw = request.args["limit"]
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= current_app.config["API_MAX_PAGE_SIZE"]:
        abort(400, f"limit must be a whole number from 1 to {current_app.config['API_MAX_PAGE_SIZE']}.")
    return int(raw)


def _choice(name: str, allowed, default=None):
    value = request.args.get(name, default)
    if value is not None and value not in allowed:
        abort(400, f"{name} must be one of: {', '.join(allowed)}.")
    return value


NO_SUCH_LABEL = Topic(id=0)  # an unknown slug matches nothing, as on the HTML lists


def _label(model, name: str):
    slug = request.args.get(name)
    if slug is None:
        return None
    return model.by_slug(slug) or NO_SUCH_LABEL


def _page(rows: list, limit: int, cursor_of, endpoint: str, **values):
    """One page of a list, with the link to the next one (in the body and a Link header)."""
    more = len(rows) > limit
    rows = rows[:limit]
    next_url = None
    if more:
        args = {k: v for k, v in request.args.items() if k != "cursor"}
        next_url = url_for(endpoint, **values, **args, cursor=cursors.encode(cursor_of(rows[-1])),
                           _external=True)
    return rows, next_url


def _answer(body: dict, last_modified: datetime | None, next_url: str | None = None):
    response = jsonify(body)
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return conditional(response, last_modified)


def _list_body(items: list, next_url: str | None) -> dict:
    return {"data": items, "links": {"self": iri_to_uri(request.url), "next": next_url}}


# --- The front door ----------------------------------------------------------------------


@bp.get("/")
def index():
    """Where a program starts: every list, the description of the API, and the data's licence."""
    settings = board_settings()
    lists = {"ideas": "api.ideas", "help_requests": "api.help_requests", "topics": "api.topics",
             "areas": "api.areas", "statuses": "api.statuses", "skills": "api.skills",
             "openapi": "api.openapi"}
    links = {name: url_for(endpoint, _external=True) for name, endpoint in lists.items()}
    return _answer({
        "links": {**links, "licence": settings.data_licence_url},
        "licence": {"name": settings.data_licence_name, "url": settings.data_licence_url},
    }, None)


# --- Ideas ------------------------------------------------------------------------------

# Lists carry each description, so that reusing them needs no request per item.
IDEA_LOAD = (joinedload(Idea.author), joinedload(Idea.area), selectinload(Idea.topics))


@bp.get("/ideas")
def ideas():
    sort = _choice("sort", IDEA_SORTS, "new")
    status = _choice("status", IdeaStatus.ALL)
    topic, area = _label(Topic, "topic"), _label(Area, "area")
    limit = _limit()
    query = select(Idea).where(Idea.visible()).options(*IDEA_LOAD)
    if topic:
        query = query.where(Idea.id.in_(select(idea_topics.c.idea_id).where(idea_topics.c.topic_id == topic.id)))
    if area:
        query = query.where(Idea.area_id == area.id)
    if status:
        query = query.where(Idea.status == status)
    if sort == "trending":
        items, next_url = _trending(query, limit)
    else:
        columns = {
            "new": [Idea.id],
            "popular": [Idea.supporters_count, Idea.id],
            "active": [Idea.last_activity_at, Idea.id],
        }[sort]
        query = query.add_columns(*columns[:-1])
        kinds = {"new": (int,), "popular": (int, int), "active": (datetime, int)}[sort]
        position = cursors.decode(request.args.get("cursor"), kinds)
        if position:
            query = query.where(cursors.after(columns, position))
        rows = db.session.execute(query.order_by(*(c.desc() for c in columns)).limit(limit + 1)).all()
        rows, next_url = _page(rows, limit, lambda row: [*row[1:], row[0].id], "api.ideas")
        items = [row[0] for row in rows]
    photos = public_photos_of(items)
    return _answer(_list_body([represent.idea(i, photos.get(i.id, [])) for i in items], next_url),
                   newest(*(i.last_activity_at for i in items)), next_url)


def _trending(query, limit: int):
    """Ideas supported since the cutoff, the latest supported first, then every other idea,
    newest first. The cursor carries the cutoff of the first page, so that no idea crosses
    from one part to the other while someone pages through."""
    position = cursors.decode(request.args.get("cursor"), (datetime, int, cursors.DATETIME_OR_NONE, int))
    if position and (position[1] not in (0, 1) or (position[1] == 0) == (position[2] is None)):
        abort(400, "That cursor is not valid: use the 'next' link of a previous page.")
    since = position[0] if position else trending_since()
    rows = []
    if not position or position[1] == 0:
        recent = query.where(Idea.last_supported_at >= since)
        if position:
            recent = recent.where(cursors.after([Idea.last_supported_at, Idea.id], position[2:]))
        rows = db.session.scalars(
            recent.order_by(Idea.last_supported_at.desc(), Idea.id.desc()).limit(limit + 1)).all()
    if len(rows) <= limit:
        rest = query.where(or_(Idea.last_supported_at.is_(None), Idea.last_supported_at < since))
        if position and position[1] == 1:
            rest = rest.where(Idea.id < position[3])
        rows += db.session.scalars(rest.order_by(Idea.id.desc()).limit(limit + 1 - len(rows))).all()

    def cursor_of(idea: Idea) -> list:
        if idea.last_supported_at is not None and idea.last_supported_at >= since:
            return [since, 0, idea.last_supported_at, idea.id]
        return [since, 1, None, idea.id]

    return _page(rows, limit, cursor_of, "api.ideas")


def _visible(model, thing_id: int, *options):
    thing = db.session.scalar(select(model).where(model.id == thing_id, model.visible()).options(*options))
    if thing is None:
        abort(404, "Nothing visible has that id.")
    return thing


# An idea with what its row says it has: most have no official response and no help requests.
IDEA_IN_FULL = (
    select(Idea, IDEA_HAS_ANSWERS, IDEA_HAS_HELP_REQUESTS)
    .where(Idea.id == bindparam("idea_id"), Idea.visible())
    .options(*IDEA_LOAD)
)
NEEDS_OF = (
    select(HelpRequest).where(HelpRequest.idea_id == bindparam("idea_id"), HelpRequest.visible())
    .options(*HelpRequest.without_bodies()).order_by(HelpRequest.id)
)


@bp.get("/ideas/<id:idea_id>")
def idea(idea_id: int):
    found = db.session.execute(IDEA_IN_FULL, {"idea_id": idea_id}).one_or_none()
    if found is None:
        abort(404, "Nothing visible has that id.")
    item, any_answers, any_help_requests = found
    answers = db.session.scalars(ANSWERS_TO, {"idea_id": item.id}).all() if any_answers else []
    # As if loaded with the idea, in the order the relationship keeps them.
    set_committed_value(item, "status_updates", answers)
    requests = db.session.scalars(NEEDS_OF, {"idea_id": item.id}).all() if any_help_requests else []
    return _answer(represent.idea_in_full(item, public_photos_of([item]).get(item.id, []), requests),
                   newest(item.updated_at, item.last_activity_at, item.created_at))


def _comments_on(column, target_id: int, endpoint: str, **values):
    limit = _limit()
    position = cursors.decode(request.args.get("cursor"), (int,))
    query = (
        select(Comment).where(column == target_id, Comment.visible())
        .options(joinedload(Comment.author)).order_by(Comment.id).limit(limit + 1)
    )
    if position:
        query = query.where(Comment.id > position[0])
    rows, next_url = _page(db.session.scalars(query).all(), limit, lambda c: [c.id], endpoint, **values)
    return _answer(_list_body([represent.comment(c) for c in rows], next_url),
                   newest(*(c.updated_at or c.created_at for c in rows)), next_url)


@bp.get("/ideas/<id:idea_id>/comments")
def idea_comments(idea_id: int):
    _visible(Idea, idea_id)
    return _comments_on(Comment.idea_id, idea_id, "api.idea_comments", idea_id=idea_id)


# --- Help requests ----------------------------------------------------------------------

HELP_LOAD = (joinedload(HelpRequest.author), joinedload(HelpRequest.area), joinedload(HelpRequest.idea),
             selectinload(HelpRequest.topics), selectinload(HelpRequest.skills))


@bp.get("/help-requests")
def help_requests():
    status = _choice("status", HelpStatus.ALL)
    kind = _choice("kind", HelpKind.ALL)
    topic, area = _label(Topic, "topic"), _label(Area, "area")
    limit = _limit()
    query = select(HelpRequest).where(HelpRequest.visible()).options(*HELP_LOAD)
    if status:
        query = query.where(HelpRequest.status == status)
    if kind:
        query = query.where(HelpRequest.kind == kind)
    if topic:
        query = query.where(HelpRequest.id.in_(
            select(help_request_topics.c.help_request_id).where(help_request_topics.c.topic_id == topic.id)))
    if area:
        query = query.where(HelpRequest.area_id == area.id)
    if request.args.get("skill") is not None:
        query = query.where(HelpRequest.id.in_(
            select(help_request_skills.c.help_request_id)
            .join(Skill, Skill.id == help_request_skills.c.skill_id)
            .where(Skill.name == normalise_skill(request.args["skill"]))))
    # Open requests first, then matched, then closed; newest first within each.
    columns = [HelpRequest.status, HelpRequest.id]
    position = cursors.decode(request.args.get("cursor"), (str, int))
    if position:
        query = query.where(cursors.after(columns, position))
    rows = db.session.scalars(query.order_by(*(c.desc() for c in columns)).limit(limit + 1)).all()
    rows, next_url = _page(rows, limit, lambda r: [r.status, r.id], "api.help_requests")
    photos = public_photos_of(rows)
    return _answer(_list_body([represent.help_request(r, photos.get(r.id, [])) for r in rows], next_url),
                   newest(*(r.updated_at or r.created_at for r in rows)), next_url)


@bp.get("/help-requests/<id:help_request_id>")
def help_request(help_request_id: int):
    item = _visible(HelpRequest, help_request_id, *HELP_LOAD)
    photos = public_photos_of([item]).get(item.id, [])
    return _answer(represent.help_request_in_full(item, photos), newest(item.updated_at, item.created_at))


@bp.get("/help-requests/<id:help_request_id>/comments")
def help_request_comments(help_request_id: int):
    _visible(HelpRequest, help_request_id)
    return _comments_on(Comment.help_request_id, help_request_id, "api.help_request_comments",
                        help_request_id=help_request_id)


# --- What lists are organised by --------------------------------------------------------


@bp.get("/topics")
def topics():
    return _answer({"data": [represent.label(t) for t in Topic.all()]}, None)


@bp.get("/areas")
def areas():
    return _answer({"data": [represent.label(a) for a in Area.all()]}, None)


@bp.get("/statuses")
def statuses():
    return _answer({
        "ideas": [{"key": k, "label": IdeaStatus.LABELS[k]} for k in IdeaStatus.ALL],
        "help_requests": [{"key": k, "label": HelpStatus.LABELS[k]} for k in HelpStatus.ALL],
        "kinds_of_help": [{"key": k, "label": HelpKind.LABELS[k]} for k in HelpKind.ALL],
    }, None)


@bp.get("/skills")
def skills():
    """Skills in use on the board, in alphabetical order."""
    limit = _limit()
    position = cursors.decode(request.args.get("cursor"), (str,))
    query = select(Skill).order_by(Skill.name).limit(limit + 1)
    if position:
        query = query.where(Skill.name > position[0])
    rows, next_url = _page(db.session.scalars(query).all(), limit, lambda s: [s.name], "api.skills")
    return _answer(_list_body([
        {"name": s.name, "url": url_for("people.skill", name=s.name, _external=True),
         "help_requests_url": url_for("api.help_requests", skill=s.name, _external=True)}
        for s in rows
    ], next_url), None, next_url)


@bp.get("/people/<username>")
def person(username: str):
    user = db.session.scalar(
        select(User).where(func.lower(User.username) == username.lower())
        .options(selectinload(User.skills))
    )
    if user is None:
        abort(404, "Nobody has that username.")
    return _answer(represent.profile(user), None)


@bp.get("/openapi.json")
def openapi():
    return _answer(document(), None)


@bp.get("/stats")
def stats():
    """The figures of /stats, for the topic and area asked for."""
    from ..stats.routes import current_figures

    _filters, numbers = current_figures()
    return _answer(numbers.as_json(), None)
