from __future__ import annotations

from functools import cache

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..comments import discussion_html, post_comment_or_show_errors
from ..extensions import db, read_rows
from ..filters import area_name_column, choices_of, read_filters, topic_ids_column, topics_listed
from ..ideas.forms import CommentForm
from ..listing import (
    LINKED_IDEA,
    SHOWN_LINKED_IDEA,
    HelpRequestShown,
    Person,
    help_cards,
    help_list,
    person_columns,
    read_post,
    shown_columns,
    skills_of,
)
from ..models import (
    Area,
    HelpKind,
    HelpRequest,
    HelpStatus,
    Idea,
    NotAllowed,
    NotPossible,
    Offer,
    OfferStatus,
    Topic,
    User,
    help_request_skills,
    help_request_topics,
    parse_skills,
)
from ..notifications.following import REQUEST_FOLLOWED_BY_READER, reader_id
from ..notifications.reading import delete_with_its_notifications
from ..page_cache import same_for_everyone
from ..pagination import count_rows, paginate, positive_int
from ..permissions import can_see, confirmed_to_post, ensure_can_edit, ensure_visible, visible_or_404
from ..photos import REQUEST_HAS_PHOTOS, photo_form, photos_on, shown_photos
from ..rate_limits import posting_limit
from ..words import lazy_gettext as _l
from . import bp
from .forms import HelpRequestForm, MessageForm, OfferForm
from .matching import people_who_could_help
from .models import can_read_conversation, conversation, in_conversation, invite_to_help, send_message

# open > matched > closed alphabetically backwards: open ones come first.
LIST_ORDER = (HelpRequest.status.desc(), HelpRequest.id.desc())
FILTERS = {
    "topic": HelpRequest.id.in_(
        select(help_request_topics.c.help_request_id)
        .where(help_request_topics.c.topic_id == bindparam("topic_id"))
    ),
    "area": HelpRequest.area_id == bindparam("area_id"),
    "status": HelpRequest.status == bindparam("status"),
    "skill": HelpRequest.id.in_(
        select(help_request_skills.c.help_request_id)
        .where(help_request_skills.c.skill_id == bindparam("skill_id"))
    ),
    "kind": HelpRequest.kind == bindparam("kind"),
}


@cache
def list_query(active: tuple[str, ...]):
    """The help list's query for a combination of filters, built once."""
    return help_list(*(FILTERS[name] for name in active), order_by=LIST_ORDER)

# How many of a person's ideas the "linked idea" list offers, newest first.
LINKABLE_IDEAS = 100


def linkable_ideas(user, keep: Idea | None = None) -> list[Idea]:
    ideas = db.session.scalars(
        select(Idea)
        .where(Idea.author_id == user.id, Idea.visible())
        .order_by(Idea.id.desc())
        .limit(LINKABLE_IDEAS)
    ).all()
    if keep is not None and keep not in ideas:
        ideas.append(keep)
    return ideas


def chosen_idea(form: HelpRequestForm) -> Idea | None:
    return db.session.get(Idea, form.idea.data) if form.idea.data else None


