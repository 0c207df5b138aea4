"""Moderation: who may open the moderators' pages, reports and the queue, hiding and
restoring, locking comments, suspending people, dismissing reports, and the log."""

from __future__ import annotations

import re
from html import unescape
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from board.extensions import db
from board.models import Comment, HelpRequest, Idea, User
from board.moderation.models import ModerationAction, Report
from board.templating import format_datetime
from helpers import PASSWORD, Auth, count_rows, fetch, field_error, text_of

REASON = "Breaks the code of conduct: personal attack."


# --- Helpers -------------------------------------------------------------------


@pytest.fixture
def client_for(app):
    """A browser of its own for each person: `client_for(user)`, or a visitor with no argument."""

    def make(user: User | None = None):
        browser = app.test_client()
        if user is not None:
            Auth(browser).sign_in(user)
        return browser

    return make


@pytest.fixture
def people(make_user):
    return SimpleNamespace(
        alice=make_user("alice", display_name="Alice Author"),
        bob=make_user("bob", display_name="Bob Reader"),
        mod=make_user("mo", role="moderator", display_name="Mo Moderator"),
        mod2=make_user("max", role="moderator", display_name="Max Moderator"),
        admin=make_user("ada", role="admin", display_name="Ada Admin"),
    )


def act(browser, kind: str, thing_id: int, action: str, reason: str = REASON):
    """Press one of the buttons on a thing's moderation page."""
    return browser.post(f"/moderation/{kind}/{thing_id}", data={"action": action, "reason": reason})


def send_report(browser, kind: str, thing_id: int, reason: str):
    return browser.post(f"/report/{kind}/{thing_id}", data={"reason": reason})


def login_next(response) -> str | None:
    """Where a redirect to the sign-in page will come back to, or None if it is not one."""
    parts = urlsplit(response.headers.get("Location", ""))
    if parts.path != "/login":
        return None
    return parse_qs(parts.query).get("next", [None])[0]


def log_entries(app) -> list[ModerationAction]:
    with app.app_context():
        entries = db.session.scalars(select(ModerationAction).order_by(ModerationAction.id)).all()
        db.session.expunge_all()
        return entries


def open_reports(app) -> int:
    return count_rows(app, Report, Report.resolved_at.is_(None))


LIST_OF = {"idea": "/ideas", "help_request": "/help"}
WHAT = {"idea": "idea", "help_request": "help request", "comment": "comment", "user": "person"}


@pytest.fixture(params=["idea", "help_request"])
def post(request, people, make_idea, make_help_request):
    """An idea or a help request by Alice, to hide and restore."""
    if request.param == "idea":
        thing = make_idea(author=people.alice, title="Community fridge on Elm Street",
                          body="Share food and waste less with the neighbours.")
        page = f"/ideas/{thing.id}"
    else:
        thing = make_help_request(author=people.alice, title="A ladder for the mural",
                                  body="Two metres at least, for Saturday morning.")
        page = f"/help/{thing.id}"
    return SimpleNamespace(kind=request.param, thing=thing, id=thing.id, model=type(thing),
                           page=page, title=thing.title, body=thing.body, list=LIST_OF[request.param])


# --- Who may open the moderation and admin pages ----------------------------------


@pytest.fixture
def guarded_pages(people, make_idea):
    """Every moderation and admin page, GET and POST, with a form that would change something."""
    idea = make_idea(author=people.alice, title="Community fridge on Elm Street")
    return SimpleNamespace(idea=idea, requests=[
        ("GET", "/moderation", None),
        ("GET", "/moderation/log", None),
        ("GET", f"/moderation/idea/{idea.id}", None),
        ("POST", f"/moderation/idea/{idea.id}", {"action": "hide", "reason": REASON}),
        ("GET", f"/moderation/user/{people.alice.id}", None),
        ("POST", f"/moderation/user/{people.alice.id}", {"action": "suspend", "reason": REASON}),
        ("GET", "/admin/people", None),
        ("POST", "/admin/people", {"username": "bob", "role": "admin", "is_official": "y"}),
    ])


def nothing_changed(app, people, idea) -> bool:
    return (
        fetch(app, Idea, idea.id).hidden_at is None
        and fetch(app, User, people.alice.id).suspended_at is None
        and fetch(app, User, people.bob.id).role == "member"
        and not fetch(app, User, people.bob.id).is_official
        and count_rows(app, ModerationAction) == 0
    )


def test_a_visitor_is_sent_to_sign_in_for_every_moderation_and_admin_page(
    app, client, people, guarded_pages
):
    for method, path, data in guarded_pages.requests:
        response = client.open(path, method=method, data=data)
        assert response.status_code == 302, (method, path)
        assert login_next(response) == path, (method, path)
    assert nothing_changed(app, people, guarded_pages.idea)


