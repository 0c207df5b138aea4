"""Atom feeds: valid (read by feedparser, a real parser), the right entries, stable ids,
conditional requests, and never anything hidden."""

from __future__ import annotations

import re

import feedparser
import pytest

from board.extensions import db
from board.models import Area, Comment, HelpRequest, Idea, Topic, utcnow


def parse(response):
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


def assert_complete(feed):
    """RFC 4287: a feed and each entry has an id, a title and an updated time; entries a
    link and an author."""
    assert feed.feed.id and feed.feed.title and feed.feed.updated
    for entry in feed.entries:
        assert entry.id and entry.title and entry.updated and entry.link, entry
        assert entry.author, entry


def test_the_ideas_feed_lists_ideas_newest_first(client, make_user, make_idea):
    first = make_idea(title="Community fridge", author=make_user(display_name="Amina"))
    make_idea(title="Benches by the canal")
    feed = parse(client.get("/ideas.atom"))
    assert_complete(feed)
    assert [e.title for e in feed.entries] == ["Benches by the canal", "Community fridge"]
    fridge = feed.entries[1]
    assert fridge.author == "Amina"
    assert fridge.link == f"http://localhost/ideas/{first.id}"
    assert fridge.id == f"tag:board.test,2026:ideas/{first.id}"
    assert "Open Government Licence" in feed.feed.rights


def test_entry_ids_stay_the_same_when_an_idea_is_edited(app, client, auth, make_user, make_idea):
    author = make_user()
    idea = make_idea(author=author, title="Before")
    before = parse(client.get("/ideas.atom")).entries[0]
    auth.sign_in(author)
    client.post(f"/ideas/{idea.id}/edit", data={"title": "After", "body": "Changed.", "area": 0})
    after = parse(client.get("/ideas.atom")).entries[0]
    assert after.title == "After"
    assert after.id == before.id
    assert after.updated_parsed >= before.updated_parsed


def test_a_feed_holds_the_fifty_newest_entries_that_match_newest_first(app, client, make_user):
    from board.feeds.routes import ENTRIES
    from board.models import User

    author = make_user()
    with app.app_context():
        person = db.session.get(User, author.id)
        for n in range(ENTRIES + 2):
            HelpRequest.post(person, f"Van {n}", "To move benches.", ["van"])
            HelpRequest.post(person, f"Paint {n}", "For the fence.", ["paint"])
        newest_van = db.session.scalar(
            db.select(HelpRequest).where(HelpRequest.title == f"Van {ENTRIES + 1}"))
        newest_van.hidden_at = utcnow()  # hidden: the window moves one further back
        db.session.commit()
    titles = [e.title for e in parse(client.get("/help.atom?skill=van")).entries]
    assert titles == [f"Van {n}" for n in range(ENTRIES, 0, -1)]
    everything = [e.title for e in parse(client.get("/help.atom")).entries]
    assert len(everything) == ENTRIES and everything[0] == f"Paint {ENTRIES + 1}"


def test_the_ideas_feed_filters_by_topic_area_and_status(app, client, make_idea):
    with app.app_context():
        db.session.add_all([Topic.named("Transport"), Area.named("Elm Park")])
        db.session.commit()
    make_idea(title="Elsewhere")
    placed = make_idea(title="Cycle lane")
    with app.app_context():
        idea = db.session.get(Idea, placed.id)
        idea.place(Area.by_slug("elm-park"), [Topic.by_slug("transport")])
        idea.status = "in_progress"
        db.session.commit()
    for query in ("topic=transport", "area=elm-park", "status=in_progress",
                  "topic=transport&area=elm-park&status=in_progress"):
        feed = parse(client.get(f"/ideas.atom?{query}"))
        assert [e.title for e in feed.entries] == ["Cycle lane"], query
    assert "Transport" in parse(client.get("/ideas.atom?topic=transport")).feed.title


def test_the_help_feed_lists_open_requests_also_by_skill(app, client, make_help_request):
    make_help_request(title="A van", skills=("van",))
    make_help_request(title="Some paint", skills=("paint",))
    closed = make_help_request(title="Closed one", skills=("van",))
    with app.app_context():
        db.session.get(HelpRequest, closed.id).status = "closed"
        db.session.commit()
    feed = parse(client.get("/help.atom"))
    assert_complete(feed)
    assert [e.title for e in feed.entries] == ["Some paint", "A van"]
    by_skill = parse(client.get("/help.atom?skill=Van"))
    assert [e.title for e in by_skill.entries] == ["A van"]
    assert "Needs: van" in by_skill.entries[0].content[0].value
    assert parse(client.get("/help.atom?skill=juggling")).entries == []


