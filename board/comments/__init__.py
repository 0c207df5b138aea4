"""Comments on ideas and help requests: posting, editing, deleting."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    get_template_attribute,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from .. import fragments
from ..extensions import db
from ..languages import page_language
from ..listing import comment_views, comments_before_it, comments_on, discussion_state, model_of
from ..models import Comment, Idea, NotPossible
from ..page_cache import drawn_in_code, for_this_person, shown_differently_to
from ..pagination import paginate, requested_page
from .thread import thread_html

bp = Blueprint("comments", __name__, url_prefix="/comments")


def target_url(target) -> str:
    """The page of an idea or a help request."""
    if isinstance(target, Idea):
        return url_for("ideas.detail", idea_id=target.id)
    return url_for("help.detail", help_request_id=target.id)


def comment_url(comment, on_joined_idea: bool = False, comments_before: int | None = None) -> str:
    """Where a comment is shown: on its idea's or help request's page, on the page of its
    discussion it is on, at its anchor. An idea joined with another keeps its comments on
    its own page (?stay=1), not the other's. `comments_before`: its place in the discussion
    (COMMENTS_BEFORE), when read already; otherwise it is read here."""
    if comments_before is None:
        comments_before = comments_before_it(comment)
    number = comments_before // current_app.config["COMMENTS_PER_PAGE"] + 1
    values = {"page": number} if number > 1 else {}
    if comment.idea_id is not None:
        page = url_for("ideas.detail", idea_id=comment.idea_id, **({"stay": 1} if on_joined_idea else {}), **values)
    else:
        page = url_for("help.detail", help_request_id=comment.help_request_id, **values)
    return f"{page}#comment-{comment.id}"


_ACTIONS = re.compile(r"<!--actions:(\d+):(\d+)-->")
_ANY_ID = 2**62  # stands in for a comment's id while its links are rendered once
_HIDDEN = re.compile(r"<!--hidden:(\d+):(\d+)-->")


def _show_hidden_to_those_who_may(html: str) -> str:
    """A hidden comment's author, and the moderators, still read what it said."""
    viewer_id, moderator = current_user.id, current_user.is_moderator
    readable = [int(m[1]) for m in _HIDDEN.finditer(html) if moderator or int(m[2]) == viewer_id]
    texts = dict(db.session.execute(
        select(Comment.id, Comment.body_html).where(Comment.id.in_(readable))
    ).all()) if readable else {}
    show = get_template_attribute("_macros.html", "hidden_comment")

    def reveal(mark: re.Match) -> str:
        comment_id = int(mark[1])
        return str(show(comment_id, Markup(texts[comment_id]))) if comment_id in texts else ""

    return _HIDDEN.sub(reveal, html)


def discussion_html(target) -> Markup:
    """The comments on an idea or help request, with edit links on the viewer's own.

    The list is the same for everyone, so it is rendered once and kept (board/fragments.py)
    under a key that changes whenever a comment is added, edited, hidden or removed. On a
    page that may be kept and sent to others (board/page_cache.py), each comment's links
    are a place drawn for whoever reads it, and a hidden comment's text is left out: those
    who may read it (its author, the staff) get the page rendered for them.
    """
    # One kept copy per language: the thread's own words ("edited", "3 minutes ago") are
    # translated; and per page of the discussion, whose links keep a joined idea's ?stay=1.
    stay = bool(request.args.get("stay"))
    html = fragments.cached_in_its_state(
        ("discussion", page_language(), model_of(target).__name__, target.id, requested_page(), stay),
        lambda: discussion_state(target),
        lambda: _page_of_discussion(target, stay),
    )
    if g.get("page_key") is not None:
        hidden_authors = {int(mark[2]) for mark in _HIDDEN.finditer(html)}
        if hidden_authors:
            shown_differently_to(hidden_authors, staff=True)  # which may be this person
    if g.get("page_key") is not None:  # still a page for others too
        html = _HIDDEN.sub("", html)
        return Markup(_ACTIONS.sub(lambda mark: for_this_person("comment_actions", int(mark[1]), int(mark[2])), html))
    if current_user.is_authenticated:
        html = _show_hidden_to_those_who_may(html)
    else:
        html = _HIDDEN.sub("", html)
    links = iter(comment_actions([(int(mark[1]), int(mark[2])) for mark in _ACTIONS.finditer(html)]))
    return Markup(_ACTIONS.sub(lambda _mark: next(links), html))


def _page_of_discussion(target, stay: bool) -> str:
    """The page of the discussion asked for (?page=, COMMENTS_PER_PAGE comments each; past
    its end, the last), with links to the pages either side. A long discussion drawn whole
    made a page of megabytes, for readers and for the worker's memory alike."""
    page = paginate(lambda limit, offset: comment_views(target, limit, offset), lambda: comments_on(target),
                    per_page=current_app.config["COMMENTS_PER_PAGE"])
    html = thread_html(page.items)
    if not (page.has_prev or page.has_next):
        return html
    if model_of(target) is Idea:
        endpoint, values = "ideas.detail", {"idea_id": target.id, **({"stay": 1} if stay else {})}
    else:
        endpoint, values = "help.detail", {"help_request_id": target.id}
    pages = get_template_attribute("_macros.html", "pagination")
    return html + str(pages(page, endpoint, **values, _anchor="comments-heading"))


@drawn_in_code("comment_actions")
def comment_actions(comments: list[tuple[int, int]]) -> list[str]:
    """Each comment's links, given its id and its author's, for the person reading: edit
    and delete on their own, report on others', moderate for staff; none for visitors.
    Rendered once for one's own comments and once for others', then completed for each:
    rendering them per comment cost as much as the thread."""
    if not current_user.is_authenticated:
        return [""] * len(comments)
    viewer = current_user._get_current_object()
    own, others = (_links_drawn(own=mine, moderator=viewer.is_moderator) for mine in (True, False))
    viewer_id, any_id = viewer.id, str(_ANY_ID)
    return [(own if author_id == viewer_id else others).replace(any_id, str(comment_id))
            for comment_id, author_id in comments]


def _links_drawn(own: bool, moderator: bool) -> str:
    """The links of any comment (`_ANY_ID`) as the macro draws them: they depend only on
    whether it is the reader's own, whether the reader moderates, and the language."""
    drawn = current_app.extensions.setdefault("comment_links", {})
    key = (page_language(), request.script_root, own, moderator)
    links = drawn.get(key)
    if links is None:
        links = drawn[key] = str(get_template_attribute("_macros.html", "comment_actions")(_ANY_ID, own=own))
    return links


def post_comment_or_show_errors(target, form, show_page):
    """Shared by ideas and help requests: save the comment, or show the page again with errors."""
    if form.validate_on_submit():
        try:
            comment = target.add_comment(current_user, form.comment.data)
            comment.language = form.language.data
        except NotPossible as refusal:
            flash(str(refusal), "error")
            return redirect(target_url(target))
        db.session.commit()
        flash(_("Your comment is posted."), "success")
        return redirect(comment_url(comment))
    return show_page(), 422


from . import routes  # noqa: E402,F401
