"""Help requests: asking for help, offering it, answering offers, and what each person sees."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from board.extensions import db
from board.models import Comment, HelpRequest, Idea, Offer, utcnow
from helpers import count_queries, count_rows, fetch, field_error, input_value, make_test_app, text_of

VALID = {
    "title": "Build a bench",
    "details": "For the park, near the pond.",
    "skills": "carpentry",
    "idea": "0",
}


# --- Small helpers ---------------------------------------------------------------


def ask(client, url="/help/new", **fields):
    return client.post(url, data={**VALID, **fields})


def offer_on(client, help_request, message="I have a van and a free Saturday."):
    return client.post(f"/help/{help_request.id}/offers", data={"message": message})


def only_request(app):
    with app.app_context():
        help_request = db.session.scalars(select(HelpRequest)).one()
        return help_request, [s.name for s in help_request.skills]


def card_ids(response) -> list[int]:
    """The help requests listed on the page, in the order a person reads them."""
    html = response.get_data(as_text=True)
    return [int(i) for i in re.findall(r'class="card__title"><a href="/help/(\d+)"', html)]


def close_request(app, help_request):
    with app.app_context():
        hr = db.session.get(HelpRequest, help_request.id)
        hr.close(by=hr.author)
        db.session.commit()


def accept(app, help_request, offer):
    with app.app_context():
        hr = db.session.get(HelpRequest, help_request.id)
        hr.accept(db.session.get(Offer, offer.id), by=hr.author)
        db.session.commit()


# --- Asking for help ---------------------------------------------------------------


def test_asking_for_help_needs_sign_in(client):
    response = client.get("/help/new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fhelp%2Fnew"

    response = ask(client)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_ask_form_labels_title_details_and_skills(client, auth, make_user):
    auth.sign_in(make_user())
    response = client.get("/help/new")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'<label for="title"[^>]*>[^<]*Title', html)
    assert re.search(r'<label for="details"[^>]*>[^<]*Details', html)
    assert re.search(r'<label for="skills"[^>]*>[^<]*Skills', html)


def test_asking_for_help_puts_the_request_on_the_board(app, client, auth, make_user):
    auth.sign_in(make_user())
    response = ask(
        client,
        title="A van for Saturday",
        details="To move the benches to the hall.",
        skills="Carpentry, van ,  Saturday   MORNINGS",
    )
    assert response.status_code == 302
    help_request, skills = only_request(app)
    assert response.headers["Location"] == f"/help/{help_request.id}"
    assert help_request.status == "open"
    assert help_request.idea_id is None
    assert sorted(skills) == ["carpentry", "saturday mornings", "van"]

    page = client.get(response.headers["Location"])
    text = text_of(page)
    assert page.status_code == 200
    assert "A van for Saturday" in text
    assert "To move the benches to the hall." in text
    for skill in ("carpentry", "van", "saturday mornings"):
        assert f'">{skill}</a></li>' in page.get_data(as_text=True)
    assert 'tag--open">Open<' in page.get_data(as_text=True)
    assert "Your help request is on the board." in text


def test_asking_with_a_skill_already_known_reuses_it(app, client, auth, make_user, make_help_request):
    make_help_request(skills=["van"])
    auth.sign_in(make_user())
    assert ask(client, skills="Van, painting").status_code == 302
    from board.models import Skill

    assert count_rows(app, Skill, Skill.name == "van") == 1


# --- Linking a request to an idea ------------------------------------------------------


def test_asking_from_ones_own_idea_preselects_and_links_it(
    app, client, auth, make_user, make_idea
):
    me = make_user()
    idea = make_idea(author=me, title="A community orchard")
    auth.sign_in(me)

    form = client.get(f"/help/new?idea={idea.id}")
    assert form.status_code == 200
    assert re.search(rf'<option selected value="{idea.id}">A community orchard</option>',
                     form.get_data(as_text=True))

    response = ask(client, url=f"/help/new?idea={idea.id}", idea=str(idea.id),
                   title="Fruit trees to plant")
    assert response.status_code == 302
    help_request, _ = only_request(app)
    assert help_request.idea_id == idea.id

    idea_page = client.get(f"/ideas/{idea.id}")
    html = idea_page.get_data(as_text=True)
    needs = html.split('id="help-heading"', 1)[1].split("</section>", 1)[0]
    assert f'href="/help/{help_request.id}">Fruit trees to plant</a>' in needs
    assert "A community orchard" in text_of(client.get(f"/help/{help_request.id}"))


def test_someone_elses_idea_is_not_preselected(client, auth, make_user, make_idea):
    theirs = make_idea(title="Their secret idea")
    auth.sign_in(make_user())
    response = client.get(f"/help/new?idea={theirs.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Their secret idea" not in html
    assert f'value="{theirs.id}"' not in html
    assert f'href="/ideas/{theirs.id}"' not in html


def test_linking_to_someone_elses_idea_is_refused(app, client, auth, make_user, make_idea):
    me = make_user()
    make_idea(author=me, title="My own idea")
    theirs = make_idea(title="Their idea")
    auth.sign_in(me)
    response = ask(client, url=f"/help/new?idea={theirs.id}", idea=str(theirs.id))
    assert response.status_code in (403, 422)
    if response.status_code == 422:
        assert field_error(response, "idea") == "Error: Choose one of your ideas listed, or no linked idea."
    assert count_rows(app, HelpRequest) == 0
    with app.app_context():
        assert db.session.get(Idea, theirs.id).help_requests == []


@pytest.mark.parametrize(
    "idea_arg", ["abc", "-1", "0", "1.5", "99999999", "999999999999999999",
                 "9223372036854775808", "99999999999999999999999999", "", "%C2%B2",
                 "%D9%A3", "%00"]
)
def test_a_strange_idea_in_the_address_is_ignored(client, auth, make_user, idea_arg):
    auth.sign_in(make_user())
    response = client.get(f"/help/new?idea={idea_arg}")
    assert response.status_code == 200
    assert "Ask for help" in text_of(response)


@pytest.mark.parametrize("idea_value", ["abc", "99999999999999999999999999", "-5"])
def test_posting_a_strange_idea_value_is_refused_without_crashing(
    app, client, auth, make_user, idea_value
):
    auth.sign_in(make_user())
    response = ask(client, idea=idea_value)
    assert response.status_code == 422
    assert count_rows(app, HelpRequest) == 0


# --- Bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("title", "", "Enter a title."),
        ("title", "   \t ", "Enter a title."),
        ("title", "x" * 151, "Title must be 150 characters or fewer."),
        ("details", "", "Describe what help you need."),
        ("details", "  \n  ", "Describe what help you need."),
        ("details", "d" * 20_001, "Details must be 20,000 characters or fewer."),
        ("skills", "", "List at least one skill or resource you need."),
        ("skills", "    ", "List at least one skill or resource you need."),
        ("skills", ", ".join(f"skill {i}" for i in range(21)), "List at most 20 skills."),
        ("skills", "x" * 41, "Each skill must be 40 characters or fewer"),
    ],
)
def test_bad_input_is_refused_with_a_message_next_to_the_field(
    app, client, auth, make_user, field, value, message
):
    auth.sign_in(make_user())
    kept = {"title": "Kept title", "details": "Kept details here", "skills": "kept skill"}
    kept[field] = value
    response = ask(client, **kept)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in text_of(response)
    assert re.search(rf'<a href="#{field}">{re.escape(message)}', html)
    field_error = re.search(rf'<p id="{field}-error" class="field-error">(.*?)</p>', html, re.S)
    assert field_error and message in field_error.group(1)
    assert 'aria-invalid="true"' in html
    for other, typed in kept.items():
        if other != field:
            assert typed in html
    if value.strip() and len(value) < 500:
        assert value in html
    assert count_rows(app, HelpRequest) == 0


def test_the_longest_title_and_details_allowed_are_accepted(app, client, auth, make_user):
    auth.sign_in(make_user())
    skills = ", ".join(f"skill {i}" for i in range(20))
    response = ask(client, title="t" * 150, details="d" * 20_000, skills=skills)
    assert response.status_code == 302
    _, saved = only_request(app)
    assert len(saved) == 20


def test_skills_made_only_of_commas_are_refused(app, client, auth, make_user):
    auth.sign_in(make_user())
    response = ask(client, skills=" , ,  ,")
    assert response.status_code == 422
    assert count_rows(app, HelpRequest) == 0


# --- The list of help wanted ------------------------------------------------------------


@pytest.fixture
def three_of_each(app, make_user, make_help_request, make_offer):
    """Requests created in the order open, matched, closed, open, matched, closed, ..."""
    made = {"open": [], "matched": [], "closed": []}
    for round_ in range(2):
        for status in ("open", "matched", "closed"):
            hr = make_help_request(title=f"{status} {round_}", skills=[f"{status}-skill"])
            if status == "matched":
                accept(app, hr, make_offer(hr))
            elif status == "closed":
                close_request(app, hr)
            made[status].append(hr.id)
    return made


def test_help_wanted_lists_open_then_matched_then_closed_newest_first(client, three_of_each):
    response = client.get("/help")
    assert response.status_code == 200
    expected = (
        sorted(three_of_each["open"], reverse=True)
        + sorted(three_of_each["matched"], reverse=True)
        + sorted(three_of_each["closed"], reverse=True)
    )
    assert card_ids(response) == expected


@pytest.mark.parametrize("status", ["open", "matched", "closed"])
def test_help_wanted_can_be_filtered_by_status(client, three_of_each, status):
    response = client.get(f"/help?status={status}")
    assert response.status_code == 200
    assert card_ids(response) == sorted(three_of_each[status], reverse=True)
    assert f'href="/help?status={status}" aria-current="true"' in response.get_data(as_text=True)


@pytest.mark.parametrize("status", ["bogus", "", "OPEN", "all"])
def test_an_unknown_status_shows_every_request(client, three_of_each, status):
    response = client.get(f"/help?status={status}")
    assert response.status_code == 200
    assert len(card_ids(response)) == 6
    assert 'href="/help" aria-current="true"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "page", ["abc", "-1", "0", "1.5", "", "999999", "99999999999999999999999", "%00", "1e3",
             "%C2%B2", "%D9%A3", "%EF%BC%92"]
)
def test_a_strange_page_number_never_breaks_the_list(client, make_help_request, page):
    make_help_request(title="Someone needs a ladder")
    response = client.get(f"/help?page={page}")
    assert response.status_code == 200
    assert "Someone needs a ladder" in text_of(response)


def test_the_list_pages_through_many_requests(client, make_user, make_help_request):
    author = make_user()
    for i in range(25):
        make_help_request(author=author, title=f"Request number {i}")
    first = client.get("/help")
    assert len(card_ids(first)) == 20
    second = client.get("/help?page=2")
    assert len(card_ids(second)) == 5
    assert "Request number 0" in text_of(second)
    assert "Page 2" in text_of(second)
    assert 'rel="next"' not in second.get_data(as_text=True)


def test_each_card_shows_its_skills_and_linked_idea(client, make_user, make_idea, make_help_request):
    me = make_user()
    idea = make_idea(author=me, title="Repair café")
    make_help_request(author=me, title="Soldering help", skills=["soldering", "electronics"],
                      idea=idea)
    make_help_request(title="Lend a drill", skills=["drill"])
    html = client.get("/help").get_data(as_text=True)
    cards = html.split('<li class="card">')[1:]
    solder = next(c for c in cards if "Soldering help" in c)
    drill = next(c for c in cards if "Lend a drill" in c)
    assert '<li class="skill"><a href="/skills/soldering">soldering</a></li>' in solder
    assert '<li class="skill"><a href="/skills/electronics">electronics</a></li>' in solder
    assert f'href="/ideas/{idea.id}">Repair café</a>' in solder
    assert '<li class="skill"><a href="/skills/drill">drill</a></li>' in drill
    assert "soldering" not in drill


# --- Offering help ------------------------------------------------------------------


def test_offering_help_sends_the_offer_and_shows_it_is_waiting(
    app, client, auth, make_user, make_help_request
):
    help_request = make_help_request()
    helper = make_user()
    auth.sign_in(helper)

    page = client.get(f"/help/{help_request.id}")
    assert re.search(r'<label for="message"[^>]*>[^<]*Message', page.get_data(as_text=True))

    response = offer_on(client, help_request, message="I can drive on Saturday.")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/help/{help_request.id}#your-offer"

    with app.app_context():
        offer = db.session.scalars(select(Offer)).one()
        assert (offer.helper_id, offer.help_request_id, offer.status) == (
            helper.id, help_request.id, "pending")
        assert offer.message == "I can drive on Saturday."
        assert db.session.get(HelpRequest, help_request.id).offers_count == 1

    text = text_of(client.get(f"/help/{help_request.id}"))
    assert "Waiting for an answer" in text
    assert "I can drive on Saturday." in text
    assert "Withdraw my offer" in text
    assert "1 person has offered so far" in text


def test_an_empty_offer_message_is_refused(app, client, auth, make_user, make_help_request):
    help_request = make_help_request()
    auth.sign_in(make_user())
    response = offer_on(client, help_request, message="   ")
    assert response.status_code == 422
    assert "Write a short message to go with your offer." in text_of(response)
    assert "There is a problem" in text_of(response)
    assert count_rows(app, Offer) == 0
    assert fetch(app, HelpRequest, help_request.id).offers_count == 0


def test_an_offer_message_over_the_limit_is_refused(app, client, auth, make_user, make_help_request):
    help_request = make_help_request()
    auth.sign_in(make_user())
    response = offer_on(client, help_request, message="m" * 2001)
    assert response.status_code == 422
    assert "Message must be 2,000 characters or fewer." in text_of(response)
    assert count_rows(app, Offer) == 0


def test_offering_help_on_ones_own_request_is_refused(app, client, auth, make_user, make_help_request):
    me = make_user()
    help_request = make_help_request(author=me)
    auth.sign_in(me)
    response = offer_on(client, help_request)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "You cannot offer help on your own request." in text_of(page)
    assert count_rows(app, Offer) == 0
    assert fetch(app, HelpRequest, help_request.id).offers_count == 0


def test_offering_help_twice_is_refused(app, client, auth, make_user, make_help_request):
    help_request = make_help_request()
    auth.sign_in(make_user())
    assert offer_on(client, help_request, message="First offer").status_code == 302
    response = offer_on(client, help_request, message="Second offer")
    page = client.get(response.headers["Location"])
    assert "You have already offered help on this request." in text_of(page)
    with app.app_context():
        assert db.session.scalars(select(Offer.message)).all() == ["First offer"]
        assert db.session.get(HelpRequest, help_request.id).offers_count == 1


def test_offering_help_on_a_closed_request_is_refused(app, client, auth, make_user, make_help_request):
    help_request = make_help_request()
    close_request(app, help_request)
    auth.sign_in(make_user())
    page = client.get(f"/help/{help_request.id}")
    assert "This request is closed and no longer takes offers." in text_of(page)
    assert f'action="/help/{help_request.id}/offers"' not in page.get_data(as_text=True)

    response = offer_on(client, help_request)
    assert "This request is closed and no longer takes offers." in text_of(
        client.get(response.headers["Location"]))
    assert count_rows(app, Offer) == 0


def test_a_visitor_must_sign_in_to_offer_help(app, client, make_help_request):
    help_request = make_help_request()
    page = client.get(f"/help/{help_request.id}")
    assert "Sign in to offer help" in text_of(page)
    response = offer_on(client, help_request)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert count_rows(app, Offer) == 0


def test_offering_on_a_missing_request_is_not_found(client, auth, make_user):
    auth.sign_in(make_user())
    assert client.post("/help/999/offers", data={"message": "Hi"}).status_code == 404


# --- Who sees which offers -------------------------------------------------------------


def test_the_requester_sees_every_offer_with_accept_and_decline(
    client, auth, make_user, make_help_request, make_offer
):
    me = make_user()
    help_request = make_help_request(author=me)
    ana = make_user(display_name="Ana Helper")
    bo = make_user(display_name="Bo Neighbour")
    first = make_offer(help_request, helper=ana, message="I own a van.")
    second = make_offer(help_request, helper=bo, message="I can lift heavy things.")
    auth.sign_in(me)
    page = client.get(f"/help/{help_request.id}")
    html, text = page.get_data(as_text=True), text_of(page)
    assert "Offers of help (2)" in text
    for offer, name, message in ((first, "Ana Helper", "I own a van."),
                                 (second, "Bo Neighbour", "I can lift heavy things.")):
        block = html.split(f'id="offer-{offer.id}"', 1)[1].split("</li>", 1)[0]
        assert name in block and message in block
        assert f'action="/help/{help_request.id}/offers/{offer.id}/accept"' in html
        assert f'action="/help/{help_request.id}/offers/{offer.id}/decline"' in html
    assert text.count("Accept") >= 2 and text.count("Decline") >= 2


def test_others_do_not_see_other_peoples_offer_messages(
    client, auth, make_user, make_help_request, make_offer
):
    help_request = make_help_request()
    make_offer(help_request, message="My private offer text")
    other_helper = make_user()
    make_offer(help_request, helper=other_helper, message="Another helper's note")

    for viewer in (None, make_user(), other_helper):
        if viewer is None:
            auth.logout()
        else:
            auth.sign_in(viewer)
        page = client.get(f"/help/{help_request.id}")
        text = text_of(page)
        assert "My private offer text" not in text
        assert "/accept" not in page.get_data(as_text=True)
        assert "2 people have offered so far" in text
    # the second helper still sees their own offer
    assert "Another helper" in text


def test_no_email_address_is_ever_shown_on_a_request(
    app, client, auth, make_user, make_help_request, make_offer, make_comment
):
    requester = make_user(email="requester@secret.example")
    helper = make_user(email="helper@secret.example")
    commenter = make_user(email="commenter@secret.example")
    help_request = make_help_request(author=requester)
    offer = make_offer(help_request, helper=helper)
    make_comment(help_request, author=commenter)
    accept(app, help_request, offer)
    for viewer in (None, requester, helper, commenter, make_user()):
        if viewer is None:
            auth.logout()
        else:
            auth.sign_in(viewer)
        for url in (f"/help/{help_request.id}", "/help", "/", "/dashboard"):
            html = client.get(url, follow_redirects=True).get_data(as_text=True)
            assert "secret.example" not in html, (viewer, url)


# --- Accepting and declining ---------------------------------------------------------------


def test_accepting_an_offer_matches_the_request_and_tells_the_helper(
    app, client, auth, make_user, make_idea, make_help_request, make_offer
):
    me = make_user()
    idea = make_idea(author=me, title="A street party")
    help_request = make_help_request(author=me, title="Tables and chairs", idea=idea)
    helper = make_user(display_name="Helpful Hana")
    offer = make_offer(help_request, helper=helper)

    idea_page = text_of(client.get(f"/ideas/{idea.id}"))
    assert "Helpful Hana" not in idea_page

    auth.sign_in(me)
    response = client.post(f"/help/{help_request.id}/offers/{offer.id}/accept")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/help/{help_request.id}#offers"
    assert "You accepted Helpful Hana’s offer." in text_of(client.get(f"/help/{help_request.id}"))

    assert fetch(app, Offer, offer.id).status == "accepted"
    assert fetch(app, HelpRequest, help_request.id).status == "matched"

    auth.sign_in(helper)
    request_page = client.get(f"/help/{help_request.id}")
    assert 'tag--matched">Matched<' in request_page.get_data(as_text=True)
    assert "You offered help" in text_of(request_page)
    assert "Accepted" in text_of(request_page)
    assert "Withdraw my offer" not in text_of(request_page)
    assert "Helping: Helpful Hana" in text_of(request_page)

    dashboard = client.get("/dashboard").get_data(as_text=True)
    mine = dashboard.split('id="my-offers-heading"', 1)[1].split("</section>", 1)[0]
    assert "Tables and chairs" in mine and 'tag--accepted">Accepted<' in mine

    team = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    team = team.split("The team", 1)[1]
    assert "Helpful Hana" in team and "(helping)" in team


def test_declining_an_offer_leaves_the_request_open(
    app, client, auth, make_user, make_help_request, make_offer
):
    me = make_user()
    help_request = make_help_request(author=me)
    offer = make_offer(help_request, helper=make_user(display_name="Dee"))
    auth.sign_in(me)
    response = client.post(f"/help/{help_request.id}/offers/{offer.id}/decline")
    assert response.status_code == 302
    assert "You declined Dee’s offer." in text_of(client.get(response.headers["Location"]))
    assert fetch(app, Offer, offer.id).status == "declined"
    assert fetch(app, HelpRequest, help_request.id).status == "open"


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_only_the_requester_may_answer_an_offer(
    app, client, auth, make_user, make_help_request, make_offer, action
):
    help_request = make_help_request()
    helper = make_user()
    offer = make_offer(help_request, helper=helper)
    for person in (helper, make_user()):
        auth.sign_in(person)
        response = client.post(f"/help/{help_request.id}/offers/{offer.id}/{action}")
        assert response.status_code == 403
        assert fetch(app, Offer, offer.id).status == "pending"
        assert fetch(app, HelpRequest, help_request.id).status == "open"
    auth.logout()
    response = client.post(f"/help/{help_request.id}/offers/{offer.id}/{action}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert fetch(app, Offer, offer.id).status == "pending"


@pytest.mark.parametrize("action", ["accept", "decline", "withdraw"])
def test_an_offer_from_another_request_is_not_found(
    app, client, auth, make_user, make_help_request, make_offer, action
):
    me = make_user()
    mine = make_help_request(author=me)
    helper = make_user()
    elsewhere = make_offer(make_help_request(author=me), helper=helper)
    auth.sign_in(helper if action == "withdraw" else me)
    response = client.post(f"/help/{mine.id}/offers/{elsewhere.id}/{action}")
    assert response.status_code == 404
    assert client.post(f"/help/{mine.id}/offers/999/{action}").status_code == 404
    assert fetch(app, Offer, elsewhere.id).status == "pending"
    assert fetch(app, HelpRequest, mine.id).status == "open"


@pytest.mark.parametrize("first, then", [("decline", "accept"), ("accept", "decline"),
                                         ("accept", "accept")])
def test_answering_an_answered_offer_changes_nothing(
    app, client, auth, make_user, make_help_request, make_offer, first, then
):
    me = make_user()
    help_request = make_help_request(author=me)
    offer = make_offer(help_request)
    auth.sign_in(me)
    client.post(f"/help/{help_request.id}/offers/{offer.id}/{first}")
    before = (fetch(app, Offer, offer.id).status, fetch(app, HelpRequest, help_request.id).status)
    response = client.post(f"/help/{help_request.id}/offers/{offer.id}/{then}")
    assert response.status_code == 302
    assert "That offer has already been answered." in text_of(client.get(response.headers["Location"]))
    after = (fetch(app, Offer, offer.id).status, fetch(app, HelpRequest, help_request.id).status)
    assert after == before


def test_visitors_see_who_is_helping_and_only_who_was_accepted(
    app, client, make_user, make_help_request, make_offer
):
    from board.people.own_data import erase

    me = make_user()
    help_request = make_help_request(author=me, title="Tables and chairs")
    hana, gwen, pat = (make_user(display_name=name) for name in ("Helpful Hana", "Gwen", "Pending Pat"))
    offers = [make_offer(help_request, helper=helper) for helper in (hana, gwen, pat)]
    with app.app_context():
        request_row = db.session.get(HelpRequest, help_request.id)
        for offer in offers[:2]:
            request_row.accept(db.session.get(Offer, offer.id), by=db.session.get(type(me), me.id))
        db.session.commit()

    page = text_of(client.get(f"/help/{help_request.id}")).replace(" ,", ",")
    assert "Helping: Helpful Hana, Gwen" in page
    assert "Pending Pat" not in page and "3 people have offered so far." in page

    with app.app_context():
        erase(db.session.get(type(me), gwen.id), keep_posts=True)
        db.session.commit()
    page = text_of(client.get(f"/help/{help_request.id}")).replace(" ,", ",")
    assert "Helping: Helpful Hana, Deleted user" in page


def test_an_offer_on_a_closed_request_cannot_be_accepted(
    app, client, auth, make_user, make_help_request, make_offer
):
    me = make_user()
    help_request = make_help_request(author=me)
    offer = make_offer(help_request)
    close_request(app, help_request)
    auth.sign_in(me)
    page = client.get(f"/help/{help_request.id}")
    assert "/accept" not in page.get_data(as_text=True)
    response = client.post(f"/help/{help_request.id}/offers/{offer.id}/accept")
    assert "Reopen the request before accepting offers." in text_of(
        client.get(response.headers["Location"]))
    assert fetch(app, Offer, offer.id).status == "pending"
    assert fetch(app, HelpRequest, help_request.id).status == "closed"


# --- Withdrawing ----------------------------------------------------------------------


def test_a_helper_can_withdraw_their_waiting_offer(
    app, client, auth, make_user, make_help_request, make_offer
):
    help_request = make_help_request()
    helper = make_user()
    offer = make_offer(help_request, helper=helper)
    auth.sign_in(helper)
    response = client.post(f"/help/{help_request.id}/offers/{offer.id}/withdraw")
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "Your offer is withdrawn." in page
    assert "Withdrawn" in page
    assert "Withdraw my offer" not in page
    assert fetch(app, Offer, offer.id).status == "withdrawn"


def test_nobody_else_can_withdraw_an_offer(app, client, auth, make_user, make_help_request, make_offer):
    requester = make_user()
    help_request = make_help_request(author=requester)
    offer = make_offer(help_request)
    for person in (requester, make_user()):
        auth.sign_in(person)
        response = client.post(f"/help/{help_request.id}/offers/{offer.id}/withdraw")
        assert response.status_code == 403
        assert fetch(app, Offer, offer.id).status == "pending"


def test_an_answered_offer_cannot_be_withdrawn(
    app, client, auth, make_user, make_help_request, make_offer
):
    help_request = make_help_request()
    helper = make_user()
    offer = make_offer(help_request, helper=helper)
    accept(app, help_request, offer)
    auth.sign_in(helper)
    response = client.post(f"/help/{help_request.id}/offers/{offer.id}/withdraw")
    assert "Only an offer still waiting for an answer can be withdrawn." in text_of(
        client.get(response.headers["Location"]))
    assert fetch(app, Offer, offer.id).status == "accepted"


# --- Closing and reopening ---------------------------------------------------------------


def test_the_requester_can_close_and_reopen_a_request(
    app, client, auth, make_user, make_help_request
):
    me = make_user()
    help_request = make_help_request(author=me)
    auth.sign_in(me)
    response = client.post(f"/help/{help_request.id}/close")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/help/{help_request.id}"
    assert fetch(app, HelpRequest, help_request.id).status == "closed"
    assert "Reopen request" in text_of(client.get(f"/help/{help_request.id}"))

    auth.sign_in(make_user())
    page = client.get(f"/help/{help_request.id}")
    assert 'tag--closed">Closed<' in page.get_data(as_text=True)
    assert "closed and no longer takes offers" in text_of(page)
    assert 'name="message"' not in page.get_data(as_text=True)

    auth.sign_in(me)
    assert client.post(f"/help/{help_request.id}/reopen").status_code == 302
    assert fetch(app, HelpRequest, help_request.id).status == "open"
    auth.sign_in(make_user())
    assert 'name="message"' in client.get(f"/help/{help_request.id}").get_data(as_text=True)


def test_a_matched_request_can_be_reopened_for_more_help(
    app, client, auth, make_user, make_help_request, make_offer
):
    me = make_user()
    help_request = make_help_request(author=me)
    accept(app, help_request, make_offer(help_request))
    auth.sign_in(me)
    assert "Still need more help" in text_of(client.get(f"/help/{help_request.id}"))
    client.post(f"/help/{help_request.id}/reopen")
    assert fetch(app, HelpRequest, help_request.id).status == "open"


@pytest.mark.parametrize("action, start", [("close", "open"), ("reopen", "closed")])
def test_only_the_requester_can_close_or_reopen(
    app, client, auth, make_user, make_help_request, make_offer, action, start
):
    help_request = make_help_request()
    helper = make_user()
    make_offer(help_request, helper=helper)
    if start == "closed":
        close_request(app, help_request)
    for person in (helper, make_user()):
        auth.sign_in(person)
        assert client.post(f"/help/{help_request.id}/{action}").status_code == 403
        assert fetch(app, HelpRequest, help_request.id).status == start
    auth.logout()
    response = client.post(f"/help/{help_request.id}/{action}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert fetch(app, HelpRequest, help_request.id).status == start


# --- Editing and deleting --------------------------------------------------------------


def test_the_requester_can_edit_their_request(app, client, auth, make_user, make_help_request):
    me = make_user()
    help_request = make_help_request(author=me, title="Old title", skills=["van"])
    auth.sign_in(me)
    form = client.get(f"/help/{help_request.id}/edit")
    assert form.status_code == 200
    assert 'value="Old title"' in form.get_data(as_text=True)
    response = client.post(f"/help/{help_request.id}/edit", data={
        "title": "New title", "details": "New details", "skills": "Painting, ladders", "idea": "0"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/help/{help_request.id}"
    with app.app_context():
        saved = db.session.get(HelpRequest, help_request.id)
        assert (saved.title, saved.body) == ("New title", "New details")
        assert [s.name for s in saved.skills] == ["ladders", "painting"]
        assert saved.updated_at is not None
    assert "New title" in text_of(client.get(f"/help/{help_request.id}"))


def test_editing_refuses_a_link_to_someone_elses_idea(
    app, client, auth, make_user, make_idea, make_help_request
):
    me = make_user()
    make_idea(author=me)
    theirs = make_idea()
    help_request = make_help_request(author=me)
    auth.sign_in(me)
    response = client.post(f"/help/{help_request.id}/edit", data={
        **VALID, "idea": str(theirs.id)})
    assert response.status_code in (403, 422)
    assert fetch(app, HelpRequest, help_request.id).idea_id is None


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("page", ["edit", "delete"])
def test_only_the_requester_can_edit_or_delete(
    app, client, auth, make_user, make_help_request, method, page
):
    help_request = make_help_request(title="Keep me")
    auth.sign_in(make_user())
    response = getattr(client, method)(f"/help/{help_request.id}/{page}", data={
        **VALID, "title": "Hijacked"})
    assert response.status_code == 403
    auth.logout()
    response = getattr(client, method)(f"/help/{help_request.id}/{page}", data={
        **VALID, "title": "Hijacked"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    saved = fetch(app, HelpRequest, help_request.id)
    assert saved is not None and saved.title == "Keep me"


def test_deleting_a_request_removes_its_offers_and_comments(
    app, client, auth, make_user, make_help_request, make_offer, make_comment
):
    me = make_user()
    doomed = make_help_request(author=me, title="Doomed")
    kept = make_help_request(title="Kept")
    for target in (doomed, kept):
        make_offer(target)
        make_comment(target)
        make_comment(target)
    auth.sign_in(me)
    confirm = client.get(f"/help/{doomed.id}/delete")
    assert confirm.status_code == 200
    assert "Its offers and comments will be deleted too." in text_of(confirm)
    response = client.post(f"/help/{doomed.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == "/help"
    assert fetch(app, HelpRequest, doomed.id) is None
    assert count_rows(app, Offer, Offer.help_request_id == doomed.id) == 0
    assert count_rows(app, Comment, Comment.help_request_id == doomed.id) == 0
    assert count_rows(app, Offer, Offer.help_request_id == kept.id) == 1
    assert count_rows(app, Comment, Comment.help_request_id == kept.id) == 2
    assert client.get(f"/help/{doomed.id}").status_code == 404


# --- Addresses that do not exist ------------------------------------------------------------


@pytest.mark.parametrize("url", ["/help/999", "/help/abc", "/help/0", "/help/-1",
                                 "/help/99999999999999999999999", "/help/999/edit"])
def test_a_missing_request_is_not_found(client, auth, make_user, url):
    auth.sign_in(make_user())
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in text_of(response)


# --- Query budget -------------------------------------------------------------------------


def queries_for(app, client, url):
    client.get(url)  # warm up: first-use work is not what we measure
    with count_queries(app) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_1_or_50_requests(
    app, client, make_user, make_idea, make_help_request, make_offer
):
    def add(i):
        author = make_user()
        idea = make_idea(author=author, title=f"Idea {i}")
        make_help_request(author=author, title=f"Request {i}", idea=idea,
                          skills=[f"skill {i}", "van"])

    add(0)
    one = queries_for(app, client, "/help")
    for i in range(1, 50):
        add(i)
    many = queries_for(app, client, "/help")
    assert len(card_ids(client.get("/help"))) == 20
    assert many == one


def test_a_request_page_costs_the_same_queries_for_1_or_30_offers(
    app, client, auth, make_user, make_help_request, make_offer
):
    me = make_user()
    help_request = make_help_request(author=me)
    make_offer(help_request)
    auth.sign_in(me)
    url = f"/help/{help_request.id}"
    one = queries_for(app, client, url)
    for _ in range(29):
        make_offer(help_request)
    many = queries_for(app, client, url)
    assert "Offers of help (30)" in text_of(client.get(url))
    assert many == one


def test_a_request_page_costs_the_same_queries_for_1_or_30_comments(
    app, client, auth, make_user, make_help_request, make_comment
):
    me = make_user()
    help_request = make_help_request(author=me)
    make_comment(help_request)
    auth.sign_in(me)
    url = f"/help/{help_request.id}"
    one = queries_for(app, client, url)
    for _ in range(29):
        make_comment(help_request)
    many = queries_for(app, client, url)
    assert "Comments (30)" in text_of(client.get(url))
    assert many == one


def test_a_helper_viewing_a_busy_request_costs_no_extra_queries(
    app, client, auth, make_user, make_help_request, make_offer, make_comment
):
    help_request = make_help_request()
    helper = make_user()
    make_offer(help_request, helper=helper)
    auth.sign_in(helper)
    url = f"/help/{help_request.id}"
    one = queries_for(app, client, url)
    for _ in range(20):
        make_offer(help_request)
        make_comment(help_request)
    assert queries_for(app, client, url) == one


def test_reading_a_help_request_gives_a_visitor_no_cookie(app, database_url, make_help_request):
    help_request = make_help_request()
    # With CSRF on, as in production: a form on the page would start a session.
    visitor = make_test_app(database_url, WTF_CSRF_ENABLED=True).test_client()
    response = visitor.get(f"/help/{help_request.id}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


# --- Tampered choices ---------------------------------------------------------------


WTFORMS_WORDS = ("Invalid choice", "Invalid Choice", "Not a valid", "not a valid choice",
                 "could not coerce", "This field is required")


@pytest.mark.parametrize("field, value, message", [
    ("kind", "not-a-kind", "Choose what kind of help it is."),
    ("idea", "not-a-number", "Choose one of your ideas listed, or no linked idea."),
    ("idea", "99999", "Choose one of your ideas listed, or no linked idea."),
])
def test_a_tampered_kind_or_idea_gets_our_message_next_to_the_field(
    app, client, auth, make_user, make_idea, field, value, message
):
    me = make_user()
    make_idea(author=me)  # so that the form offers a linked idea
    auth.sign_in(me)
    response = ask(client, title="Kept title", **{field: value})
    assert response.status_code == 422
    assert field_error(response, field) == f"Error: {message}"
    assert input_value(response, "title") == "Kept title"
    assert not any(words in text_of(response) for words in WTFORMS_WORDS)
    assert count_rows(app, HelpRequest) == 0


def test_a_help_requests_page_links_its_idea_and_lists_its_skills_but_not_a_hidden_idea(
    app, client, make_user, make_idea, make_help_request
):
    author = make_user()
    idea = make_idea(author=author, title="A repair café")
    help_request = make_help_request(author=author, title="Someone to fix lamps", idea=idea,
                                     skills=("wiring", "soldering"))
    page = client.get(f"/help/{help_request.id}").get_data(as_text=True)
    assert f'For the idea <a href="/ideas/{idea.id}">A repair café</a>' in page
    skills = re.findall(r'<li class="skill"><a href="/skills/[^"]+">([^<]+)</a></li>', page)
    assert skills == ["soldering", "wiring"]

    with app.app_context():
        db.session.get(Idea, idea.id).hidden_at = utcnow()
        db.session.commit()
    page = client.get(f"/help/{help_request.id}").get_data(as_text=True)
    assert "For the idea" not in page and "A repair café" not in page
    assert "Someone to fix lamps" in page


def test_a_help_requests_card_says_who_asked_when_for_which_idea_and_what_it_needs(app, client, make_user,
                                                                                  make_idea, make_help_request):
    asker = make_user("rosa", display_name="Rosa <i>R</i>")
    idea = make_idea(title="<b>Benches</b> & bins", author=asker)
    help_request = make_help_request(author=asker, title="Hands on Sunday", idea=idea)
    with app.app_context():
        db.session.get(HelpRequest, help_request.id).kind = "time"
        db.session.commit()
    html = client.get("/help").get_data(as_text=True)
    card = html[html.index(f'<a href="/help/{help_request.id}">Hands on Sunday</a>'):]
    card = card[:card.index("</li>")]
    assert re.search(
        r'Asked by <a href="/users/rosa">Rosa &lt;i&gt;R&lt;/i&gt;</a>, <time datetime="[0-9T:-]+Z">just now</time> '
        rf'for <a href="/ideas/{idea.id}">&lt;b&gt;Benches&lt;/b&gt; &amp; bins</a> · Needs: time</p>', card), card
    # On the asker's profile the card leaves the idea out: the page is theirs, not the idea's.
    profile = client.get("/users/rosa").get_data(as_text=True)
    card = profile[profile.index(f'<a href="/help/{help_request.id}">Hands on Sunday</a>'):]
    card = card[:card.index("</li>")]
    assert "</time> · Needs: time</p>" in card and "Benches" not in card
