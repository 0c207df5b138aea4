from __future__ import annotations

from functools import cache

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import bindparam, exists, select

from ..comments import discussion_html, post_comment_or_show_errors
from ..extensions import db, read_rows
from ..filters import area_name_column, choices_of, read_filters, topic_ids_column, topics_listed
from ..listing import (
    IdeaShown,
    help_cards,
    help_list,
    idea_cards,
    idea_list,
    idea_team,
    read_post,
    shown_columns,
    trending_idea_list,
    trending_since,
)
from ..models import (
    ANSWERS_TO,
    IDEA_HAS_ANSWERS,
    IDEA_HAS_HELP_REQUESTS,
    Area,
    Decision,
    DuplicateProposal,
    HelpRequest,
    Idea,
    IdeaStatus,
    NotAllowed,
    NotPossible,
    Support,
    Topic,
    User,
    idea_topics,
)
from ..notifications.following import IDEA_FOLLOWED_BY_READER, reader_id
from ..notifications.reading import delete_with_its_notifications
from ..page_cache import same_for_everyone, shown_differently_to
from ..pagination import count_rows, paginate
from ..permissions import (
    can_see,
    confirmed_to_post,
    ensure_can_edit,
    is_moderator,
    moderators_only,
    visible_or_404,
)
from ..photos import IDEA_HAS_PHOTOS, photo_form, photos_on, shown_photos
from ..pledge import CLOCK_CONDITIONS, ClockFilter, awaiting, overdue_since, the_pledge
from ..rate_limits import posting_limit
from ..words import lazy_gettext as _l
from . import bp
from .duplicates import (
    HAS_PROPOSALS_AROUND,
    accept,
    can_be_joined,
    decline,
    idea_named,
    may_decide,
    may_propose,
    proposals_around,
    propose,
    release_joined,
)
from .forms import AnswerForm, CommentForm, DuplicateForm, IdeaForm
from .similar import similar_ideas, supported_among

# The most help requests an idea's page lists, oldest first.
NEEDS_SHOWN = 100

SORTS = {
    "new": (_l("Newest"), (Idea.id.desc(),)),
    "popular": (_l("Most supported"), (Idea.supporters_count.desc(), Idea.id.desc())),
    "active": (_l("Most active"), (Idea.last_activity_at.desc(), Idea.id.desc())),
    # Supported in the last 14 days, the latest first, then every other idea, newest first.
    "trending": (_l("Trending"), None),
    # Only while the board makes a pledge: ideas awaiting an answer, the longest waiting first.
    "waiting": (_l("Waiting longest"), (Idea.pledge_reached_at, Idea.id)),
}
FILTERS = {
    "topic": Idea.id.in_(
        select(idea_topics.c.idea_id).where(idea_topics.c.topic_id == bindparam("topic_id"))
    ),
    "area": Idea.area_id == bindparam("area_id"),
    "status": Idea.status == bindparam("status"),
    **{f"clock_{name}": condition for name, condition in CLOCK_CONDITIONS.items()},
}


def _conditions(sort: str, active: tuple[str, ...]) -> list:
    where = [FILTERS[name] for name in active]
    if sort == "waiting":
        where.append(awaiting())
    return where


@cache
def list_query(sort: str, active: tuple[str, ...]):
    """The ideas list's query for a sort and a combination of filters, built once."""
    where = _conditions(sort, active)
    if sort == "trending":
        return trending_idea_list(*where)
    return idea_list(*where, order_by=SORTS[sort][1])


SUPPORTED_BY_READER = exists().where(
    Support.user_id == bindparam("reader_id"), Support.idea_id == Idea.id
).label("supported_by_reader")
IDEA_WITH_AUTHOR = (
    select(*shown_columns(IdeaShown), HAS_PROPOSALS_AROUND, IDEA_HAS_PHOTOS, SUPPORTED_BY_READER,
           IDEA_FOLLOWED_BY_READER, IDEA_HAS_ANSWERS, IDEA_HAS_HELP_REQUESTS,
           topic_ids_column(idea_topics.c.idea_id, Idea.id), area_name_column(Idea))
    .join(User, User.id == Idea.author_id)
    .where(Idea.id == bindparam("idea_id"))
)
NEEDS = help_list(HelpRequest.idea_id == bindparam("idea_id"), order_by=[HelpRequest.id])
READER_STATE = select(SUPPORTED_BY_READER, IDEA_FOLLOWED_BY_READER).where(Idea.id == bindparam("idea_id"))


@bp.app_template_global()
def idea_reader_state(idea_id: int) -> tuple[bool, bool]:
    """Whether the person reading supports the idea, and follows it: read with the idea
    when its page is rendered, in one query when a kept page is drawn for them."""
    known = g.setdefault("idea_reader_state", {})
    if idea_id not in known:
        known[idea_id] = tuple(read_rows(READER_STATE, {"idea_id": idea_id, "reader_id": reader_id()}).one())
    return known[idea_id]


@bp.app_template_global()
def new_comment_form() -> CommentForm:
    return CommentForm()