@bp.get("")
@same_for_everyone
def index():
    filters = read_filters(statuses=HelpStatus.ALL, skills=True, kinds=HelpKind.ALL)
    query, params = list_query(filters.active), filters.params()
    where = [HelpRequest.visible(), *(FILTERS[name] for name in filters.active)]
    page = paginate(
        lambda limit, offset: help_cards(query, limit=limit, offset=offset, **params),
        lambda: count_rows(HelpRequest, where, **params),
    )
    return render_template(
        "help/list.html", page=page, filters=filters, statuses=HelpStatus,
        topics=choices_of(Topic), areas=choices_of(Area), kinds=HelpKind,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
@confirmed_to_post
@posting_limit
def new():
    idea_id = positive_int(request.args.get("idea"))
    preselected = db.session.get(Idea, idea_id) if idea_id else None
    if preselected is not None and preselected.author_id != current_user.id:
        preselected = None
    form = photo_form(
        HelpRequestForm, target_kind="help_request",
        ideas=linkable_ideas(current_user),
        data={"idea": preselected.id if preselected else 0},
    )
    if form.validate_on_submit():
        help_request = HelpRequest.post(
            current_user,
            form.title.data,
            form.details.data,
            parse_skills(form.skills.data),
            idea=chosen_idea(form),
            kind=form.kind.data,
            area=form.chosen_area(),
            topics=form.chosen_topics(),
        )
        help_request.language = form.language.data
        form.save_photos(help_request, by=current_user)
        db.session.commit()
        flash(_("Your help request is on the board."), "success")
        return redirect(url_for("help.detail", help_request_id=help_request.id))
    return render_template(
        "help/form.html", form=form, help_request=None, idea=preselected
    ), 422 if form.errors else 200


# What the page shows of the request's idea (its title, when visitors may see it, as on its
# card), its area and its topics are columns of the request's own query, not objects.
def _with_what_its_page_shows(*request) -> Select:
    return (
        select(*request, REQUEST_HAS_PHOTOS, REQUEST_FOLLOWED_BY_READER,
               topic_ids_column(help_request_topics.c.help_request_id, HelpRequest.id),
               area_name_column(HelpRequest), LINKED_IDEA.title.label("idea_title"))
        .outerjoin(LINKED_IDEA, SHOWN_LINKED_IDEA)
        .where(HelpRequest.id == bindparam("help_request_id"))
    )


# Someone signed in may be its requester, or have offered: their page reads the model,
# which the offers and matching work with. A visitor's reads one row (HelpRequestShown).
REQUEST_WITH_ITS_AUTHOR = _with_what_its_page_shows(HelpRequest).options(joinedload(HelpRequest.author))
REQUEST_SHOWN = _with_what_its_page_shows(*shown_columns(HelpRequestShown)).join(User, User.id == HelpRequest.author_id)
# Everyone signed in may have offered, be asked, or read a conversation: they get the
# offers as objects. Visitors see only who is helping, read as plain rows.
ITS_OFFERS = (
    select(Offer).where(Offer.help_request_id == bindparam("help_request_id"))
    .options(joinedload(Offer.helper)).order_by(Offer.id)
)
ITS_HELPERS = (
    select(*person_columns(User))
    .join(Offer, Offer.helper_id == User.id)
    .where(Offer.help_request_id == bindparam("help_request_id"), Offer.status == OfferStatus.ACCEPTED)
    .order_by(Offer.id)
)


def _offers_and_helpers(help_request: HelpRequest | HelpRequestShown) -> tuple[list[Offer], list]:
    if not current_user.is_authenticated:
        helpers = read_rows(ITS_HELPERS, {"help_request_id": help_request.id}).all()
        return [], [Person(*row) for row in helpers]
    offers = db.session.scalars(ITS_OFFERS, {"help_request_id": help_request.id}).all()
    # As if loaded with the request, so that whatever reads them does not ask again.
    set_committed_value(help_request, "offers", offers)
    return offers, [offer.helper for offer in offers if offer.status == OfferStatus.ACCEPTED]


def _detail_page(help_request_id: int, comment_form=None, offer_form=None):
    asked = {"help_request_id": help_request_id, "reader_id": reader_id()}
    signed_in = current_user.is_authenticated
    if signed_in:
        found = db.session.execute(REQUEST_WITH_ITS_AUTHOR, asked).one_or_none()
    else:
        found = read_rows(REQUEST_SHOWN, asked).one_or_none()
    if found is None:
        abort(404)
    help_request, shows = (found[0], found[1:]) if signed_in else read_post(HelpRequestShown, found)
    any_photos, following, topic_ids, area_name, idea_title = shows
    all_offers, helpers = _offers_and_helpers(help_request)
    is_requester = help_request.is_by(current_user)
    my_offer = next((o for o in all_offers if o.helper_id == current_user.id), None)
    return render_template(
        "help/detail.html",
        help_request=help_request,
        # Hidden by a moderator: a placeholder, with the discussion still readable.
        removed=not can_see(help_request),
        photos=shown_photos(help_request, any_photos),
        topics=topics_listed(topic_ids),
        area_name=area_name,
        idea_title=idea_title,
        skills=skills_of([help_request.id])[help_request.id],
        is_requester=is_requester,
        # The requester sees every offer; a helper sees their own; others see how many.
        offers=all_offers if is_requester else [],
        my_offer=my_offer,
        helpers=helpers,
        # Private conversations this person may open: one per accepted offer.
        conversations=[o for o in all_offers if can_read_conversation(o, current_user)],
        possible_helpers=people_who_could_help(help_request)
        if is_requester and help_request.is_open else [],
        following=following,
        comments_html=discussion_html(help_request),
        # Forms only for people who can use them (see ideas.routes._detail_page).
        comment_form=comment_form or (CommentForm() if current_user.is_authenticated else None),
        # The requester is never asked to offer on their own request: no form made for them.
        offer_form=offer_form or (OfferForm() if current_user.is_authenticated and not is_requester else None),
    )


@bp.get("/<id:help_request_id>")
def detail(help_request_id: int):
    return _detail_page(help_request_id)


@bp.route("/<id:help_request_id>/edit", methods=["GET", "POST"])
@login_required
def edit(help_request_id: int):
    help_request = visible_or_404(HelpRequest, help_request_id)
    ensure_can_edit(help_request)
    form = photo_form(
        HelpRequestForm, target_kind="help_request", existing=photos_on(help_request),
        ideas=linkable_ideas(current_user, keep=help_request.idea),
        data={
            "title": help_request.title,
            "details": help_request.body,
            "skills": ", ".join(s.name for s in help_request.skills),
            "idea": help_request.idea_id or 0,
            "kind": help_request.kind,
            "area": help_request.area_id or 0,
            "topics": [topic.id for topic in help_request.topics],
            "language": help_request.language,
        },
    )
    if form.validate_on_submit():
        help_request.edit(
            form.title.data,
            form.details.data,
            parse_skills(form.skills.data),
            chosen_idea(form),
            kind=form.kind.data,
        )
        help_request.place(form.chosen_area(), form.chosen_topics())
        help_request.language = form.language.data
        form.save_photos(help_request, by=current_user)
        db.session.commit()
        flash(_("Your changes are saved."), "success")
        return redirect(url_for("help.detail", help_request_id=help_request.id))
    return render_template(
        "help/form.html", form=form, help_request=help_request, idea=None
    ), 422 if form.errors else 200


@bp.route("/<id:help_request_id>/delete", methods=["GET", "POST"])
@login_required
def delete(help_request_id: int):
    help_request = visible_or_404(HelpRequest, help_request_id)
    ensure_can_edit(help_request)
    if request.method == "POST":
        delete_with_its_notifications(help_request)
        db.session.commit()
        flash(_("Your help request has been deleted."), "success")
        return redirect(url_for("help.index"))
    return render_template(
        "confirm_delete.html",
        what="help request",
        title=help_request.title,
        consequence=_("Its offers and comments will be deleted too."),
        action=url_for("help.delete", help_request_id=help_request.id),
        back=url_for("help.detail", help_request_id=help_request.id),
    )


@bp.post("/<id:help_request_id>/offers")
@login_required
@confirmed_to_post
@posting_limit
def offer(help_request_id: int):
    help_request = visible_or_404(HelpRequest, help_request_id)
    form = OfferForm()
    if not form.validate_on_submit():
        return _detail_page(help_request.id, offer_form=form), 422
    try:
        help_request.make_offer(current_user, form.message.data)
    except NotPossible as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("help.detail", help_request_id=help_request.id))
    db.session.commit()
    flash(_("Your offer is sent. You will see the answer on your dashboard."), "success")
    return redirect(url_for("help.detail", help_request_id=help_request.id) + "#your-offer")


