from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..comments import comment_url
from ..extensions import db, read_rows
from ..filters import choices_of, read_filters
from ..listing import COMMENTS_BEFORE, Person, person_columns
from ..models import Area, Comment, HelpRequest, Idea, IdeaStatus, Topic, User
from ..page_cache import same_for_everyone
from ..pagination import paginate
from ..templating import remembered_url_for
from . import bp
from .index import KIND_LABELS, count, match_expression, search

# Which ids each filter allows, per kind; filters narrow the search to the kinds they apply to.
FILTER_IDS = {
    "topic": {
        "idea": "SELECT idea_id FROM idea_topics WHERE topic_id = :topic_id",
        "help_request": "SELECT help_request_id FROM help_request_topics WHERE topic_id = :topic_id",
    },
    "area": {
        "idea": "SELECT id FROM ideas WHERE area_id = :area_id",
        "help_request": "SELECT id FROM help_requests WHERE area_id = :area_id",
    },
    "status": {"idea": "SELECT id FROM ideas WHERE status = :status"},
}


@bp.get("/search")
@same_for_everyone
def results():
    query = request.args.get("q", "")
    kind = request.args.get("kind", "all")
    if kind not in KIND_LABELS:
        kind = "all"
    filters = read_filters(statuses=IdeaStatus.ALL)
    kinds = tuple(KIND_LABELS) if kind == "all" else (kind,)
    only_ids: dict[str, list[str]] = {}
    for name in filters.active:
        kinds = tuple(k for k in kinds if k in FILTER_IDS[name])
        for each, subquery in FILTER_IDS[name].items():
            only_ids.setdefault(each, []).append(subquery)
    narrowed = {each: " INTERSECT ".join(subqueries) for each, subqueries in only_ids.items()}
    expression = match_expression(query)
    page = None
    if expression and kinds:
        page = paginate(
            lambda limit, offset: with_context(search(
                expression, kinds=kinds, only_ids=narrowed, limit=limit, offset=offset,
                params=filters.params(),
            )),
            lambda: count(expression, kinds=kinds, only_ids=narrowed, params=filters.params()),
        )
    return render_template(
        "search/results.html", query=query, expression=expression, page=page, kind=kind,
        kinds=KIND_LABELS, filters=filters, topics=choices_of(Topic), areas=choices_of(Area),
        statuses=IdeaStatus,
    )


def with_context(hits):
    """What each hit needs to be shown: a comment's discussion and everyone's author."""
    ids = {kind: [hit.target_id for hit in hits if hit.kind == kind] for kind in KIND_LABELS}
    authors = {}
    for model, kind in ((Idea, "idea"), (HelpRequest, "help_request")):
        if ids[kind]:
            for thing_id, *author in read_rows(
                select(model.id, *person_columns(User)).join(User, User.id == model.author_id)
                .where(model.id.in_(ids[kind]))
            ):
                authors[(kind, thing_id)] = Person(*author)
    discussions, urls = {}, {}
    if ids["comment"]:
        for (comment, idea_title, idea_hidden, joined_to, request_title, request_hidden, comments_before,
             *author) in db.session.execute(
            select(Comment, Idea.title, Idea.hidden_at, Idea.duplicate_of_id,
                   HelpRequest.title, HelpRequest.hidden_at, COMMENTS_BEFORE, *person_columns(User))
            .join(User, User.id == Comment.author_id)
            .outerjoin(Idea, Idea.id == Comment.idea_id)
            .outerjoin(HelpRequest, HelpRequest.id == Comment.help_request_id)
            .where(Comment.id.in_(ids["comment"]))
        ):
            authors[("comment", comment.id)] = Person(*author)
            # Straight to the comment in its place, rather than through /comments/N.
            urls[comment.id] = comment_url(comment, on_joined_idea=joined_to is not None,
                                           comments_before=comments_before)
            # What a comment is on may itself be hidden: then its title is not shown either.
            if idea_title is not None:
                discussions[comment.id] = _("a removed idea") if idea_hidden else idea_title
            else:
                discussions[comment.id] = _("a removed help request") if request_hidden else request_title
    for hit in hits:
        hit.author = authors.get((hit.kind, hit.target_id))
        hit.discussion = discussions.get(hit.target_id) if hit.kind == "comment" else None
        if hit.kind == "idea":
            hit.url = remembered_url_for("ideas.detail", idea_id=hit.target_id)
        elif hit.kind == "help_request":
            hit.url = remembered_url_for("help.detail", help_request_id=hit.target_id)
        else:
            hit.url = urls.get(hit.target_id)
    return [hit for hit in hits if hit.author is not None]
