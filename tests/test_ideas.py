"""Ideas: posting, reading, listing, editing, deleting and supporting them."""

from __future__ import annotations

import re
from datetime import UTC
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from board.extensions import db
from board.models import Comment, HelpRequest, Idea, Offer, Support, User
from helpers import (
    count_queries,
    count_rows,
    fetch,
    field_error,
    input_value,
    make_test_app,
    text_of,
    textarea_value,
)

# --- Helpers -------------------------------------------------------------------


def post_idea(client, title="A community fridge", description="Share food, waste less."):
    return client.post("/ideas/new", data={"title": title, "description": description})








def prose_of(response) -> str:
    """The HTML of the first rendered description on the page."""
    html = response.get_data(as_text=True)
    match = re.search(r'<div class="prose">(.*?)</div>', html, re.S)
    assert match, "the page shows no description"
    return match.group(1)


def team_of(response) -> str:
    html = response.get_data(as_text=True)
    match = re.search(r'<ul class="team">(.*?)</ul>', html, re.S)
    assert match, "the page shows no team"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def card_titles(response) -> list[str]:
    """Idea titles in the order the list shows them."""
    html = response.get_data(as_text=True)
    return [unescape(t) for t in re.findall(r'<h[23] class="card__title"><a href="/ideas/\d+">(.*?)</a>', html)]


def support_as(app, idea, user) -> None:
    with app.app_context():
        db.session.get(Idea, idea.id).toggle_support(db.session.get(User, user.id))
        db.session.commit()


def accept(app, offer, by) -> None:
    with app.app_context():
        o = db.session.get(Offer, offer.id)
        o.help_request.accept(o, by=db.session.get(User, by.id))
        db.session.commit()


def decline(app, offer, by) -> None:
    with app.app_context():
        o = db.session.get(Offer, offer.id)
        o.help_request.decline(o, by=db.session.get(User, by.id))
        db.session.commit()


def close(app, help_request, by) -> None:
    with app.app_context():
        db.session.get(HelpRequest, help_request.id).close(by=db.session.get(User, by.id))
        db.session.commit()


# --- Posting -------------------------------------------------------------------