# An offer with its helper and the request it was made on: one query, not one for each.
OFFER_WITH_ITS_REQUEST = (
    select(Offer).where(Offer.id == bindparam("offer_id"))
    .options(joinedload(Offer.helper), joinedload(Offer.help_request))
)


def _offer_on(help_request_id: int, offer_id: int) -> tuple[HelpRequest, Offer]:
    """The visible help request and the offer made on it, or 404."""
    offer = db.session.scalar(OFFER_WITH_ITS_REQUEST, {"offer_id": offer_id})
    if offer is None or offer.help_request_id != help_request_id:
        abort(404)
    return ensure_visible(offer.help_request), offer


def _answer(help_request_id: int, offer_id: int, action: str, done: str):
    help_request, offer = _offer_on(help_request_id, offer_id)
    try:
        getattr(help_request, action)(offer, by=current_user)
    except NotPossible as refusal:
        flash(str(refusal), "error")
    else:
        db.session.commit()
        flash(done % {"name": offer.helper.name}, "success")
    return redirect(url_for("help.detail", help_request_id=help_request.id) + "#offers")


@bp.post("/<id:help_request_id>/offers/<id:offer_id>/accept")
@login_required
def accept_offer(help_request_id: int, offer_id: int):
    return _answer(help_request_id, offer_id, "accept", _l("You accepted %(name)s’s offer."))


