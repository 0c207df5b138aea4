"""Public profiles and each person's account settings."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from board.extensions import db, limiter
from board.models import Idea, Skill, User, utcnow
from helpers import (
    PASSWORD,
    PASSWORD_HASH,
    Auth,
    count_queries,
    field_error,
    make_test_app,
    signed_in,
    text_of,
)
from smtp import html_part, text_part

# --- Helpers ------------------------------------------------------------------


class _Fields(HTMLParser):
    """The value of each input, and the text of each textarea, by id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("id"):
            self.values[attributes["id"]] = attributes.get("value") or ""
        elif tag == "textarea" and attributes.get("id"):
            self._textarea = attributes["id"]
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def field_values(response) -> dict[str, str]:
    parser = _Fields()
    parser.feed(response.get_data(as_text=True))
    # A textarea drops one newline right after its start tag, as browsers do.
    return {k: re.sub(r"^\r?\n", "", v) for k, v in parser.values.items()}




def section_text(response, heading_id: str) -> str:
    """The text of the <section> labelled by this heading."""
    html = response.get_data(as_text=True)
    match = re.search(
        rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html, flags=re.S
    )
    assert match, f"no section for #{heading_id}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def stored_user(app, user_id: int) -> dict:
    with app.app_context():
        user = db.session.get(User, user_id)
        return {
            "display_name": user.display_name,
            "bio": user.bio,
            "skills": [s.name for s in user.skills],
        }


def skill_names(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(Skill.name)))


# --- Profiles -------------------------------------------------------------------


def test_a_profile_shows_the_persons_name_work_bio_and_skills(
    app, client, make_user, make_idea, make_help_request, make_offer
):
    alice = make_user("alice", display_name="Alice from Elm Road", bio="**Keen** gardener.\n\n- compost\n- bees")
    with app.app_context():
        db.session.get(User, alice.id).set_skills(["carpentry", "a van"])
        db.session.commit()
    make_idea(author=alice, title="A tool library")
    make_help_request(author=alice, title="Someone to fix a fence", skills=["carpentry"])
    neighbours_request = make_help_request(title="Lifting benches on Sunday")
    make_offer(neighbours_request, helper=alice)

    response = client.get("/users/alice")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(response)
    assert "<h1>Alice from Elm Road</h1>" in html
    assert "@alice" in text
    assert "A tool library" in section_text(response, "ideas-heading")
    assert "Someone to fix a fence" in section_text(response, "requests-heading")
    offers = section_text(response, "offers-heading")
    assert "Lifting benches on Sunday" in offers
    assert "Waiting for an answer" in offers
    assert "<strong>Keen</strong> gardener." in html
    assert "<li>compost</li>" in html
    assert "Can help with" in text
    assert '<li class="skill"><a href="/skills/a%20van">a van</a></li>' in html
    assert '<li class="skill"><a href="/skills/carpentry">carpentry</a></li>' in html


def test_a_profile_shows_the_username_when_there_is_no_display_name(client, make_user):
    make_user("bob")

    response = client.get("/users/bob")

    assert response.status_code == 200
    assert "<h1>bob</h1>" in response.get_data(as_text=True)
    assert "No ideas yet." in text_of(response)
    assert "No help requests yet." in text_of(response)
    assert "No offers of help yet." in text_of(response)
    assert "Can help with" not in text_of(response)


def test_a_profile_only_lists_the_persons_own_work(client, make_user, make_idea, make_help_request):
    alice = make_user("alice")
    make_idea(author=alice, title="Idea by Alice")
    make_idea(title="Idea by a neighbour")
    make_help_request(title="Request by a neighbour")

    response = client.get("/users/alice")

    assert "Idea by Alice" in text_of(response)
    assert "Idea by a neighbour" not in text_of(response)
    assert "Request by a neighbour" not in text_of(response)


def test_a_profile_does_not_list_hidden_ideas(app, client, make_user, make_idea):
    alice = make_user("alice")
    make_idea(author=alice, title="Still visible")
    hidden = make_idea(author=alice, title="Hidden by moderators")
    with app.app_context():
        db.session.get(Idea, hidden.id).hidden_at = utcnow()
        db.session.commit()

    response = client.get("/users/alice")

    assert "Still visible" in text_of(response)
    assert "Hidden by moderators" not in text_of(response)


def test_a_script_in_a_bio_is_shown_as_text_and_never_runs(client, make_user):
    make_user(
        "mallory",
        bio='<script>alert(1)</script> <img src=x onerror="alert(2)"> [click](javascript:alert(3))',
    )

    response = client.get("/users/mallory")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    assert "<img" not in html
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html), "an element has an event handler"
    assert not re.search(r"href=\"\s*javascript:", html, flags=re.I)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_display_name_with_markup_is_shown_as_text(client, make_user):
    make_user("mallory", display_name="<script>alert(1)</script>")

    response = client.get("/users/mallory")

    assert "<script>alert" not in response.get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/users/Alice", "/users/ALICE", "/users/aLiCe"])
