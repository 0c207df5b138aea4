from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from ..extensions import db
from ..models import Comment
from ..notifications.reading import delete_with_its_notifications
from ..permissions import ensure_can_edit, visible_or_404
from . import bp, comment_url
from .forms import EditCommentForm


def own_comment_or_error(comment_id: int) -> Comment:
    comment = visible_or_404(Comment, comment_id)
    ensure_can_edit(comment)
    return comment


@bp.get("/<id:comment_id>")
def show(comment_id: int):
    """A comment's own address: its place in the discussion it belongs to, on the page of it
    where it is now (earlier comments deleted move it)."""
    comment = visible_or_404(Comment, comment_id)
    joined = comment.idea is not None and comment.idea.duplicate_of_id is not None
    return redirect(comment_url(comment, on_joined_idea=joined))


@bp.route("/<id:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    comment = own_comment_or_error(comment_id)
    form = EditCommentForm(data={"comment": comment.body, "language": comment.language})
    if form.validate_on_submit():
        comment.edit(form.comment.data)
        comment.language = form.language.data
        db.session.commit()
        flash(_("Your comment is updated."), "success")
        return redirect(comment_url(comment))
    status = 422 if form.errors else 200
    return render_template("comments/edit.html", form=form, comment=comment), status


@bp.route("/<id:comment_id>/delete", methods=["GET", "POST"])
@login_required
def delete(comment_id: int):
    comment = own_comment_or_error(comment_id)
    back = comment_url(comment)
    if request.method == "POST":
        back = back.split("#")[0]
        delete_with_its_notifications(comment)
        db.session.commit()
        flash(_("Your comment has been deleted."), "success")
        return redirect(back)
    return render_template(
        "confirm_delete.html",
        what="comment",
        title=None,
        quote=comment.body,
        consequence=None,
        action=request.path,
        back=back,
    )