def test_a_member_gets_403_on_every_moderation_and_admin_page(app, client_for, people, guarded_pages):
    member = client_for(people.bob)
    for method, path, data in guarded_pages.requests:
        response = member.open(path, method=method, data=data)
        assert response.status_code == 403, (method, path)
        text = text_of(response)
        assert "You cannot do that" in text, (method, path)
        expected = "board's admins" if path.startswith("/admin") else "board's moderators"
        assert f"This page is for the {expected}." in text, (method, path)
    assert nothing_changed(app, people, guarded_pages.idea)


def test_a_moderator_opens_the_moderation_pages_but_gets_403_on_the_admin_page(
    app, client_for, people, guarded_pages
):
    moderator = client_for(people.mod)
    for method, path, _ in guarded_pages.requests:
        if method == "GET" and path.startswith("/moderation"):
            assert moderator.get(path).status_code == 200, path

    page = moderator.get("/admin/people")
    assert page.status_code == 403
    assert "This page is for the board's admins." in text_of(page)
    change = moderator.post("/admin/people", data={"username": "mo", "role": "admin"})
    assert change.status_code == 403
    assert fetch(app, User, people.mod.id).role == "moderator"
    change = moderator.post("/admin/people", data={"username": "bob", "role": "moderator"})
    assert change.status_code == 403
    assert fetch(app, User, people.bob.id).role == "member"


def test_an_admin_opens_every_moderation_and_admin_page(client_for, people, guarded_pages):
    admin = client_for(people.admin)
    for method, path, _ in guarded_pages.requests:
        if method == "GET":
            assert admin.get(path).status_code == 200, path


def test_only_moderators_see_the_moderation_link_and_only_admins_the_admin_link(client_for, people):
    def nav(user):
        return re.findall(r'<nav class="site-nav".*?</nav>', client_for(user).get("/").get_data(as_text=True),
                          re.S)[0]

    assert 'href="/moderation"' not in nav(people.bob)
    assert 'href="/moderation"' in nav(people.mod) and 'href="/admin"' not in nav(people.mod)
    assert 'href="/moderation"' in nav(people.admin) and 'href="/admin"' in nav(people.admin)


def test_unknown_kinds_and_ids_on_the_moderation_page_are_404(client_for, people, make_idea):
    moderator = client_for(people.mod)
    idea = make_idea(author=people.alice)
    assert moderator.get(f"/moderation/idea/{idea.id}").status_code == 200
    for path in ("/moderation/spaceship/1", f"/moderation/idea/{idea.id + 100}", "/moderation/idea/abc",
                 "/moderation/idea/0", "/moderation/idea/-1"):
        assert moderator.get(path).status_code == 404, path


# --- Reporting -------------------------------------------------------------------


@pytest.fixture
def reportable(people, make_idea, make_help_request, make_comment):
    """One of each thing Bob can report, all by Alice: kind -> (id, page the report returns to)."""
    idea = make_idea(author=people.alice, title="Community fridge on Elm Street")
    help_request = make_help_request(author=people.alice, title="A ladder for the mural")
    comment = make_comment(idea, author=people.alice, body="Anyone who disagrees is an idiot.")
    return {
        "idea": (idea.id, f"/ideas/{idea.id}", "Community fridge on Elm Street"),
        "help_request": (help_request.id, f"/help/{help_request.id}", "A ladder for the mural"),
        "comment": (comment.id, f"/ideas/{idea.id}#comment-{comment.id}", "Anyone who disagrees is an idiot."),
        "user": (people.alice.id, "/users/alice", "@alice"),
    }


@pytest.mark.parametrize("kind", ["idea", "help_request", "comment", "user"])
def test_a_member_reports_an_idea_help_request_comment_or_person(
    app, client_for, people, reportable, kind
):
    thing_id, back, summary = reportable[kind]
    bob = client_for(people.bob)

    form = bob.get(f"/report/{kind}/{thing_id}")
    assert form.status_code == 200
    text = text_of(form)
    assert f"Report this {WHAT[kind]}" in text
    assert summary in text
    assert re.search(r'<label for="reason" class="label">What is wrong\?</label>', form.get_data(as_text=True))

    response = send_report(bob, kind, thing_id, "It calls people names.")
    assert response.status_code == 302
    assert response.headers["Location"] == back
    with app.app_context():
        saved = db.session.scalars(select(Report)).all()
        assert [(r.reporter_id, r.target_kind, r.target_id, r.reason, r.resolved_at) for r in saved] == [
            (people.bob.id, kind, thing_id, "It calls people names.", None)
        ]
    assert "Thank you. The moderators will look at your report." in text_of(bob.get(back, follow_redirects=True))


def test_a_report_without_a_reason_is_refused_with_a_message_and_not_saved(app, client_for, people, reportable):
    idea_id = reportable["idea"][0]
    response = send_report(client_for(people.bob), "idea", idea_id, "   ")
    assert response.status_code == 422
    assert field_error(response, "reason") == "Error: Say what is wrong, so the moderators can act on it."
    assert count_rows(app, Report) == 0