def test_a_profile_is_found_with_any_case_of_the_username(client, make_user, path):
    make_user("alice", display_name="Alice from Elm Road")

    response = client.get(path)

    assert response.status_code == 200
    assert "Alice from Elm Road" in text_of(response)


def test_an_unknown_person_gives_a_friendly_not_found_page(client, make_user):
    make_user("alice")

    response = client.get("/users/nobody")

    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    assert "Go to the home page" in text_of(response)


@pytest.mark.parametrize("viewer", ["visitor", "someone else", "the person"])
def test_a_profile_never_shows_the_persons_email_address(client, auth, make_user, viewer):
    alice = make_user("alice", email="alice.private@example.org")
    if viewer == "someone else":
        auth.sign_in(make_user("bob"))
    elif viewer == "the person":
        auth.sign_in(alice)

    response = client.get("/users/alice")

    assert response.status_code == 200
    html = response.get_data(as_text=True).lower()
    assert "alice.private" not in html
    assert "@example.org" not in html


def test_only_the_person_sees_the_edit_link_on_their_profile(client, auth, make_user):
    alice = make_user("alice")
    assert "Edit your profile" not in text_of(client.get("/users/alice"))

    auth.sign_in(make_user("bob"))
    assert "Edit your profile" not in text_of(client.get("/users/alice"))

    auth.sign_in(alice)
    assert "Edit your profile" in text_of(client.get("/users/alice"))


# --- The account page -----------------------------------------------------------


def test_the_account_page_needs_signing_in(client):
    for method in (client.get, client.post):
        response = method("/account")
        assert response.status_code == 302
        assert response.headers["Location"] == "/login?next=%2Faccount"


def test_the_account_page_shows_the_current_values(app, client, auth, make_user):
    alice = make_user("alice", email="alice@example.org", display_name="Sam from Elm Road", bio="I grow *beans*.")
    with app.app_context():
        db.session.get(User, alice.id).set_skills(["van", "carpentry"])
        db.session.commit()
    auth.sign_in(alice)

    response = client.get("/account")

    assert response.status_code == 200
    values = field_values(response)
    assert values["display_name"] == "Sam from Elm Road"
    assert values["bio"] == "I grow *beans*."
    assert values["skills"] == "carpentry, van"
    # The person sees their own email address here, and only here.
    assert "alice@example.org" in text_of(response)


def test_saving_the_account_updates_name_bio_and_skills(app, client, auth, make_user):
    alice = make_user("alice")
    auth.sign_in(alice)

    response = client.post(
        "/account",
        data={"display_name": "  Alice from Elm Road  ", "bio": "I keep **bees**.", "skills": "beekeeping, a van"},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert stored_user(app, alice.id) == {
        "display_name": "Alice from Elm Road",
        "bio": "I keep **bees**.",
        "skills": ["a van", "beekeeping"],
    }
    page = client.get("/account")
    assert "Your account is updated." in text_of(page)
    assert field_values(page)["skills"] == "a van, beekeeping"

    profile = client.get("/users/alice")
    assert "<h1>Alice from Elm Road</h1>" in profile.get_data(as_text=True)
    assert "<strong>bees</strong>" in profile.get_data(as_text=True)
    assert "beekeeping" in text_of(profile)
    assert "Alice from Elm Road" in text_of(profile)


def test_emptying_the_account_fields_clears_them(app, client, auth, make_user):
    alice = make_user("alice", display_name="Old name", bio="Old bio")
    with app.app_context():
        db.session.get(User, alice.id).set_skills(["van"])
        db.session.commit()
    auth.sign_in(alice)

    response = client.post("/account", data={"display_name": "   ", "bio": "  ", "skills": " , "})

    assert response.status_code == 302
    assert stored_user(app, alice.id) == {"display_name": None, "bio": None, "skills": []}
    assert "<h1>alice</h1>" in client.get("/users/alice").get_data(as_text=True)


def test_skills_are_normalised_and_shared_between_people(app, client, auth, make_user):
    bob = make_user("bob")
    auth.sign_in(bob)
    client.post("/account", data={"display_name": "", "bio": "", "skills": "CARPENTRY, First  Aid"})

    alice = make_user("alice")
    auth.sign_in(alice)
    response = client.post(
        "/account",
        data={"display_name": "", "bio": "", "skills": "Carpentry ,  carpentry, VAN,  first   aid"},
    )

    assert response.status_code == 302
    assert stored_user(app, alice.id)["skills"] == ["carpentry", "first aid", "van"]
    assert stored_user(app, bob.id)["skills"] == ["carpentry", "first aid"]
    assert skill_names(app) == ["carpentry", "first aid", "van"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Skill)) == 3


