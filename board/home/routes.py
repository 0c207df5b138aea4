from __future__ import annotations

import re

from flask import Response, abort, g, render_template, request
from flask_login import current_user, login_required

from ..help.matching import offers_a_skill, requests_you_could_help_with
from ..listing import help_cards, help_list, idea_cards, idea_list
from ..models import HelpRequest, HelpStatus, Idea
from ..page_cache import same_for_everyone
from ..photos import photo_to_serve
from . import bp
from .dashboard import latest_for, offers_of, posts_of
from .lines import DashboardLines

HOME_LIST_LENGTH = 6


NEWEST = idea_list()
MOST_SUPPORTED = idea_list(
    Idea.supporters_count > 0, order_by=[Idea.supporters_count.desc(), Idea.id.desc()]
)
OPEN_REQUESTS = help_list(HelpRequest.status == HelpStatus.OPEN)


@bp.get("/")
@same_for_everyone
def index():
    return render_template(
        "home/index.html",
        newest=idea_cards(NEWEST, limit=HOME_LIST_LENGTH),
        popular=idea_cards(MOST_SUPPORTED, limit=HOME_LIST_LENGTH),
        open_requests=help_cards(OPEN_REQUESTS, limit=HOME_LIST_LENGTH),
    )


@bp.get("/code-of-conduct")
@same_for_everyone
def code_of_conduct():
    return render_template("home/code_of_conduct.html")


@bp.get("/privacy")
@same_for_everyone
def privacy():
    return render_template("home/privacy.html")


@bp.get("/dashboard")
@login_required
def dashboard():
    has_skills = offers_a_skill(current_user)
    awaiting, offers = offers_of(current_user)
    ideas, help_requests = posts_of(current_user)
    return render_template(
        "home/dashboard.html",
        awaiting=awaiting,
        latest=latest_for(current_user),
        has_skills=has_skills,
        could_help=requests_you_could_help_with(current_user) if has_skills else [],
        offers=offers,
        ideas=ideas,
        help_requests=help_requests,
        lines=DashboardLines(),
    )


PHOTO_NAME = re.compile(r"([0-9a-f]{64})-(large|medium|thumb)\.(webp|jpg)")
A_YEAR = 365 * 24 * 3600


@bp.get("/photos/<name>")
def photo(name: str):
    """A photo's bytes. The address names the bytes (their sha256), so they never change:
    browsers keep a public photo for a year. Hidden ones go only to their author and staff."""
    g.page_key = None  # read from the database each time: a photo just hidden is gone at once
    match = PHOTO_NAME.fullmatch(name)
    served = photo_to_serve(*match.groups(), viewer=current_user) if match else None
    if served is None:
        abort(404)
    response = Response(served.data, mimetype=served.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if served.public:
        response.headers["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "private, no-store"
    response.set_etag(name)
    return response.make_conditional(request)
