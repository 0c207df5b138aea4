"""The board's pledge: enough supporters start an idea's answer clock, the first official
response stops it, and everyone can see where each idea stands."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from board.admin.models import BoardSettings
from board.extensions import db
from board.models import Area, Event, EventKind, Idea, Role, Topic, User, iso, utcnow
from board.notifications.models import Category, EmailChoice, Frequency, Notification
from helpers import run_at_once, signed_in
from smtp import text_part


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


# --- The clock ---------------------------------------------------------------------------


def test_the_clock_starts_at_n_supporters_and_does_not_stop_when_support_is_taken_back(
        app, make_user, make_idea, engine):
    make_pledge(app, supporters=2, days=10)
    idea = make_idea()
    first, second = make_user(), make_user()
    support(app, idea, first)
    assert idea_row(app, idea).pledge_reached_at is None
    support(app, idea, second)
    reached = idea_row(app, idea).pledge_reached_at
    assert reached is not None
    support(app, idea, second)  # taken back: down to 1
    support(app, idea, second)  # and given again: back to 2
    row = idea_row(app, idea)
    assert row.supporters_count == 2 and row.pledge_reached_at == reached
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event).where(
            Event.kind == EventKind.PLEDGE_REACHED, Event.idea_id == idea.id)) == 1


def test_with_no_supporters_needed_the_clock_starts_when_the_idea_is_posted(app, make_idea, engine):
    make_pledge(app, supporters=0, days=5)
    assert idea_row(app, make_idea()).pledge_reached_at is not None


def test_without_a_pledge_no_clock_starts(app, make_user, make_idea, engine):
    make_pledge(app, supporters=0, days=5, on=False)
    idea = make_idea()
    support(app, idea, make_user())
    assert idea_row(app, idea).pledge_reached_at is None


def test_making_the_pledge_starts_the_clocks_of_ideas_already_past_it_from_that_moment(
        app, make_user, make_idea, engine):
    idea, small = make_idea(), make_idea()
    support(app, idea, make_user(), make_user())
    admin = make_user("ada", role=Role.ADMIN)
    browser = signed_in(app, admin)
    browser.post("/admin/settings", data={
        "name": "Simpl", "registration_mode": "open", "data_licence_name": "OGL",
        "data_licence_url": "https://example.org/ogl", "default_language": "en",
        "pledge_on": "y", "pledge_supporters": "2", "pledge_days": "14",
    })
    assert idea_row(app, idea).pledge_reached_at > utcnow() - timedelta(minutes=1)
    assert idea_row(app, small).pledge_reached_at is None


def test_the_first_official_response_stops_the_clock_and_later_ones_do_not_move_it(
        app, make_user, make_idea, engine):
    make_pledge(app, supporters=0, days=10)
    idea = make_idea()
    staff = make_user("ruth", role=Role.MODERATOR)
    browser = signed_in(app, staff)
    browser.post(f"/ideas/{idea.id}/status", data={"status": "under_consideration", "response": "Looking."})
    answered = idea_row(app, idea).answered_at
    assert answered is not None
    browser.post(f"/ideas/{idea.id}/status", data={"status": "done", "response": "Done."})
    assert idea_row(app, idea).answered_at == answered


def test_a_status_change_without_words_or_by_someone_not_staff_does_not_stop_the_clock(
        app, make_user, make_idea, engine):
    make_pledge(app, supporters=0, days=10)
    idea = make_idea()
    member = make_user("sam")
    assert signed_in(app, member).post(
        f"/ideas/{idea.id}/status", data={"status": "done", "response": "Done!"}).status_code == 403
    staff = make_user("mo", role=Role.MODERATOR)
    with app.app_context():
        db.session.get(Idea, idea.id).answer("done", "", by=db.session.get(User, staff.id))
        db.session.commit()
    assert idea_row(app, idea).answered_at is None


def test_the_idea_page_card_api_and_feed_say_where_the_idea_stands(app, client, make_idea, engine):
    make_pledge(app, supporters=0, days=20)
    waiting, overdue, answered = make_idea(title="Waiting"), make_idea(title="Late"), make_idea(title="Done")
    moved_back(app, waiting, 12.2)
    moved_back(app, overdue, 23.5)
    moved_back(app, answered, 15, answered_days=6)
    with app.app_context():
        due = iso(db.session.get(Idea, waiting.id).pledge_reached_at + timedelta(days=20))
    page = client.get(f"/ideas/{waiting.id}").get_data(as_text=True)
    assert "Waiting 12 days for an answer (pledged within 20)" in page
    assert f'<time datetime="{due}">' in page
    assert "Our pledge: every idea gets an official answer within 20 days." in page
    assert "Overdue by 3 days" in client.get(f"/ideas/{overdue.id}").get_data(as_text=True)
    assert "Answered in 9 days" in client.get(f"/ideas/{answered.id}").get_data(as_text=True)
    listed = client.get("/ideas").get_data(as_text=True)
    for words in ("Waiting 12 days for an answer", "Overdue by 3 days", "Answered in 9 days"):
        assert words in listed
    clock = client.get(f"/api/v1/ideas/{overdue.id}").get_json()["answer_clock"]
    assert clock["state"] == "overdue" and clock["words"] == "Overdue by 3 days"
    assert clock["due_at"].endswith("Z") and clock["started_at"].endswith("Z")
    feed = client.get("/ideas.atom").get_data(as_text=True)
    assert "Answered in 9 days" in feed and "Overdue by 3 days" in feed


def test_an_idea_before_the_pledge_says_nothing_about_a_clock(app, client, make_idea, engine):
    make_pledge(app, supporters=5, days=20)
    idea = make_idea()
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "for an answer" not in page and "Overdue" not in page
    assert client.get(f"/api/v1/ideas/{idea.id}").get_json()["answer_clock"] is None


# --- Telling people -----------------------------------------------------------------


@pytest.mark.mail
def test_the_author_supporters_and_staff_are_told_and_emailed_as_each_chose(
        app, make_user, make_idea, smtp_server, engine):
    make_pledge(app, supporters=2, days=10)
    now = utcnow()
    author = make_user("amina", email_verified_at=now)
    first = make_user("ben", email_verified_at=now)
    second = make_user("cara", email_verified_at=now)
    staff = make_user("ruth", role=Role.MODERATOR, email_verified_at=now)
    quiet_staff = make_user("sol", role=Role.ADMIN, email_verified_at=now)
    with app.app_context():
        db.session.add_all([
            EmailChoice(user_id=first.id, category=Category.FOLLOWING, frequency=Frequency.IMMEDIATELY),
            EmailChoice(user_id=staff.id, category=Category.ANSWERS, frequency=Frequency.IMMEDIATELY),
            EmailChoice(user_id=quiet_staff.id, category=Category.ANSWERS, frequency=Frequency.NEVER),
        ])
        db.session.commit()
    idea = make_idea(author, title="Benches")
    signed_in(app, first).post(f"/ideas/{idea.id}/support").close()
    signed_in(app, second).post(f"/ideas/{idea.id}/support").close()  # sends what it queued

    with app.app_context():
        told = dict(db.session.execute(
            select(Notification.recipient_id, Notification.category).join(Event)
            .where(Event.kind == EventKind.PLEDGE_REACHED)
        ).all())
    assert told == {author.id: Category.MINE, first.id: Category.FOLLOWING,
                    second.id: Category.FOLLOWING, staff.id: Category.ANSWERS,
                    quiet_staff.id: Category.ANSWERS}
    smtp_server.wait_for(3)
    subjects = {m["To"]: m["Subject"] for m in smtp_server.received}
    expected = "“Benches” has reached the board's pledge: an official answer is due within 10 days"
    assert subjects == {"amina@example.org": expected, "ben@example.org": expected,
                        "ruth@example.org": expected}
    assert "/ideas/" in text_part(smtp_server.to("ruth@example.org")[0])


def test_only_staff_are_asked_about_emails_on_ideas_owed_an_answer(app, make_user, engine):
    question = "Ideas owed an official answer"
    assert question not in signed_in(app, make_user("sam")).get("/account/notifications").get_data(as_text=True)
    staff = signed_in(app, make_user("ruth", role=Role.MODERATOR))
    assert question in staff.get("/account/notifications").get_data(as_text=True)


# --- Lists ---------------------------------------------------------------------------


def titles_in(page: str) -> list[str]:
    return re.findall(r'class="card__title"><a href="/ideas/\d+">([^<]+)</a>', page)


def test_lists_filter_ideas_by_where_they_stand_and_sort_the_longest_waiting_first(
        app, client, make_idea, engine):
    make_pledge(app, supporters=0, days=10)
    recent, overdue, oldest, answered = (make_idea(title=t) for t in ("Recent", "Overdue", "Oldest", "Answered"))
    none_yet = make_idea(title="Before")
    moved_back(app, recent, 2)
    moved_back(app, overdue, 12)
    moved_back(app, oldest, 30)
    moved_back(app, answered, 8, answered_days=1)
    with app.app_context():
        db.session.execute(update(Idea).where(Idea.id == none_yet.id).values(pledge_reached_at=None))
        db.session.commit()

    def listed(query):
        return titles_in(client.get(f"/ideas?{query}").get_data(as_text=True))

    assert listed("clock=awaiting") == ["Oldest", "Overdue", "Recent"]
    assert listed("clock=overdue") == ["Oldest", "Overdue"]
    assert listed("clock=answered") == ["Answered"]
    assert listed("sort=waiting") == ["Oldest", "Overdue", "Recent"]
    assert listed("sort=waiting&clock=overdue") == ["Oldest", "Overdue"]
    page = client.get("/ideas?clock=overdue").get_data(as_text=True)
    assert 'id="filter-clock"' in page and "Waiting longest" in page


def test_without_a_pledge_lists_offer_no_clock_filter_and_ignore_one_asked_for(
        app, client, make_idea, engine):
    make_idea(title="Anything")
    page = client.get("/ideas?clock=overdue&sort=waiting").get_data(as_text=True)
    assert titles_in(page) == ["Anything"]
    assert 'id="filter-clock"' not in page and "Waiting longest" not in page


# --- For staff -------------------------------------------------------------------------


def test_the_staff_queue_lists_the_overdue_first_then_those_coming_due_then_the_rest(
        app, make_user, make_idea, engine):
    make_pledge(app, supporters=0, days=10)
    later, overdue, soon, done = (make_idea(title=t) for t in ("Later", "Overdue", "Soon", "Done"))
    moved_back(app, later, 1)
    moved_back(app, overdue, 14)
    moved_back(app, soon, 6)
    moved_back(app, done, 14, answered_days=1)
    with app.app_context():
        topic, area = Topic.named("Parks"), Area.named("Riverside")
        db.session.add_all([topic, area])
        db.session.get(Idea, soon.id).place(area, [topic])
        db.session.commit()
    page = signed_in(app, make_user("ruth", role=Role.MODERATOR)).get("/admin/answers")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert titles_in(text) == ["Overdue", "Soon", "Later"]
    assert text.index("Overdue by 4 days") < text.index('id="queue-soon"') < text.index("Topics: Parks")
    assert "Area: Riverside" in text and f'href="/ideas/{soon.id}#answer-heading"' in text


def test_the_staff_queue_is_for_staff_only(app, client, make_user, engine):
    assert signed_in(app, make_user("sam")).get("/admin/answers").status_code == 403
    assert client.get("/admin/answers").status_code == 302  # sign in first
    assert signed_in(app, make_user("ada", role=Role.ADMIN)).get("/admin").get_data(
        as_text=True).count("/admin/answers") >= 1


@pytest.mark.mail
def test_staff_who_chose_it_get_one_daily_email_of_what_is_overdue_or_coming_due(
        app, make_user, make_idea, smtp_server, engine):
    make_pledge(app, supporters=0, days=10)
    overdue, soon, later = (make_idea(title=t) for t in ("Overdue", "Soon", "Later"))
    moved_back(app, overdue, 12)
    moved_back(app, soon, 5)
    moved_back(app, later, 0)
    now = utcnow()
    make_user("ruth", role=Role.MODERATOR, email_verified_at=now)
    quiet = make_user("sol", role=Role.ADMIN, email_verified_at=now)
    make_user("sam", email_verified_at=now)  # not staff
    with app.app_context():
        db.session.add(EmailChoice(user_id=quiet.id, category=Category.ANSWERS, frequency=Frequency.NEVER))
        db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["board", "send-digests"]).exit_code == 0
    assert runner.invoke(args=["board", "send-digests"]).exit_code == 0  # the same day: nothing more
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "ruth@example.org"
    assert message["Subject"] == "Ideas owed an answer: 1 overdue, 1 due within 7 days"
    body = text_part(message)
    assert "Overdue: Overdue by 2 days" in body and "Soon: Waiting 5 days" in body
    assert "Later" not in body and "http://board.test/admin/answers" in body


def test_supports_reaching_the_pledge_at_once_start_one_clock_and_tell_people_once(
        app, make_user, make_idea, engine):
    make_pledge(app, supporters=3, days=10)
    idea = make_idea()
    people = [make_user() for _ in range(6)]
    tabs = [signed_in(app, person) for person in people]
    queue = list(tabs)
    statuses = run_at_once(app, lambda: queue.pop().post(f"/ideas/{idea.id}/support").status_code,
                           threads=len(queue))
    assert all(status < 500 for status in statuses), statuses
    assert idea_row(app, idea).pledge_reached_at is not None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event).where(
            Event.kind == EventKind.PLEDGE_REACHED, Event.idea_id == idea.id)) == 1