@bp.post("/<id:help_request_id>/offers/<id:offer_id>/decline")
@login_required
def decline_offer(help_request_id: int, offer_id: int):
    return _answer(help_request_id, offer_id, "decline", _l("You declined %(name)s’s offer."))


@bp.post("/<id:help_request_id>/offers/<id:offer_id>/withdraw")
@login_required
def withdraw_offer(help_request_id: int, offer_id: int):
    help_request, offer = _offer_on(help_request_id, offer_id)
    try:
        offer.withdraw(by=current_user)
    except NotPossible as refusal:
        flash(str(refusal), "error")
    else:
        db.session.commit()
        flash(_("Your offer is withdrawn."), "success")
    return redirect(url_for("help.detail", help_request_id=help_request.id))


@bp.post("/<id:help_request_id>/close")
@login_required
def close(help_request_id: int):
    help_request = visible_or_404(HelpRequest, help_request_id)
    help_request.close(by=current_user)
    db.session.commit()
    flash(_("The request is closed. Thank you to everyone who offered."), "success")
    return redirect(url_for("help.detail", help_request_id=help_request.id))


@bp.post("/<id:help_request_id>/reopen")
@login_required
def reopen(help_request_id: int):
    help_request = visible_or_404(HelpRequest, help_request_id)
    help_request.reopen(by=current_user)
    db.session.commit()
    flash(_("The request is open again and takes new offers."), "success")
    return redirect(url_for("help.detail", help_request_id=help_request.id))


@bp.post("/<id:help_request_id>/comments")
@login_required
@confirmed_to_post
@posting_limit
def comment(help_request_id: int):
    help_request = visible_or_404(HelpRequest, help_request_id)
    form = CommentForm()
    return post_comment_or_show_errors(
        help_request, form, lambda: _detail_page(help_request.id, comment_form=form)
    )


@bp.post("/<id:help_request_id>/invite/<id:person_id>")
@login_required
@posting_limit
def invite(help_request_id: int, person_id: int):
    help_request = visible_or_404(HelpRequest, help_request_id)
    person = db.session.get(User, person_id)
    if person is None:
        abort(404)
    try:
        invite_to_help(help_request, person, by=current_user)
    except NotPossible as refusal:
        flash(str(refusal), "error")
    else:
        db.session.commit()
        flash(_("We have asked %(name)s if they can help.", name=person.name), "success")
    return redirect(url_for("help.detail", help_request_id=help_request.id) + "#could-help")


@bp.route("/<id:help_request_id>/offers/<id:offer_id>/messages", methods=["GET", "POST"])
@login_required
@posting_limit
def messages(help_request_id: int, offer_id: int):
    """The private conversation between the person asking and a helper they accepted."""
    help_request, offer = _offer_on(help_request_id, offer_id)
    if not can_read_conversation(offer, current_user):
        raise NotAllowed(_("This conversation is private to the two people in it."))
    form = MessageForm()
    if request.method == "POST":
        if not in_conversation(offer, current_user):
            raise NotAllowed(_("Only the two people in this conversation can write in it."))
        if form.validate_on_submit():
            send_message(offer, current_user, form.body.data)
            db.session.commit()
            flash(_("Your message is sent."), "success")
            return redirect(url_for("help.messages", help_request_id=help_request.id,
                                    offer_id=offer.id) + "#latest")
    other = offer.helper if current_user.id == help_request.author_id else help_request.author
    return render_template(
        "help/messages.html", help_request=help_request, offer=offer, other=other,
        messages=conversation(offer), form=form if in_conversation(offer, current_user) else None,
    ), 422 if form.errors else 200
