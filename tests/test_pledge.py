"""The board's pledge: enough supporters start an idea's answer clock, the first official
response stops it, and everyone can see where each idea stands."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from board.admin.models import BoardSettings
from board.extensions import db
from board.models import Event, EventKind, Idea, Role, User, utcnow
from helpers import signed_in


def make_pledge(app, supporters=2, days=10, on=True):
    with app.app_context():
        settings = db.session.get(BoardSettings, 1) or BoardSettings(id=1, name="Simpl")
        settings.set_texts("", "")
        settings.pledge_on, settings.pledge_supporters, settings.pledge_days = on, supporters, days
        db.session.add(settings)
        db.session.commit()


def support(app, idea, *people):
    with app.app_context():
        target = db.session.get(Idea, idea.id)
        for person in people:
            target.toggle_support(db.session.get(User, person.id))
            db.session.commit()


def idea_row(app, idea) -> Idea:
    with app.app_context():
        row = db.session.get(Idea, idea.id)
        db.session.expunge(row)
        return row


def moved_back(app, idea, days: float, answered_days: float | None = None):
    """The idea reached the pledge `days` ago (and was answered `answered_days` ago)."""
    with app.app_context():
        now = utcnow()
        values = {"pledge_reached_at": now - timedelta(days=days)}
        if answered_days is not None:
            values["answered_at"] = now - timedelta(days=answered_days)
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(**values))
        db.session.commit()


# --- Settings and the schema -----------------------------------------------------------


def test_the_pledge_is_off_on_a_new_board_and_admins_can_make_it(app, make_user, engine):
    admin = make_user("ada", role=Role.ADMIN)
    browser = signed_in(app, admin)
    page = browser.get("/admin/settings").get_data(as_text=True)
    assert "Supporters an idea needs for the pledge" in page
    response = browser.post("/admin/settings", data={
        "name": "Simpl", "registration_mode": "open", "data_licence_name": "OGL",
        "data_licence_url": "https://example.org/ogl", "default_language": "en",
        "languages_offered": ["en"], "pledge_on": "y", "pledge_supporters": "0", "pledge_days": "14",
    })
    assert response.status_code == 302
    with app.app_context():
        settings = db.session.get(BoardSettings, 1)
        assert (settings.pledge_on, settings.pledge_supporters, settings.pledge_days) == (True, 0, 14)


def test_a_pledge_of_no_days_is_refused_next_to_the_field(app, make_user, engine):
    browser = signed_in(app, make_user("ada", role=Role.ADMIN))
    response = browser.post("/admin/settings", data={
        "name": "Simpl", "registration_mode": "open", "data_licence_name": "OGL",
        "data_licence_url": "https://example.org/ogl", "default_language": "en",
        "pledge_on": "y", "pledge_supporters": "3", "pledge_days": "0",
    })
    assert response.status_code == 422
    assert "Enter a whole number of days from 1 to 3,650." in response.get_data(as_text=True)