def test_twenty_skills_of_forty_characters_are_accepted(app, client, auth, make_user):
    alice = make_user("alice")
    auth.sign_in(alice)
    skills = [f"{n:02d}" + "x" * 38 for n in range(20)]
    assert all(len(s) == 40 for s in skills)

    # Repeats of the same skill, in any case, count once.
    response = client.post(
        "/account",
        data={"display_name": "a" * 80, "bio": "b" * 1000, "skills": ", ".join(skills + [skills[0].upper()])},
    )

    assert response.status_code == 302
    assert stored_user(app, alice.id)["skills"] == sorted(skills)


INVALID_ACCOUNTS = [
    pytest.param(
        {"skills": ", ".join(f"skill {n}" for n in range(21))}, "skills",
        "List at most 20 skills.", id="too-many-skills",
    ),
    pytest.param(
        {"skills": "carpentry, " + "y" * 41}, "skills",
        "Each skill must be 40 characters or fewer", id="skill-too-long",
    ),
    pytest.param(
        {"display_name": "n" * 81}, "display_name",
        "A display name must be 80 characters or fewer.", id="display-name-too-long",
    ),
    pytest.param(
        {"bio": "b" * 1001}, "bio",
        "About you must be 1,000 characters or fewer.", id="bio-too-long",
    ),
]


@pytest.mark.parametrize(("overrides", "field_id", "message"), INVALID_ACCOUNTS)
def test_an_account_change_with_a_mistake_comes_back_explained_and_saves_nothing(
    app, client, auth, make_user, overrides, field_id, message
):
    alice = make_user("alice", display_name="Alice", bio="Original bio")
    auth.sign_in(alice)
    data = {"display_name": "New name", "bio": "New bio", "skills": "gardening"}
    data.update(overrides)

    response = client.post("/account", data=data)

    assert response.status_code == 422
    text = text_of(response)
    assert "There is a problem" in text
    assert message in text
    assert field_error(response, field_id).startswith(f"Error: {message}")
    assert f'<a href="#{field_id}">' in response.get_data(as_text=True)
    assert field_values(response)[field_id] == data[field_id]
    assert stored_user(app, alice.id) == {
        "display_name": "Alice", "bio": "Original bio", "skills": [],
    }
    assert skill_names(app) == []


def test_the_account_limits_follow_the_boards_settings(tmp_path):
    app = make_test_app(
        tmp_path / "small.db", SKILLS_MAX_COUNT=2, SKILL_MAX_LENGTH=5, BIO_MAX_LENGTH=10
    )
    with app.app_context():
        db.create_all()
        user = User(username="alice", email="alice@example.org", password_hash="x")
        db.session.add(user)
        db.session.commit()
        user_id, session_id = user.id, user.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id

    def save(**data):
        return client.post("/account", data={"display_name": "", "bio": "", "skills": "", **data})

    assert "List at most 2 skills." in text_of(save(skills="a, b, c"))
    assert "Each skill must be 5 characters or fewer" in text_of(save(skills="sixsix"))
    assert "About you must be 10 characters or fewer." in text_of(save(bio="x" * 11))
    assert save(skills="a, b, A", bio="x" * 10).status_code == 302
    assert stored_user(app, user_id)["skills"] == ["a", "b"]
    with app.app_context():
        db.engine.dispose()


# --- Changing the password --------------------------------------------------------

NEW_PASSWORD = "a brand new password"


def change_password(browser, current=PASSWORD, new=NEW_PASSWORD, repeated=None):
    response = browser.post("/account/password", data={
        "current_password": current, "password": new,
        "confirm_password": new if repeated is None else repeated})
    # Finish the response as a server would, which sends the mail it wrote.
    response.get_data()
    response.close()
    return response


def signs_in(app, login, password) -> bool:
    return Auth(app.test_client()).login(login, password).status_code == 302


def test_the_account_page_leads_to_changing_the_password(client, auth, make_user):
    auth.sign_in(make_user("alice"))

    page = client.get("/account")

    assert "Change your password" in section_text(page, "signing-in-heading")
    assert 'href="/account/password"' in page.get_data(as_text=True)
    form = client.get("/account/password")
    assert form.status_code == 200
    for label in ("Current password", "New password", "Confirm new password"):
        assert label in text_of(form)


