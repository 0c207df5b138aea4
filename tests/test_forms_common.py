"""A blank form is drawn once and kept: the same for everyone, but with each person's own token."""

from __future__ import annotations

import re

from sqlalchemy import select

from board.extensions import db
from board.models import Comment
from helpers import Auth, field_error, make_test_app, offer_languages, textarea_value

TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def test_each_reader_gets_the_kept_comment_box_with_their_own_token_and_it_posts(
    app, database_url, make_user, make_idea
):
    idea = make_idea(title="Benches on the green")
    people = {"alice": "Yes, by the pond.", "bea": "And a bin beside each."}
    worker = make_test_app(database_url, WTF_CSRF_ENABLED=True)  # one worker keeps the form
    tokens = {}
    for name, words in people.items():
        client = worker.test_client()
        Auth(client).sign_in(make_user(name))
        page = client.get(f"/ideas/{idea.id}")
        assert 'class="comment-form"' in page.get_data(as_text=True)
        found = set(TOKEN.findall(page.get_data(as_text=True)))
        assert len(found) == 1  # the comment box's token is the one in their other forms
        tokens[name] = found.pop()
        response = client.post(f"/ideas/{idea.id}/comments", data={
            "comment": words, "language": "en", "csrf_token": tokens[name]})
        assert response.status_code == 302
    assert tokens["alice"] != tokens["bea"]
    with app.app_context():
        posted = db.session.execute(select(Comment.body, Comment.author_id).order_by(Comment.id)).all()
    assert [body for body, _ in posted] == list(people.values())
    with worker.app_context():
        db.engine.dispose()


def test_the_kept_comment_box_is_in_each_readers_language(app, client, auth, make_user, make_idea):
    offer_languages(app)
    idea = make_idea()
    auth.sign_in(make_user())
    for language, label in (("en", "Comment"), ("fr", "Commentaire"), ("cy", "Sylw"), ("en", "Comment")):
        page = client.get(f"/ideas/{idea.id}", headers={"Accept-Language": language}).get_data(as_text=True)
        assert re.search(rf'<label[^>]*for="comment"[^>]*>\s*{label}\s*<', page), language


def test_what_one_person_typed_is_sent_back_to_them_alone_and_the_kept_box_stays_blank(
    app, client, auth, make_user, make_idea
):
    idea = make_idea()
    auth.sign_in(make_user("alice"))
    client.get(f"/ideas/{idea.id}")  # the blank box is kept
    too_long = "My long thoughts. " * 2000
    refused = client.post(f"/ideas/{idea.id}/comments", data={"comment": too_long, "language": "en"})
    assert refused.status_code == 422
    assert field_error(refused, "comment")
    assert textarea_value(refused, "comment") == too_long.strip()

    blank_again = client.get(f"/ideas/{idea.id}")
    auth.sign_in(make_user("bea"))
    someone_else = client.get(f"/ideas/{idea.id}")
    for page in (blank_again, someone_else):
        assert textarea_value(page, "comment") == ""
        assert field_error(page, "comment") is None
        assert "My long thoughts" not in page.get_data(as_text=True)
