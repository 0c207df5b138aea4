from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from limits import parse as parse_limit
from sqlalchemy.exc import IntegrityError

from ..admin import board_settings
from ..admin.models import Invite, RegistrationMode
from ..extensions import db, limiter
from ..mail import mail_enabled
from ..models import NotPossible, User, utcnow
from ..passwords import hash_password, is_current
from ..rate_limits import email_limit_per_address, email_limit_per_person
from ..tokens import RESET, VERIFY, user_from_token
from . import bp
from .emails import (
    send_password_reset,
    send_registration_link,
    send_someone_tried_to_register,
    send_verification,
)
from .forms import (
    FinishRegistrationForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from .models import Registration


def safe_next(target: str | None) -> str | None:
    """The `next` address if it stays on this site, otherwise None.

    Control characters are refused, typed or percent-encoded: a line break would split the
    Location header, and browsers drop tabs and line breaks from an address, which would
    turn "/<tab>/elsewhere.example" into a link to another site.
    """
    if not target:
        return None
    target = target.strip().replace("\\", "/")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in target + unquote(target)):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _register_limit():
    return current_app.config["REGISTER_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    settings = board_settings()
    invite = None
    if settings.registration_mode == RegistrationMode.INVITE:
        invite = Invite.usable(request.args.get("invite"))
        if invite is None:
            return render_template("auth/register_closed.html", tried=bool(request.args.get("invite"))), 403
    form = RegisterForm()
    if form.validate_on_submit():
        if mail_enabled():
            _start_registration(form, invite)
            return redirect(url_for("auth.registration_sent"))
        user = User(username=form.username.data, email=form.email.data.lower())
        user.set_password(form.password.data)
        db.session.add(user)
        db.session.flush()
        if invite is not None:
            try:
                invite.use(user)
            except NotPossible:
                db.session.rollback()
                return render_template("auth/register_closed.html", tried=True), 403
        db.session.commit()
        login_user(user)
        flash(_("Welcome to %(board)s, %(username)s.", board=settings.name, username=user.username), "success")
        return redirect(safe_next(request.args.get("next")) or url_for("home.dashboard"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


def _start_registration(form: RegisterForm, invite: Invite | None) -> None:
    """Email a link that makes the account, or tell the address's owner that someone tried.

    Either way the same work is done and the same page follows, so registering does not
    tell anyone whether an address has an account here.
    """
    email = form.email.data.lower()
    password_hash = hash_password(form.password.data)
    owner = User.by_email(email)
    if owner is None:
        send_registration_link(form.username.data, email, password_hash,
                               invite.id if invite is not None else None)
    elif owner.is_active:
        send_someone_tried_to_register(owner)
    db.session.commit()
    session["registered_email"] = email


@bp.get("/register/sent")
def registration_sent():
    return render_template("auth/register_sent.html", email=session.get("registered_email"))


@bp.route("/register/finish/<token>", methods=["GET", "POST"])
def finish_registration(token: str):
    """The emailed link: a page with one button, so that a mail scanner fetching the link
    makes nothing; pressing it makes the account and signs the person in."""
    registration = Registration.waiting(token)
    if registration is None or User.by_email(registration.email) is not None:
        return render_template("auth/link_invalid.html", what="registration"), 400
    if User.by_username(registration.username) is not None:
        return render_template("auth/register_taken.html", username=registration.username), 409
    form = FinishRegistrationForm()
    if not form.validate_on_submit():
        return render_template("auth/register_finish.html", form=form, username=registration.username)
    invite = db.session.get(Invite, registration.invite_id) if registration.invite_id else None
    if registration.invite_id and (invite is None or invite.state != "Waiting"):
        return render_template("auth/register_closed.html", tried=True), 403
    user = User(username=registration.username, email=registration.email,
                password_hash=registration.password_hash, email_verified_at=utcnow())
    db.session.add(user)
    try:
        if not registration.spend():
            raise NotPossible(_("The link was used a moment ago."))
        db.session.flush()
        if invite is not None:
            invite.use(user)
        db.session.commit()
    except (IntegrityError, NotPossible):
        # Someone took the username or address, the link or the invitation, a moment ago.
        db.session.rollback()
        return render_template("auth/link_invalid.html", what="registration"), 400
    session.pop("registered_email", None)
    login_user(user)
    flash(_("Welcome to %(board)s, %(username)s. Your email address is confirmed.",
            board=board_settings().name, username=user.username), "success")
    return redirect(url_for("home.dashboard"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("home.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = User.by_login(form.login.data)
        if user is None:
            # Same work either way (hashing costs what checking does), so timing does not
            # tell whether the account exists.
            hash_password(form.password.data)
        elif user.check_password(form.password.data):
            if not user.is_active:
                form.login.errors.append(
                    _("This account is suspended by the board's moderators. You can still read the board.")
                )
                return render_template("auth/login.html", form=form), 403
            if not user.session_token:
                # People from before session tokens get theirs now.
                user.end_all_sessions()
            if not is_current(user.password_hash):
                # Kept with older parameters: keep it with the current ones, now that we can.
                user.password_hash = hash_password(form.password.data)
            if db.session.is_modified(user):
                db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("Signed in as %(username)s.", username=user.username), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("home.dashboard"))
        form.login.errors.append(_("That username or email address and password do not match."))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # Ends this session and every other one, and remember-me cookies copied anywhere.
    current_user.end_all_sessions()
    db.session.commit()
    logout_user()
    flash(_("You have signed out."), "success")
    return redirect(url_for("home.index"))


# --- Confirming an email address -------------------------------------------------


@bp.post("/account/verify")
@login_required
@email_limit_per_person
def send_verification_again():
    if current_user.email_verified:
        flash(_("Your email address is already confirmed."), "success")
    elif not mail_enabled():
        flash(_("This board cannot send email at the moment."), "error")
    else:
        send_verification(current_user)
        db.session.commit()
        flash(_("We have sent a new link to %(email)s.", email=current_user.email), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("home.dashboard"))


@bp.get("/verify/<token>")
def verify_email(token: str):
    hours = current_app.config["VERIFY_EMAIL_HOURS"]
    user = user_from_token(VERIFY, token, max_age_seconds=hours * 3600)
    if user is None or user.email_verified:
        return render_template("auth/link_invalid.html", what="confirmation"), 400
    user.email_verified_at = utcnow()
    db.session.commit()
    flash(_("Thank you: your email address is confirmed."), "success")
    return redirect(url_for("home.dashboard" if current_user.is_authenticated else "auth.login"))


# --- Forgotten passwords ---------------------------------------------------------


@bp.route("/password/forgot", methods=["GET", "POST"])
@email_limit_per_address
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = User.by_email(form.email.data)
        # The same answer whether or not the address has an account.
        if user is not None and user.is_active and _within_limit_for(user):
            send_password_reset(user)
            db.session.commit()
        return render_template("auth/forgot_sent.html", email=form.email.data)
    return render_template("auth/forgot.html", form=form, mail_on=mail_enabled()), (
        422 if form.errors else 200
    )


def _within_limit_for(user: User) -> bool:
    """Reset emails to one address are limited too, whoever asks for them."""
    limit = current_app.config["EMAIL_RATE_LIMIT"]
    return not current_app.config["RATELIMIT_ENABLED"] or limiter.limiter.hit(
        parse_limit(limit), "reset-email", str(user.id)
    )


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    minutes = current_app.config["RESET_PASSWORD_MINUTES"]
    user = user_from_token(RESET, token, max_age_seconds=minutes * 60)
    if user is None or not user.is_active:
        return render_template("auth/link_invalid.html", what="password reset"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        # A new password also signs the person out everywhere (User.set_password).
        user.set_password(form.password.data)
        # Following the link proves the address is theirs.
        user.email_verified_at = user.email_verified_at or utcnow()
        db.session.commit()
        logout_user()
        flash(_("Your password is changed. Sign in with your new password."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200