@pytest.mark.parametrize("kind", ["idea", "help_request", "comment", "user"])
def test_nobody_can_report_their_own_post_or_themselves(app, client_for, people, reportable, kind):
    thing_id, back, _ = reportable[kind]
    alice = client_for(people.alice)
    response = send_report(alice, kind, thing_id, "Testing the button.")
    assert response.status_code == 302
    assert response.headers["Location"] == back
    assert "You cannot report your own posts or yourself." in text_of(alice.get(back, follow_redirects=True))
    assert count_rows(app, Report) == 0


def test_members_see_report_links_on_others_posts_but_not_their_own(client_for, people, make_idea):
    idea = make_idea(author=people.alice, title="Community fridge on Elm Street")
    report_link = f'href="/report/idea/{idea.id}"'
    assert report_link in client_for(people.bob).get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Report this idea" in text_of(client_for(people.bob).get(f"/ideas/{idea.id}"))
    assert "Report this idea" not in text_of(client_for(people.alice).get(f"/ideas/{idea.id}"))
    assert "Report this idea" not in text_of(client_for().get(f"/ideas/{idea.id}"))
    # The same on a profile: others can report a person, nobody themselves.
    assert "Report this person" in text_of(client_for(people.bob).get("/users/alice"))
    assert "Report this person" not in text_of(client_for(people.alice).get("/users/alice"))


def test_moderators_see_a_moderate_link_on_an_idea_and_members_do_not(client_for, people, make_idea):
    idea = make_idea(author=people.alice, title="Community fridge on Elm Street")
    for moderator in (people.mod, people.admin):
        page = client_for(moderator).get(f"/ideas/{idea.id}")
        assert "Moderate this idea" in text_of(page)
        assert f'href="/moderation/idea/{idea.id}"' in page.get_data(as_text=True)
    for other in (people.bob, people.alice, None):
        page = client_for(other).get(f"/ideas/{idea.id}")
        assert "Moderate this idea" not in text_of(page)
        assert "/moderation/" not in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/report/spaceship/1", "/report/idea/999", "/report/idea/abc",
                                  "/report/idea/0", "/report/user/999", "/report/comment/999"])
def test_reporting_something_that_does_not_exist_is_404(app, client_for, people, reportable, path):
    bob = client_for(people.bob)
    assert bob.get(path).status_code == 404
    assert bob.post(path, data={"reason": "Spam."}).status_code == 404
    assert count_rows(app, Report) == 0


def test_a_visitor_is_sent_to_sign_in_before_reporting(app, client, reportable):
    idea_id = reportable["idea"][0]
    response = client.get(f"/report/idea/{idea_id}")
    assert response.status_code == 302 and login_next(response) == f"/report/idea/{idea_id}"
    response = client.post(f"/report/idea/{idea_id}", data={"reason": "Spam."})
    assert response.status_code == 302 and login_next(response) == f"/report/idea/{idea_id}"
    assert count_rows(app, Report) == 0


def test_several_reports_about_one_thing_are_one_group_in_the_queue_with_their_count_and_reasons(
    client_for, people, make_user, reportable
):
    idea_id = reportable["idea"][0]
    reasons = ["It is an advert for a shop.", "Posted three times already.", "Spam, plain and simple."]
    for number, reason in enumerate(reasons):
        response = send_report(client_for(make_user(f"neighbour{number}")), "idea", idea_id, reason)
        assert response.status_code == 302
    send_report(client_for(people.bob), "comment", reportable["comment"][0], "Name-calling.")

    queue = client_for(people.mod).get("/moderation")
    assert queue.status_code == 200
    text = text_of(queue)
    assert text.count("Community fridge on Elm Street") == 1
    assert "Idea · 3 reports" in text
    assert "Comment · 1 report," in text
    for reason in [*reasons, "Name-calling."]:
        assert f"“{reason}”" in text
    # The most reported comes first.
    assert text.index("Community fridge on Elm Street") < text.index("Anyone who disagrees is an idiot.")
    html = queue.get_data(as_text=True)
    assert html.count(f'href="/moderation/idea/{idea_id}"') == 1


def test_the_queue_says_when_there_is_nothing_to_look_at(client_for, people):
    assert "No open reports." in text_of(client_for(people.mod).get("/moderation"))


# --- Hiding and restoring ideas and help requests ------------------------------------


def test_hiding_a_post_takes_it_off_the_lists_the_home_page_and_the_authors_profile(
    app, client_for, people, post
):
    visitor = client_for()
    places = [post.list, "/", "/users/alice"]
    for place in places:
        assert post.title in text_of(visitor.get(place)), place

    response = act(client_for(people.mod), post.kind, post.id, "hide")
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation"
    assert fetch(app, post.model, post.id).hidden_at is not None

    for viewer in (visitor, client_for(people.alice), client_for(people.bob)):
        for place in places:
            assert post.title not in text_of(viewer.get(place)), place


