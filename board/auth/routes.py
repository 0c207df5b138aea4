from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db, limiter
from ..admin import board_settings
from ..admin.models import Invite, RegistrationMode
from ..models import NotPossible, User
from . import bp
from .forms import LoginForm, RegisterForm

# Checked when nobody has the name typed, so that a wrong username takes as long as a wrong password.
_NOBODY_HASH = generate_password_hash("no one has this password")


def safe_next(target: str | None) -> str | None:
    """The `next` address if it stays on this site, otherwise None."""
    if not target:
        return None
    target = target.strip().replace("\\", "/")
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
        flash(f"Welcome to {settings.name}, {user.username}.", "success")
        return redirect(safe_next(request.args.get("next")) or url_for("home.dashboard"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("home.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = User.by_login(form.login.data)
        if user is None:
            # Same work either way, so timing does not tell whether the account exists.
            check_password_hash(_NOBODY_HASH, form.password.data)
        elif user.check_password(form.password.data):
            if not user.is_active:
                form.login.errors.append(
                    "This account is suspended by the board's moderators. You can still read the board."
                )
                return render_template("auth/login.html", form=form), 403
            login_user(user, remember=form.remember.data)
            flash(f"Signed in as {user.username}.", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("home.dashboard"))
        form.login.errors.append("That username or email address and password do not match.")
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("home.index"))
