"""Comments on ideas and help requests: posting, editing, deleting."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from ..extensions import db

bp = Blueprint("comments", __name__, url_prefix="/comments")


def comment_url(comment) -> str:
    """Where a comment is shown: on its idea's or help request's page, at its anchor."""
    if comment.idea_id is not None:
        page = url_for("ideas.detail", idea_id=comment.idea_id)
    else:
        page = url_for("help.detail", help_request_id=comment.help_request_id)
    return f"{page}#comment-{comment.id}"


def post_comment_or_show_errors(target, form, show_page):
    """Shared by ideas and help requests: save the comment, or show the page again with errors."""
    if form.validate_on_submit():
        comment = target.add_comment(current_user, form.comment.data)
        db.session.commit()
        flash("Your comment is posted.", "success")
        return redirect(comment_url(comment))
    return show_page(), 422


from . import routes  # noqa: E402,F401
