"""Comments on ideas and help requests: reading, posting, editing, deleting."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select

from board.extensions import db
from board.models import Comment, Idea
from helpers import count_queries, count_rows, fetch, field_error, make_test_app, text_of, textarea_value

# --- Helpers -------------------------------------------------------------------


def page_of(target) -> str:
    return f"/ideas/{target.id}" if isinstance(target, Idea) else f"/help/{target.id}"


def comments_count_column(app, target) -> int:
    with app.app_context():
        return db.session.get(type(target), target.id).comments_count






def comment_html(response, comment_id) -> str:
    """The HTML of one comment as it is shown on the page."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<li class="comment" id="comment-{comment_id}">(.*?)</li>', html, re.S)
    assert match, f"comment {comment_id} is not on the page"
    return match.group(1)


@pytest.fixture(params=["idea", "help request"])
def target(request, make_idea, make_help_request):
    """Something people comment on: an idea or a help request."""
    if request.param == "idea":
        return make_idea(title="Plant trees on Mill Lane")
    return make_help_request(title="Spades for the planting")


# --- Reading -------------------------------------------------------------------


def test_visitors_read_comments_and_are_invited_to_sign_in(client, target, make_user, make_comment):
    make_comment(target, author=make_user("bea", display_name="Bea Baker"), body="Great plan, I have a spade.")
    response = client.get(page_of(target))
    assert response.status_code == 200
    text = text_of(response)
    assert "Great plan, I have a spade." in text
    assert "Bea Baker" in text
    assert "Sign in or register to join the conversation." in text
    html = response.get_data(as_text=True)
    sign_in = re.search(r'<a href="(/login\?next=[^"]+)">Sign in</a> or', html)
    assert sign_in and unquote(sign_in.group(1)) == f"/login?next={page_of(target)}"
    assert textarea_value(response, "comment") is None
    assert "Post comment" not in text


def test_signed_in_people_see_the_comment_form(client, target, make_user, auth):
    auth.sign_in(make_user())
    response = client.get(page_of(target))
    html = response.get_data(as_text=True)
    assert re.search(r'<label for="comment"[^>]*>[^<]*Comment', html)
    assert textarea_value(response, "comment") == ""
    assert "Sign in or register to join the conversation." not in text_of(response)


