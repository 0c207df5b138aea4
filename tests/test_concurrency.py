"""Clicks and sign-ups that arrive at the same moment, on each engine: none gives a server
error, each rule holds (one support, one offer, one account per person), and counters
agree with a recount."""

from __future__ import annotations

from sqlalchemy import func, select

from board.extensions import db
from board.models import HelpRequest, Idea, Offer, Support, User
from helpers import PASSWORD, count_rows, run_at_once, signed_in


def _each_at_once(app, browsers, post) -> list[int]:
    """Every browser posts at the same moment; the status codes they got."""
    queue = list(browsers)
    return run_at_once(app, lambda: post(queue.pop()), threads=len(queue))


def test_supports_clicked_at_once_in_many_tabs_never_fail_and_the_count_stays_true(
    app, make_user, make_idea
):
    idea = make_idea()
    people = [make_user() for _ in range(4)]
    for _ in range(3):
        tabs = [signed_in(app, person) for person in people for _ in range(2)]
        statuses = _each_at_once(app, tabs, lambda tab: tab.post(f"/ideas/{idea.id}/support").status_code)
        assert all(status < 500 for status in statuses), statuses
    with app.app_context():
        recount = db.session.scalar(select(func.count()).where(Support.idea_id == idea.id))
        assert db.session.get(Idea, idea.id).supporters_count == recount


def test_one_helper_offering_from_many_tabs_at_once_makes_one_offer(
    app, make_user, make_help_request
):
    help_request = make_help_request()
    helper = make_user()
    tabs = [signed_in(app, helper) for _ in range(6)]
    statuses = _each_at_once(app, tabs, lambda tab: tab.post(
        f"/help/{help_request.id}/offers", data={"message": "I have a van."}).status_code)
    assert all(status < 500 for status in statuses), statuses
    assert count_rows(app, Offer, Offer.helper_id == helper.id) == 1
    with app.app_context():
        assert db.session.get(HelpRequest, help_request.id).offers_count == 1


def test_one_username_registered_from_many_places_at_once_makes_one_account(app):
    browsers = [app.test_client() for _ in range(6)]

    def register(browser):
        return browser.post("/register", data={
            "username": "sameday", "email": f"sameday{id(browser)}@example.org",
            "password": PASSWORD, "confirm_password": PASSWORD,
        }).status_code

    statuses = _each_at_once(app, browsers, register)
    assert all(status < 500 for status in statuses), statuses
    assert count_rows(app, User, func.lower(User.username) == "sameday") == 1
