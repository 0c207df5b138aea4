"""Comments on ideas and help requests: posting, editing, deleting."""

from __future__ import annotations

import re

from flask import Blueprint, flash, get_template_attribute, redirect, render_template, url_for
from flask_login import current_user
from markupsafe import Markup

from .. import fragments
from ..extensions import db
from ..listing import comment_views, discussion_state

bp = Blueprint("comments", __name__, url_prefix="/comments")


def comment_url(comment) -> str:
    """Where a comment is shown: on its idea's or help request's page, at its anchor."""
    if comment.idea_id is not None:
        page = url_for("ideas.detail", idea_id=comment.idea_id)
    else:
        page = url_for("help.detail", help_request_id=comment.help_request_id)
    return f"{page}#comment-{comment.id}"


_ACTIONS = re.compile(r"<!--actions:(\d+):(\d+)-->")


def discussion_html(target) -> Markup:
    """The comments on an idea or help request, with edit links on the viewer's own.

    The list is the same for everyone, so it is rendered once and kept (board/fragments.py)
    under a key that changes whenever a comment is added, edited, hidden or removed.
    """
    key = ("discussion", type(target).__name__, target.id, *discussion_state(target))
    html = fragments.cached(
        key, lambda: render_template("comments/_thread.html", comments=comment_views(target))
    )
    viewer_id = current_user.id if current_user.is_authenticated else None
    actions = get_template_attribute("_macros.html", "comment_actions")

    def own_actions(mark: re.Match) -> str:
        return str(actions(int(mark[1]))) if int(mark[2]) == viewer_id else ""

    return Markup(_ACTIONS.sub(own_actions, html))


def post_comment_or_show_errors(target, form, show_page):
    """Shared by ideas and help requests: save the comment, or show the page again with errors."""
    if form.validate_on_submit():
        comment = target.add_comment(current_user, form.comment.data)
        db.session.commit()
        flash("Your comment is posted.", "success")
        return redirect(comment_url(comment))
    return show_page(), 422


from . import routes  # noqa: E402,F401