def test_others_see_a_removed_placeholder_on_a_hidden_posts_page_with_its_discussion(
    client_for, people, make_comment, post
):
    make_comment(post.thing, author=people.bob, body="Count me in for Tuesdays.")
    act(client_for(people.mod), post.kind, post.id, "hide")

    for viewer in (client_for(), client_for(people.bob)):
        page = viewer.get(post.page)
        assert page.status_code == 200
        text = text_of(page)
        assert f"This {WHAT[post.kind]} was removed by a moderator" in text
        assert post.title not in text
        assert post.body not in text
        assert "Count me in for Tuesdays." in text


def test_the_author_and_moderators_still_see_a_hidden_post(client_for, people, post):
    act(client_for(people.mod), post.kind, post.id, "hide")

    for viewer in (people.alice, people.mod, people.admin):
        text = text_of(client_for(viewer).get(post.page))
        assert post.title in text and post.body in text
        assert f"A moderator has hidden this {WHAT[post.kind]}: others see that it was removed." in text
        assert "was removed by a moderator" not in text


def test_restoring_a_post_brings_it_back_everywhere(app, client_for, people, post):
    moderator = client_for(people.mod)
    act(moderator, post.kind, post.id, "hide")
    response = act(moderator, post.kind, post.id, "restore", "The report was mistaken.")
    assert response.status_code == 302
    assert fetch(app, post.model, post.id).hidden_at is None

    visitor = client_for()
    for place in (post.list, "/", "/users/alice", post.page):
        assert post.title in text_of(visitor.get(place)), place
    assert "removed by a moderator" not in text_of(visitor.get(post.page))
    assert "You restored this" in text_of(moderator.get("/moderation"))


def test_a_hidden_posts_moderation_page_offers_restore_and_not_hide(client_for, people, post):
    moderator = client_for(people.mod)
    buttons = re.compile(r'<button type="submit" name="action" value="(\w+)"')
    page = moderator.get(f"/moderation/{post.kind}/{post.id}")
    before = buttons.findall(page.get_data(as_text=True))
    assert "hide" in before and "restore" not in before
    assert "Hidden" not in text_of(page)
    act(moderator, post.kind, post.id, "hide")
    page = moderator.get(f"/moderation/{post.kind}/{post.id}")
    after = buttons.findall(page.get_data(as_text=True))
    assert "restore" in after and "hide" not in after
    assert "Hidden" in text_of(page)

    again = act(moderator, post.kind, post.id, "hide")
    assert again.status_code == 302
    assert "That is already hidden." in text_of(moderator.get(again.headers["Location"]))
    assert len(log_entries(moderator.application)) == 1


# --- Hiding and restoring comments ---------------------------------------------------


@pytest.fixture(params=["idea", "help_request"])
def thread(request, people, make_idea, make_help_request, make_comment):
    """A discussion of three comments, on an idea or a help request; the middle one is Alice's."""
    if request.param == "idea":
        target = make_idea(author=people.bob, title="Plant trees on Mill Lane")
        page = f"/ideas/{target.id}"
    else:
        target = make_help_request(author=people.bob, title="Spades for the planting")
        page = f"/help/{target.id}"
    first = make_comment(target, author=people.bob, body="First: who has spades?")
    middle = make_comment(target, author=people.alice, body="Middle: you are all useless.")
    last = make_comment(target, author=people.bob, body="Last: I will bring two.")
    return SimpleNamespace(target=target, model=type(target), page=page, list=LIST_OF[request.param],
                           first=first, middle=middle, last=last)


def comments_count(app, thread) -> int:
    return fetch(app, thread.model, thread.target.id).comments_count


def test_a_hidden_comment_leaves_a_placeholder_and_the_thread_stays_readable(app, client_for, people, thread):
    response = act(client_for(people.mod), "comment", thread.middle.id, "hide")
    assert response.status_code == 302
    assert fetch(app, Comment, thread.middle.id).hidden_at is not None

    for viewer in (client_for(), client_for(people.bob)):
        page = viewer.get(thread.page)
        text = text_of(page)
        assert "Middle: you are all useless." not in text
        first = text.index("First: who has spades?")
        placeholder = text.index("This comment was removed by a moderator.")
        last = text.index("Last: I will bring two.")
        assert first < placeholder < last
        assert "Comments (2)" in text
        # The placeholder stands where the comment was, at its anchor.
        assert re.search(rf'<li class="comment" id="comment-{thread.middle.id}">\s*'
                         r'<p class="comment__removed">This comment was removed by a moderator.</p>',
                         page.get_data(as_text=True))
    assert client_for().get(f"/comments/{thread.middle.id}").status_code == 404


