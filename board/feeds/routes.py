"""Atom feeds, built with feedgen. Entry ids are tag URIs made from the board's address
and the thing's id, so they never change when a post is edited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import Response, abort, current_app, request, url_for
from markupsafe import Markup, escape
from sqlalchemy import false, select
from sqlalchemy.orm import joinedload

from ..admin import board_settings
from ..conditional import conditional
from ..extensions import db, read_rows
from ..filters import read_filters
from ..languages import page_language
from ..languages import translated as _
from ..listing import page_ids, skills_of
from ..models import (
    Comment,
    HelpKind,
    HelpRequest,
    HelpStatus,
    Idea,
    IdeaStatus,
    StatusUpdate,
    User,
    help_request_skills,
    help_request_topics,
    idea_topics,
    name_of,
)
from ..photos import public_photos_of
from ..pledge import answer_clock
from ..templating import remembered_url_for
from . import bp

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

ENTRIES = 50
# When a feed has no entries yet: a fixed moment, so that its ETag stays the same.
EPOCH = datetime(2026, 1, 1)


def tag(kind: str, thing_id: int) -> str:
    """A permanent id for an entry (RFC 4151), e.g. tag:ideas.example.org,2026:ideas/12."""
    host = urlsplit(current_app.config["BOARD_URL"]).hostname or "localhost"
    return f"tag:{host},2026:{kind}/{thing_id}"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def _feed(title: str, feed_id: str, page_url: str, subtitle: str) -> FeedGenerator:
    # Loaded with a worker's first feed, not with the board: it brings lxml, 5 MB a worker.
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    settings = board_settings()
    feed.id(feed_id)
    feed.title(f"{title} – {settings.name}")
    feed.subtitle(subtitle)
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(href=request.url, rel="self", type="application/atom+xml")
    feed.author(name=settings.name)
    feed.rights(f"{settings.data_licence_name}: {settings.data_licence_url}")
    language = page_language()
    feed.language("en-GB" if language == "en" else language)  # the board's English is British
    return feed


def _photo_url(photo, size: str) -> str:
    return remembered_url_for("home.photo", name=photo.filename(size), _external=True)


def _photos_html(photos) -> str:
    """A post's visible photos, at their medium size, each linked to the large one."""
    return "".join(
        f'<p><a href="{_photo_url(p, "large")}"><img src="{_photo_url(p, "medium")}" alt="{escape(p.alt)}"'
        f' width="{p.medium_width}" height="{p.medium_height}"></a></p>'
        for p in photos
    )


def _entry(feed: FeedGenerator, *, entry_id: str, title: str, url: str, author: str,
           published: datetime, updated: datetime, html: str, photos=()) -> None:
    entry = feed.add_entry(order="append")
    entry.id(entry_id)
    entry.title(title)
    entry.link(href=url, rel="alternate", type="text/html")
    # Photos are in the content, with their descriptions, rather than as enclosure links:
    # feedgen writes an entry's links without their rel, which would make each an alternate.
    entry.author(name=author)
    entry.published(_utc(published))
    entry.updated(_utc(updated))
    entry.content(str(html) + _photos_html(photos), type="html")


def _answer(feed: FeedGenerator, moments: list[datetime]) -> Response:
    last = max(moments, default=EPOCH)
    feed.updated(_utc(last))
    response = Response(feed.atom_str(pretty=True), mimetype="application/atom+xml")
    return conditional(response, last)


def _newest(model, columns: tuple, conditions: list):
    """The ENTRIES newest visible `model` rows meeting `conditions`, as plain rows of `columns`
    and their author's name: fifty posts and their authors made into objects cost more than
    the rest of a feed. Their ids come first from the lists' covering index (`page_ids`), so
    that only the rows shown are read: a filter can match thousands, each with its body.
    Run with NEWEST_PAGE."""
    newest = page_ids(model, conditions, (model.id.desc(),))
    return (
        select(*columns, User.display_name, User.username, User.erased_at)
        .join(newest, newest.c.id == model.id)
        .join(User, User.id == model.author_id)
        .order_by(model.id.desc())
    )


