from __future__ import annotations

from collections import defaultdict

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..comments import comment_url
from ..extensions import db
from ..models import NotPossible
from ..pagination import paginate, positive_int
from ..permissions import moderators_only
from ..rate_limits import posting_limit
from . import (
    DELETED_LABELS,
    DONE,
    KIND_LABELS,
    KINDS,
    LOGGED,
    MODERATE_TITLES,
    REPORT_TITLES,
    available_actions,
    bp,
    in_readers_words,
    kind_of,
    moderate,
    open_reports_about,
    report,
    summary_of,
    target_exists,
)
from .forms import ModerationForm, ReportForm
from .models import ModerationAction, Report

bp.add_app_template_filter(in_readers_words)


def target_or_404(kind: str, target_id: str):
    model = KINDS.get(kind)
    target_id = positive_int(target_id)
    thing = db.session.get(model, target_id) if model and target_id else None
    if thing is None:
        abort(404)
    return thing


def page_of(thing) -> str:
    """Where a person sees the thing on the board."""
    kind = kind_of(thing)
    if kind == "user":
        return url_for("people.profile", username=thing.username)
    if kind == "idea":
        return url_for("ideas.detail", idea_id=thing.id)
    if kind == "help_request":
        return url_for("help.detail", help_request_id=thing.id)
    if kind == "photo":
        return page_of(thing.target)
    # In its place in the discussion: /comments/N answers 404 once the comment is hidden.
    return comment_url(thing)


@bp.route("/report/<kind>/<target_id>", methods=["GET", "POST"])
@login_required
@posting_limit
def report_page(kind: str, target_id: str):
    thing = target_or_404(kind, target_id)
    if getattr(thing, "hidden_at", None) is not None:
        abort(404)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            report(thing, by=current_user, reason=form.reason.data)
        except NotPossible as refusal:
            flash(str(refusal), "error")
            return redirect(page_of(thing))
        db.session.commit()
        flash(_("Thank you. The moderators will look at your report."), "success")
        return redirect(page_of(thing))
    return render_template(
        "moderation/report.html", form=form, thing=thing, title=REPORT_TITLES[kind],
        summary=summary_of(thing), back=page_of(thing),
    ), 422 if form.errors else 200


@bp.get("/moderation")
@moderators_only
def queue():
    """Open reports, grouped by what they are about: most reported first."""
    groups = (
        select(Report.target_kind, Report.target_id, func.count().label("reports"),
               func.max(Report.created_at).label("latest"))
        .where(Report.resolved_at.is_(None), target_exists())
        .group_by(Report.target_kind, Report.target_id)
        .order_by(func.count().desc(), func.max(Report.created_at).desc())
    )

    def load(limit, offset):
        rows = db.session.execute(groups.limit(limit).offset(offset)).all()
        return _with_targets(rows)

    def count():
        return db.session.scalar(select(func.count()).select_from(groups.order_by(None).subquery()))

    page = paginate(load, count)
    return render_template("moderation/queue.html", page=page, kinds=KIND_LABELS, deleted=DELETED_LABELS)


def _with_targets(rows) -> list[dict]:
    """Each group of reports with its target and its latest reasons, in a query per kind."""
    ids = defaultdict(list)
    for row in rows:
        ids[row.target_kind].append(row.target_id)
    targets = {}
    for kind, target_ids in ids.items():
        for thing in db.session.scalars(select(KINDS[kind]).where(KINDS[kind].id.in_(target_ids))):
            targets[(kind, thing.id)] = thing
    reasons = defaultdict(list)
    if rows:
        for entry in db.session.scalars(
            select(Report).options(joinedload(Report.reporter))
            .where(Report.resolved_at.is_(None),
                   Report.target_kind.in_(list(ids)),
                   Report.target_id.in_([row.target_id for row in rows]))
            .order_by(Report.id.desc())
        ):
            reasons[(entry.target_kind, entry.target_id)].append(entry)
    return [
        {"kind": row.target_kind, "id": row.target_id, "reports": row.reports, "latest": row.latest,
         "thing": targets.get((row.target_kind, row.target_id)),
         "reasons": reasons[(row.target_kind, row.target_id)][:3]}
        for row in rows
    ]


@bp.route("/moderation/<kind>/<target_id>", methods=["GET", "POST"])
@moderators_only
def target(kind: str, target_id: str):
    thing = target_or_404(kind, target_id)
    form = ModerationForm()
    if form.validate_on_submit():
        action = request.form.get("action", "")
        try:
            moderate(action, thing, by=current_user, reason=form.reason.data)
        except NotPossible as refusal:
            flash(str(refusal), "error")
            return redirect(request.path)
        db.session.commit()
        flash(str(DONE[action, kind]), "success")
        return redirect(url_for("moderation.queue"))
    history = db.session.scalars(
        select(ModerationAction).options(joinedload(ModerationAction.moderator))
        .where(ModerationAction.target_kind == kind, ModerationAction.target_id == thing.id)
        .order_by(ModerationAction.id.desc())
    ).all()
    return render_template(
        "moderation/target.html", thing=thing, kind=kind, title=MODERATE_TITLES[kind], logged=LOGGED,
        summary=summary_of(thing), page=page_of(thing), form=form,
        actions=available_actions(thing, current_user), reports=open_reports_about(kind, thing.id),
        history=history,
    ), 422 if form.errors else 200


@bp.get("/moderation/log")
@moderators_only
def log():
    entries = select(ModerationAction).options(joinedload(ModerationAction.moderator))
    page = paginate(
        lambda limit, offset: db.session.scalars(
            entries.order_by(ModerationAction.id.desc()).limit(limit).offset(offset)
        ).all(),
        lambda: db.session.scalar(select(func.count(ModerationAction.id))),
    )
    return render_template("moderation/log.html", page=page, logged=LOGGED)