def test_an_ideas_activity_feed_has_comments_help_requests_and_official_answers(
    app, client, auth, make_user, make_idea, make_comment, make_help_request
):
    author = make_user()
    idea = make_idea(author=author, title="Tool library")
    comment = make_comment(on=idea, author=make_user(display_name="Tom"), body="I have tools.")
    make_help_request(author=author, idea=idea, title="Shelves")
    auth.sign_in(make_user(role="moderator", display_name="Council"))
    client.post(f"/ideas/{idea.id}/status", data={"status": "in_progress", "response": "We will help."})
    feed = parse(client.get(f"/ideas/{idea.id}/activity.atom"))
    assert_complete(feed)
    titles = [e.title for e in feed.entries]
    assert titles == ["Official response: In progress", "Help needed: Shelves", "Tom commented"]
    assert feed.entries[2].link.endswith(f"/comments/{comment.id}")
    assert "We will help." in feed.entries[0].content[0].value


def test_conditional_requests_get_304_until_something_changes(client, make_idea, make_comment):
    idea = make_idea()
    first = client.get(f"/ideas/{idea.id}/activity.atom")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(f"/ideas/{idea.id}/activity.atom", headers={"If-None-Match": etag}).status_code == 304
    assert client.get(f"/ideas/{idea.id}/activity.atom",
                      headers={"If-Modified-Since": modified}).status_code == 304
    # Asking twice gives the same feed, so the same ETag.
    assert client.get(f"/ideas/{idea.id}/activity.atom").headers["ETag"] == etag
    make_comment(on=idea)
    assert client.get(f"/ideas/{idea.id}/activity.atom", headers={"If-None-Match": etag}).status_code == 200
    ideas = client.get("/ideas.atom")
    assert client.get("/ideas.atom", headers={"If-None-Match": ideas.headers["ETag"]}).status_code == 304


def test_hidden_and_deleted_content_never_appears(app, client, auth, make_user, make_idea,
                                                  make_comment, make_help_request):
    author = make_user()
    idea = make_idea(author=author, title="Visible idea")
    hidden = make_idea(title="Hidden idea")
    deleted = make_idea(author=author, title="Deleted idea")
    bad = make_comment(on=idea, body="Hidden comment")
    hidden_request = make_help_request(title="Hidden request")
    with app.app_context():
        db.session.get(Idea, hidden.id).hidden_at = utcnow()
        db.session.get(Comment, bad.id).hidden_at = utcnow()
        db.session.get(HelpRequest, hidden_request.id).hidden_at = utcnow()
        db.session.commit()
    auth.sign_in(author)
    client.post(f"/ideas/{deleted.id}/delete")
    auth.logout()
    everything = b"".join(client.get(url).data for url in (
        "/ideas.atom", "/help.atom", f"/ideas/{idea.id}/activity.atom"))
    assert b"Visible idea" in everything
    for secret in (b"Hidden idea", b"Deleted idea", b"Hidden comment", b"Hidden request"):
        assert secret not in everything
    assert client.get(f"/ideas/{hidden.id}/activity.atom").status_code == 404


def test_no_email_address_is_in_any_feed(client, make_user, make_idea, make_comment):
    author = make_user(email="secret.person@example.org")
    idea = make_idea(author=author)
    make_comment(on=idea, author=author)
    for url in ("/ideas.atom", f"/ideas/{idea.id}/activity.atom", "/help.atom"):
        assert b"secret.person" not in client.get(url).data


@pytest.mark.parametrize("page, feed", [
    ("/ideas?topic=transport", "/ideas.atom?topic=transport"),
    ("/help?skill=van", "/help.atom?skill=van"),
    ("/", "/ideas.atom"),
])
def test_list_pages_link_their_feeds(app, client, make_help_request, page, feed):
    with app.app_context():
        db.session.add(Topic.named("Transport"))
        db.session.commit()
    make_help_request(skills=("van",))
    html = client.get(page).get_data(as_text=True)
    assert re.search(rf'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="{re.escape(feed)}">', html)
    assert f'<a href="{feed}" type="application/atom+xml">' in html


def test_an_idea_page_links_its_activity_feed(client, make_idea):
    idea = make_idea()
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert f'href="/ideas/{idea.id}/activity.atom"' in html


def test_a_feed_of_nothing_is_still_valid(client):
    feed = parse(client.get("/ideas.atom"))
    assert feed.entries == []
    assert feed.feed.updated


def test_the_help_feed_says_what_is_needed_in_the_readers_language_and_its_own_words_as_written(
    client, make_help_request
):
    make_help_request(title="A van", skills=("<b>van</b>",))
    english = parse(client.get("/help.atom")).entries[0].content[0].value
    assert "Needs: &lt;b&gt;van&lt;/b&gt;" in english
    client.get("/language/fr")
    french = parse(client.get("/help.atom")).entries[0].content[0].value
    assert "Compétences recherchées\u00a0: &lt;b&gt;van&lt;/b&gt;" in french
