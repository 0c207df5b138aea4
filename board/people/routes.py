from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_login.config import COOKIE_NAME
from sqlalchemy import bindparam, func, select

from ..admin import board_settings
from ..auth.emails import send_password_changed
from ..extensions import db, limiter, read_rows
from ..forms_common import sentences
from ..languages import named, page_language, remember_language
from ..listing import Person, help_cards, help_list, idea_cards, idea_list, person_columns
from ..mail import mail_enabled
from ..models import (
    Area,
    HelpRequest,
    HelpStatus,
    Idea,
    Offer,
    OfferStatus,
    Skill,
    User,
    help_request_skills,
    normalise_skill,
    parse_skills,
    user_skills,
)
from ..page_cache import same_for_everyone
from ..rate_limits import person_or_address, posting_limit
from ..text import render_markdown
from . import bp
from .forms import AccountForm, ChangePasswordForm, DeleteAccountForm
from .own_data import download_name, erase, export_zip

# How many of each kind a profile shows.
PROFILE_LIST_LENGTH = 20
IDEAS_BY = idea_list(Idea.author_id == bindparam("author_id"))
REQUESTS_BY = help_list(HelpRequest.author_id == bindparam("author_id"))


@dataclass(slots=True)
class ProfileShown:
    """A person as their profile shows them, read as one row: as a model object they
    cost more than the query did."""
    id: int
    username: str
    display_name: str | None
    erased_at: datetime | None
    created_at: datetime
    is_official: bool
    bio: str | None

    name = Person.name


PERSON = (
    select(*person_columns(User), User.created_at, User.is_official, User.bio)
    .where(func.lower(User.username) == bindparam("username"))
)
PERSON_SKILLS = (
    select(Skill.name).join(user_skills, user_skills.c.skill_id == Skill.id)
    .where(user_skills.c.user_id == bindparam("user_id")).order_by(Skill.name)
)
# What the profile lists of each offer, as plain rows: its request, and where it stands.
OFFERS_BY = (
    select(HelpRequest.id, HelpRequest.title, Offer.status)
    .join(Offer, Offer.help_request_id == HelpRequest.id)
    .where(Offer.helper_id == bindparam("helper_id"), HelpRequest.visible())
    .order_by(Offer.id.desc())
    .limit(PROFILE_LIST_LENGTH)
)


@bp.get("/users/<username>")
@same_for_everyone
def profile(username: str):
    found = read_rows(PERSON, {"username": username.lower()}).one_or_none()
    if found is None:
        abort(404)
    person = ProfileShown(*found)
    ideas = idea_cards(IDEAS_BY, limit=PROFILE_LIST_LENGTH, author_id=person.id)
    help_requests = help_cards(REQUESTS_BY, limit=PROFILE_LIST_LENGTH, author_id=person.id)
    return render_template(
        "people/profile.html",
        person=person,
        skills=read_rows(PERSON_SKILLS, {"user_id": person.id}).scalars().all(),
        bio_html=render_markdown(person.bio) if person.bio else "",
        ideas=ideas,
        help_requests=help_requests,
        offers=[(request_id, title, status, named(OfferStatus.LABELS[status]))
                for request_id, title, status in read_rows(OFFERS_BY, {"helper_id": person.id})],
    )


SKILL_NEEDED = help_list(
    HelpRequest.status == HelpStatus.OPEN,
    HelpRequest.id.in_(
        select(help_request_skills.c.help_request_id)
        .where(help_request_skills.c.skill_id == bindparam("skill_id"))
    ),
)
SKILL_OFFERED_BY = (
    select(User)
    .join(user_skills, user_skills.c.user_id == User.id)
    .where(user_skills.c.skill_id == bindparam("skill_id"), User.suspended_at.is_(None))
    .order_by(User.last_active_at.desc())
    .limit(PROFILE_LIST_LENGTH * 2)
)