def test_posting_an_idea_needs_me_to_sign_in(client):
    response = client.get("/ideas/new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fideas%2Fnew"


def test_posting_an_idea_without_signing_in_saves_nothing(app, client):
    response = post_idea(client)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=%2Fideas%2Fnew")
    assert count_rows(app, Idea) == 0


def test_the_idea_form_labels_its_title_and_description(client, make_user, auth):
    auth.sign_in(make_user())
    response = client.get("/ideas/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'<label for="title"[^>]*>[^<]*Title', html)
    assert re.search(r'<label for="description"[^>]*>[^<]*Description', html)
    assert 'id="title"' in html and 'id="description"' in html


def test_my_posted_idea_has_its_own_page(app, client, make_user, auth):
    ada = make_user("ada", display_name="Ada Lovelace")
    auth.sign_in(ada)
    response = post_idea(client, "Benches on the green", "We need **three** benches by the pond.")

    with app.app_context():
        idea = db.session.scalar(select(Idea))
        assert idea.title == "Benches on the green"
        assert idea.author_id == ada.id
        idea_id, created = idea.id, idea.created_at
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{idea_id}"

    page = client.get(f"/ideas/{idea_id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Benches on the green" in text
    assert "<strong>three</strong>" in prose_of(page)
    assert "**three**" not in text
    local = created.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/London"))
    assert f"Posted by Ada Lovelace on {local.day} {local:%B %Y}" in text
    assert "0 supporters" in text


# --- Bad input -----------------------------------------------------------------


def assert_rejected(app, response, field_id, message):
    assert response.status_code == 422
    assert "There is a problem" in text_of(response)
    assert field_error(response, field_id) == f"Error: {message}"
    assert count_rows(app, Idea) == 0


def test_an_idea_without_a_title_is_refused_and_keeps_what_i_typed(app, client, make_user, auth):
    auth.sign_in(make_user())
    response = post_idea(client, "", "My carefully typed description")
    assert_rejected(app, response, "title", "Enter a title.")
    assert textarea_value(response, "description") == "My carefully typed description"
    assert field_error(response, "description") is None


def test_a_title_and_description_of_only_spaces_are_refused(app, client, make_user, auth):
    auth.sign_in(make_user())
    response = post_idea(client, "   \t ", " \n\n  ")
    assert_rejected(app, response, "title", "Enter a title.")
    assert field_error(response, "description") == "Error: Describe your idea."


def test_a_title_over_150_characters_is_refused(app, client, make_user, auth):
    auth.sign_in(make_user())
    long_title = "T" * 151
    response = post_idea(client, long_title, "Fine description")
    assert_rejected(app, response, "title", "Title must be 150 characters or fewer.")
    assert input_value(response, "title") == long_title
    assert textarea_value(response, "description") == "Fine description"


def test_a_title_of_exactly_150_characters_is_accepted(app, client, make_user, auth):
    auth.sign_in(make_user())
    response = post_idea(client, "T" * 150, "Fine description")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Idea.title)) == "T" * 150


def test_a_description_over_20000_characters_is_refused(app, client, make_user, auth):
    auth.sign_in(make_user())
    response = post_idea(client, "A long one", "d" * 20_001)
    assert_rejected(app, response, "description", "Description must be 20,000 characters or fewer.")
    assert input_value(response, "title") == "A long one"
    assert textarea_value(response, "description") == "d" * 20_001


def test_a_description_of_exactly_20000_characters_is_accepted(app, client, make_user, auth):
    auth.sign_in(make_user())
    response = post_idea(client, "A long one", "d" * 20_000)
    assert response.status_code == 302
    with app.app_context():
        assert len(db.session.scalar(select(Idea.body))) == 20_000


def test_sending_more_than_a_megabyte_gets_a_friendly_too_big_page(app, client, make_user, auth):
    auth.sign_in(make_user())
    response = post_idea(client, "Huge", "x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert "That was too big to send" in text_of(response)
    assert count_rows(app, Idea) == 0


def test_a_too_big_request_is_a_friendly_413_with_csrf_protection_on(tmp_path):
    app = make_test_app(tmp_path / "csrf.db", WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
    try:
        client = app.test_client()
        response = client.post("/ideas/new", data={"title": "Huge", "description": "x" * (2 * 1024 * 1024)})
        assert response.status_code == 413
        assert "That was too big to send" in text_of(response)
    finally:
        with app.app_context():
            db.engine.dispose()


# --- Cross-site scripting --------------------------------------------------------


SCRIPT_TITLE = "<script>alert(1)</script> Fridge"


def assert_title_escaped(response):
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Fridge" in html


def test_a_script_in_a_title_is_shown_as_text_on_the_idea_page(client, make_idea):
    idea = make_idea(title=SCRIPT_TITLE)
    assert_title_escaped(client.get(f"/ideas/{idea.id}"))


def test_a_script_in_a_title_is_shown_as_text_in_the_list(client, make_idea):
    make_idea(title=SCRIPT_TITLE)
    assert_title_escaped(client.get("/ideas"))


def test_a_script_in_a_title_is_shown_as_text_on_the_home_page(client, make_idea):
    make_idea(title=SCRIPT_TITLE)
    assert_title_escaped(client.get("/"))


def test_a_harmful_description_is_made_inert(app, client, make_user, auth):
    auth.sign_in(make_user())
    description = (
        "<script>alert(1)</script>\n\n"
        "<img src=x onerror=alert(1)>\n\n"
        "[x](javascript:alert(1))\n\n"
        "<a href=\"javascript:alert(1)\">click</a>\n\n"
        "[fine](https://example.org/)"
    )
    response = post_idea(client, "Harmless", description)
    page = client.get(response.headers["Location"])
    prose = prose_of(page)
    assert "<script" not in prose.lower()
    assert "<img" not in prose.lower()
    assert not re.search(r"<[^>]*\bonerror\s*=", prose, re.I)
    # Escaped text may mention it; no real link may point at it.
    assert not re.search(r'<a\b[^>]*\bhref\s*=\s*["\']?\s*javascript:', page.get_data(as_text=True), re.I)
    assert "<a href=\"javascript:" not in prose
    # Ordinary links still work.
    assert 'href="https://example.org/"' in prose
    # The page's only scripts are the board's own.
    html = page.get_data(as_text=True)
    assert re.findall(r"<script\b[^>]*>", html) == ['<script src="/static/js/board.js" defer>']


# --- Listing -------------------------------------------------------------------


def test_the_list_shows_the_newest_ideas_first(client, make_idea):
    for title in ("Oldest idea", "Middle idea", "Newest idea"):
        make_idea(title=title)
    response = client.get("/ideas")
    assert response.status_code == 200
    assert card_titles(response) == ["Newest idea", "Middle idea", "Oldest idea"]


def test_the_popular_list_puts_the_most_supported_first(app, client, make_idea, make_user):
    quiet = make_idea(title="Quiet idea")
    loved = make_idea(title="Loved idea")
    liked = make_idea(title="Liked idea")
    people = [make_user() for _ in range(3)]
    for person in people:
        support_as(app, loved, person)
    support_as(app, liked, people[0])
    support_as(app, quiet, people[0])
    support_as(app, quiet, people[1])
    # Order by supporters, not by age: loved (3), quiet (2), liked (1).
    response = client.get("/ideas?sort=popular")
    assert response.status_code == 200
    assert card_titles(response) == ["Loved idea", "Quiet idea", "Liked idea"]
    assert "3 supporters" in text_of(response)


def test_a_lists_sorts_and_filters_follow_each_request_though_the_same_ones_are_kept(client, make_idea):
    make_idea()
    for sort in ("popular", "new", "popular"):
        html = client.get(f"/ideas?sort={sort}").get_data(as_text=True)
        assert re.search(rf'href="/ideas\?sort={sort}"[^>]*aria-current="true"', html)
        assert len(re.findall(r'aria-current="true"', html.split('class="tabs"', 1)[1].split("</nav>", 1)[0])) == 1
    assert '<option value="done" selected>' in client.get("/ideas?status=done").get_data(as_text=True)
    assert " selected>" not in client.get("/ideas").get_data(as_text=True)
    client.get("/language/fr")
    assert 'aria-label="Trier les idées"' in client.get("/ideas").get_data(as_text=True)


def test_an_unknown_sort_falls_back_to_newest(client, make_idea, app, make_user):
    old = make_idea(title="Old but loved")
    make_idea(title="New and unloved")
    support_as(app, old, make_user())
    response = client.get("/ideas?sort=drop%20table")
    assert response.status_code == 200
    assert card_titles(response) == ["New and unloved", "Old but loved"]
    assert re.search(r'aria-current="true">Newest<', response.get_data(as_text=True))


@pytest.fixture
def twenty_five_ideas(app, make_user):
    author = make_user()
    with app.app_context():
        person = db.session.get(User, author.id)
        for n in range(1, 26):
            Idea.post(person, f"Idea number {n:02d}", "Something for the area.")
        db.session.commit()


def test_the_list_shows_twenty_ideas_a_page_with_links_to_the_others(client, twenty_five_ideas):
    first = client.get("/ideas")
    assert first.status_code == 200
    titles = card_titles(first)
    assert titles == [f"Idea number {n:02d}" for n in range(25, 5, -1)]
    assert "Page 1" in text_of(first)
    html = first.get_data(as_text=True)
    assert re.search(r'<a class="pagination__link" rel="next" href="/ideas\?[^"]*page=2', html)

    second = client.get("/ideas?page=2")
    assert second.status_code == 200
    assert card_titles(second) == [f"Idea number {n:02d}" for n in range(5, 0, -1)]
    assert "Page 2" in text_of(second)
    assert re.search(r'rel="prev" href="/ideas\?[^"]*page=1', second.get_data(as_text=True))
    assert 'rel="next"' not in second.get_data(as_text=True)  # the last page


def test_the_pages_of_the_popular_list_stay_sorted_by_support(app, client, twenty_five_ideas, make_user):
    with app.app_context():
        oldest = db.session.scalar(select(Idea).order_by(Idea.id))
    support_as(app, oldest, make_user())
    first = client.get("/ideas?sort=popular")
    assert card_titles(first)[0] == "Idea number 01"
    next_link = re.search(r'rel="next" href="([^"]+)"', first.get_data(as_text=True)).group(1)
    assert "sort=popular" in unescape(next_link)
    second = client.get(unescape(next_link))
    assert "Idea number 01" not in card_titles(second)
    assert len(card_titles(second)) == 5


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999", "", " ", "1.5"])
def test_odd_page_numbers_show_a_page_of_ideas_instead_of_an_error(client, twenty_five_ideas, page):
    response = client.get("/ideas", query_string={"page": page})
    assert response.status_code == 200
    assert len(card_titles(response)) == 20
    assert "Page 1" in text_of(response)


def test_a_page_past_the_end_shows_the_last_page(client, twenty_five_ideas):
    response = client.get("/ideas?page=7")
    assert response.status_code == 200
    assert "Page 2" in text_of(response)
    assert len(card_titles(response)) == 5


def test_a_superscript_page_number_does_not_break_the_list(client, twenty_five_ideas):
    response = client.get("/ideas", query_string={"page": "²"})
    assert response.status_code == 200
    assert len(card_titles(response)) == 20


# --- Detail --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/ideas/999", "/ideas/abc", "/ideas/0", "/ideas/99999999999999999999"])
def test_an_idea_that_does_not_exist_gets_a_friendly_not_found_page(client, make_idea, path):
    make_idea()
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


def test_the_idea_page_lists_its_help_requests_with_their_status(app, client, make_user, make_idea,
                                                                  make_help_request, make_offer):
    author = make_user()
    idea = make_idea(author=author)
    make_help_request(author=author, idea=idea, title="Paint for the fence", skills=("painting",))
    matched = make_help_request(author=author, idea=idea, title="A van to carry wood")
    closed = make_help_request(author=author, idea=idea, title="Old ask")
    make_help_request(title="Someone else's unrelated ask")
    accept(app, make_offer(matched), by=author)
    close(app, closed, by=author)

    text = text_of(client.get(f"/ideas/{idea.id}"))
    assert "Paint for the fence Open painting" in text
    assert "A van to carry wood Matched" in text
    assert "Old ask Closed" in text
    assert "Someone else's unrelated ask" not in text
    assert "No help requests yet." not in text


def test_an_idea_without_help_requests_says_so(client, make_idea):
    idea = make_idea()
    assert "No help requests yet." in text_of(client.get(f"/ideas/{idea.id}"))


def test_the_team_is_the_author_and_helpers_whose_offers_were_accepted(
    app, client, make_user, make_idea, make_help_request, make_offer
):
    author = make_user("author", display_name="Ada Author")
    accepted = make_user("accepted", display_name="Alice Accepted")
    also = make_user("also", display_name="Bob Twice")
    pending = make_user("pending", display_name="Petra Pending")
    declined = make_user("declined", display_name="Dan Declined")
    elsewhere = make_user("elsewhere", display_name="Eve Elsewhere")
    idea = make_idea(author=author)
    first = make_help_request(author=author, idea=idea)
    second = make_help_request(author=author, idea=idea, title="Second ask")
    unrelated = make_help_request(author=author, title="Not for this idea")

    accept(app, make_offer(first, helper=accepted), by=author)
    accept(app, make_offer(first, helper=also), by=author)
    accept(app, make_offer(second, helper=also), by=author)
    make_offer(first, helper=pending)
    decline(app, make_offer(second, helper=declined), by=author)
    accept(app, make_offer(unrelated, helper=elsewhere), by=author)

    team = team_of(client.get(f"/ideas/{idea.id}"))
    assert team.startswith("Ada Author (idea)")
    assert "Alice Accepted (helping)" in team
    assert team.count("Bob Twice") == 1
    for outsider in ("Petra Pending", "Dan Declined", "Eve Elsewhere"):
        assert outsider not in team


# --- Editing -------------------------------------------------------------------


def test_i_see_my_idea_in_the_edit_form(client, make_user, make_idea, auth):
    me = make_user()
    idea = make_idea(author=me, title="Fix the clock", body="The church clock is *slow*.")
    auth.sign_in(me)
    response = client.get(f"/ideas/{idea.id}/edit")
    assert response.status_code == 200
    assert input_value(response, "title") == "Fix the clock"
    assert textarea_value(response, "description") == "The church clock is *slow*."


def test_i_can_edit_my_idea(app, client, make_user, make_idea, auth):
    me = make_user()
    idea = make_idea(author=me, title="Fix the clock")
    auth.sign_in(me)
    response = client.post(f"/ideas/{idea.id}/edit",
                           data={"title": "Fix the town clock", "description": "It is **slow**."})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{idea.id}"
    saved = fetch(app, Idea, idea.id)
    assert saved.title == "Fix the town clock"
    assert saved.body == "It is **slow**."
    page = client.get(f"/ideas/{idea.id}")
    text = text_of(page)
    assert "Fix the town clock" in text
    assert "<strong>slow</strong>" in prose_of(page)
    assert "edited just now" in text


def test_an_idea_never_edited_does_not_say_edited(client, make_idea):
    idea = make_idea()
    assert "edited" not in text_of(client.get(f"/ideas/{idea.id}"))


def test_my_edit_with_an_empty_title_is_refused_and_nothing_changes(app, client, make_user, make_idea, auth):
    me = make_user()
    idea = make_idea(author=me, title="Fix the clock")
    auth.sign_in(me)
    response = client.post(f"/ideas/{idea.id}/edit", data={"title": " ", "description": "New words"})
    assert response.status_code == 422
    assert field_error(response, "title") == "Error: Enter a title."
    assert textarea_value(response, "description") == "New words"
    assert fetch(app, Idea, idea.id).title == "Fix the clock"


def test_someone_else_cannot_edit_my_idea(app, client, make_user, make_idea, auth):
    idea = make_idea(title="Mine", body="My words")
    auth.sign_in(make_user())
    form = client.get(f"/ideas/{idea.id}/edit")
    assert form.status_code == 403
    assert "You cannot do that" in text_of(form)

    response = client.post(f"/ideas/{idea.id}/edit", data={"title": "Theirs", "description": "Their words"})
    assert response.status_code == 403
    saved = fetch(app, Idea, idea.id)
    assert (saved.title, saved.body, saved.updated_at) == ("Mine", "My words", None)


def test_i_must_sign_in_to_edit_an_idea(app, client, make_idea):
    idea = make_idea(title="Mine")
    response = client.get(f"/ideas/{idea.id}/edit")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=%2Fideas%2F{idea.id}%2Fedit"
    response = client.post(f"/ideas/{idea.id}/edit", data={"title": "Theirs", "description": "x"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert fetch(app, Idea, idea.id).title == "Mine"


def test_editing_an_idea_that_does_not_exist_is_not_found(client, make_user, auth):
    auth.sign_in(make_user())
    assert client.get("/ideas/999/edit").status_code == 404


# --- Deleting ------------------------------------------------------------------


def test_deleting_my_idea_asks_me_to_confirm_first(app, client, make_user, make_idea, auth):
    me = make_user()
    idea = make_idea(author=me, title="Fix the clock")
    auth.sign_in(me)
    response = client.get(f"/ideas/{idea.id}/delete")
    assert response.status_code == 200
    text = text_of(response)
    assert "Delete this idea?" in text
    assert "Fix the clock" in text
    assert f'action="/ideas/{idea.id}/delete"' in response.get_data(as_text=True)
    assert fetch(app, Idea, idea.id) is not None


def test_i_can_delete_my_idea_with_its_comments_and_supports(
    app, client, make_user, make_idea, make_comment, make_help_request, auth
):
    me = make_user()
    idea = make_idea(author=me, title="Fix the clock")
    other = make_idea(title="Another idea")
    make_comment(idea)
    make_comment(idea)
    kept_comment = make_comment(other)
    supporter = make_user()
    support_as(app, idea, supporter)
    support_as(app, other, supporter)
    linked = make_help_request(author=me, idea=idea, title="Clock parts")

    auth.sign_in(me)
    response = client.post(f"/ideas/{idea.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == "/ideas"

    with app.app_context():
        assert db.session.get(Idea, idea.id) is None
        assert db.session.scalar(select(func.count()).select_from(Comment).where(Comment.idea_id == idea.id)) == 0
        assert db.session.scalar(select(func.count()).select_from(Support).where(Support.idea_id == idea.id)) == 0
        help_request = db.session.get(HelpRequest, linked.id)
        assert help_request is not None
        assert help_request.idea_id is None
        # Nothing else was touched.
        assert db.session.get(Idea, other.id) is not None
        assert db.session.get(Comment, kept_comment.id) is not None
        assert db.session.scalar(select(func.count()).select_from(Support)) == 1
    assert client.get(f"/ideas/{idea.id}").status_code == 404
    assert client.get(f"/help/{linked.id}").status_code == 200


def test_someone_else_cannot_delete_my_idea(app, client, make_user, make_idea, auth):
    idea = make_idea()
    auth.sign_in(make_user())
    assert client.get(f"/ideas/{idea.id}/delete").status_code == 403
    response = client.post(f"/ideas/{idea.id}/delete")
    assert response.status_code == 403
    assert "You cannot do that" in text_of(response)
    assert fetch(app, Idea, idea.id) is not None


def test_i_must_sign_in_to_delete_an_idea(app, client, make_idea):
    idea = make_idea()
    for method in (client.get, client.post):
        response = method(f"/ideas/{idea.id}/delete")
        assert response.status_code == 302
        assert response.headers["Location"] == f"/login?next=%2Fideas%2F{idea.id}%2Fdelete"
    assert fetch(app, Idea, idea.id) is not None


# --- Supporting ----------------------------------------------------------------


def test_i_can_support_an_idea_and_take_it_back(app, client, make_user, make_idea, auth):
    idea = make_idea(title="Plant trees")
    auth.sign_in(make_user())

    response = client.post(f"/ideas/{idea.id}/support")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{idea.id}#support"
    page = text_of(client.get(f"/ideas/{idea.id}"))
    assert "1 supporter" in page and "1 supporters" not in page
    assert "You support this idea." in page
    assert "1 supporter " in text_of(client.get("/ideas")) + " "

    client.post(f"/ideas/{idea.id}/support")
    page = text_of(client.get(f"/ideas/{idea.id}"))
    assert "0 supporters" in page
    assert "Support this idea" in page
    assert "0 supporters" in text_of(client.get("/ideas"))
    assert fetch(app, Idea, idea.id).supporters_count == 0


def test_each_person_supports_an_idea_once(app, client, make_user, make_idea, auth):
    idea = make_idea()
    for _ in range(2):
        auth.sign_in(make_user())
        client.post(f"/ideas/{idea.id}/support")
    assert "2 supporters" in text_of(client.get(f"/ideas/{idea.id}"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Support)) == 2


def test_support_cannot_be_given_with_a_plain_link(app, client, make_user, make_idea, auth):
    idea = make_idea()
    auth.sign_in(make_user())
    response = client.get(f"/ideas/{idea.id}/support")
    assert response.status_code == 405
    assert "That is not how this page works" in text_of(response)
    assert fetch(app, Idea, idea.id).supporters_count == 0


def test_i_must_sign_in_to_support_an_idea(app, client, make_idea):
    idea = make_idea()
    response = client.post(f"/ideas/{idea.id}/support")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert fetch(app, Idea, idea.id).supporters_count == 0


def test_supporting_an_idea_that_does_not_exist_is_not_found(client, make_user, auth):
    auth.sign_in(make_user())
    assert client.post("/ideas/999/support").status_code == 404


def test_the_supporter_count_always_matches_the_supports(app, client, make_user, make_idea, auth):
    ideas = [make_idea(title=f"Idea {n}") for n in range(2)]
    people = [make_user() for _ in range(4)]
    toggles = [(0, 0), (1, 0), (2, 0), (0, 1), (1, 0), (3, 0), (0, 0), (2, 1), (1, 0), (1, 1),
               (3, 0), (3, 1), (0, 0), (2, 0)]
    for person, which in toggles:
        auth.sign_in(people[person])
        assert client.post(f"/ideas/{ideas[which].id}/support").status_code == 302
        with app.app_context():
            for idea in ideas:
                column = db.session.scalar(select(Idea.supporters_count).where(Idea.id == idea.id))
                recount = db.session.scalar(
                    select(func.count()).select_from(Support).where(Support.idea_id == idea.id)
                )
                assert column == recount
    # Idea 0: people 0 and 1 toggled it three times (supporting), 2 and 3 twice (not).
    # Idea 1: everyone toggled it once.
    assert fetch(app, Idea, ideas[0].id).supporters_count == 2
    assert fetch(app, Idea, ideas[1].id).supporters_count == 4


# --- Query budget --------------------------------------------------------------


def queries_for(app, client, path) -> int:
    client.get(path)  # warm up
    with count_queries(app) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_costs_the_same_queries_for_1_idea_as_for_50(app, client, make_user, make_idea, auth,
                                                            signed_in):
    if signed_in:
        auth.sign_in(make_user())
    make_idea()
    one = queries_for(app, client, "/ideas")
    for _ in range(49):
        make_idea()  # each by a different person
    fifty = queries_for(app, client, "/ideas")
    assert fifty == one


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_idea_page_costs_the_same_queries_for_1_comment_as_for_50(app, client, make_user, make_idea,
                                                                    make_comment, auth, signed_in):
    if signed_in:
        auth.sign_in(make_user())
    idea = make_idea()
    make_comment(idea)
    one = queries_for(app, client, f"/ideas/{idea.id}")
    for _ in range(49):
        make_comment(idea)  # each by a different person
    fifty = queries_for(app, client, f"/ideas/{idea.id}")
    assert fifty == one


def test_the_idea_page_costs_the_same_queries_for_1_help_request_as_for_20(
    app, client, make_user, make_idea, make_help_request, make_offer
):
    author = make_user()
    idea = make_idea(author=author)

    def ask(n):
        help_request = make_help_request(author=author, idea=idea, title=f"Ask {n}",
                                         skills=(f"skill {n}", "lifting"))
        accept(app, make_offer(help_request), by=author)
        make_offer(help_request)

    ask(0)
    one = queries_for(app, client, f"/ideas/{idea.id}")
    for n in range(1, 20):
        ask(n)
    twenty = queries_for(app, client, f"/ideas/{idea.id}")
    assert twenty == one


def test_a_visitor_is_asked_to_sign_in_to_support_or_discuss_an_idea_and_comes_back_to_it(client, make_idea):
    idea = make_idea()
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    back = f"next=/ideas/{idea.id}"
    assert f'<a href="/login?{back}">Sign in to support this idea</a>' in html
    assert f'<a href="/login?{back}">Sign in</a> or <a href="/register?{back}">register</a> to join' in html
    # Reporting, moderating and following are for people signed in.
    assert "Report this idea" not in html and "Follow" not in html


def test_reading_an_idea_gives_a_visitor_no_cookie(app, database_url, make_idea, make_comment):
    idea = make_idea()
    make_comment(idea)
    # With CSRF on, as in production: a form on the page would start a session.
    response = make_test_app(database_url, WTF_CSRF_ENABLED=True).test_client().get(f"/ideas/{idea.id}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


# --- Tampered choices --------------------------------------------------------------


WTFORMS_WORDS = ("Invalid choice", "Invalid Choice", "Not a valid", "not a valid choice",
                 "could not coerce", "This field is required")


@pytest.mark.parametrize("field, value, message", [
    ("area", "not-a-number", "Choose one of the areas listed."),
    ("area", "99999", "Choose one of the areas listed."),
    ("topics", "not-a-number", "Choose topics from the list."),
    ("topics", "99999", "Choose topics from the list."),
])
def test_a_tampered_area_or_topic_gets_our_message_next_to_the_field(
    app, client, make_user, auth, field, value, message
):
    from board.models import Area, Topic

    with app.app_context():
        db.session.add_all([Area.named("Elm Park"), Topic.named("Transport")])
        db.session.commit()
    auth.sign_in(make_user())
    response = client.post("/ideas/new", data={
        "title": "Kept title", "description": "Kept description", field: value})
    assert response.status_code == 422
    assert field_error(response, field) == f"Error: {message}"
    assert input_value(response, "title") == "Kept title"
    assert textarea_value(response, "description") == "Kept description"
    assert not any(words in text_of(response) for words in WTFORMS_WORDS)
    assert count_rows(app, Idea) == 0


# --- Hostile bodies -----------------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "description", "area", "topics", "other"])
@pytest.mark.parametrize("filename", ["../../etc/passwd", "a\x00b", "a\r\nX-Injected: 1", "x" * 10_000])
def test_a_file_sent_with_the_idea_form_is_ignored_not_a_crash(
    app, client, make_user, auth, field, filename
):
    import io

    auth.sign_in(make_user())
    response = client.post("/ideas/new", content_type="multipart/form-data", data={
        "title": "A community fridge", "description": "Share food.",
        field: (io.BytesIO(b"not text"), filename)})
    assert response.status_code < 500
    assert "X-Injected" not in response.headers


@pytest.mark.parametrize("body", ['{"title": ["a", "b"], "description": {"x": 1}}', "[1, 2]", '"x"'])
def test_json_sent_to_the_idea_form_is_not_a_crash(app, client, make_user, auth, body):
    auth.sign_in(make_user())
    response = client.post("/ideas/new", data=body, content_type="application/json")
    assert response.status_code < 500
    assert count_rows(app, Idea) == 0
