from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from ..help.matching import requests_you_could_help_with
from ..listing import help_cards, help_list, idea_cards, idea_list
from ..models import HelpRequest, HelpStatus, Idea
from . import bp
from .dashboard import (
    help_requests_by,
    ideas_by,
    latest_for,
    offers_awaiting_answer,
    offers_made_by,
)

HOME_LIST_LENGTH = 6


NEWEST = idea_list()
MOST_SUPPORTED = idea_list(
    Idea.supporters_count > 0, order_by=[Idea.supporters_count.desc(), Idea.id.desc()]
)
OPEN_REQUESTS = help_list(HelpRequest.status == HelpStatus.OPEN)


@bp.get("/")
def index():
    return render_template(
        "home/index.html",
        newest=idea_cards(NEWEST, limit=HOME_LIST_LENGTH),
        popular=idea_cards(MOST_SUPPORTED, limit=HOME_LIST_LENGTH),
        open_requests=help_cards(OPEN_REQUESTS, limit=HOME_LIST_LENGTH),
    )


@bp.get("/code-of-conduct")
def code_of_conduct():
    return render_template("home/code_of_conduct.html")


@bp.get("/privacy")
def privacy():
    return render_template("home/privacy.html")


@bp.get("/dashboard")
@login_required
def dashboard():
    return render_template(
        "home/dashboard.html",
        awaiting=offers_awaiting_answer(current_user),
        latest=latest_for(current_user),
        could_help=requests_you_could_help_with(current_user),
        offers=offers_made_by(current_user),
        ideas=ideas_by(current_user),
        help_requests=help_requests_by(current_user),
    )
