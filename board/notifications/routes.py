from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import update

from ..extensions import csrf, db
from ..mail import mail_enabled
from ..models import HelpRequest, Idea
from ..pagination import paginate
from ..permissions import visible_or_404
from ..tokens import read_unsubscribe_token
from . import bp
from .following import follow, unfollow
from .forms import EmailChoicesForm
from .lines import notification_lines
from .models import Category, EmailChoice, Frequency, Notification
from .reading import count_of, mark_all_read, mark_read, notifications_of
from .rules import email_choices_of


@bp.get("/notifications")
@login_required
def index():
    page = paginate(
        lambda limit, offset: notifications_of(current_user, limit, offset),
        lambda: count_of(current_user),
    )
    return render_template("notifications/index.html", page=page,
                           lines=notification_lines(page.items, page.number))


@bp.post("/notifications/<id:notification_id>/read")
@login_required
def read(notification_id: int):
    if not mark_read(current_user, notification_id):
        abort(404)
    db.session.commit()
    flash(_("Marked as read."), "success")
    return redirect(url_for("notifications.index", page=request.args.get("page") or None))


@bp.post("/notifications/read")
@login_required
def read_all():
    mark_all_read(current_user)
    db.session.commit()
    flash(_("All your notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


# --- Email choices ----------------------------------------------------------------


def save_email_choices(user, choices: dict[str, str]) -> None:
    """Save how the person wants to hear about each category. What already waits for a
    digest follows the new choice: after "never", not even the next digest carries it."""
    for category, frequency in choices.items():
        existing = db.session.get(EmailChoice, (user.id, category))
        if existing is None:
            db.session.add(EmailChoice(user_id=user.id, category=category, frequency=frequency))
        else:
            existing.frequency = frequency
        if frequency in (*Frequency.DIGESTS, Frequency.NEVER):
            db.session.execute(
                update(Notification)
                .where(Notification.recipient_id == user.id, Notification.category == category,
                       Notification.emailed_at.is_(None),
                       Notification.email.in_(Frequency.DIGESTS))
                .values(email=frequency)
                .execution_options(synchronize_session=False)
            )


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def settings():
    form = EmailChoicesForm(data=email_choices_of(current_user.id))
    categories = [c for c in Category.ALL if c != Category.ANSWERS or current_user.is_moderator]
    if Category.ANSWERS not in categories:
        del form[Category.ANSWERS]  # a question only for the staff who answer ideas
    if form.validate_on_submit():
        save_email_choices(current_user, {c: form[c].data for c in categories})
        db.session.commit()
        flash(_("Your email choices are saved."), "success")
        return redirect(url_for("notifications.settings"))
    return render_template(
        "notifications/settings.html", form=form, categories=categories,
        mail_on=mail_enabled(),
    ), 422 if form.errors else 200


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authority; mail clients POST here with no session (RFC 8058)
def unsubscribe(token: str):
    found = read_unsubscribe_token(token)
    if found is None:
        return render_template("notifications/unsubscribe.html", invalid=True), 404
    person, categories = found
    categories = [c for c in categories if c in Category.ALL]
    if request.method == "POST":
        save_email_choices(person, {c: Frequency.NEVER for c in categories})
        db.session.commit()
        return render_template("notifications/unsubscribe.html", done=True, categories=categories,
                               labels=Category.LABELS)
    return render_template("notifications/unsubscribe.html", categories=categories,
                           labels=Category.LABELS, token=token)


# --- Following --------------------------------------------------------------------


def _follow_or_not(target, following: bool, back: str):
    if following:
        follow(current_user, target, explicitly=True)
        flash(_("You are following this. You will hear about new activity."), "success")
    else:
        unfollow(current_user, target)
        flash(_("You no longer follow this."), "success")
    db.session.commit()
    return redirect(back)


@bp.post("/ideas/<id:idea_id>/follow")
@login_required
def follow_idea(idea_id: int):
    idea = visible_or_404(Idea, idea_id)
    return _follow_or_not(idea, request.form.get("follow") != "0",
                          url_for("ideas.detail", idea_id=idea.id))


@bp.post("/help/<id:help_request_id>/follow")
@login_required
def follow_help_request(help_request_id: int):
    help_request = visible_or_404(HelpRequest, help_request_id)
    return _follow_or_not(help_request, request.form.get("follow") != "0",
                          url_for("help.detail", help_request_id=help_request.id))
