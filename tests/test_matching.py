"""Matching help requests with the people who can give the help, and what follows an
accepted offer: inviting people to help, and the private conversation."""

from __future__ import annotations

from sqlalchemy import select

from board.extensions import db
from board.help.models import Invitation, Message
from board.models import Area, HelpRequest, User, utcnow
from board.notifications.models import Category, Notification
from helpers import count_rows, field_error, text_of, textarea_value


def with_skills(app, user, *skills, areas=()):
    with app.app_context():
        person = db.session.get(User, user.id)
        person.set_skills(list(skills))
        person.areas = [db.session.scalar(select(Area).where(Area.name == name)) for name in areas]
        db.session.commit()
    return user


def told(app, user, category=None) -> list[Notification]:
    with app.app_context():
        where = [Notification.recipient_id == user.id]
        if category:
            where.append(Notification.category == category)
        return db.session.scalars(select(Notification).where(*where)).all()


def areas(app, *names):
    with app.app_context():
        db.session.add_all([Area.named(name) for name in names])
        db.session.commit()


# --- Skills on the account page ---------------------------------------------------------


def test_people_list_skills_and_areas_on_their_account_page(app, client, auth, make_user):
    areas(app, "Elm Park", "Northside")
    person = make_user()
    auth.sign_in(person)
    page = client.get("/account")
    assert "Areas you can help in" in text_of(page)
    with app.app_context():
        northside = db.session.scalar(select(Area).where(Area.name == "Northside"))
    response = client.post("/account", data={
        "display_name": "", "bio": "", "skills": "  Carpentry , VAN,carpentry ", "areas": [northside.id],
    })
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(User, person.id)
        assert [s.name for s in saved.skills] == ["carpentry", "van"]
        assert [a.name for a in saved.areas] == ["Northside"]


def test_the_account_page_suggests_skills_already_in_use(app, client, auth, make_user):
    with_skills(app, make_user(), "first aid", "van")
    with_skills(app, make_user(), "van")
    auth.sign_in(make_user())
    assert "Often offered here: van, first aid." in text_of(client.get("/account"))


def test_an_area_not_on_the_board_is_refused_and_nothing_is_lost(app, client, auth, make_user):
    areas(app, "Elm Park")
    auth.sign_in(make_user())
    response = client.post("/account", data={"display_name": "Sam", "skills": "van", "areas": [9999]})
    assert response.status_code == 422
    assert field_error(response, "areas") == "Error: Choose areas from the list."
    assert 'value="Sam"' in response.get_data(as_text=True)


# --- Who hears about a new request ------------------------------------------------------


def test_a_new_request_tells_the_people_whose_skills_match(
    app, make_user, make_help_request
):
    driver = with_skills(app, make_user(), "van")
    both = with_skills(app, make_user(), "van", "lifting")
    baker = with_skills(app, make_user(), "baking")
    requester = with_skills(app, make_user(), "van")
    suspended = with_skills(app, make_user(suspended_at=utcnow()), "van")
    make_help_request(author=requester, skills=("van", "lifting"))
    assert len(told(app, driver, Category.MATCHES)) == 1
    assert len(told(app, both, Category.MATCHES)) == 1  # once, however many skills match
    assert told(app, baker) == []
    assert told(app, requester) == []
    assert told(app, suspended) == []


def test_the_match_notification_reads_well_and_links_to_the_request(
    app, client, auth, make_user, make_help_request
):
    driver = with_skills(app, make_user(), "van")
    help_request = make_help_request(author=make_user(display_name="Rosa"), title="Move a piano",
                                     skills=("van",))
    auth.sign_in(driver)
    response = client.get("/notifications")
    assert "Rosa needs help you could give: “Move a piano”" in text_of(response)
    assert f'href="/help/{help_request.id}"' in response.get_data(as_text=True)


# --- People who could help, and inviting them ----------------------------------------------


