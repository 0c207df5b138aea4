from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..filters import forget_choices
from ..languages import LANGUAGES
from ..models import Area, NotAllowed, Role, Topic, User
from ..permissions import admins_only, moderators_only
from ..pledge import COMING_DUE_DAYS, answer_queue, start_clocks_already_due, the_pledge
from ..words import lazy_gettext as _l
from . import board_settings, bp
from .forms import InviteForm, LabelForm, RoleForm, SettingsForm
from .models import BoardSettings, Invite


@bp.get("/")  # the address with a slash works too
@bp.get("")  # registered first: url_for gives /admin
@admins_only
def index():
    """The admin front page: every page for running the board, with what each is for."""
    return render_template("admin/index.html")


@bp.route("/people", methods=["GET", "POST"])
@admins_only
def people():
    """Who moderates and runs the board, and a form to change anyone's role."""
    form = RoleForm()
    if form.validate_on_submit():
        person = User.by_username(form.username.data)
        if person.id == current_user.id and form.role.data != Role.ADMIN:
            raise NotAllowed(_("You cannot take away your own admin role; ask another admin."))
        person.role = form.role.data
        person.is_official = form.is_official.data
        db.session.commit()
        role = str(person.role_label).lower()
        if person.is_official:
            flash(_("%(name)s is now %(role)s with the Official badge.", name=person.name, role=role), "success")
        else:
            flash(_("%(name)s is now %(role)s.", name=person.name, role=role), "success")
        return redirect(url_for("admin.people"))
    staff = db.session.scalars(
        select(User).where((User.role != Role.MEMBER) | User.is_official).order_by(User.role, User.username)
    ).all()
    return render_template("admin/people.html", form=form, staff=staff), 422 if form.errors else 200


LABELS = {
    "topics": (Topic, "topic", _l("Topics"), _l("What ideas and help requests are about, such as Environment or Transport.")),
    "areas": (Area, "area", _l("Areas"), _l("Where they are: the wards or neighbourhoods of the board's area.")),
}
# What each change says, whole, for each kind of label.
ADDED = {"topics": _l("Added the topic “%(name)s”."), "areas": _l("Added the area “%(name)s”.")}
RENAMED = {"topics": _l("Renamed the topic to “%(name)s”."), "areas": _l("Renamed the area to “%(name)s”.")}
REMOVED = {"topics": _l("Removed the topic “%(name)s”. What was in it stays on the board."),
           "areas": _l("Removed the area “%(name)s”. What was in it stays on the board.")}


def _labels_or_404(kind: str):
    if kind not in LABELS:
        abort(404)
    return LABELS[kind]


@bp.route("/<any(topics, areas):kind>", methods=["GET", "POST"])
@admins_only
def labels(kind: str):
    model, one, title, hint = _labels_or_404(kind)
    form = LabelForm(model=model)
    if form.validate_on_submit():
        db.session.add(model.named(form.name.data))
        db.session.commit()
        forget_choices()
        flash(ADDED[kind] % {"name": form.name.data}, "success")
        return redirect(url_for("admin.labels", kind=kind))
    return render_template(
        "admin/labels.html", kind=kind, one=one, title=title, hint=hint, form=form,
        items=model.all(),
    ), 422 if form.errors else 200


@bp.route("/<any(topics, areas):kind>/<id:item_id>", methods=["GET", "POST"])
@admins_only
def label(kind: str, item_id: int):
    model, one, title, _hint = _labels_or_404(kind)
    item = db.get_or_404(model, item_id)
    form = LabelForm(model=model, current=item, data={"name": item.name})
    if form.validate_on_submit():
        item.rename(form.name.data)
        db.session.commit()
        forget_choices()
        flash(RENAMED[kind] % {"name": item.name}, "success")
        return redirect(url_for("admin.labels", kind=kind))
    return render_template(
        "admin/label.html", kind=kind, one=one, title=title, form=form, item=item,
    ), 422 if form.errors else 200


@bp.post("/<any(topics, areas):kind>/<id:item_id>/delete")
@admins_only
def delete_label(kind: str, item_id: int):
    model = _labels_or_404(kind)[0]
    item = db.get_or_404(model, item_id)
    db.session.delete(item)
    db.session.commit()
    forget_choices()
    flash(REMOVED[kind] % {"name": item.name}, "success")
    return redirect(url_for("admin.labels", kind=kind))


@bp.route("/settings", methods=["GET", "POST"])
@admins_only
def settings():
    current = board_settings()
    form = SettingsForm(data={
        "name": current.name, "introduction": current.introduction,
        "contact_email": current.contact_email, "code_of_conduct": current.code_of_conduct,
        "registration_mode": current.registration_mode, "allowed_domains": current.allowed_domains,
        "require_verified_email": current.require_verified_email,
        "privacy_notice": current.privacy_notice, "data_licence_name": current.data_licence_name,
        "data_licence_url": current.data_licence_url,
        "default_language": current.default_language, "languages_offered": current.languages,
        "pledge_on": current.pledge_on, "pledge_supporters": current.pledge_supporters,
        "pledge_days": current.pledge_days,
    })
    if form.validate_on_submit():
        row = db.session.get(BoardSettings, 1) or BoardSettings(id=1)
        db.session.add(row)
        row.name = form.name.data
        row.set_texts(form.introduction.data, form.code_of_conduct.data, form.privacy_notice.data)
        row.data_licence_name = form.data_licence_name.data
        row.data_licence_url = form.data_licence_url.data
        row.contact_email = (form.contact_email.data or "").lower()
        row.registration_mode = form.registration_mode.data
        row.require_verified_email = form.require_verified_email.data
        row.default_language = form.default_language.data
        row.languages_offered = ",".join(
            code for code in LANGUAGES if code == row.default_language or code in form.languages_offered.data
        )
        row.allowed_domains = ", ".join(
            d.strip().lstrip("@").lower() for d in form.allowed_domains.data.split(",") if d.strip()
        )
        row.pledge_on = form.pledge_on.data
        row.pledge_supporters, row.pledge_days = form.pledge_supporters.data, form.pledge_days.data
        if row.pledge_on:
            start_clocks_already_due(row.pledge_supporters)
        # Saving raises the settings' version stamp in this transaction (see board_settings).
        db.session.commit()
        flash(_("The board's settings are saved."), "success")
        return redirect(url_for("admin.settings"))
    return render_template(
        "admin/settings.html", form=form, mail_server=current_app.config["MAIL_SERVER"],
        board_url=current_app.config["BOARD_URL"],
    ), 422 if form.errors else 200


@bp.route("/invites", methods=["GET", "POST"])
@admins_only
def invites():
    form = InviteForm()
    link = None
    if form.validate_on_submit():
        invite, token = Invite.make(current_user, current_app.config["INVITE_DAYS"], form.note.data)
        db.session.commit()
        link = url_for("auth.register", invite=token, _external=True)
        form = InviteForm(formdata=None)
    recent = db.session.scalars(
        select(Invite).order_by(Invite.id.desc()).limit(50)
    ).all()
    return render_template(
        "admin/invites.html", form=form, link=link, invites=recent, mode=board_settings().registration_mode,
        days=current_app.config["INVITE_DAYS"],
    ), 422 if form.errors else 200


@bp.get("/answers")
@moderators_only
def answers():
    """Staff: ideas awaiting an official answer, the overdue first, then those coming due."""
    return render_template(
        "admin/answers.html", pledge=the_pledge(), days=COMING_DUE_DAYS,
        sections=answer_queue(current_app.config["ANSWER_QUEUE_LENGTH"]),
    )
