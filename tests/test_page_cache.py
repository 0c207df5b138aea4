"""Pages kept a few seconds for visitors: shared only where nothing personal is on them."""

from __future__ import annotations

import time

from sqlalchemy import event

from board.admin.models import BoardSettings
from board.extensions import db
from board.models import Idea, utcnow
from helpers import make_test_app, signed_in, text_of


def test_a_visitor_gets_the_kept_page_the_second_time(client, make_idea):
    make_idea(title="Benches by the pond")
    first = client.get("/ideas")
    second = client.get("/ideas")
    assert first.status_code == second.status_code == 200
    assert "Age" not in first.headers
    assert second.headers["Age"] == "0"
    assert second.data == first.data
    assert "Benches by the pond" in text_of(second)


def test_a_kept_page_asks_the_database_for_the_settings_stamp_alone(app, client, make_idea):
    """The stamp is read through the driver beside the session; nothing else is asked."""
    make_idea(title="Benches by the pond")
    client.get("/ideas")
    with app.app_context():
        engine = db.engine
    statements = []

    def record(_connection, _cursor, statement, *_rest):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        kept = client.get("/ideas")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert kept.headers["Age"] == "0"
    assert "Benches by the pond" in text_of(kept)
    assert statements == []


def test_a_new_idea_shows_at_once_on_the_worker_that_saved_it(app, client, make_user, make_idea):
    client.get("/ideas")
    author = make_user()
    browser = signed_in(app, author)
    response = browser.post("/ideas/new", data={"title": "Tool library", "description": "Lend drills."})
    assert response.status_code == 302
    page = client.get("/ideas")
    assert "Age" not in page.headers
    assert "Tool library" in text_of(page)


def test_another_worker_shows_a_change_once_its_copy_expires(database_url, make_user):
    reader = make_test_app(database_url, PAGE_CACHE_SECONDS=1)
    writer = make_test_app(database_url, PAGE_CACHE_SECONDS=1)
    visitor = reader.test_client()
    assert "Tool library" not in text_of(visitor.get("/ideas"))
    posted = signed_in(writer, make_user()).post("/ideas/new", data={"title": "Tool library",
                                                                     "description": "Drills."})
    assert posted.status_code == 302
    kept = visitor.get("/ideas")
    assert kept.headers.get("Age") == "0" and "Tool library" not in text_of(kept)
    time.sleep(1.1)
    fresh = visitor.get("/ideas")
    assert "Age" not in fresh.headers
    assert "Tool library" in text_of(fresh)
    for app in (reader, writer):
        with app.app_context():
            db.engine.dispose()


def test_a_settings_change_shows_at_once_on_every_worker(database_url):
    reader = make_test_app(database_url)
    writer = make_test_app(database_url)
    visitor = reader.test_client()
    visitor.get("/")
    assert visitor.get("/").headers.get("Age") == "0"
    with writer.app_context():
        settings = db.session.get(BoardSettings, 1) or BoardSettings(id=1)
        settings.name = "Riverside Ideas"
        db.session.add(settings)
        db.session.commit()
    page = visitor.get("/")
    assert "Age" not in page.headers
    assert "Riverside Ideas" in text_of(page)
    for app in (reader, writer):
        with app.app_context():
            db.engine.dispose()


def test_signed_in_pages_are_never_kept_nor_shared(app, client, make_user, make_idea):
    make_idea()
    person = make_user(username="rowan")
    browser = signed_in(app, person)
    for _ in range(2):
        mine = browser.get("/ideas")
        assert "Age" not in mine.headers
    assert "Sign out" in text_of(mine)
    client.get("/ideas")
    theirs = client.get("/ideas")
    assert theirs.headers.get("Age") == "0"
    assert "Sign out" not in text_of(theirs) and "rowan" not in text_of(theirs)


def test_a_page_with_a_form_token_is_not_kept(database_url):
    client = make_test_app(database_url, WTF_CSRF_ENABLED=True).test_client()
    for _ in range(5):
        page = client.get("/login")
        assert page.status_code == 200
        assert "Age" not in page.headers


def test_a_message_waiting_for_the_visitor_is_shown_not_a_kept_page(app, client, make_user):
    client.get("/")
    person = make_user()
    browser = signed_in(app, person)
    browser.get("/")
    signed_out = browser.post("/logout", follow_redirects=True)
    assert signed_out.status_code == 200
    assert "Age" not in signed_out.headers
    assert "signed out" in text_of(signed_out).lower()


def test_no_page_is_kept_when_the_operator_turns_it_off(database_url, make_idea):
    app = make_test_app(database_url, PAGE_CACHE_SECONDS=0)
    visitor = app.test_client()
    for _ in range(2):
        assert "Age" not in visitor.get("/ideas").headers
    with app.app_context():
        db.engine.dispose()


def test_a_kept_feed_still_answers_not_modified(client, make_idea):
    make_idea()
    first = client.get("/ideas.atom")
    etag = first.headers["ETag"]
    again = client.get("/ideas.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers.get("Age") == "0"


def test_a_hidden_idea_leaves_the_kept_pages_of_the_worker_that_hid_it(app, client, make_idea):
    idea = make_idea(title="Something unkind")
    assert "Something unkind" in text_of(client.get("/ideas"))
    with app.app_context():
        db.session.get(Idea, idea.id).hidden_at = utcnow()
        db.session.commit()
    assert "Something unkind" not in text_of(client.get("/ideas"))


def test_a_kept_page_is_kept_per_language_and_says_it_varies_by_it(client):
    client.get("/ideas", headers={"Accept-Language": "en"})
    french = client.get("/ideas", headers={"Accept-Language": "fr"})
    kept_french = client.get("/ideas", headers={"Accept-Language": "fr"})
    assert kept_french.headers.get("Age") == "0"
    assert '<html lang="fr"' in kept_french.get_data(as_text=True)
    assert '<html lang="en"' in client.get("/ideas", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert {"Cookie", "Accept-Language"} <= {v.strip() for v in kept_french.headers["Vary"].split(",")}
    assert french.data == kept_french.data