def test_the_requester_sees_people_who_could_help_most_recently_active_first(
    app, client, auth, make_user, make_help_request
):
    from datetime import timedelta

    requester = make_user()
    earlier = with_skills(app, make_user(display_name="Early Ema",
                                         last_active_at=utcnow() - timedelta(days=3)), "van")
    with_skills(app, make_user(display_name="Late Lou",
                                       last_active_at=utcnow() - timedelta(hours=1)), "van", "lifting")
    with_skills(app, make_user(display_name="Baker Bo"), "baking")
    help_request = make_help_request(author=requester, skills=("van", "lifting"))
    auth.sign_in(requester)
    page = text_of(client.get(f"/help/{help_request.id}"))
    section = page.split("People who could help", 1)[1]
    assert section.index("Late Lou") < section.index("Early Ema")
    assert "Late Lou 2 matching skills" in section
    assert "Baker Bo" not in section
    # Others do not see the list.
    auth.sign_in(earlier)
    assert "People who could help" not in text_of(client.get(f"/help/{help_request.id}"))


def test_inviting_someone_tells_them_once(app, client, auth, make_user, make_help_request):
    requester = make_user(display_name="Rosa")
    driver = with_skills(app, make_user(display_name="Dee"), "van")
    help_request = make_help_request(author=requester, skills=("van",), title="Move a piano")
    auth.sign_in(requester)
    response = client.post(f"/help/{help_request.id}/invite/{driver.id}")
    assert response.status_code == 302
    assert "We have asked Dee if they can help." in text_of(client.get(response.headers["Location"]))
    assert len(told(app, driver, Category.INVITATIONS)) == 1
    again = client.post(f"/help/{help_request.id}/invite/{driver.id}", follow_redirects=True)
    assert "You have already asked Dee." in text_of(again)
    assert count_rows(app, Invitation) == 1
    assert "Dee 1 matching skill" in text_of(client.get(f"/help/{help_request.id}"))
    auth.sign_in(driver)
    assert "Rosa asks if you could help with “Move a piano”" in text_of(client.get("/notifications"))


def test_only_the_requester_can_invite(app, client, auth, make_user, make_help_request):
    driver = with_skills(app, make_user(), "van")
    help_request = make_help_request(skills=("van",))
    auth.sign_in(make_user())
    assert client.post(f"/help/{help_request.id}/invite/{driver.id}").status_code == 403
    assert count_rows(app, Invitation) == 0
    assert client.post(f"/help/{help_request.id}/invite/999999").status_code == 404


def test_no_invitations_on_a_closed_request(app, client, auth, make_user, make_help_request):
    requester = make_user()
    driver = with_skills(app, make_user(), "van")
    help_request = make_help_request(author=requester, skills=("van",))
    auth.sign_in(requester)
    client.post(f"/help/{help_request.id}/close")
    response = client.post(f"/help/{help_request.id}/invite/{driver.id}", follow_redirects=True)
    assert "Only an open request can take new offers." in text_of(response)
    assert count_rows(app, Invitation) == 0


# --- Requests you could help with ------------------------------------------------------------


def test_the_dashboard_lists_requests_you_could_help_with_best_first(
    app, client, auth, make_user, make_help_request, make_offer
):
    areas(app, "Elm Park", "Northside")
    me = with_skills(app, make_user(), "van", "lifting", areas=["Northside"])
    make_help_request(title="One skill, old", skills=("van",))
    near = make_help_request(title="One skill, near", skills=("van",))
    with app.app_context():
        db.session.get(HelpRequest, near.id).area = db.session.scalar(
            select(Area).where(Area.name == "Northside"))
        db.session.commit()
    make_help_request(title="One skill, newest", skills=("van", "paint"))
    make_help_request(title="Two skills", skills=("van", "lifting"))
    offered = make_help_request(title="Already offered", skills=("van",))
    make_offer(offered, helper=me)
    make_help_request(title="My own", author=me, skills=("van",))
    make_help_request(title="Not my skills", skills=("baking",))
    auth.sign_in(me)
    page = text_of(client.get("/dashboard"))
    section = page.split("Requests you could help with", 1)[1].split("Help you offered", 1)[0]
    order = [section.index(t) for t in ("Two skills", "One skill, near", "One skill, newest",
                                        "One skill, old")]
    assert order == sorted(order)
    for absent in ("Already offered", "My own", "Not my skills"):
        assert absent not in section


