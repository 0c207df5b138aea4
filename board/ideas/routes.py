from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..comments import discussion_html, post_comment_or_show_errors
from ..extensions import db
from ..listing import help_cards, help_list, idea_cards, idea_list
from ..models import HelpRequest, Idea
from ..pagination import count_rows, paginate
from ..permissions import can_see, ensure_can_edit, visible_or_404
from ..rate_limits import posting_limit
from . import bp
from .forms import CommentForm, IdeaForm

# The most help requests an idea's page lists, oldest first.
NEEDS_SHOWN = 100

SORTS = {
    "new": ("Newest", (Idea.id.desc(),)),
    "popular": ("Most supported", (Idea.supporters_count.desc(), Idea.id.desc())),
}
LISTS = {sort: idea_list(order_by=order_by) for sort, (_, order_by) in SORTS.items()}
IDEA_WITH_AUTHOR = (
    select(Idea).where(Idea.id == bindparam("idea_id")).options(joinedload(Idea.author))
)
NEEDS = help_list(HelpRequest.idea_id == bindparam("idea_id"), order_by=[HelpRequest.id])


@bp.get("")
def index():
    sort = request.args.get("sort", "new")
    if sort not in SORTS:
        sort = "new"
    page = paginate(
        lambda limit, offset: idea_cards(LISTS[sort], limit=limit, offset=offset),
        lambda: count_rows(Idea, [Idea.visible()]),
    )
    return render_template("ideas/list.html", page=page, sort=sort, sorts=SORTS)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@posting_limit
def new():
    form = IdeaForm()
    if form.validate_on_submit():
        idea = Idea.post(current_user, form.title.data, form.description.data)
        db.session.commit()
        flash("Your idea is on the board.", "success")
        return redirect(url_for("ideas.detail", idea_id=idea.id))
    return render_template("ideas/form.html", form=form, idea=None), 422 if form.errors else 200


@bp.get("/<id:idea_id>")
def detail(idea_id: int):
    return _detail_page(idea_id)


def _detail_page(idea_id: int, comment_form: CommentForm | None = None):
    idea = db.session.scalar(IDEA_WITH_AUTHOR, {"idea_id": idea_id})
    if idea is None:
        abort(404)
    return render_template(
        "ideas/detail.html",
        idea=idea,
        # Hidden by a moderator: a placeholder, with the discussion still readable.
        removed=not can_see(idea),
        comments_html=discussion_html(idea),
        help_requests=help_cards(NEEDS, limit=NEEDS_SHOWN, idea_id=idea.id),
        team=idea.team(),
        supported=idea.is_supported_by(current_user),
        # Forms only for people who can use them: a form makes a CSRF token, and with
        # it a session cookie, which visitors who only read should not get.
        comment_form=comment_form or (CommentForm() if current_user.is_authenticated else None),
    )


@bp.route("/<id:idea_id>/edit", methods=["GET", "POST"])
@login_required
def edit(idea_id: int):
    idea = visible_or_404(Idea, idea_id)
    ensure_can_edit(idea)
    form = IdeaForm(data={"title": idea.title, "description": idea.body})
    if form.validate_on_submit():
        idea.edit(form.title.data, form.description.data)
        db.session.commit()
        flash("Your changes are saved.", "success")
        return redirect(url_for("ideas.detail", idea_id=idea.id))
    return render_template("ideas/form.html", form=form, idea=idea), 422 if form.errors else 200


@bp.route("/<id:idea_id>/delete", methods=["GET", "POST"])
@login_required
def delete(idea_id: int):
    idea = visible_or_404(Idea, idea_id)
    ensure_can_edit(idea)
    if request.method == "POST":
        db.session.delete(idea)
        db.session.commit()
        flash("Your idea has been deleted.", "success")
        return redirect(url_for("ideas.index"))
    return render_template(
        "confirm_delete.html",
        what="idea",
        title=idea.title,
        consequence="Its comments and supports will be deleted too. "
        "Help requests linked to it stay, without the link.",
        action=url_for("ideas.delete", idea_id=idea.id),
        back=url_for("ideas.detail", idea_id=idea.id),
    )


@bp.post("/<id:idea_id>/support")
@login_required
@posting_limit
def support(idea_id: int):
    idea = visible_or_404(Idea, idea_id)
    supported = idea.toggle_support(current_user)
    db.session.commit()
    flash(
        "You support this idea." if supported else "You no longer support this idea.", "success"
    )
    return redirect(url_for("ideas.detail", idea_id=idea.id) + "#support")


@bp.post("/<id:idea_id>/comments")
@login_required
@posting_limit
def comment(idea_id: int):
    idea = visible_or_404(Idea, idea_id)
    form = CommentForm()
    return post_comment_or_show_errors(
        idea, form, lambda: _detail_page(idea.id, comment_form=form)
    )
