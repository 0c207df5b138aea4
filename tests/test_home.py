"""The home page and each person's dashboard."""

from __future__ import annotations

import re

from board.extensions import db
from board.models import HelpRequest, Idea, Offer, User
from helpers import count_queries, text_of

# --- Small helpers ---------------------------------------------------------------


def section(response, heading_id: str) -> str:
    """The HTML of the page section labelled by `heading_id`."""
    html = response.get_data(as_text=True)
    start = html.index(">", html.index(f'aria-labelledby="{heading_id}"')) + 1
    return html[start:html.index("</section>", start)]


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def support(app, idea, *people):
    with app.app_context():
        target = db.session.get(Idea, idea.id)
        for person in people:
            target.toggle_support(db.session.get(User, person.id))
        db.session.commit()


def answer(app, help_request, offer, action):
    with app.app_context():
        hr = db.session.get(HelpRequest, help_request.id)
        getattr(hr, action)(db.session.get(Offer, offer.id), by=hr.author)
        db.session.commit()


def close_request(app, help_request):
    with app.app_context():
        hr = db.session.get(HelpRequest, help_request.id)
        hr.close(by=hr.author)
        db.session.commit()


def activity_items(response) -> list[str]:
    """Each entry of "Latest on your posts and offers", as a person reads it."""
    html = response.get_data(as_text=True)
    match = re.search(r'<ul class="plain-list activity">(.*?)</ul>', html, re.S)
    if match is None:
        return []
    return [words(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


# --- The home page ------------------------------------------------------------------


def test_the_home_page_shows_the_newest_ideas_with_links(client, make_user, make_idea):
    ideas = [make_idea(title=f"Idea number {i}") for i in range(8)]
    response = client.get("/")
    assert response.status_code == 200
    newest = section(response, "newest-heading")
    for idea in ideas[2:]:
        assert f'href="/ideas/{idea.id}">{idea.title}</a>' in newest
    for idea in ideas[:2]:
        assert idea.title not in newest
    order = [int(i) for i in re.findall(r'href="/ideas/(\d+)"', newest)]
    assert order == [i.id for i in reversed(ideas[2:])]
    assert 'href="/ideas"' in newest


def test_the_home_page_shows_only_supported_ideas_most_supported_first(
    app, client, make_user, make_idea
):
    loved = make_idea(title="Loved idea")
    liked = make_idea(title="Liked idea")
    ignored = make_idea(title="Ignored idea")
    people = [make_user() for _ in range(3)]
    support(app, loved, *people)
    support(app, liked, people[0])
    response = client.get("/")
    popular = section(response, "popular-heading")
    assert [int(i) for i in re.findall(r'href="/ideas/(\d+)"', popular)] == [loved.id, liked.id]
    assert "3 supporters" in words(popular) and "1 supporter" in words(popular)
    assert ignored.title not in popular
    assert ignored.title in section(response, "newest-heading")


def test_the_home_page_shows_only_open_help_requests(
    app, client, make_user, make_help_request, make_offer
):
    open_one = make_help_request(title="Still needs a van", skills=["van"])
    matched = make_help_request(title="Already matched")
    answer(app, matched, make_offer(matched), "accept")
    closed = make_help_request(title="Closed already")
    close_request(app, closed)
    declined = make_help_request(title="Declined but open")
    answer(app, declined, make_offer(declined), "decline")

    help_wanted = section(client.get("/"), "help-heading")
    assert f'href="/help/{open_one.id}">Still needs a van</a>' in help_wanted
    assert f'href="/help/{declined.id}">Declined but open</a>' in help_wanted
    assert '<li class="skill"><a href="/skills/van">van</a></li>' in help_wanted
    assert "Already matched" not in help_wanted
    assert "Closed already" not in help_wanted
    assert 'href="/help?status=open"' in help_wanted


def test_an_empty_board_shows_friendly_messages(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No ideas yet." in words(section(response, "newest-heading"))
    assert "Post the first one" in words(section(response, "newest-heading"))
    assert "No supported ideas yet." in words(section(response, "popular-heading"))
    assert "No open help requests right now." in words(section(response, "help-heading"))


def test_a_visitor_sees_sign_in_and_register(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert '<a href="/login">Sign in</a>' in html
    assert '<a href="/register">Register</a>' in html
    assert "Dashboard" not in text_of(response)
    assert "Sign out" not in text_of(response)


def test_a_signed_in_person_sees_their_name_dashboard_and_sign_out(client, auth, make_user):
    auth.sign_in(make_user(username="maya", display_name="Maya Patel"))
    response = client.get("/")
    html, text = response.get_data(as_text=True), text_of(response)
    assert '<a href="/users/maya">Maya Patel</a>' in html
    assert '<a href="/dashboard"' in html and "Dashboard" in text
    assert "Sign out" in text
    assert '<a href="/login">Sign in</a>' not in html
    assert '<a href="/register">Register</a>' not in html


def test_hidden_ideas_are_not_on_the_home_page(app, client, make_user, make_idea):
    hidden = make_idea(title="Moderated away")
    support(app, hidden, make_user())
    with app.app_context():
        db.session.get(Idea, hidden.id).hidden_at = db.func.current_timestamp()
        db.session.commit()
    assert "Moderated away" not in text_of(client.get("/"))


# --- The home page's query budget ------------------------------------------------------


def queries_for(app, client, url):
    client.get(url)  # warm up: first-use work is not what we measure
    with count_queries(app) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def fill_board(app, make_user, make_idea, make_help_request, ideas, count, link):
    """Add ideas (the older half supported) and open help requests until there are `count` of each.

    With `link`, the newest requests are linked to the oldest ideas, which are not
    already on the page for another reason.
    """
    start = len(ideas)
    for i in range(start, count):
        author = make_user()
        idea = make_idea(author=author, title=f"Idea {i}")
        if i < 15:  # the most supported ideas are not the newest: both lists show their authors
            support(app, idea, make_user())
        ideas.append((author, idea))
    for i in range(start, count):
        author, idea = ideas[count - 1 - i] if link else (make_user(), None)
        make_help_request(author=author, title=f"Request {i}", idea=idea, skills=[f"skill {i}"])


def test_the_home_page_costs_the_same_queries_for_1_or_30_ideas_and_requests(
    app, client, make_user, make_idea, make_help_request
):
    ideas = []
    fill_board(app, make_user, make_idea, make_help_request, ideas, 1, link=False)
    one = queries_for(app, client, "/")
    fill_board(app, make_user, make_idea, make_help_request, ideas, 30, link=False)
    many = queries_for(app, client, "/")
    assert text_of(client.get("/")).count("Request ") >= 6
    assert many == one


def test_the_home_page_costs_the_same_queries_when_requests_link_to_older_ideas(
    app, client, make_user, make_idea, make_help_request
):
    ideas = []
    fill_board(app, make_user, make_idea, make_help_request, ideas, 1, link=True)
    one = queries_for(app, client, "/")
    fill_board(app, make_user, make_idea, make_help_request, ideas, 30, link=True)
    many = queries_for(app, client, "/")
    assert many == one


# --- The dashboard ------------------------------------------------------------------------


def test_the_dashboard_needs_sign_in(client):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fdashboard"
    response = client.post("/notifications/read")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_an_empty_dashboard_says_nothing_needs_you(client, auth, make_user):
    auth.sign_in(make_user())
    response = client.get("/dashboard")
    assert response.status_code == 200
    text = text_of(response)
    assert "No offers are waiting for your answer." in text
    assert "Nothing yet." in text
    assert "You have not offered help yet." in text
    assert "You have not posted an idea yet." in text
    assert "You have not asked for help yet." in text


def test_offers_waiting_for_my_answer_show_the_helper_and_request(
    app, client, auth, make_user, make_help_request, make_offer
):
    me = make_user()
    bench = make_help_request(author=me, title="Build a bench")
    van = make_help_request(author=me, title="Borrow a van")
    waiting = make_offer(bench, helper=make_user(display_name="Sam Carpenter"))
    answered = make_offer(van, helper=make_user(display_name="Val Driver"))
    answer(app, van, answered, "decline")
    make_offer(make_help_request(title="Not mine"), helper=make_user(display_name="Xena Other"))

    auth.sign_in(me)
    response = client.get("/dashboard")
    needs = section(response, "needs-heading")
    waiting_list = needs.split("Offers waiting for your answer", 1)[1].split("</ul>", 1)[0]
    assert "Sam Carpenter offered to help with Build a bench" in words(waiting_list)
    assert f'href="/help/{bench.id}#offer-{waiting.id}"' in waiting_list
    assert "Val Driver" not in waiting_list
    assert "Xena Other" not in response.get_data(as_text=True)
    assert "Not mine" not in response.get_data(as_text=True)


def test_new_comments_on_my_ideas_and_requests_are_listed(
    client, auth, make_user, make_idea, make_help_request, make_comment
):
    me = make_user()
    idea = make_idea(author=me, title="Community garden")
    help_request = make_help_request(author=me, title="Need spades")
    make_comment(idea, author=make_user(display_name="Olu"))
    make_comment(help_request, author=make_user(display_name="Pia"))
    make_comment(idea, author=me, body="My own reply")
    make_comment(help_request, author=me, body="My own note")

    auth.sign_in(me)
    items = activity_items(client.get("/dashboard"))
    assert len(items) == 2
    assert any("Olu commented on “Community garden”" in i for i in items)
    assert any("Pia commented on “Need spades”" in i for i in items)
    assert all(i.startswith("New ") for i in items)
    assert not any(me.username in i for i in items)


def test_others_activity_does_not_appear_on_my_dashboard(
    app, client, auth, make_user, make_idea, make_help_request, make_comment, make_offer
):
    me = make_user()
    make_idea(author=me, title="My idea")
    someone = make_user()
    their_idea = make_idea(author=someone, title="Their idea")
    their_request = make_help_request(author=someone, title="Their request")
    make_comment(their_idea, author=make_user(display_name="Stranger One"))
    make_comment(their_request, author=make_user(display_name="Stranger Two"))
    offer = make_offer(their_request, helper=make_user(display_name="Stranger Three"))
    answer(app, their_request, offer, "accept")

    auth.sign_in(me)
    response = client.get("/dashboard")
    assert activity_items(response) == []
    text = text_of(response)
    for name in ("Stranger One", "Stranger Two", "Stranger Three", "Their idea", "Their request"):
        assert name not in text
    assert "No offers are waiting for your answer." in text


def test_events_are_new_until_i_mark_them_read(
    client, auth, make_user, make_idea, make_comment
):
    me = make_user()
    idea = make_idea(author=me, title="Book swap")
    make_comment(idea, author=make_user(display_name="Early Bird"))
    auth.sign_in(me)
    (item,) = activity_items(client.get("/dashboard"))
    assert item.startswith("New Early Bird commented")

    response = client.post("/notifications/read")
    assert response.status_code == 302
    assert response.headers["Location"] == "/notifications"
    assert "All your notifications are marked as read." in text_of(client.get("/notifications"))
    (item,) = activity_items(client.get("/dashboard"))
    assert item.startswith("Early Bird commented")

    make_comment(idea, author=make_user(display_name="Late Comer"))
    items = activity_items(client.get("/dashboard"))
    assert len(items) == 2
    assert items[0].startswith("New Late Comer commented on “Book swap”")
    assert items[1].startswith("Early Bird commented on “Book swap”")


def test_a_helper_hears_whether_their_offers_were_accepted_or_declined(
    app, client, auth, make_user, make_help_request, make_offer
):
    me = make_user()
    asker = make_user(display_name="Rosa Asker")
    accepted_on = make_help_request(author=asker, title="Paint the fence")
    declined_on = make_help_request(author=asker, title="Fix the gate")
    waiting_on = make_help_request(author=asker, title="Water the plants")
    answer(app, accepted_on, make_offer(accepted_on, helper=me), "accept")
    answer(app, declined_on, make_offer(declined_on, helper=me), "decline")
    make_offer(waiting_on, helper=me)

    auth.sign_in(me)
    response = client.get("/dashboard")
    items = activity_items(response)
    assert any("Rosa Asker accepted your offer to help with “Paint the fence”" in i for i in items)
    assert any("Rosa Asker declined your offer to help with “Fix the gate”" in i for i in items)
    assert len(items) == 2

    offered = words(section(response, "my-offers-heading"))
    assert "Paint the fence for Rosa Asker : Accepted" in offered
    assert "Fix the gate for Rosa Asker : Declined" in offered
    assert "Water the plants for Rosa Asker : Waiting for an answer" in offered


def test_another_helper_hears_whose_offer_was_accepted_with_links_to_the_request(
    app, client, auth, make_user, make_help_request, make_offer
):
    me = make_user()
    asker = make_user(display_name="Rosa Asker")
    help_request = make_help_request(author=asker, title="Paint the fence")
    make_offer(help_request, helper=me)
    answer(app, help_request, make_offer(help_request, helper=make_user(display_name="Hana Helper")),
           "accept")

    auth.sign_in(me)
    response = client.get("/dashboard")
    items = activity_items(response)
    assert any("Rosa Asker accepted Hana Helper’s offer to help with “Paint the fence”" in i
               for i in items)
    assert f'href="/help/{help_request.id}"' in response.get_data(as_text=True)


def test_the_requester_hears_about_offers_made(
    client, auth, make_user, make_help_request, make_offer
):
    me = make_user()
    help_request = make_help_request(author=me, title="Carry boxes")
    make_offer(help_request, helper=make_user(display_name="Kim Strong"))
    auth.sign_in(me)
    items = activity_items(client.get("/dashboard"))
    assert items == [items[0]] and "Kim Strong offered to help with “Carry boxes”" in items[0]


def test_my_ideas_and_requests_are_listed_with_counts_and_status(
    app, client, auth, make_user, make_idea, make_help_request, make_offer, make_comment
):
    me = make_user()
    idea = make_idea(author=me, title="Little library")
    support(app, idea, make_user(), make_user())
    make_comment(idea)
    make_idea(title="Not my idea")
    open_request = make_help_request(author=me, title="Shelves needed")
    make_offer(open_request)
    make_offer(open_request)
    closed = make_help_request(author=me, title="Paint needed")
    close_request(app, closed)

    auth.sign_in(me)
    response = client.get("/dashboard")
    ideas = words(section(response, "my-ideas-heading"))
    assert "Little library 2 supporters, 1 comment" in ideas
    assert "Not my idea" not in ideas
    requests = section(response, "my-requests-heading")
    assert "Shelves needed Open 2 offers" in words(requests)
    assert "Paint needed Closed 0 offers" in words(requests)
    # Open first, though the closed one is newer.
    assert words(requests).index("Shelves needed") < words(requests).index("Paint needed")
    assert f'href="/help/{open_request.id}"' in requests


# --- The dashboard's query budget -----------------------------------------------------------


def test_the_dashboard_costs_the_same_queries_for_1_or_20_of_everything(
    app, client, auth, make_user, make_idea, make_help_request, make_offer, make_comment
):
    me = make_user()

    def add_one(i):
        my_idea = make_idea(author=me, title=f"My idea {i}")
        make_comment(my_idea)
        my_request = make_help_request(author=me, title=f"My request {i}", skills=[f"s{i}"])
        make_offer(my_request)
        make_comment(my_request)
        theirs = make_help_request(title=f"Their request {i}")
        offer = make_offer(theirs, helper=me)
        answer(app, theirs, offer, "accept" if i % 2 else "decline")

    add_one(0)
    auth.sign_in(me)
    one = queries_for(app, client, "/dashboard")
    for i in range(1, 20):
        add_one(i)
    many = queries_for(app, client, "/dashboard")
    response = client.get("/dashboard")
    assert words(section(response, "needs-heading")).count("offered to help with") >= 20
    # A glance: the ten newest offers made, not all twenty, newest first; as many ideas.
    offered = words(section(response, "my-offers-heading"))
    assert offered.count("Their request") == 10 and "Their request 9 " not in offered
    assert offered.index("Their request 19") < offered.index("Their request 10")
    ideas = words(section(response, "my-ideas-heading"))
    assert ideas.count("My idea") == 10 and ideas.index("My idea 19") < ideas.index("My idea 10")
    assert many == one