@bp.get("/skills/<path:name>")
@same_for_everyone
def skill(name: str):
    """One skill: the open help requests that need it and the people who offer it."""
    found = db.session.scalar(select(Skill).where(Skill.name == normalise_skill(name)))
    if found is None:
        abort(404)
    return render_template(
        "people/skill.html",
        skill=found,
        help_requests=help_cards(SKILL_NEEDED, limit=PROFILE_LIST_LENGTH, skill_id=found.id),
        people=db.session.scalars(SKILL_OFFERED_BY, {"skill_id": found.id}).all(),
    )


SKILLS_SUGGESTED = 12
SKILLS_IN_USE = (
    select(Skill.name)
    .join(user_skills, user_skills.c.skill_id == Skill.id)
    .group_by(Skill.id)
    .order_by(func.count().desc(), Skill.name)
    .limit(SKILLS_SUGGESTED)
)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = AccountForm(
        data={
            "display_name": current_user.display_name or "",
            "bio": current_user.bio or "",
            "skills": ", ".join(s.name for s in current_user.skills),
            "areas": [area.id for area in current_user.areas],
            "language": current_user.language or page_language(),
        }
    )
    form.offer_areas(Area.all())
    form.offer_languages()
    in_use = db.session.scalars(SKILLS_IN_USE).all()
    if in_use:
        form.skills.description = sentences(form.skills.description,
                                            _("Often offered here: %(skills)s.", skills=", ".join(in_use)))
    if form.validate_on_submit():
        current_user.display_name = form.display_name.data or None
        current_user.bio = form.bio.data or None
        current_user.set_skills(parse_skills(form.skills.data))
        current_user.areas = form.chosen_areas()
        chosen = form.language.data if "language" in request.form else None
        if chosen:
            current_user.language = chosen
        db.session.commit()
        flash(_("Your account is updated."), "success")
        response = redirect(url_for("people.account"))
        return remember_language(response, chosen) if chosen else response
    return render_template("people/account.html", form=form), 422 if form.errors else 200


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """For a lost phone or a shared computer: every session and remember-me cookie ends."""
    current_user.end_all_sessions()
    db.session.commit()
    logout_user()
    flash(_("You have signed out on every device, this one too."), "success")
    return redirect(url_for("auth.login"))


def _change_password_limit():
    return current_app.config["CHANGE_PASSWORD_RATE_LIMIT"]


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
# Per person: a stolen session must not be a way to guess the password at leisure.
@limiter.limit(_change_password_limit, key_func=person_or_address, methods=["POST"],
               scope="change-password")
def change_password():
    person = current_user._get_current_object()
    form = ChangePasswordForm(person)
    if form.validate_on_submit():
        # A new password ends every session and remember-me cookie (User.set_password)...
        person.set_password(form.password.data)
        if person.email_verified and mail_enabled():
            send_password_changed(person)
        db.session.commit()
        # ...and this browser is signed in again with the new token, keeping remember-me
        # if it had it, so only the other devices are signed out.
        had_remember = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies
        login_user(person, remember=had_remember)
        flash(_("Your password is changed. You are signed out on every other device."), "success")
        return redirect(url_for("people.account"))
    return render_template("people/account_password.html", form=form), 422 if form.errors else 200


# --- Your data --------------------------------------------------------------------


@bp.post("/account/data")
@login_required
def download_data():
    """Everything the board holds about the person, made the moment they ask.

    A POST, so that it needs the form's CSRF token and no browser fetches it ahead.
    """
    person = current_user._get_current_object()
    return Response(
        export_zip(person),
        mimetype="application/zip",
        headers={
            "Content-Disposition":
                f'attachment; filename="{download_name(board_settings().name, person)}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@posting_limit
def delete_account():
    form = DeleteAccountForm(current_user)
    if form.validate_on_submit():
        erase(current_user._get_current_object(), keep_posts=form.keep_posts)
        db.session.commit()
        logout_user()
        flash(_("Your account is deleted."), "success")
        return redirect(url_for("home.index"))
    return render_template("people/delete_account.html", form=form), 422 if form.errors else 200