def test_changing_the_password_keeps_this_browser_signed_in_and_signs_out_every_other(
        app, client, make_user):
    make_user("alice")
    other_device = app.test_client()
    assert Auth(other_device).login("alice").status_code == 302
    assert Auth(client).login("alice").status_code == 302

    response = change_password(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    page = client.get("/account")
    assert page.status_code == 200
    assert "Your password is changed. You are signed out on every other device." in text_of(page)
    assert other_device.get("/account").status_code == 302
    assert signs_in(app, "alice", NEW_PASSWORD)
    assert not signs_in(app, "alice", PASSWORD)


def test_a_wrong_current_password_is_shown_next_to_the_field_and_changes_nothing(
        app, client, auth, make_user):
    auth.sign_in(make_user("alice"))

    response = change_password(client, current="not my password")

    assert response.status_code == 422
    assert "There is a problem" in text_of(response)
    assert field_error(response, "current_password") == "Error: That is not your current password."
    assert client.get("/account").status_code == 200
    assert signs_in(app, "alice", PASSWORD)
    assert not signs_in(app, "alice", NEW_PASSWORD)


@pytest.mark.parametrize(("new", "repeated", "field_id", "message"), [
    (NEW_PASSWORD, "a brand new pasword", "confirm_password", "The two passwords do not match."),
    ("short", "short", "password", "A password must be 8 to 200 characters long."),
    ("", "", "password", "Enter a new password."),
])
def test_a_new_password_that_does_not_follow_the_rules_is_explained_and_changes_nothing(
        app, client, auth, make_user, new, repeated, field_id, message):
    auth.sign_in(make_user("alice"))

    response = change_password(client, new=new, repeated=repeated)

    assert response.status_code == 422
    assert field_error(response, field_id) == f"Error: {message}"
    assert client.get("/account").status_code == 200
    assert signs_in(app, "alice", PASSWORD)


def test_changing_the_password_needs_signing_in_and_the_forms_token(tmp_path):
    app = make_test_app(tmp_path / "csrf.db", WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        user = User(username="alice", email="alice@example.org", password_hash=PASSWORD_HASH)
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
    visitor = app.test_client()
    assert visitor.get("/account/password").headers["Location"] == "/login?next=%2Faccount%2Fpassword"

    browser = signed_in(app, user)
    response = change_password(browser)

    assert response.status_code == 400
    with app.app_context():
        assert User.by_username("alice").check_password(PASSWORD)
        db.engine.dispose()


def test_guessing_the_current_password_is_limited(tmp_path):
    app = make_test_app(tmp_path / "limited.db", RATELIMIT_ENABLED=True,
                        CHANGE_PASSWORD_RATE_LIMIT="3 per minute")
    with app.app_context():
        db.create_all()
        limiter.reset()
        user = User(username="alice", email="alice@example.org", password_hash=PASSWORD_HASH)
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
    browser = signed_in(app, user)

    guesses = [change_password(browser, current=f"guess {n}").status_code for n in range(4)]

    assert guesses == [422, 422, 422, 429]
    with app.app_context():
        limiter.reset()
        db.engine.dispose()


@pytest.mark.mail
def test_a_confirmed_address_is_told_that_the_password_was_changed(
        app, client, auth, make_user, smtp_server):
    auth.sign_in(make_user("alice", email_verified_at=utcnow()))

    assert change_password(client).status_code == 302

    [notice] = smtp_server.wait_for(1)
    assert notice["To"] == "alice@example.org"
    assert notice["Subject"] == "Your password was changed"
    text = text_part(notice)
    assert "The password of your account (alice) on Simpl was changed" in text
    assert "http://board.test/password/forgot" in text
    assert NEW_PASSWORD not in text and NEW_PASSWORD not in html_part(notice)


@pytest.mark.mail
def test_an_unconfirmed_address_gets_no_email_about_the_password(
        app, client, auth, make_user, smtp_server):
    auth.sign_in(make_user("alice"))

    assert change_password(client).status_code == 302

    assert smtp_server.wait_for(1, seconds=1) == []


# --- Performance ----------------------------------------------------------------


def test_a_profile_takes_the_same_number_of_queries_however_much_the_person_did(
    app, client, make_user, make_idea, make_help_request, make_offer
):
    neighbour = make_user("neighbour")

    few = make_user("few")
    make_idea(author=few, title="Only idea")
    make_help_request(author=few, title="Only request", skills=["van"])
    make_offer(make_help_request(author=neighbour, title="Request by the neighbour 0"), helper=few)

    many = make_user("many")
    for n in range(20):
        make_idea(author=many, title=f"Idea {n}")
        make_help_request(author=many, title=f"Request {n}", skills=["van", f"skill {n}"])
        make_offer(make_help_request(author=neighbour, title=f"Request by the neighbour {n + 1}"), helper=many)

    client.get("/")  # a worker's first request also reads the board's settings
    with count_queries(app) as few_queries:
        few_page = client.get("/users/few")
    with count_queries(app) as many_queries:
        many_page = client.get("/users/many")

    assert few_page.status_code == many_page.status_code == 200
    assert "Idea 19" in text_of(many_page) and "Request 19" in text_of(many_page)
    assert "Request by the neighbour 20" in text_of(many_page)
    assert len(few_queries) == len(many_queries), "\n".join(many_queries)