NEWEST_PAGE = {"limit": ENTRIES, "offset": 0}
IDEA_ENTRY = (Idea.id, Idea.title, Idea.created_at, Idea.updated_at, Idea.duplicate_of_id,
              Idea.body_html, Idea.status, Idea.pledge_reached_at, Idea.answered_at)
REQUEST_ENTRY = (HelpRequest.id, HelpRequest.title, HelpRequest.created_at, HelpRequest.updated_at,
                 HelpRequest.body_html)


# --- Ideas ------------------------------------------------------------------------------


@bp.get("/ideas.atom")
def ideas():
    """The newest ideas, filtered like the list: ?topic=&area=&status=."""
    filters = read_filters(statuses=IdeaStatus.ALL)
    conditions = []
    if filters.topic:
        conditions.append(Idea.id.in_(
            select(idea_topics.c.idea_id).where(idea_topics.c.topic_id == filters.topic.id)))
    if filters.area:
        conditions.append(Idea.area_id == filters.area.id)
    if filters.status:
        conditions.append(Idea.status == filters.status)
    described = [
        name for name in (
            filters.topic and filters.topic.name, filters.area and filters.area.name,
            filters.status and IdeaStatus.LABELS[filters.status],
        ) if name
    ]
    title = _("Ideas: %(filters)s", filters=", ".join(map(str, described))) if described else _("Ideas")
    feed = _feed(title, tag("feeds/ideas", 0) + (f"?{request.query_string.decode()}" if described else ""),
                 url_for("ideas.index", **filters.args(), _external=True),
                 _("New ideas for the area, newest first."))
    moments = []
    ideas = read_rows(_newest(Idea, IDEA_ENTRY, conditions), NEWEST_PAGE).all()
    photos = public_photos_of(ideas, Idea)
    for idea in ideas:
        updated = idea.updated_at or idea.created_at
        moments.append(updated)
        joined = ""
        # A duplicate says which idea it joined, with its address, before its own words.
        if idea.duplicate_of_id is not None:
            target = remembered_url_for("ideas.detail", idea_id=idea.duplicate_of_id, _external=True)
            link = Markup('<a href="{0}">{0}</a>').format(target)
            joined = Markup("<p>{}</p>").format(Markup(_("Joined idea %(link)s", link=link)))
        _entry(feed, entry_id=tag("ideas", idea.id), title=idea.title,
               url=remembered_url_for("ideas.detail", idea_id=idea.id, _external=True),
               author=name_of(idea.display_name, idea.username, idea.erased_at),
               published=idea.created_at, updated=updated,
               html=f"{joined}{answer_clock(idea)}{idea.body_html}", photos=photos.get(idea.id, ()))
    return _answer(feed, moments)