@bp.get("")
@same_for_everyone
def index():
    pledge = the_pledge()
    sorts = SORTS if pledge else {key: value for key, value in SORTS.items() if key != "waiting"}
    sort = request.args.get("sort", "new")
    if sort not in sorts:
        sort = "new"
    filters = read_filters(statuses=IdeaStatus.ALL, clocks=ClockFilter.ALL if pledge else ())
    active = tuple(f"clock_{filters.clock}" if name == "clock" else name for name in filters.active)
    query, params = list_query(sort, active), filters.params()
    where = [Idea.visible(), *_conditions(sort, active)]
    if sort == "trending":
        params["since"] = trending_since()
    if filters.clock == ClockFilter.OVERDUE:
        params["overdue_since"] = overdue_since()
    page = paginate(
        lambda limit, offset: idea_cards(query, limit=limit, offset=offset, **params),
        lambda: count_rows(Idea, where, **params),
    )
    return render_template(
        "ideas/list.html", page=page, sort=sort, sorts=sorts, filters=filters,
        topics=choices_of(Topic), areas=choices_of(Area), statuses=IdeaStatus,
        clocks=ClockFilter if pledge else None,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
@confirmed_to_post
@posting_limit
def new():
    form = photo_form(IdeaForm)
    similar = []
    if form.validate_on_submit():
        # A step, never a stop: shown the ideas like theirs once, people post if they still want to.
        # Not when they chose photos: a browser cannot keep a chosen file across the step.
        if not form.similar_seen.data and not form.prepared:
            similar = similar_ideas(form.title.data, form.description.data)
            form.similar_seen.data = "1"
        if not similar:
            idea = Idea.post(current_user, form.title.data, form.description.data)
            idea.place(form.chosen_area(), form.chosen_topics())
            idea.language = form.language.data
            form.save_photos(idea, by=current_user)
            db.session.commit()
            flash(_("Your idea is on the board."), "success")
            return redirect(url_for("ideas.detail", idea_id=idea.id))
    return render_template(
        "ideas/form.html", form=form, idea=None, similar=similar,
        supported=supported_among(similar, current_user),
    ), 422 if form.errors else 200


@bp.get("/similar.json")
def similar_json():
    """The ideas like the one being typed, for the form's script to show as people type.
    The form's own step shows the same without it."""
    title = request.args.get("title", "")[:current_app.config["TITLE_MAX_LENGTH"]]
    description = request.args.get("description", "")[:current_app.config["BODY_MAX_LENGTH"]]
    ideas = similar_ideas(title, description)
    return jsonify({"ideas": [{
        "id": idea.id, "title": idea.title, "url": url_for("ideas.detail", idea_id=idea.id),
        "status": idea.status,
        "summary": ngettext("%(status)s · %(num)s supporter", "%(status)s · %(num)s supporters",
                            idea.supporters_count, status=idea.status_label),
    } for idea in ideas]})


@bp.get("/<id:idea_id>")
@same_for_everyone
def detail(idea_id: int):
    return _detail_page(idea_id)


def _detail_page(idea_id: int, comment_form: CommentForm | None = None, answer_form=None,
                 duplicate_form: DuplicateForm | None = None):
    found = read_rows(IDEA_WITH_AUTHOR, {"idea_id": idea_id, "reader_id": reader_id()}).one_or_none()
    if found is None:
        abort(404)
    idea, (any_around, any_photos, supported, following, any_answers, any_help_requests, topic_ids,
           area_name) = read_post(IdeaShown, found)
    if idea.duplicate_of_id is not None and not request.args.get("stay") and request.method in ("GET", "HEAD"):
        # Joined with another idea: its address leads there. ?stay=1 (linked from the other
        # idea's page) still shows it as posted, with its discussion.
        return redirect(url_for("ideas.detail", idea_id=idea.duplicate_of_id), 302)
    # The same page for everyone but its author, who may edit it, and the staff, who may
    # answer it: what differs for others (support, follow, comment box, comments' links)
    # is drawn for each of them (templates/_person.html).
    shown_differently_to({idea.author_id}, staff=True)
    g.idea_reader_state = {idea.id: (supported, following)}
    around = proposals_around(idea, any_around)
    # Proposals waiting are shown to those who take part: the two authors and staff.
    may_decide_here = idea.is_by(current_user) or is_moderator()
    return render_template(
        "ideas/detail.html",
        idea=idea,
        # Hidden by a moderator: a placeholder, with the discussion still readable.
        removed=not can_see(idea),
        photos=shown_photos(idea, any_photos),
        topics=topics_listed(topic_ids),
        area_name=area_name,
        comments_html=discussion_html(idea),
        help_requests=help_cards(NEEDS, limit=NEEDS_SHOWN, idea_id=idea.id) if any_help_requests else [],
        team=idea_team(idea, any_help_requests),
        updates=db.session.scalars(ANSWERS_TO, {"idea_id": idea.id}).all() if any_answers else [],
        answer_form=answer_form or (AnswerForm(status=idea.status) if is_moderator() else None),
        # A comment sent with something to put right; otherwise the box is drawn for each
        # person: a form only for people who can use it (its CSRF token makes a session).
        comment_form=comment_form,
        joined=[proposal.idea for proposal in around if proposal.decision == Decision.ACCEPTED
                and proposal.target_id == idea.id and proposal.idea.hidden_at is None],
        proposals=[(proposal, may_decide(proposal, current_user)) for proposal in around
                   if may_decide_here and proposal.pending and proposal.target_id == idea.id],
        proposed=next((proposal for proposal in around if proposal.pending and proposal.idea_id == idea.id
                       and may_propose(idea, current_user)), None),
        duplicate_form=duplicate_form or (
            DuplicateForm() if may_propose(idea, current_user) and can_be_joined(idea) else None
        ),
    )


@bp.route("/<id:idea_id>/edit", methods=["GET", "POST"])
@login_required
def edit(idea_id: int):
    idea = visible_or_404(Idea, idea_id)
    ensure_can_edit(idea)
    form = photo_form(IdeaForm, existing=photos_on(idea),
                      data={"title": idea.title, "description": idea.body, "area": idea.area_id or 0,
                            "topics": [topic.id for topic in idea.topics], "language": idea.language})
    if form.validate_on_submit():
        idea.edit(form.title.data, form.description.data)
        idea.place(form.chosen_area(), form.chosen_topics())
        idea.language = form.language.data
        form.save_photos(idea, by=current_user)
        db.session.commit()
        flash(_("Your changes are saved."), "success")
        return redirect(url_for("ideas.detail", idea_id=idea.id))
    return render_template("ideas/form.html", form=form, idea=idea), 422 if form.errors else 200


@bp.route("/<id:idea_id>/delete", methods=["GET", "POST"])
@login_required
def delete(idea_id: int):
    idea = visible_or_404(Idea, idea_id)
    ensure_can_edit(idea)
    if request.method == "POST":
        release_joined(idea_id=idea.id)
        delete_with_its_notifications(idea)
        db.session.commit()
        flash(_("Your idea has been deleted."), "success")
        return redirect(url_for("ideas.index"))
    return render_template(
        "confirm_delete.html",
        what="idea",
        title=idea.title,
        consequence=_("Its comments and supports will be deleted too. "
        "Help requests linked to it stay, without the link."),
        action=url_for("ideas.delete", idea_id=idea.id),
        back=url_for("ideas.detail", idea_id=idea.id),
    )


@bp.post("/<id:idea_id>/status")
@moderators_only
def answer(idea_id: int):
    """Staff set the idea's status with an official response."""
    idea = visible_or_404(Idea, idea_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _detail_page(idea.id, answer_form=form), 422
    idea.answer(form.status.data, form.response.data, by=current_user)
    db.session.commit()
    flash(_("The idea is now “%(status)s”, with your official response.", status=idea.status_label), "success")
    return redirect(url_for("ideas.detail", idea_id=idea.id) + "#official")


@bp.post("/<id:idea_id>/support")
@login_required
@confirmed_to_post
@posting_limit
def support(idea_id: int):
    idea = visible_or_404(Idea, idea_id)
    supported = idea.toggle_support(current_user)
    db.session.commit()
    flash(
        _("You support this idea.") if supported else _("You no longer support this idea."), "success"
    )
    return redirect(url_for("ideas.detail", idea_id=idea.id) + "#support")


@bp.post("/<id:idea_id>/comments")
@login_required
@confirmed_to_post
@posting_limit
def comment(idea_id: int):
    idea = visible_or_404(Idea, idea_id)
    form = CommentForm()
    return post_comment_or_show_errors(
        idea, form, lambda: _detail_page(idea.id, comment_form=form)
    )


@bp.post("/<id:idea_id>/duplicate")
@login_required
@posting_limit
def propose_duplicate(idea_id: int):
    """The idea's author, or staff, say it duplicates another idea."""
    idea = visible_or_404(Idea, idea_id)
    if not may_propose(idea, current_user):
        raise NotAllowed(_("Only the idea's author or the board's staff can say it duplicates another."))
    form = DuplicateForm()
    if form.validate_on_submit():
        try:
            proposal = propose(idea, idea_named(form.target.data), by=current_user)
        except NotPossible as refusal:
            db.session.rollback()
            form.target.errors.append(str(refusal))
        else:
            db.session.commit()
            flash(_("The author of “%(title)s” is asked whether to join the two ideas.",
                    title=proposal.target.title), "success")
            return redirect(url_for("ideas.detail", idea_id=idea.id) + "#duplicates")
    return _detail_page(idea.id, duplicate_form=form), 422


@bp.post("/duplicates/<id:proposal_id>/<any(accept, decline):answer>")
@login_required
@posting_limit
def decide_duplicate(proposal_id: int, answer: str):
    """The other idea's author (or staff, after the wait) join the two ideas, or not."""
    proposal = db.get_or_404(DuplicateProposal, proposal_id)
    if answer == "accept":
        accept(proposal, by=current_user)
        message = _("The two ideas are joined: its supporters now count here.")
    else:
        decline(proposal, by=current_user)
        message = _("The two ideas stay apart.")
    target_id = proposal.target_id
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("ideas.detail", idea_id=target_id))