def test_someone_with_no_skills_is_asked_to_list_them(client, auth, make_user):
    auth.sign_in(make_user())
    assert "List the skills and things you can offer" in text_of(client.get("/dashboard"))


def test_someone_whose_skills_no_request_needs_is_told_so(app, client, auth, make_user, make_help_request):
    me = with_skills(app, make_user(), "van")
    make_help_request(title="Bake a cake", skills=("baking",))
    auth.sign_in(me)
    page = text_of(client.get("/dashboard"))
    assert "No open request needs your skills at the moment." in page
    assert "List the skills and things you can offer" not in page
    assert "Bake a cake" not in page


# --- Kinds of help -----------------------------------------------------------------------


def test_a_request_says_what_kind_of_help_it_needs_and_lists_filter_by_it(
    app, client, auth, make_user
):
    auth.sign_in(make_user())
    response = client.post("/help/new", data={
        "title": "Borrow a gazebo", "details": "For the fete.", "skills": "gazebo",
        "kind": "equipment", "idea": 0, "area": 0,
    })
    assert response.status_code == 302
    client.post("/help/new", data={"title": "An hour of your time", "details": "Stuffing envelopes.",
                                   "skills": "patience", "kind": "time", "idea": 0, "area": 0})
    page = text_of(client.get(response.headers["Location"]))
    assert "Kind of help: Equipment" in page
    equipment = text_of(client.get("/help?kind=equipment"))
    assert "Borrow a gazebo" in equipment and "An hour of your time" not in equipment
    assert "Showing kind of help Equipment" in equipment
    # An unknown kind is ignored rather than an error.
    everything = text_of(client.get("/help?kind=spaceship"))
    assert "Borrow a gazebo" in everything and "An hour of your time" in everything


def test_a_kind_that_is_not_offered_gets_a_message_and_keeps_what_was_typed(client, auth, make_user):
    auth.sign_in(make_user())
    response = client.post("/help/new", data={"title": "Borrow a gazebo", "details": "For the fete.",
                                              "skills": "gazebo", "kind": "spaceship", "idea": 0})
    assert response.status_code == 422
    assert field_error(response, "kind") == "Error: Choose what kind of help it is."
    assert textarea_value(response, "details") == "For the fete."


# --- Private messages ------------------------------------------------------------------------


def accepted(app, client, auth, make_user, make_help_request, make_offer):
    requester, helper = make_user(display_name="Rosa"), make_user(display_name="Hal")
    help_request = make_help_request(author=requester, title="Move a piano")
    offer = make_offer(help_request, helper=helper)
    auth.sign_in(requester)
    client.post(f"/help/{help_request.id}/offers/{offer.id}/accept")
    return requester, helper, help_request, offer


def test_a_conversation_is_found_only_under_its_own_visible_request(
    app, client, auth, make_user, make_help_request, make_offer
):
    requester, helper, help_request, offer = accepted(app, client, auth, make_user,
                                                      make_help_request, make_offer)
    other = make_help_request(author=requester, title="Another request")
    auth.sign_in(helper)
    assert client.get(f"/help/{help_request.id}/offers/{offer.id}/messages").status_code == 200
    assert client.get(f"/help/{other.id}/offers/{offer.id}/messages").status_code == 404
    assert client.get(f"/help/{help_request.id}/offers/999999/messages").status_code == 404
    with app.app_context():
        db.session.get(HelpRequest, help_request.id).hidden_at = utcnow()
        db.session.commit()
    assert client.get(f"/help/{help_request.id}/offers/{offer.id}/messages").status_code == 404
    auth.sign_in(requester)  # its author still sees what they posted
    assert client.get(f"/help/{help_request.id}/offers/{offer.id}/messages").status_code == 200