def test_visitors_cannot_post_a_comment(app, client, target):
    response = client.post(f"{page_of(target)}/comments", data={"comment": "Sneaky"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert count_rows(app, Comment) == 0


def test_an_idea_without_comments_says_so(client, make_idea):
    idea = make_idea()
    text = text_of(client.get(f"/ideas/{idea.id}"))
    assert "Comments (0)" in text
    assert "No comments yet." in text


def comment_ids_shown(response) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="comment" id="comment-(\d+)">', response.get_data(as_text=True))]


def test_a_long_discussion_is_read_a_page_at_a_time(app, client, target, make_comment):
    app.config["COMMENTS_PER_PAGE"] = 3
    ids = [make_comment(target, body=f"Comment number {n}").id for n in range(7)]
    first = client.get(page_of(target))
    assert comment_ids_shown(first) == ids[:3]
    html = first.get_data(as_text=True)
    assert "Page 1" in text_of(first)
    assert f'rel="next" href="{page_of(target)}?page=2#comments-heading"' in html
    assert 'rel="prev"' not in html
    second = client.get(f"{page_of(target)}?page=2")
    assert comment_ids_shown(second) == ids[3:6]
    html = second.get_data(as_text=True)
    assert f'rel="prev" href="{page_of(target)}?page=1#comments-heading"' in html
    assert f'rel="next" href="{page_of(target)}?page=3#comments-heading"' in html
    last = client.get(f"{page_of(target)}?page=3")
    assert comment_ids_shown(last) == ids[6:]
    assert 'rel="next"' not in last.get_data(as_text=True)
    # Past the end, or not a page number: the last page, and the first.
    assert comment_ids_shown(client.get(f"{page_of(target)}?page=99")) == ids[6:]
    assert comment_ids_shown(client.get(f"{page_of(target)}?page=x")) == ids[:3]
    # The count above the discussion is of all its comments.
    assert "Comments (7)" in text_of(last)


def test_a_short_discussion_has_no_pages(app, client, target, make_comment):
    app.config["COMMENTS_PER_PAGE"] = 3
    ids = [make_comment(target).id for _ in range(3)]
    response = client.get(page_of(target))
    assert comment_ids_shown(response) == ids
    assert 'class="pagination"' not in response.get_data(as_text=True)


def test_a_comments_address_leads_to_the_page_it_is_on(app, client, auth, target, make_user, make_comment):
    app.config["COMMENTS_PER_PAGE"] = 3
    ids = [make_comment(target).id for _ in range(4)]
    assert client.get(f"/comments/{ids[2]}").headers["Location"] == f"{page_of(target)}#comment-{ids[2]}"
    where = client.get(f"/comments/{ids[3]}").headers["Location"]
    assert where == f"{page_of(target)}?page=2#comment-{ids[3]}"
    assert ids[3] in comment_ids_shown(client.get(where.split("#")[0]))
    # A new comment on a long discussion: its author lands on the last page, where it is.
    auth.sign_in(make_user("cat"))
    response = client.post(f"{page_of(target)}/comments", data={"comment": "Count me in."})
    with app.app_context():
        newest = db.session.scalar(select(func.max(Comment.id)))
    assert response.headers["Location"] == f"{page_of(target)}?page=2#comment-{newest}"
    assert "Count me in." in text_of(client.get(f"{page_of(target)}?page=2"))


# --- Posting -------------------------------------------------------------------


def test_i_can_comment(app, client, target, make_user, auth):
    me = make_user("cat", display_name="Cat Carter")
    auth.sign_in(me)
    response = client.post(f"{page_of(target)}/comments", data={"comment": "I can bring gloves."})

    with app.app_context():
        comment = db.session.scalar(select(Comment))
        assert comment.body == "I can bring gloves."
        assert comment.author_id == me.id
        comment_id = comment.id
    assert response.status_code == 302
    assert response.headers["Location"] == f"{page_of(target)}#comment-{comment_id}"
    assert comments_count_column(app, target) == 1

    page = client.get(page_of(target))
    text = text_of(page)
    assert "Comments (1)" in text
    assert "No comments yet." not in text
    shown = comment_html(page, comment_id)
    assert "I can bring gloves." in shown
    assert "Cat Carter" in shown


def test_my_comment_counts_in_the_list_of_ideas(client, make_idea, make_user, auth):
    idea = make_idea()
    auth.sign_in(make_user())
    client.post(f"/ideas/{idea.id}/comments", data={"comment": "Yes!"})
    client.post(f"/ideas/{idea.id}/comments", data={"comment": "And again."})
    assert "2 comments" in text_of(client.get("/ideas"))
    assert "Comments (2)" in text_of(client.get(f"/ideas/{idea.id}"))


@pytest.mark.parametrize("blank", ["", "   ", "\n\t \n"])
def test_an_empty_comment_is_refused(app, client, target, make_user, auth, blank):
    auth.sign_in(make_user())
    response = client.post(f"{page_of(target)}/comments", data={"comment": blank})
    assert response.status_code == 422
    assert "There is a problem" in text_of(response)
    assert field_error(response, "comment") == "Error: Write a comment."
    html = response.get_data(as_text=True)
    assert re.search(r'<label for="comment"[^>]*>[^<]*Comment', html)
    assert count_rows(app, Comment) == 0
    assert comments_count_column(app, target) == 0


def test_a_comment_over_20000_characters_is_refused_and_kept_for_me(app, client, target, make_user, auth):
    auth.sign_in(make_user())
    long = "c" * 20_001
    response = client.post(f"{page_of(target)}/comments", data={"comment": long})
    assert response.status_code == 422
    assert field_error(response, "comment") == "Error: Comment must be 20,000 characters or fewer."
    assert textarea_value(response, "comment") == long
    assert count_rows(app, Comment) == 0


def test_a_comment_of_exactly_20000_characters_is_accepted(app, client, make_idea, make_user, auth):
    idea = make_idea()
    auth.sign_in(make_user())
    response = client.post(f"/ideas/{idea.id}/comments", data={"comment": "c" * 20_000})
    assert response.status_code == 302
    assert count_rows(app, Comment) == 1


def test_markdown_in_a_comment_is_rendered_and_made_safe(app, client, target, make_user, auth):
    auth.sign_in(make_user())
    body = (
        "I **love** this.\n\n"
        "<script>alert(1)</script>\n\n"
        "<img src=x onerror=alert(1)>\n\n"
        "[bad](javascript:alert(1)) and [good](https://example.org/)"
    )
    response = client.post(f"{page_of(target)}/comments", data={"comment": body})
    comment_id = int(response.headers["Location"].rsplit("-", 1)[1])
    page = client.get(page_of(target))
    shown = comment_html(page, comment_id)
    assert "<strong>love</strong>" in shown
    assert "<script" not in shown.lower()
    assert "<img" not in shown.lower()
    assert not re.search(r"<[^>]*\bonerror\s*=", shown, re.I)
    assert not re.search(r'<a\b[^>]*\bhref\s*=\s*["\']?\s*javascript:', shown, re.I)
    assert 'href="https://example.org/"' in shown
    assert re.findall(r"<script\b[^>]*>", page.get_data(as_text=True)) == [
        '<script src="/static/js/board.js" defer>'
    ]


def test_a_comment_over_a_megabyte_gets_the_friendly_too_big_page(app, client, make_idea, make_user, auth):
    idea = make_idea()
    auth.sign_in(make_user())
    response = client.post(f"/ideas/{idea.id}/comments", data={"comment": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 413
    assert "That was too big to send" in text_of(response)
    assert count_rows(app, Comment) == 0


@pytest.mark.parametrize("path", ["/ideas/999/comments", "/help/999/comments"])
def test_commenting_on_something_that_does_not_exist_is_not_found(app, client, make_user, auth, path):
    auth.sign_in(make_user())
    response = client.post(path, data={"comment": "Hello?"})
    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    assert count_rows(app, Comment) == 0


# --- Editing -------------------------------------------------------------------


def test_i_see_my_comment_in_the_edit_form(client, target, make_user, make_comment, auth):
    me = make_user()
    comment = make_comment(target, author=me, body="First *thoughts*")
    auth.sign_in(me)
    response = client.get(f"/comments/{comment.id}/edit")
    assert response.status_code == 200
    assert textarea_value(response, "comment") == "First *thoughts*"
    assert "Edit your comment" in text_of(response)
    assert "On " + target.title in text_of(response)


def test_i_can_edit_my_comment(app, client, target, make_user, make_comment, auth):
    me = make_user()
    comment = make_comment(target, author=me, body="First thoughts")
    auth.sign_in(me)
    response = client.post(f"/comments/{comment.id}/edit", data={"comment": "Second **thoughts**"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{page_of(target)}#comment-{comment.id}"
    assert fetch(app, Comment, comment.id).body == "Second **thoughts**"

    shown = comment_html(client.get(page_of(target)), comment.id)
    assert "<strong>thoughts</strong>" in shown
    assert "First thoughts" not in shown
    assert "(edited)" in shown
    assert comments_count_column(app, target) == 1


def test_a_comment_never_edited_does_not_say_edited(client, make_idea, make_comment):
    idea = make_idea()
    comment = make_comment(idea)
    assert "(edited)" not in comment_html(client.get(f"/ideas/{idea.id}"), comment.id)


def test_editing_my_comment_to_nothing_is_refused(app, client, make_idea, make_user, make_comment, auth):
    me = make_user()
    comment = make_comment(make_idea(), author=me, body="Keep me")
    auth.sign_in(me)
    response = client.post(f"/comments/{comment.id}/edit", data={"comment": "  "})
    assert response.status_code == 422
    assert field_error(response, "comment") == "Error: Write a comment."
    saved = fetch(app, Comment, comment.id)
    assert (saved.body, saved.updated_at) == ("Keep me", None)


def test_someone_else_cannot_edit_my_comment(app, client, target, make_user, make_comment, auth):
    comment = make_comment(target, body="Mine")
    auth.sign_in(make_user())
    form = client.get(f"/comments/{comment.id}/edit")
    assert form.status_code == 403
    assert "You cannot do that" in text_of(form)
    response = client.post(f"/comments/{comment.id}/edit", data={"comment": "Theirs"})
    assert response.status_code == 403
    saved = fetch(app, Comment, comment.id)
    assert (saved.body, saved.updated_at) == ("Mine", None)


def test_i_only_get_edit_and_delete_links_on_my_own_comments(client, make_idea, make_user, make_comment, auth):
    me = make_user()
    idea = make_idea()
    mine = make_comment(idea, author=me)
    theirs = make_comment(idea)
    auth.sign_in(me)
    page = client.get(f"/ideas/{idea.id}")
    assert f'href="/comments/{mine.id}/edit"' in comment_html(page, mine.id)
    assert f'href="/comments/{theirs.id}/edit"' not in page.get_data(as_text=True)
    assert f'href="/comments/{theirs.id}/delete"' not in page.get_data(as_text=True)


def test_i_must_sign_in_to_edit_a_comment(app, client, make_idea, make_comment):
    comment = make_comment(make_idea(), body="Mine")
    response = client.get(f"/comments/{comment.id}/edit")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=%2Fcomments%2F{comment.id}%2Fedit"
    client.post(f"/comments/{comment.id}/edit", data={"comment": "Theirs"})
    assert fetch(app, Comment, comment.id).body == "Mine"


@pytest.mark.parametrize("path", ["/comments/999/edit", "/comments/999/delete", "/comments/abc/edit"])
def test_a_comment_that_does_not_exist_is_not_found(client, make_user, auth, path):
    auth.sign_in(make_user())
    assert client.get(path).status_code == 404
    response = client.post(path, data={"comment": "x"})
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


# --- Deleting ------------------------------------------------------------------


def test_deleting_my_comment_asks_me_to_confirm_first(app, client, target, make_user, make_comment, auth):
    me = make_user()
    comment = make_comment(target, author=me, body="Something I regret")
    auth.sign_in(me)
    response = client.get(f"/comments/{comment.id}/delete")
    assert response.status_code == 200
    text = text_of(response)
    assert "Delete this comment?" in text
    assert "Something I regret" in text
    html = response.get_data(as_text=True)
    assert f'action="/comments/{comment.id}/delete"' in html
    assert f'href="{page_of(target)}#comment-{comment.id}"' in html  # "No, keep it"
    assert fetch(app, Comment, comment.id) is not None


def test_i_can_delete_my_comment(app, client, target, make_user, make_comment, auth):
    me = make_user()
    kept = make_comment(target, body="Someone else's words")
    comment = make_comment(target, author=me, body="Something I regret")
    assert comments_count_column(app, target) == 2
    auth.sign_in(me)
    response = client.post(f"/comments/{comment.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == page_of(target)
    assert fetch(app, Comment, comment.id) is None
    assert fetch(app, Comment, kept.id) is not None
    assert comments_count_column(app, target) == 1

    text = text_of(client.get(page_of(target)))
    assert "Comments (1)" in text
    assert "Something I regret" not in text
    assert "Someone else's words" in text


def test_someone_else_cannot_delete_my_comment(app, client, target, make_user, make_comment, auth):
    comment = make_comment(target, body="Mine")
    auth.sign_in(make_user())
    assert client.get(f"/comments/{comment.id}/delete").status_code == 403
    response = client.post(f"/comments/{comment.id}/delete")
    assert response.status_code == 403
    assert "You cannot do that" in text_of(response)
    assert fetch(app, Comment, comment.id) is not None
    assert comments_count_column(app, target) == 1


def test_i_must_sign_in_to_delete_a_comment(app, client, make_idea, make_comment):
    comment = make_comment(make_idea())
    response = client.post(f"/comments/{comment.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=%2Fcomments%2F{comment.id}%2Fdelete"
    assert fetch(app, Comment, comment.id) is not None


def test_the_comment_count_matches_the_comments_after_posting_and_deleting(
    app, client, target, make_user, auth
):
    people = [make_user() for _ in range(3)]
    ids = []
    for person in people:
        auth.sign_in(person)
        for n in range(2):
            response = client.post(f"{page_of(target)}/comments", data={"comment": f"Note {n}"})
            ids.append((person, int(response.headers["Location"].rsplit("-", 1)[1])))
    for person, comment_id in ids[::2]:
        auth.sign_in(person)
        assert client.post(f"/comments/{comment_id}/delete").status_code == 302
    with app.app_context():
        model = type(target)
        column = db.session.get(model, target.id).comments_count
        link = Comment.idea_id if model is Idea else Comment.help_request_id
        recount = db.session.scalar(select(func.count()).select_from(Comment).where(link == target.id))
    assert column == recount == 3
    assert "Comments (3)" in text_of(client.get(page_of(target)))


# A discussion is rendered once and kept (board/fragments.py); these check that what
# people see still follows every change, and that edit links stay personal.


def test_a_kept_discussion_shows_new_edited_and_deleted_comments_at_once(
    app, client, auth, make_user, make_idea, make_comment
):
    me = make_user()
    idea = make_idea()
    first = make_comment(idea, author=me, body="First thoughts")
    page = f"/ideas/{idea.id}"
    assert "First thoughts" in text_of(client.get(page))  # rendered and kept

    auth.sign_in(me)
    client.post(f"/comments/{first.id}/edit", data={"comment": "Second thoughts"})
    assert "Second thoughts" in text_of(client.get(page))
    assert "First thoughts" not in text_of(client.get(page))

    client.post(f"/ideas/{idea.id}/comments", data={"comment": "One more thing"})
    assert "One more thing" in text_of(client.get(page))

    client.post(f"/comments/{first.id}/delete")
    assert "Second thoughts" not in text_of(client.get(page))
    assert "One more thing" in text_of(client.get(page))


def test_a_discussion_is_kept_only_once_it_has_been_asked_for_again(database_url, make_idea, make_comment):
    """As the board runs by default: a discussion read once is rendered and forgotten, and
    what it is like now (its latest comment, the number hidden) is read only from the second
    time, to find or keep its copy."""
    idea = make_idea()
    make_comment(idea, body="Plain and simple")
    app = make_test_app(database_url, CACHE_MIN_USES=2, PAGE_CACHE_SECONDS=0)
    visitor = app.test_client()
    read_comments, read_its_state = [], []
    for _ in range(3):
        with count_queries(app) as queries:
            assert "Plain and simple" in text_of(visitor.get(f"/ideas/{idea.id}"))
        read_comments.append(any("comments.body_html" in statement for statement in queries))
        read_its_state.append(any("max(comments.updated_at)" in statement for statement in queries))
    assert read_comments == [True, True, False]
    assert read_its_state == [False, True, True]
    with app.app_context():
        db.engine.dispose()


def test_edit_links_in_a_kept_discussion_are_only_on_the_viewers_own_comments(
    app, client, auth, make_user, make_idea, make_comment
):
    alice, bob = make_user("alice"), make_user("bob")
    idea = make_idea()
    by_alice = make_comment(idea, author=alice, body="Alice here")
    by_bob = make_comment(idea, author=bob, body="Bob here")
    page = f"/ideas/{idea.id}"

    visitor_html = client.get(page).get_data(as_text=True)
    assert "/edit" not in visitor_html.split('class="comments"')[1].split("</ol>")[0]
    assert "<!--actions" not in visitor_html

    auth.sign_in(alice)
    html = client.get(page).get_data(as_text=True)
    assert f"/comments/{by_alice.id}/edit" in html
    assert f"/comments/{by_bob.id}/edit" not in html

    auth.sign_in(bob)
    html = client.get(page).get_data(as_text=True)
    assert f"/comments/{by_bob.id}/edit" in html
    assert f"/comments/{by_alice.id}/edit" not in html


def test_discussions_render_the_same_with_keeping_switched_off(database_url, app, make_idea, make_comment):
    idea = make_idea()
    make_comment(idea, body="Plain and simple")
    uncached = make_test_app(database_url, FRAGMENT_CACHE_SECONDS=0).test_client()
    assert "Plain and simple" in text_of(uncached.get(f"/ideas/{idea.id}"))
