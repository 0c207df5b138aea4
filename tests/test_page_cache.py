"""Pages kept a few seconds for visitors: shared only where nothing personal is on them."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import event

from board.admin.models import BoardSettings
from board.extensions import db
from board.models import Comment, Idea, utcnow
from helpers import Auth, account, make_test_app, offer_languages, signed_in, text_of


def test_a_visitor_gets_the_kept_page_the_second_time(client, make_idea):
    make_idea(title="Benches by the pond")
    first = client.get("/ideas")
    second = client.get("/ideas")
    assert first.status_code == second.status_code == 200
    assert "Age" not in first.headers
    assert second.headers["Age"] == "0"
    assert second.data == first.data
    assert "Benches by the pond" in text_of(second)


def test_a_page_is_kept_only_once_it_has_been_asked_for_again(database_url, make_user, make_idea):
    """As the board runs by default: a page read once is rendered and forgotten."""
    make_idea(title="Benches by the pond")
    app = make_test_app(database_url, CACHE_MIN_USES=2)
    visitor = app.test_client()
    first, second, third = (visitor.get("/ideas") for _ in range(3))
    assert first.status_code == second.status_code == third.status_code == 200
    assert "Age" not in first.headers and "Age" not in second.headers
    assert third.headers["Age"] == "0"
    assert first.data == second.data == third.data
    # Someone signed in: rendered for them alone at first, kept on the second ask, then
    # sent kept, with their own links each time.
    person = signed_in(app, make_user(username="reader"))
    pages = [person.get("/ideas?sort=active") for _ in range(4)]
    assert all('href="/users/reader"' in page.get_data(as_text=True) for page in pages)
    assert [page.headers.get("Age") for page in pages] == [None, None, "0", "0"]
    assert without_tokens(pages[0]) == without_tokens(pages[-1])
    with app.app_context():
        db.engine.dispose()


def test_asks_for_a_page_are_forgotten_after_a_while(database_url):
    app = make_test_app(database_url, CACHE_MIN_USES=2, CACHE_ASKS_SECONDS=1)
    visitor = app.test_client()
    assert "Age" not in visitor.get("/ideas").headers
    time.sleep(1.1)
    assert "Age" not in visitor.get("/ideas").headers  # the first ask is forgotten
    assert "Age" not in visitor.get("/ideas").headers  # the second is kept
    assert visitor.get("/ideas").headers["Age"] == "0"
    with app.app_context():
        db.engine.dispose()


def test_asks_for_more_pages_than_a_worker_remembers_are_forgotten_oldest_first(database_url):
    app = make_test_app(database_url, CACHE_MIN_USES=2, CACHE_ASKS_REMEMBERED=4)
    visitor = app.test_client()
    for page in ("/ideas", "/help", "/ideas?page=2", "/help?page=2", "/ideas?sort=popular"):
        assert "Age" not in visitor.get(page).headers
    # Asked for again after four others: forgotten, so this is its first ask again.
    assert "Age" not in visitor.get("/ideas").headers
    assert "Age" not in visitor.get("/ideas").headers  # the second: rendered and kept
    assert visitor.get("/ideas").headers["Age"] == "0"
    # One of the last few is still remembered: kept on its second ask.
    assert "Age" not in visitor.get("/ideas?sort=popular").headers
    assert visitor.get("/ideas?sort=popular").headers["Age"] == "0"
    with app.app_context():
        db.engine.dispose()


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


def kept_for(app, person, path="/ideas", **headers):
    """A person's page from a worker that has already kept it: asked until it comes kept
    (the first asks may put a token in their session, and such a page is not kept)."""
    browser = app.test_client()
    Auth(browser).sign_in(person)
    for _ in range(3):
        page = browser.get(path, headers=headers)
        if "Age" in page.headers:
            return browser, page
    raise AssertionError(f"{path} was never kept for {person.username}")


def test_someone_signed_in_gets_the_kept_list_with_their_own_links(app, client, make_user, make_idea):
    make_idea(title="Benches by the pond")
    client.get("/ideas")
    assert client.get("/ideas").headers.get("Age") == "0"
    rowan = make_user(username="rowan", display_name="Rowan Ash")
    _, mine = kept_for(app, rowan)
    text = text_of(mine)
    assert "Benches by the pond" in text
    assert "Rowan Ash" in text and "Sign out" in text and "Dashboard" in text
    assert "Sign in" not in text and "Register" not in text
    # A cache between the board and the browser must not give this copy to anyone else.
    assert "Cookie" in {value.strip() for value in mine.headers["Vary"].split(",")}
    _, theirs = kept_for(app, make_user(username="sam", display_name="Sam Birch"))
    assert "Sam Birch" in text_of(theirs) and "Rowan Ash" not in text_of(theirs)
    visitor = client.get("/ideas")
    assert visitor.headers.get("Age") == "0"
    assert "Sign in" in text_of(visitor)
    assert "Rowan Ash" not in text_of(visitor) and "Sam Birch" not in text_of(visitor)
    assert "Sign out" not in text_of(visitor) and "csrf_token" not in visitor.get_data(as_text=True)


def test_each_person_signs_out_with_their_own_token_from_a_kept_page(database_url, make_user):
    app = make_test_app(database_url, WTF_CSRF_ENABLED=True)
    rowan, sam = make_user(username="rowan"), make_user(username="sam")
    (rowan_browser, rowan_page), (sam_browser, sam_page) = kept_for(app, rowan), kept_for(app, sam)
    rowan_token, sam_token = (re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
                              for page in (rowan_page, sam_page))
    assert rowan_token != sam_token
    assert sam_browser.post("/logout", data={"csrf_token": rowan_token}).status_code == 400
    assert rowan_browser.post("/logout", data={"csrf_token": rowan_token}).status_code == 302
    assert sam_browser.post("/logout", data={"csrf_token": sam_token}).status_code == 302
    assert "Sign in" in text_of(rowan_browser.get("/ideas"))
    with app.app_context():
        db.engine.dispose()


def test_moderators_and_admins_find_their_own_links_on_a_kept_page(app, client, make_user):
    client.get("/help")
    pages = {role: text_of(kept_for(app, make_user(username=role, role=role), "/help")[1])
             for role in ("member", "moderator", "admin")}
    assert "Moderation" not in pages["member"] and "Admin" not in pages["member"]
    assert "Moderation" in pages["moderator"] and "Admin" not in pages["moderator"]
    assert "Moderation" in pages["admin"] and "Admin" in pages["admin"]


@pytest.mark.mail
def test_a_kept_page_asks_only_those_who_have_not_confirmed_their_address_to_do_so(app, client, make_user):
    client.get("/ideas")
    waiting = text_of(kept_for(app, make_user(username="rowan", email_verified_at=None))[1])
    confirmed = text_of(kept_for(app, make_user(username="sam", email_verified_at=utcnow()))[1])
    assert "Please confirm your email address with the link we sent to rowan@example.org" in waiting
    assert "Please confirm" not in confirmed and "rowan@example.org" not in confirmed


def test_a_kept_page_is_in_the_language_a_person_chose_for_their_account(app, client, make_user):
    offer_languages(app)
    client.get("/ideas", headers={"Accept-Language": "en"})
    _, page = kept_for(app, make_user(username="rowan", language="cy"), **{"Accept-Language": "en"})
    assert '<html lang="cy"' in page.get_data(as_text=True)
    assert '<html lang="en"' in client.get("/ideas", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_pages_about_the_person_asking_are_rendered_for_them_alone(app, make_user, make_idea):
    make_idea()
    rowan = make_user(username="rowan")
    browser = app.test_client()
    Auth(browser).sign_in(rowan)
    for path in ("/dashboard", "/notifications", "/account"):
        for _ in range(3):
            page = browser.get(path)
            assert page.status_code == 200, path
            assert "Age" not in page.headers, path


def test_a_kept_profile_offers_its_owner_an_edit_link_and_others_a_report_link(app, client, make_user):
    make_user(username="rowan", display_name="Rowan Ash")
    client.get("/users/rowan")
    visitor = client.get("/users/rowan")
    assert visitor.headers.get("Age") == "0"
    assert "Edit your profile" not in text_of(visitor) and "Report this person" not in text_of(visitor)
    _, own = kept_for(app, account(app, "rowan"), "/users/rowan")
    assert "Edit your profile" in text_of(own) and "Report this person" not in text_of(own)
    _, other = kept_for(app, make_user(username="sam"), "/users/rowan")
    assert "Report this person" in text_of(other) and "Edit your profile" not in text_of(other)
    assert "Moderate this person" not in text_of(other)
    _, moderator = kept_for(app, make_user(username="mo", role="moderator"), "/users/rowan")
    assert "Moderate this person" in text_of(moderator) and "Report this person" in text_of(moderator)


def test_an_idea_is_kept_for_everyone_with_their_own_support_follow_and_comment_links(
        database_url, make_user, make_idea, make_comment):
    kept_app = make_test_app(database_url)
    rowan, bo = make_user(username="rowan"), make_user(username="bo")
    idea = make_idea(author=rowan, title="Benches by the pond")
    make_comment(idea, author=rowan, body="Two benches would do.")
    make_comment(idea, author=bo, body="I can paint them.")
    path = f"/ideas/{idea.id}"
    # Bo supports and follows it on another worker: this one has kept the page from before.
    visitor = kept_app.test_client()
    visitor.get(path)
    other_app = make_test_app(database_url)
    other_worker = signed_in(other_app, bo)
    other_worker.post(f"{path}/support")
    other_worker.post(f"{path}/follow", data={"follow": "1"})

    seen = text_of(visitor.get(path))
    assert "Sign in to support this idea" in seen and "to join the conversation" in seen
    assert "Report" not in seen and "Post comment" not in seen

    _, bos = kept_for(kept_app, bo, path)
    seen = text_of(bos)
    assert "You support this idea." in seen and "Withdraw support" in seen
    assert "You follow this idea." in seen and "Post comment" in seen
    assert "Report this idea" in seen and seen.count("Report this comment") == 1
    assert seen.count("Edit your comment") == 1 and "Edit your idea" not in seen

    _, sams = kept_for(kept_app, make_user(username="sam"), path)
    seen = text_of(sams)
    assert "Support this idea" in seen and "You support this idea." not in seen
    assert "You follow this idea." not in seen and seen.count("Report this comment") == 2
    assert "Edit your comment" not in seen

    # Its author may edit it, and the staff answer it: each gets the page rendered for them.
    for username, words in (("rowan", "Edit your idea"), ("mo", "Answer this idea officially")):
        person = account(kept_app, username) or make_user(username=username, role="moderator")
        browser = signed_in(kept_app, person)
        pages = [browser.get(path) for _ in range(3)]
        assert all("Age" not in page.headers for page in pages), username
        assert words in text_of(pages[-1]), username
    assert "Moderate this idea" in text_of(pages[-1])
    for app in (kept_app, other_app):
        with app.app_context():
            db.engine.dispose()


def test_a_hidden_comment_is_read_by_its_author_on_a_page_kept_for_others(app, make_user, make_idea, make_comment):
    bo = make_user(username="bo")
    idea = make_idea(title="Benches by the pond")
    comment = make_comment(idea, author=bo, body="Paint them orange.")
    with app.app_context():
        db.session.get(Comment, comment.id).hidden_at = utcnow()
        db.session.commit()
    path = f"/ideas/{idea.id}"
    _, sams = kept_for(app, make_user(username="sam"), path)
    assert "Paint them orange." not in text_of(sams)
    bos = signed_in(app, bo).get(path)
    assert "Age" not in bos.headers
    assert "Paint them orange." in text_of(bos)


def test_someone_who_just_posted_sees_it_whichever_worker_they_reach(database_url, make_user):
    reader = make_test_app(database_url, PAGE_CACHE_SECONDS=60)
    writer = make_test_app(database_url, PAGE_CACHE_SECONDS=60)
    rowan = make_user(username="rowan")
    rowan_at_writer, _ = kept_for(writer, rowan)
    rowan_at_reader, before = kept_for(reader, rowan)
    sam_at_reader, _ = kept_for(reader, make_user(username="sam"))
    assert "Tool library" not in text_of(before)
    posted = rowan_at_writer.post("/ideas/new", data={"title": "Tool library", "description": "Drills."},
                                  follow_redirects=True)
    assert posted.status_code == 200 and "Your idea is on the board" in text_of(posted)
    # The same person, with the same session cookie, reaches the other worker next.
    rowan_at_reader.set_cookie("session", rowan_at_writer.get_cookie("session").value)
    mine = rowan_at_reader.get("/ideas")
    assert "Age" not in mine.headers
    assert "Tool library" in text_of(mine) and "rowan" in text_of(mine).lower()
    theirs = sam_at_reader.get("/ideas")
    assert theirs.headers.get("Age") is not None and "Tool library" not in text_of(theirs)
    for app in (reader, writer):
        with app.app_context():
            db.engine.dispose()


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


# Pages of each view marked same_for_everyone (two profiles: parts about one person).
SHARED_PAGES = {
    "home.index": ["/"], "home.code_of_conduct": ["/code-of-conduct"], "home.privacy": ["/privacy"],
    "ideas.index": ["/ideas?sort=popular"], "help.index": ["/help?status=open"],
    "people.skill": ["/skills/van"], "people.profile": ["/users/rowan", "/users/mo"],
    "search.results": ["/search?q=fridge"], "ideas.detail": ["/ideas/1", "/ideas/2"],
}
# Who gets a page rendered for them alone: an idea's author, and the staff, and on the
# second idea the author of its hidden comment, who may read what it said.
RENDERED_FOR = {"/ideas/1": {"rowan", "mo", "ada"}, "/ideas/2": {"rowan", "bo", "mo", "ada"}}


def test_every_page_kept_for_everyone_is_what_each_person_would_get_rendered_afresh(
        database_url, make_user, make_idea, make_help_request, make_comment):
    kept_app = make_test_app(database_url)
    afresh_app = make_test_app(database_url, PAGE_CACHE_SECONDS=0)
    marked = {endpoint for endpoint, view in kept_app.view_functions.items()
              if getattr(view, "same_for_everyone", False)}
    assert marked == set(SHARED_PAGES)
    author = make_user(username="rowan", display_name="Rowan Ash")
    idea = make_idea(author=author, title="A fridge by the library")
    make_comment(idea, author=author, body="The fridge needs a van.")
    make_help_request(author=author, title="A van for the fridge", skills=("van",), idea=idea)
    member = make_user(username="bo")  # neither wrote the first idea nor moderates
    make_comment(idea, author=member, body="I can drive the van.")
    second = make_idea(author=member, title="A seed swap")
    hidden = make_comment(second, author=author, body="Buy my seeds.")
    with kept_app.app_context():
        db.session.get(Comment, hidden.id).hidden_at = utcnow()
        db.session.get(Idea, second.id).comments_locked_at = utcnow()
        db.session.commit()
    supporter = signed_in(afresh_app, member)
    assert supporter.post(f"/ideas/{idea.id}/support").status_code == 302
    assert supporter.post(f"/ideas/{idea.id}/follow", data={"follow": "1"}).status_code == 302
    people = [None, author, member, make_user(username="mo", role="moderator"),
              make_user(username="ada", role="admin")]
    for path in (path for paths in SHARED_PAGES.values() for path in paths):
        visitor = kept_app.test_client()
        visitor.get(path)
        assert visitor.get(path).headers.get("Age") == "0", path
        for person in people:
            if person is None:
                kept, afresh = visitor.get(path), afresh_app.test_client().get(path)
            elif person.username in RENDERED_FOR.get(path, ()):
                browser = signed_in(kept_app, person)
                kept = [browser.get(path) for _ in range(3)][-1]
                assert "Age" not in kept.headers, (path, person)
                afresh = signed_in(afresh_app, person).get(path)
            else:
                _, kept = kept_for(kept_app, person, path)
                afresh = signed_in(afresh_app, person).get(path)
            assert afresh.status_code == kept.status_code == 200, path
            assert "Age" not in afresh.headers
            assert without_tokens(kept) == without_tokens(afresh), (path, person)
    for app in (kept_app, afresh_app):
        with app.app_context():
            db.engine.dispose()


def without_tokens(page) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token"', page.get_data(as_text=True))