def test_after_an_accepted_offer_the_two_can_message_each_other(
    app, client, auth, make_user, make_help_request, make_offer
):
    requester, helper, help_request, offer = accepted(app, client, auth, make_user,
                                                      make_help_request, make_offer)
    url = f"/help/{help_request.id}/offers/{offer.id}/messages"
    assert "Messages with Hal" in text_of(client.get(f"/help/{help_request.id}"))
    response = client.post(url, data={"body": "Saturday at **ten**?"})
    assert response.status_code == 302
    auth.sign_in(helper)
    page = client.get(url)
    assert page.status_code == 200
    assert "Messages with Rosa" in text_of(page)
    assert "<strong>ten</strong>" in page.get_data(as_text=True)
    assert requester.email not in page.get_data(as_text=True)
    assert "Rosa sent you a message about “Move a piano”" in text_of(client.get("/notifications"))
    client.post(url, data={"body": "Ten is fine."})
    assert count_rows(app, Message) == 2


def test_a_third_person_gets_403_on_the_conversation(
    app, client, auth, make_user, make_help_request, make_offer
):
    _, _, help_request, offer = accepted(app, client, auth, make_user, make_help_request, make_offer)
    url = f"/help/{help_request.id}/offers/{offer.id}/messages"
    client.post(url, data={"body": "A private arrangement."})
    auth.sign_in(make_user())
    assert client.get(url).status_code == 403
    assert client.post(url, data={"body": "Let me in"}).status_code == 403
    assert "A private arrangement." not in client.get(f"/help/{help_request.id}").get_data(as_text=True)
    assert count_rows(app, Message) == 1


def test_a_visitor_is_asked_to_sign_in_for_messages(
    app, client, auth, make_user, make_help_request, make_offer
):
    _, _, help_request, offer = accepted(app, client, auth, make_user, make_help_request, make_offer)
    auth.logout()
    with client.session_transaction() as session:
        session.clear()
    response = client.get(f"/help/{help_request.id}/offers/{offer.id}/messages")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_there_is_no_conversation_before_an_offer_is_accepted(
    app, client, auth, make_user, make_help_request, make_offer
):
    requester, helper = make_user(), make_user()
    help_request = make_help_request(author=requester)
    offer = make_offer(help_request, helper=helper)
    auth.sign_in(helper)
    url = f"/help/{help_request.id}/offers/{offer.id}/messages"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"body": "Hello?"}).status_code == 403


def test_moderators_can_read_but_not_write_a_conversation(
    app, client, auth, make_user, make_help_request, make_offer
):
    _, _, help_request, offer = accepted(app, client, auth, make_user, make_help_request, make_offer)
    url = f"/help/{help_request.id}/offers/{offer.id}/messages"
    client.post(url, data={"body": "See you at ten."})
    auth.sign_in(make_user(role="moderator"))
    page = client.get(url)
    assert page.status_code == 200 and "See you at ten." in text_of(page)
    assert "Messages between Rosa and Hal" in text_of(page)
    assert 'name="body"' not in page.get_data(as_text=True)
    assert client.post(url, data={"body": "Moderator here"}).status_code == 403


def test_an_empty_message_gets_a_message_next_to_the_field(
    app, client, auth, make_user, make_help_request, make_offer
):
    _, _, help_request, offer = accepted(app, client, auth, make_user, make_help_request, make_offer)
    response = client.post(f"/help/{help_request.id}/offers/{offer.id}/messages", data={"body": "  "})
    assert response.status_code == 422
    assert field_error(response, "body") == "Error: Write your message."
    assert count_rows(app, Message) == 0