@bp.get("/ideas/<id:idea_id>/activity.atom")
def idea_activity(idea_id: int):
    """What happens on one idea: comments, help requests and official answers."""
    idea = db.session.scalar(select(Idea).where(Idea.id == idea_id, Idea.visible()))
    if idea is None:
        abort(404)
    page = url_for("ideas.detail", idea_id=idea.id, _external=True)
    feed = _feed(_("Activity on “%(title)s”", title=idea.title), tag("feeds/ideas", idea.id), page,
                 _("Comments, help requests and official responses, newest first."))
    happenings = []
    for comment in db.session.scalars(
        select(Comment).where(Comment.idea_id == idea.id, Comment.visible())
        .options(joinedload(Comment.author)).order_by(Comment.id.desc()).limit(ENTRIES)
    ):
        happenings.append(dict(
            entry_id=tag("comments", comment.id), title=_("%(name)s commented", name=comment.author.name),
            url=url_for("comments.show", comment_id=comment.id, _external=True), author=comment.author.name,
            published=comment.created_at, updated=comment.updated_at or comment.created_at,
            html=comment.body_html,
        ))
    for need in db.session.scalars(
        select(HelpRequest).where(HelpRequest.idea_id == idea.id, HelpRequest.visible())
        .options(joinedload(HelpRequest.author)).order_by(HelpRequest.id.desc()).limit(ENTRIES)
    ):
        happenings.append(dict(
            entry_id=tag("help-requests", need.id), title=_("Help needed: %(title)s", title=need.title),
            url=remembered_url_for("help.detail", help_request_id=need.id, _external=True),
            author=need.author.name, published=need.created_at,
            updated=need.updated_at or need.created_at, html=need.body_html,
        ))
    for update in db.session.scalars(
        select(StatusUpdate).where(StatusUpdate.idea_id == idea.id)
        .options(joinedload(StatusUpdate.by)).order_by(StatusUpdate.id.desc()).limit(ENTRIES)
    ):
        happenings.append(dict(
            entry_id=tag("status-updates", update.id),
            title=_("Official response: %(status)s", status=update.status_label), url=f"{page}#official",
            author=update.by.name if update.by else board_settings().name,
            published=update.created_at, updated=update.created_at,
            html=update.response_html or Markup("<p>%s</p>") % _("Status: %(status)s", status=update.status_label),
        ))
    happenings.sort(key=lambda h: h["published"], reverse=True)
    for happening in happenings[:ENTRIES]:
        _entry(feed, **happening)
    return _answer(feed, [h["updated"] for h in happenings[:ENTRIES]])


# --- Help requests ----------------------------------------------------------------------


@bp.get("/help.atom")
def help_requests():
    """Open help requests, newest first: ?skill=&kind=&topic=&area=."""
    filters = read_filters(skills=True, kinds=HelpKind.ALL)
    conditions = [HelpRequest.status == HelpStatus.OPEN]
    if request.args.get("skill") and filters.skill is None:
        conditions.append(false())  # nobody has asked for that skill yet
    if filters.skill:
        conditions.append(HelpRequest.id.in_(
            select(help_request_skills.c.help_request_id)
            .where(help_request_skills.c.skill_id == filters.skill.id)))
    if filters.kind:
        conditions.append(HelpRequest.kind == filters.kind)
    if filters.topic:
        conditions.append(HelpRequest.id.in_(
            select(help_request_topics.c.help_request_id)
            .where(help_request_topics.c.topic_id == filters.topic.id)))
    if filters.area:
        conditions.append(HelpRequest.area_id == filters.area.id)
    described = [
        name for name in (
            filters.skill and filters.skill.name, filters.kind and HelpKind.LABELS[filters.kind],
            filters.topic and filters.topic.name, filters.area and filters.area.name,
        ) if name
    ]
    title = _("Help wanted: %(filters)s", filters=", ".join(map(str, described))) if described else _("Help wanted")
    feed = _feed(title, tag("feeds/help", 0) + (f"?{request.query_string.decode()}" if described else ""),
                 url_for("help.index", status="open", **filters.args(), _external=True),
                 _("Open requests for help, newest first."))
    moments = []
    needs_shown = read_rows(_newest(HelpRequest, REQUEST_ENTRY, conditions), NEWEST_PAGE).all()
    photos = public_photos_of(needs_shown, HelpRequest)
    skills_needed = skills_of([need.id for need in needs_shown])
    for need in needs_shown:
        updated = need.updated_at or need.created_at
        moments.append(updated)
        skills = ", ".join(skills_needed[need.id])
        # Written outside an f-string, where the catalogue's extraction would not find it;
        # the skills are people's words, escaped like any other.
        needs = Markup("<p>%s</p>") % _("Needs: %(skills)s", skills=skills) if skills else ""
        _entry(feed, entry_id=tag("help-requests", need.id), title=need.title,
               url=remembered_url_for("help.detail", help_request_id=need.id, _external=True),
               author=name_of(need.display_name, need.username, need.erased_at),
               published=need.created_at, updated=updated, html=f"{need.body_html}{needs}",
               photos=photos.get(need.id, ()))
    return _answer(feed, moments)