def test_hiding_a_comment_lowers_the_comment_count_and_restoring_raises_it(app, client_for, people, thread):
    moderator = client_for(people.mod)
    assert comments_count(app, thread) == 3
    assert "3 comments" in text_of(client_for().get(thread.list))

    act(moderator, "comment", thread.middle.id, "hide")
    assert comments_count(app, thread) == 2
    assert "2 comments" in text_of(client_for().get(thread.list))

    act(moderator, "comment", thread.middle.id, "restore", "On reflection it was fair comment.")
    assert comments_count(app, thread) == 3
    assert fetch(app, Comment, thread.middle.id).hidden_at is None
    text = text_of(client_for().get(thread.page))
    assert "Middle: you are all useless." in text
    assert "removed by a moderator" not in text
    assert "Comments (3)" in text
    assert "3 comments" in text_of(client_for().get(thread.list))


def test_moderators_still_read_a_hidden_comment_on_its_moderation_page(client_for, people, thread):
    moderator = client_for(people.mod)
    act(moderator, "comment", thread.middle.id, "hide")
    page = moderator.get(f"/moderation/comment/{thread.middle.id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Middle: you are all useless." in text
    assert "Hidden" in text
    assert "Comment by @alice" in text


def test_a_hidden_comments_moderation_page_links_to_it_in_its_discussion(client_for, people, thread):
    moderator = client_for(people.mod)
    act(moderator, "comment", thread.middle.id, "hide")
    page = moderator.get(f"/moderation/comment/{thread.middle.id}").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">See it on the board</a>', page).group(1)
    assert link == f"{thread.page}#comment-{thread.middle.id}"
    on_the_board = moderator.get(link)
    assert on_the_board.status_code == 200
    assert "Middle: you are all useless." in text_of(on_the_board)


def test_the_author_of_a_hidden_comment_still_sees_what_they_wrote(client_for, people, thread):
    act(client_for(people.mod), "comment", thread.middle.id, "hide")
    text = text_of(client_for(people.alice).get(thread.page))
    assert "Middle: you are all useless." in text


def test_deleting_a_hidden_comment_does_not_lower_the_count_twice(app, client_for, people, thread):
    act(client_for(people.mod), "comment", thread.middle.id, "hide")
    assert comments_count(app, thread) == 2

    response = client_for(people.alice).post(f"/comments/{thread.middle.id}/delete")
    assert response.status_code == 302
    assert fetch(app, Comment, thread.middle.id) is None
    assert comments_count(app, thread) == 2


def test_a_hidden_ideas_page_still_shows_its_comments(client_for, people, make_idea, make_comment):
    idea = make_idea(author=people.alice, title="Community fridge on Elm Street")
    make_comment(idea, author=people.bob, body="I can clean it on Mondays.")
    act(client_for(people.mod), "idea", idea.id, "hide")
    text = text_of(client_for().get(f"/ideas/{idea.id}"))
    assert "This idea was removed by a moderator" in text
    assert "I can clean it on Mondays." in text
    assert "Comments (1)" in text


# --- What every moderation action requires and records ---------------------------------


@pytest.fixture(params=["idea", "help_request", "comment"])
def content(request, people, make_idea, make_help_request, make_comment):
    """Something by Alice that moderators can hide: kind, id, model, a summary for the log."""
    idea = make_idea(author=people.alice, title="Community fridge on Elm Street")
    if request.param == "idea":
        return SimpleNamespace(kind="idea", id=idea.id, model=Idea, summary="Community fridge on Elm Street")
    if request.param == "help_request":
        hr = make_help_request(author=people.alice, title="A ladder for the mural")
        return SimpleNamespace(kind="help_request", id=hr.id, model=HelpRequest, summary="A ladder for the mural")
    comment = make_comment(idea, author=people.alice, body="You are all useless.")
    return SimpleNamespace(kind="comment", id=comment.id, model=Comment,
                           summary="@alice: You are all useless.")


def test_hiding_needs_a_reason(app, client_for, people, content):
    response = act(client_for(people.mod), content.kind, content.id, "hide", reason="  ")
    assert response.status_code == 422
    assert field_error(response, "reason") == "Error: Give a reason: it goes into the moderation log."
    assert fetch(app, content.model, content.id).hidden_at is None
    assert count_rows(app, ModerationAction) == 0


def test_restoring_needs_a_reason(app, client_for, people, content):
    moderator = client_for(people.mod)
    act(moderator, content.kind, content.id, "hide")
    response = act(moderator, content.kind, content.id, "restore", reason="")
    assert response.status_code == 422
    assert field_error(response, "reason") == "Error: Give a reason: it goes into the moderation log."
    assert fetch(app, content.model, content.id).hidden_at is not None
    assert count_rows(app, ModerationAction) == 1


def test_the_log_shows_who_did_what_to_what_when_and_why(app, client_for, people, content):
    moderator = client_for(people.mod)
    act(moderator, content.kind, content.id, "hide", "Insults another neighbour.")
    act(client_for(people.admin), content.kind, content.id, "restore", "Apology received.")

    entries = log_entries(app)
    assert [(e.moderator_id, e.action, e.target_kind, e.target_id, e.reason) for e in entries] == [
        (people.mod.id, "hide", content.kind, content.id, "Insults another neighbour."),
        (people.admin.id, "restore", content.kind, content.id, "Apology received."),
    ]
    with app.app_context():
        when = [format_datetime(entry.created_at) for entry in entries]

    log = moderator.get("/moderation/log")
    assert log.status_code == 200
    rows = [text_of_html(row) for row in re.findall(r"<tr>(.*?)</tr>", log.get_data(as_text=True), re.S)]
    what = WHAT[content.kind]
    # Newest first.
    assert rows[1:] == [
        f"{when[1]} Ada Admin Restored the {what} {content.summary} Apology received.",
        f"{when[0]} Mo Moderator Hid the {what} {content.summary} Insults another neighbour.",
    ]
    assert f'href="/moderation/{content.kind}/{content.id}"' in log.get_data(as_text=True)
    # The thing's own page keeps its history too.
    history = text_of(moderator.get(f"/moderation/{content.kind}/{content.id}"))
    assert f"Mo Moderator : Hid the {what}: “Insults another neighbour.”" in history
    assert f"Ada Admin : Restored the {what}: “Apology received.”" in history


def text_of_html(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def test_acting_on_content_resolves_its_open_reports(app, client_for, people, content):
    send_report(client_for(people.bob), content.kind, content.id, "Rude.")
    send_report(client_for(people.mod2), content.kind, content.id, "Very rude.")
    moderator = client_for(people.mod)
    target_link = f'href="/moderation/{content.kind}/{content.id}"'
    assert target_link in moderator.get("/moderation").get_data(as_text=True)
    assert "Open reports (2)" in text_of(moderator.get(f"/moderation/{content.kind}/{content.id}"))

    act(moderator, content.kind, content.id, "hide")

    queue = moderator.get("/moderation")
    assert target_link not in queue.get_data(as_text=True)
    assert "No open reports." in text_of(queue)
    assert open_reports(app) == 0
    assert count_rows(app, Report) == 2
    assert "Open reports (0)" in text_of(moderator.get(f"/moderation/{content.kind}/{content.id}"))


def test_an_unknown_or_unfitting_action_is_refused_with_a_message(app, client_for, people, make_help_request):
    help_request = make_help_request(author=people.alice)
    moderator = client_for(people.mod)
    for action in ("lock", "suspend", "explode", ""):
        response = act(moderator, "help_request", help_request.id, action)
        assert response.status_code == 302, action
        assert "That action does not apply here." in text_of(moderator.get(response.headers["Location"]))
    assert fetch(app, HelpRequest, help_request.id).hidden_at is None
    assert count_rows(app, ModerationAction) == 0


# --- Locking comments ----------------------------------------------------------------


@pytest.fixture
def discussed_idea(people, make_idea, make_comment):
    idea = make_idea(author=people.alice, title="Community fridge on Elm Street")
    make_comment(idea, author=people.bob, body="I can clean it on Mondays.")
    return idea


def comment_form_on(page) -> bool:
    return 'class="comment-form"' in page.get_data(as_text=True)


def test_locking_an_idea_stops_new_comments_and_keeps_the_old_ones(app, client_for, people, discussed_idea):
    idea_page = f"/ideas/{discussed_idea.id}"
    bob = client_for(people.bob)
    assert comment_form_on(bob.get(idea_page))

    response = act(client_for(people.mod), "idea", discussed_idea.id, "lock", "The thread turned into a flame war.")
    assert response.status_code == 302
    assert fetch(app, Idea, discussed_idea.id).comments_locked_at is not None

    page = bob.get(idea_page)
    assert not comment_form_on(page)
    text = text_of(page)
    assert "A moderator has locked the comments here. The discussion stays readable." in text
    assert "I can clean it on Mondays." in text

    refused = bob.post(f"{idea_page}/comments", data={"comment": "One more thing!"})
    assert refused.status_code == 302
    assert refused.headers["Location"] == idea_page
    assert "A moderator has locked the comments here." in text_of(bob.get(idea_page))
    assert count_rows(app, Comment) == 1
    assert fetch(app, Idea, discussed_idea.id).comments_count == 1
    # Its author may not comment either.
    client_for(people.alice).post(f"{idea_page}/comments", data={"comment": "Please stop."})
    assert count_rows(app, Comment) == 1


def test_unlocking_an_idea_lets_people_comment_again(app, client_for, people, discussed_idea):
    moderator = client_for(people.mod)
    act(moderator, "idea", discussed_idea.id, "lock")
    response = act(moderator, "idea", discussed_idea.id, "unlock", "Things have calmed down.")
    assert response.status_code == 302
    assert fetch(app, Idea, discussed_idea.id).comments_locked_at is None

    bob = client_for(people.bob)
    assert comment_form_on(bob.get(f"/ideas/{discussed_idea.id}"))
    posted = bob.post(f"/ideas/{discussed_idea.id}/comments", data={"comment": "Back to the fridge."})
    assert posted.status_code == 302
    assert count_rows(app, Comment) == 2
    assert "Back to the fridge." in text_of(client_for().get(f"/ideas/{discussed_idea.id}"))
    assert [e.action for e in log_entries(app)] == ["lock", "unlock"]


def test_a_locked_idea_says_so_on_its_moderation_page_and_offers_unlock(client_for, people, discussed_idea):
    moderator = client_for(people.mod)
    act(moderator, "idea", discussed_idea.id, "lock")
    page = moderator.get(f"/moderation/idea/{discussed_idea.id}")
    assert "Comments locked" in text_of(page)
    html = page.get_data(as_text=True)
    assert 'value="unlock"' in html and 'value="lock"' not in html


# --- Suspending and reinstating people --------------------------------------------------


def test_a_suspended_person_is_signed_out_at_their_next_request(app, client_for, people):
    bob = client_for(people.bob)
    assert bob.get("/dashboard").status_code == 200

    response = act(client_for(people.mod), "user", people.bob.id, "suspend", "Repeated abuse.")
    assert response.status_code == 302
    assert fetch(app, User, people.bob.id).suspended_at is not None

    dashboard = bob.get("/dashboard")
    assert dashboard.status_code == 302
    assert login_next(dashboard) == "/dashboard"
    assert "Bob Reader" not in text_of(bob.get("/"))


def test_a_suspension_also_ends_a_remembered_sign_in(client_for, people):
    browser = client_for()
    assert Auth(browser).login("bob", PASSWORD, remember="y").status_code == 302
    browser.delete_cookie("session")
    # The browser was closed: the "remember me" cookie alone keeps Bob signed in...
    assert browser.get("/dashboard").status_code == 200

    act(client_for(people.mod), "user", people.bob.id, "suspend", "Repeated abuse.")
    browser.delete_cookie("session")

    # ...until the suspension.
    assert browser.get("/dashboard").status_code == 302


def test_a_suspended_person_cannot_sign_in_even_with_the_right_password(client_for, people):
    act(client_for(people.mod), "user", people.bob.id, "suspend", "Repeated abuse.")
    browser = client_for()
    auth = Auth(browser)

    response = auth.login("bob", PASSWORD)
    assert response.status_code == 403
    assert field_error(response, "login") == (
        "Error: This account is suspended by the board's moderators. You can still read the board."
    )
    assert browser.get("/dashboard").status_code == 302
    # By email address too.
    assert auth.login("bob@example.org", PASSWORD).status_code == 403
    # A wrong password says nothing about the suspension.
    wrong = auth.login("bob", "not the password")
    assert wrong.status_code == 422
    assert "suspended" not in text_of(wrong)


def test_a_suspended_person_can_still_read_the_board(client_for, people, make_idea, make_comment):
    idea = make_idea(author=people.alice, title="Community fridge on Elm Street")
    make_comment(idea, author=people.bob, body="I can clean it on Mondays.")
    act(client_for(people.mod), "user", people.bob.id, "suspend", "Repeated abuse.")
    bob = client_for(people.bob)
    for page in ("/", "/ideas", f"/ideas/{idea.id}", "/users/alice", "/help"):
        assert bob.get(page).status_code == 200, page
    text = text_of(bob.get(f"/ideas/{idea.id}"))
    assert "Community fridge on Elm Street" in text
    assert "Sign in or register to join the conversation." in text


def test_reinstating_a_person_lets_them_sign_in_again(app, client_for, people):
    moderator = client_for(people.mod)
    act(moderator, "user", people.bob.id, "suspend", "Repeated abuse.")
    response = act(moderator, "user", people.bob.id, "reinstate", "Served a week.")
    assert response.status_code == 302
    assert fetch(app, User, people.bob.id).suspended_at is None

    browser = client_for()
    signed_in = Auth(browser).login("bob", PASSWORD)
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == "/dashboard"
    assert browser.get("/dashboard").status_code == 200
    assert [(e.action, e.target_summary) for e in log_entries(app)] == [
        ("suspend", "@bob"), ("reinstate", "@bob"),
    ]


@pytest.mark.parametrize("target", ["mod2", "admin"])
def test_a_moderator_cannot_suspend_another_moderator_or_an_admin(app, client_for, people, target):
    person = getattr(people, target)
    moderator = client_for(people.mod)
    page = moderator.get(f"/moderation/user/{person.id}")
    assert page.status_code == 200
    assert 'value="suspend"' not in page.get_data(as_text=True)

    response = act(moderator, "user", person.id, "suspend")
    assert response.status_code == 403
    assert "Only an admin can suspend or reinstate a moderator or an admin." in text_of(response)
    assert fetch(app, User, person.id).suspended_at is None
    assert count_rows(app, ModerationAction) == 0


def test_an_admin_can_suspend_a_moderator(app, client_for, people):
    admin = client_for(people.admin)
    assert 'value="suspend"' in admin.get(f"/moderation/user/{people.mod.id}").get_data(as_text=True)
    response = act(admin, "user", people.mod.id, "suspend", "Abused the moderation tools.")
    assert response.status_code == 302
    assert fetch(app, User, people.mod.id).suspended_at is not None
    assert client_for(people.mod).get("/moderation").status_code == 302


@pytest.mark.parametrize("who", ["mod", "admin"])
def test_nobody_can_suspend_themselves(app, client_for, people, who):
    person = getattr(people, who)
    browser = client_for(person)
    assert 'value="suspend"' not in browser.get(f"/moderation/user/{person.id}").get_data(as_text=True)
    response = act(browser, "user", person.id, "suspend")
    assert response.status_code == 403
    assert "You cannot suspend or reinstate yourself." in text_of(response)
    assert fetch(app, User, person.id).suspended_at is None
    assert browser.get("/moderation").status_code == 200


def test_suspending_needs_a_reason(app, client_for, people):
    response = act(client_for(people.mod), "user", people.bob.id, "suspend", reason="")
    assert response.status_code == 422
    assert field_error(response, "reason") == "Error: Give a reason: it goes into the moderation log."
    assert fetch(app, User, people.bob.id).suspended_at is None


# --- Dismissing reports -----------------------------------------------------------------


def test_dismissing_reports_resolves_them_without_touching_the_content_and_is_logged(
    app, client_for, people, content
):
    send_report(client_for(people.bob), content.kind, content.id, "I just do not like it.")
    assert open_reports(app) == 1
    moderator = client_for(people.mod)

    response = act(moderator, content.kind, content.id, "dismiss", "Disagreement is not abuse.")
    assert response.status_code == 302
    assert f"You dismissed the reports about this {WHAT[content.kind]}." in text_of(
        moderator.get(response.headers["Location"])
    )
    assert open_reports(app) == 0
    assert fetch(app, content.model, content.id).hidden_at is None
    assert "No open reports." in text_of(moderator.get("/moderation"))
    log = text_of(moderator.get("/moderation/log"))
    assert f"Dismissed the reports about the {WHAT[content.kind]} {content.summary} Disagreement is not abuse." in log
    assert "Mo Moderator" in log


def test_dismissing_reports_about_a_person_leaves_them_able_to_sign_in(app, client_for, people):
    send_report(client_for(people.alice), "user", people.bob.id, "Grumpy.")
    act(client_for(people.mod), "user", people.bob.id, "dismiss", "Grumpy is allowed.")
    assert open_reports(app) == 0
    assert fetch(app, User, people.bob.id).suspended_at is None
    assert Auth(client_for()).login("bob", PASSWORD).status_code == 302


def test_there_is_nothing_to_dismiss_without_open_reports(app, client_for, people, make_idea):
    idea = make_idea(author=people.alice)
    moderator = client_for(people.mod)
    assert 'value="dismiss"' not in moderator.get(f"/moderation/idea/{idea.id}").get_data(as_text=True)
    response = act(moderator, "idea", idea.id, "dismiss")
    assert response.status_code == 302
    assert "There are no open reports about that." in text_of(moderator.get(response.headers["Location"]))
    assert count_rows(app, ModerationAction) == 0


def test_new_reports_after_a_dismissal_open_a_new_group(app, client_for, people, make_idea):
    idea = make_idea(author=people.alice, title="Community fridge on Elm Street")
    moderator = client_for(people.mod)
    send_report(client_for(people.bob), "idea", idea.id, "First complaint.")
    act(moderator, "idea", idea.id, "dismiss")
    send_report(client_for(people.bob), "idea", idea.id, "Second complaint.")
    text = text_of(moderator.get("/moderation"))
    assert "Idea · 1 report," in text
    assert "“Second complaint.”" in text and "First complaint." not in text


# --- Reports about things that are gone ----------------------------------------------------


def test_reports_about_an_idea_its_author_deleted_do_not_stay_in_the_queue_forever(
    app, client_for, people, make_idea
):
    idea = make_idea(author=people.alice, title="Community fridge on Elm Street")
    send_report(client_for(people.bob), "idea", idea.id, "Spam.")
    assert client_for(people.alice).post(f"/ideas/{idea.id}/delete").status_code == 302
    assert fetch(app, Idea, idea.id) is None

    moderator = client_for(people.mod)
    queue = moderator.get("/moderation")
    links = re.findall(r'<h2 class="card__title"><a href="([^"]+)"', queue.get_data(as_text=True))
    # Either the queue no longer lists the report, or its link leads somewhere it can be dismissed.
    for link in links:
        assert moderator.get(link).status_code == 200, link


def test_the_log_is_read_in_the_readers_language_whatever_the_moderators_was(client_for, people, content):
    act(client_for(people.mod), content.kind, content.id, "hide")
    reader = client_for(people.admin)
    reader.get("/language/fr")
    log = text_of(reader.get("/moderation/log"))
    assert f"A masqué {WHAT_FR[content.kind]} {content.summary}" in log
    assert "Comment by" not in log


WHAT_FR = {"idea": "l’idée", "help_request": "la demande d’aide", "comment": "le commentaire"}
