"""Registering, signing in and out: what a person sees, and what is saved."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from board.extensions import db, limiter
from board.models import User
from helpers import (
    PASSWORD,
    Auth,
    account,
    count_rows,
    csrf_token_from,
    field_error,
    input_value,
    make_test_app,
    text_of,
)

# --- Helpers ------------------------------------------------------------------


class _Elements(HTMLParser):
    """Every element's attributes, and the text inside each <label for=...>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, dict[str, str | None]] = {}
        self.labels: dict[str, str] = {}
        self._label_for: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        attributes["<tag>"] = tag
        if attributes.get("id"):
            self.by_id[attributes["id"]] = attributes
        if tag == "label" and attributes.get("for"):
            self._label_for = attributes["for"]
            self.labels.setdefault(self._label_for, "")

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None

    def handle_data(self, data):
        if self._label_for:
            self.labels[self._label_for] += data


def elements(response) -> _Elements:
    parser = _Elements()
    parser.feed(response.get_data(as_text=True))
    return parser




def header_text(response) -> str:
    match = re.search(r"<header\b.*?</header>", response.get_data(as_text=True), flags=re.S)
    assert match, "the page has no header"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))).strip()




def find_user(app, username: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(
            select(User).where(func.lower(User.username) == username.lower())
        )
        if user is not None:
            db.session.expunge(user)
        return user


def registration(**overrides) -> dict:
    data = {
        "username": "alice",
        "email": "alice@example.org",
        "password": PASSWORD,
        "confirm_password": PASSWORD,
    }
    data.update(overrides)
    return data


# --- The forms ------------------------------------------------------------------


def test_the_register_page_shows_a_labelled_form(client):
    response = client.get("/register")

    assert response.status_code == 200
    page = elements(response)
    assert "Username" in page.labels["username"]
    assert "Email" in page.labels["email"]
    assert "Password" in page.labels["password"]
    assert "Confirm password" in page.labels["confirm_password"]
    for field_id in ("username", "email", "password", "confirm_password"):
        assert page.by_id[field_id]["<tag>"] == "input"
    assert page.by_id["password"]["type"] == "password"
    assert page.by_id["confirm_password"]["type"] == "password"
    assert "Create account" in text_of(response)
    assert "There is a problem" not in text_of(response)


def test_the_sign_in_page_shows_a_labelled_form(client):
    response = client.get("/login")

    assert response.status_code == 200
    page = elements(response)
    assert "Username" in page.labels["login"]
    assert "Password" in page.labels["password"]
    assert page.by_id["password"]["type"] == "password"
    assert "Keep me signed in" in page.labels["remember"]
    assert "There is a problem" not in text_of(response)


# --- Registering --------------------------------------------------------------


def test_registering_creates_the_account_and_signs_the_person_in(app, client):
    response = client.post(
        "/register",
        data=registration(username="Alice_Smith", email="  Alice.Smith@Example.ORG "),
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"

    user = find_user(app, "Alice_Smith")
    assert user is not None
    assert user.username == "Alice_Smith"
    assert user.email == "alice.smith@example.org"
    assert user.password_hash != PASSWORD
    assert PASSWORD not in user.password_hash
    assert user.password_hash.split("$", 1)[0] == app.config["PASSWORD_HASH"]
    with app.app_context():
        assert user.check_password(PASSWORD)
        assert not user.check_password(PASSWORD + "x")

    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    header = header_text(dashboard)
    assert "Alice_Smith" in header
    assert "Sign out" in header
    assert "Welcome to Simpl, Alice_Smith." in text_of(dashboard)


def test_the_welcome_message_uses_the_board_name(tmp_path):
    app = make_test_app(tmp_path / "named.db", BOARD_NAME="Elm Road Ideas")
    with app.app_context():
        db.create_all()
    client = app.test_client()

    client.post("/register", data=registration())

    assert "Welcome to Elm Road Ideas, alice." in text_of(client.get("/dashboard"))
    with app.app_context():
        db.engine.dispose()


INVALID_REGISTRATIONS = [
    pytest.param({"username": ""}, "username", "Enter a username.", id="empty-username"),
    pytest.param({"username": "   \t "}, "username", "Enter a username.", id="blank-username"),
    pytest.param({"email": ""}, "email", "Enter your email address.", id="empty-email"),
    pytest.param({"email": "    "}, "email", "Enter your email address.", id="blank-email"),
    pytest.param(
        {"password": "", "confirm_password": ""}, "password", "Enter a password.",
        id="empty-password",
    ),
    pytest.param(
        {"password": "          ", "confirm_password": "          "}, "password",
        "Enter a password.", id="blank-password",
    ),
    pytest.param(
        {"username": "ab"}, "username", "A username must be 3 to 30 characters long.",
        id="username-too-short",
    ),
    pytest.param(
        {"username": "a" * 31}, "username", "A username must be 3 to 30 characters long.",
        id="username-too-long",
    ),
    pytest.param(
        {"username": "alice smith"}, "username",
        "A username can only have letters, numbers, hyphens and underscores.",
        id="username-with-a-space",
    ),
    pytest.param(
        {"username": "alice!"}, "username",
        "A username can only have letters, numbers, hyphens and underscores.",
        id="username-with-punctuation",
    ),
    pytest.param(
        {"username": "émile"}, "username",
        "A username can only have letters, numbers, hyphens and underscores.",
        id="username-with-an-accent",
    ),
    pytest.param(
        {"username": "<b>al</b>"}, "username",
        "A username can only have letters, numbers, hyphens and underscores.",
        id="username-with-markup",
    ),
    pytest.param(
        {"email": "not-an-email"}, "email",
        "Enter an email address in the right format, like name@example.org.",
        id="email-without-at",
    ),
    pytest.param(
        {"email": "alice@"}, "email",
        "Enter an email address in the right format, like name@example.org.",
        id="email-without-domain",
    ),
    pytest.param(
        {"email": "alice@@example.org"}, "email",
        "Enter an email address in the right format, like name@example.org.",
        id="email-with-two-ats",
    ),
    pytest.param(
        {"email": "alice smith@example.org"}, "email",
        "Enter an email address in the right format, like name@example.org.",
        id="email-with-a-space",
    ),
    pytest.param(
        {"confirm_password": PASSWORD + "!"}, "confirm_password",
        "The two passwords do not match.", id="passwords-differ",
    ),
    pytest.param(
        {"password": "1234567", "confirm_password": "1234567"}, "password",
        "A password must be 8 to 200 characters long.", id="password-too-short",
    ),
]


@pytest.mark.parametrize(("overrides", "field_id", "message"), INVALID_REGISTRATIONS)
def test_a_registration_with_a_mistake_comes_back_explained(
    app, client, overrides, field_id, message
):
    data = registration(**overrides)

    response = client.post("/register", data=data)

    assert response.status_code == 422
    text = text_of(response)
    assert "There is a problem" in text
    assert message in text
    assert field_error(response, field_id) == f"Error: {message}"
    assert f'<a href="#{field_id}">{escape(message, quote=False)}</a>' in response.get_data(
        as_text=True
    )
    assert elements(response).by_id[field_id].get("aria-invalid") == "true"
    # What the person typed is kept (trimmed), except passwords, which are never sent back.
    assert input_value(response, "username") == data["username"].strip()
    assert input_value(response, "email") == data["email"].strip()
    assert input_value(response, "password") == ""
    assert input_value(response, "confirm_password") == ""
    if data["password"].strip():
        assert data["password"] not in response.get_data(as_text=True)
    assert count_rows(app, User) == 0
    # Nobody was signed in either.
    assert client.get("/dashboard").status_code == 302


def test_a_username_of_3_or_30_characters_is_accepted(app, client):
    assert client.post("/register", data=registration(username="abc")).status_code == 302
    client.post("/logout")
    response = client.post(
        "/register", data=registration(username="b" * 30, email="b@example.org")
    )
    assert response.status_code == 302
    assert find_user(app, "abc") is not None
    assert find_user(app, "b" * 30) is not None


def test_usernames_are_unique_whatever_their_case(app, client, make_user):
    make_user("alice", email="first@example.org")

    response = client.post("/register", data=registration(username="Alice", email="new@example.org"))

    assert response.status_code == 422
    assert field_error(response, "username") == "Error: That username is taken. Try another."
    assert "There is a problem" in text_of(response)
    assert input_value(response, "username") == "Alice"
    assert count_rows(app, User) == 1


def test_email_addresses_are_unique_whatever_their_case(app, client, make_user):
    make_user("alice", email="alice@example.org")

    response = client.post(
        "/register", data=registration(username="someone", email="ALICE@EXAMPLE.ORG")
    )

    assert response.status_code == 422
    assert (
        field_error(response, "email")
        == "Error: There is already an account with that email address."
    )
    assert input_value(response, "email") == "ALICE@EXAMPLE.ORG"
    assert count_rows(app, User) == 1


def test_a_malformed_email_is_never_reported_as_already_registered(app, client, make_user):
    make_user("alice", email="alice@example.org")

    response = client.post("/register", data=registration(username="bob", email="alice"))

    assert response.status_code == 422
    assert "Enter an email address in the right format" in text_of(response)
    assert "There is already an account with that email address." not in text_of(response)


def test_registering_follows_a_safe_next_address(client):
    response = client.post("/register?next=/ideas/new", data=registration())

    assert response.status_code == 302
    assert response.headers["Location"] == "/ideas/new"


def test_registering_ignores_a_next_address_on_another_site(client):
    response = client.post(
        "/register", query_string={"next": "https://evil.example/"}, data=registration()
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


# --- Signing in -----------------------------------------------------------------


@pytest.mark.parametrize("login", ["alice", "ALICE", "Alice", "  alice  "])
def test_people_sign_in_with_their_username_in_any_case(client, make_user, login):
    make_user("alice", display_name="Alice from Elm Road")

    response = client.post("/login", data={"login": login, "password": PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    assert "Alice from Elm Road" in header_text(dashboard)
    assert "Sign out" in header_text(dashboard)
    assert "Signed in as alice." in text_of(dashboard)


def test_the_header_shows_a_signed_in_person_where_they_are_and_who_they_are(client, make_user, auth):
    auth.sign_in(make_user("alice", display_name="Alice <Elm Road>"))

    dashboard = client.get("/dashboard").get_data(as_text=True)
    notifications = client.get("/notifications").get_data(as_text=True)

    assert '<a href="/dashboard" aria-current="page">Dashboard</a>' in dashboard
    assert '<a href="/notifications">Notifications</a>' in dashboard
    assert '<a href="/dashboard">Dashboard</a>' in notifications
    assert '<a href="/notifications" aria-current="page">Notifications</a>' in notifications
    assert '<a href="/users/alice">Alice &lt;Elm Road&gt;</a>' in dashboard
    sign_out = re.search(r'<form method="post" action="/logout"[^>]*>\s*<input type="hidden" '
                         r'name="csrf_token" value="([^"]+)">', dashboard)
    assert sign_out and sign_out.group(1)


@pytest.mark.parametrize("login", ["alice@example.org", "Alice@Example.ORG", " ALICE@EXAMPLE.ORG "])
def test_people_sign_in_with_their_email_address_in_any_case(client, make_user, login):
    make_user("alice", email="alice@example.org")

    response = client.post("/login", data={"login": login, "password": PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert "alice" in header_text(client.get("/dashboard"))


def test_a_wrong_password_and_an_unknown_person_look_exactly_the_same(app, make_user):
    make_user("alice")
    message = "That username or email address and password do not match."

    wrong_password = app.test_client().post(
        "/login", data={"login": "alice", "password": "not the password"}
    )
    unknown_person = app.test_client().post(
        "/login", data={"login": "nobody", "password": "not the password"}
    )

    for response in (wrong_password, unknown_person):
        assert response.status_code == 422
        assert field_error(response, "login") == f"Error: {message}"
        assert "There is a problem" in text_of(response)
        assert "not the password" not in response.get_data(as_text=True)
    assert text_of(wrong_password) == text_of(unknown_person)
    assert input_value(wrong_password, "login") == "alice"
    assert input_value(unknown_person, "login") == "nobody"


def test_a_wrong_password_does_not_sign_anyone_in(client, make_user):
    make_user("alice")

    client.post("/login", data={"login": "alice@example.org", "password": "not the password"})

    assert client.get("/dashboard").status_code == 302


def test_an_empty_sign_in_form_says_what_is_missing(client):
    response = client.post("/login", data={"login": "   ", "password": ""})

    assert response.status_code == 422
    assert field_error(response, "login") == "Error: Enter your username or email address."
    assert field_error(response, "password") == "Error: Enter your password."
    assert 'href="#login"' in response.get_data(as_text=True)
    assert 'href="#password"' in response.get_data(as_text=True)


def test_keep_me_signed_in_sets_a_remember_cookie(client, make_user):
    make_user("alice")

    response = client.post("/login", data={"login": "alice", "password": PASSWORD, "remember": "y"})

    assert response.status_code == 302
    assert client.get_cookie("remember_token") is not None


def test_without_keep_me_signed_in_there_is_no_remember_cookie(client, make_user):
    make_user("alice")

    response = client.post("/login", data={"login": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert client.get_cookie("remember_token") is None


def test_signing_in_goes_back_to_the_page_that_asked_for_it(client, make_user):
    make_user("alice")

    response = client.post("/login?next=/ideas/new", data={"login": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/ideas/new"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        " //evil.example",
        "/\t/evil.example",
        "ideas/new",
    ],
)
def test_signing_in_never_sends_people_to_another_site(client, make_user, target):
    make_user("alice")

    response = client.post(
        "/login", query_string={"next": target}, data={"login": "alice", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_the_sign_in_link_to_register_keeps_the_next_address(client):
    response = client.get("/login?next=/ideas/new")

    assert 'href="/register?next=/ideas/new"' in response.get_data(as_text=True)


# --- Signed-in people and signing out --------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/register"])
def test_a_signed_in_person_visiting_sign_in_or_register_goes_to_the_dashboard(
    client, auth, make_user, path
):
    auth.sign_in(make_user("alice"))

    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_a_signed_in_person_posting_the_register_form_creates_no_account(app, client, auth, make_user):
    auth.sign_in(make_user("alice"))

    response = client.post("/register", data=registration(username="second", email="s@example.org"))

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert find_user(app, "second") is None


def test_signing_out_is_a_post_not_a_link(client, auth, make_user):
    auth.sign_in(make_user("alice"))

    response = client.get("/logout")

    assert response.status_code == 405
    assert "That is not how this page works" in text_of(response)
    # Still signed in.
    assert client.get("/dashboard").status_code == 200


def test_signing_out_signs_the_person_out_and_goes_home(client, auth, make_user):
    make_user("alice")
    auth.login("alice")

    response = auth.logout()

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert "You have signed out." in text_of(home)
    assert "Sign in" in header_text(home)
    assert "Sign out" not in header_text(home)

    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 302
    assert dashboard.headers["Location"] == "/login?next=%2Fdashboard"


def test_signing_out_forgets_a_kept_sign_in(client, auth, make_user):
    make_user("alice")
    auth.login("alice", remember="y")
    assert client.get_cookie("remember_token") is not None

    auth.logout()

    assert client.get_cookie("remember_token") is None
    assert client.get("/dashboard").status_code == 302


# --- Rate limits ------------------------------------------------------------------


@pytest.fixture
def limited_app(tmp_path):
    """Build an app with rate limits on; `limited_app(**settings)`."""
    apps = []

    def build(**settings):
        app = make_test_app(tmp_path / f"limited{len(apps)}.db", RATELIMIT_ENABLED=True, **settings)
        with app.app_context():
            db.create_all()
            limiter.reset()
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            limiter.reset()
            db.engine.dispose()


def test_too_many_sign_in_attempts_are_refused_kindly(limited_app):
    app = limited_app(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()

    for _ in range(3):
        response = client.post("/login", data={"login": "nobody", "password": "guess guess"})
        assert response.status_code == 422

    response = client.post("/login", data={"login": "nobody", "password": "guess guess"})

    assert response.status_code == 429
    assert "Too many tries" in text_of(response)
    assert "Wait a minute and try again." in text_of(response)
    # Looking at the form is not limited.
    assert client.get("/login").status_code == 200


def test_too_many_registrations_are_refused_kindly(limited_app):
    app = limited_app(REGISTER_RATE_LIMIT="2 per minute")
    client = app.test_client()

    for _ in range(2):
        assert client.post("/register", data=registration(username="")).status_code == 422

    response = client.post("/register", data=registration())

    assert response.status_code == 429
    assert "Too many tries" in text_of(response)
    assert count_rows(app, User) == 0
    assert client.get("/register").status_code == 200


# --- CSRF -------------------------------------------------------------------------


@pytest.fixture
def csrf_app(tmp_path):
    app = make_test_app(tmp_path / "csrf.db", WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


CSRF_MESSAGE = "The form had expired or was not sent from this site."


def test_registering_without_the_form_token_is_refused_kindly(csrf_app):
    client = csrf_app.test_client()
    client.get("/register")

    response = client.post("/register", data=registration())

    assert response.status_code == 400
    assert "Something was wrong with that request" in text_of(response)
    assert CSRF_MESSAGE in text_of(response)
    assert count_rows(csrf_app, User) == 0


def test_registering_with_the_form_token_works(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/register"))

    response = client.post("/register", data=registration(csrf_token=token))

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert find_user(csrf_app, "alice") is not None


def test_signing_in_without_the_form_token_is_refused_kindly(csrf_app):
    with csrf_app.app_context():
        user = User(username="alice", email="alice@example.org")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    client = csrf_app.test_client()

    response = client.post("/login", data={"login": "alice", "password": PASSWORD})

    assert response.status_code == 400
    assert CSRF_MESSAGE in text_of(response)
    assert client.get("/dashboard").status_code == 302

    token = csrf_token_from(client.get("/login"))
    response = client.post("/login", data={"login": "alice", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_signing_out_without_the_form_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/register"))
    client.post("/register", data=registration(csrf_token=token))

    response = client.post("/logout")

    assert response.status_code == 400
    assert CSRF_MESSAGE in text_of(response)
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200

    response = client.post("/logout", data={"csrf_token": csrf_token_from(dashboard)})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_a_token_signed_for_one_page_works_on_the_next_and_only_for_its_session(csrf_app):
    # The token signed for a session is used again on its next pages for a minute.
    alice, bob = csrf_app.test_client(), csrf_app.test_client()
    for client, name in ((alice, "alice"), (bob, "bob")):
        client.post("/register", data=registration(
            username=name, email=f"{name}@example.org", csrf_token=csrf_token_from(client.get("/register"))))
    alices = [csrf_token_from(alice.get(path)) for path in ("/dashboard", "/notifications", "/account")]
    bobs = csrf_token_from(bob.get("/dashboard"))
    assert alices[0] == alices[1] == alices[2] and bobs != alices[0]
    # Each page's forms carry the header's token too, and each works for its own session only.
    assert set(re.findall(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                          alice.get("/account").get_data(as_text=True))) == {alices[0]}
    assert bob.post("/logout", data={"csrf_token": alices[0]}).status_code == 400
    assert alice.post("/logout", data={"csrf_token": alices[0]}).status_code == 302
    assert alice.get("/dashboard").status_code == 302


def test_a_button_pressed_while_signed_out_comes_back_to_its_page_after_sign_in(
    client, make_user, make_idea
):
    make_user("alice")
    idea = make_idea()
    page = f"http://localhost/ideas/{idea.id}"
    response = client.post(f"/ideas/{idea.id}/support", headers={"Referer": page})
    assert response.headers["Location"] == f"/login?next=%2Fideas%2F{idea.id}"
    signed_in = client.post(response.headers["Location"], data={"login": "alice", "password": PASSWORD})
    assert signed_in.headers["Location"] == f"/ideas/{idea.id}"


def test_a_button_pressed_from_another_site_does_not_steer_the_return_address(client, make_idea):
    idea = make_idea()
    response = client.post(
        f"/ideas/{idea.id}/support", headers={"Referer": "https://evil.example/ideas/1"}
    )
    assert response.headers["Location"] == "/login?next=%2F"


# --- Sessions that end ------------------------------------------------------------


def test_a_cookie_naming_only_the_persons_number_signs_no_one_in(app, client, make_user):
    alice = make_user("alice")
    with client.session_transaction() as session:
        session["_user_id"] = str(alice.id)

    assert client.get("/account").status_code == 302


def test_someone_from_before_session_tokens_gets_one_when_signing_in(app, client, make_user):
    alice = make_user("alice", session_token="")
    with client.session_transaction() as session:
        session["_user_id"] = f"{alice.id}:"
    assert client.get("/account").status_code == 302

    assert Auth(client).login("alice").status_code == 302

    assert len(account(app, "alice").session_token) >= 32
    assert client.get("/account").status_code == 200


def test_signing_out_ends_the_copied_session(app, client, make_user):
    make_user("alice")
    Auth(client).login("alice")
    with client.session_transaction() as session:
        copied = dict(session)
    Auth(client).logout()

    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(copied)
    assert thief.get("/account").status_code == 302
