"""The board's settings (name, introduction, contact, code of conduct) and who can register:
anyone, people with an invitation link, or people with an address at a listed domain."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, text, update

from board.admin.models import BoardSettings, Invite
from board.extensions import db
from board.models import User, utcnow
from helpers import PASSWORD, account, count_rows, field_error, signed_in, text_of

# --- Helpers -------------------------------------------------------------------------


SETTINGS = {
    "name": "Simpl", "introduction": "", "contact_email": "", "code_of_conduct": "",
    "registration_mode": "open", "allowed_domains": "",
}


def save_settings(browser, **changes):
    return browser.post("/admin/settings", data={**SETTINGS, **changes})


def stored_settings(app) -> BoardSettings | None:
    with app.app_context():
        row = db.session.get(BoardSettings, 1)
        if row is not None:
            db.session.expunge(row)
        return row


def register(browser, username="newbie", email=None, url="/register"):
    return browser.post(url, data={
        "username": username, "email": email or f"{username}@example.org",
        "password": PASSWORD, "confirm_password": PASSWORD,
    })


def header_name(response) -> str:
    match = re.search(r'class="site-header__name">(.*?)</a>', response.get_data(as_text=True))
    assert match, "the page has no header"
    return unescape(match.group(1))


def page_title(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S)
    assert match, "the page has no title"
    return unescape(match.group(1))


def footer(response) -> str:
    match = re.search(r'<footer class="site-footer">(.*?)</footer>', response.get_data(as_text=True), re.S)
    assert match, "the page has no footer"
    return match.group(1)


def invite_link(response) -> str | None:
    match = re.search(r'<p class="invite-link"><code>(.*?)</code></p>', response.get_data(as_text=True))
    return unescape(match.group(1)) if match else None


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["invite"][0]


def register_url(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def admin(app, make_user):
    return signed_in(app, make_user("root", role="admin", display_name="Robin Admin"))


# --- The board's settings ------------------------------------------------------------------


def test_the_settings_page_shows_the_current_settings(admin):
    response = admin.get("/admin/settings")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'<input[^>]*name="name"[^>]*value="Simpl"', html)
    assert re.search(r'<input[^>]*type="radio"[^>]*value="open" checked', html)
    for label in ("Board name", "Introduction", "Contact address", "Code of conduct",
                  "Who can register", "Email domains allowed to register"):
        assert label in text_of(response)


def test_a_new_board_name_shows_in_the_header_and_page_titles_at_once(app, client, admin):
    before = client.get("/ideas")  # a visitor's page read the old name first
    assert header_name(before) == "Simpl"
    assert page_title(before) == "Ideas – Simpl"

    response = save_settings(admin, name="  Camden Ideas  ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/settings"
    assert "The board's settings are saved." in text_of(admin.get("/admin/settings"))
    assert stored_settings(app).name == "Camden Ideas"

    for url, title in (("/", "Ideas and help for our area"), ("/ideas", "Ideas"), ("/help", "Help wanted")):
        page = client.get(url)
        assert header_name(page) == "Camden Ideas"
        assert page_title(page) == f"{title} – Camden Ideas"
        assert "Simpl –" not in page_title(page)
    assert "Camden Ideas: ideas and help for our area" in text_of(client.get("/"))


def test_a_board_name_with_markup_is_shown_as_text(client, admin):
    assert save_settings(admin, name="<b>Ours</b> & yours").status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "<b>Ours</b>" not in html
    assert header_name(client.get("/")) == "<b>Ours</b> & yours"


def test_the_introduction_shows_on_the_home_page_rendered_and_sanitised(client, admin):
    default = "Post an idea for the neighbourhood, ask for the help it needs, and offer yours to others."
    assert default in text_of(client.get("/"))

    introduction = ("Run by **Camden Council** with [our partners](https://example.org).\n\n"
                    "<script>alert('x')</script> [tricky](javascript:alert(1)) <img src=x onerror=alert(2)>")
    assert save_settings(admin, introduction=introduction).status_code == 302

    home = client.get("/")
    html = home.get_data(as_text=True)
    hero = re.search(r'<div class="hero">(.*?)<div class="button-row">', html, re.S).group(1)
    assert "<strong>Camden Council</strong>" in hero
    assert '<a href="https://example.org"' in hero
    assert "<script" not in hero and "<img" not in hero
    assert not re.search(r"href=[\"']?javascript:", hero)
    assert "&lt;script&gt;" in hero  # shown as harmless text
    assert default not in text_of(home)

    # Emptied again: the default sentence comes back.
    assert save_settings(admin, introduction="").status_code == 302
    assert default in text_of(client.get("/"))


def test_the_contact_address_shows_in_every_footer(client, admin):
    assert "Contact:" not in footer(client.get("/"))
    assert save_settings(admin, contact_email=" Hello@Camden.example ").status_code == 302
    for url in ("/", "/ideas", "/help", "/code-of-conduct", "/nowhere"):
        assert 'Contact: <a href="mailto:hello@camden.example">hello@camden.example</a>' in footer(client.get(url)), url


def test_the_code_of_conduct_has_a_default_text_and_shows_what_admins_write(client, admin):
    page = client.get("/code-of-conduct")
    assert page.status_code == 200
    assert page_title(page) == "Code of conduct – Simpl"
    assert "Be kind, be constructive" in text_of(page)

    rules = "### Our rules\n\n1. Be *kind*.\n2. No adverts.\n\n<script>alert(1)</script>"
    assert save_settings(admin, code_of_conduct=rules).status_code == 302
    page = client.get("/code-of-conduct")
    html = page.get_data(as_text=True)
    assert "<em>kind</em>" in html
    assert "<li>No adverts.</li>" in html
    assert "<script>alert(1)" not in html
    assert "Be kind, be constructive" not in text_of(page)
    # The register page points people at the rules once there are some.
    assert "By registering you agree to the board's code of conduct" in text_of(client.get("/register"))


def test_the_code_of_conduct_is_linked_from_every_page_footer(app, client, make_user, make_idea):
    idea = make_idea()
    member = signed_in(app, make_user("sam"))
    pages = [(client, "/"), (client, "/ideas"), (client, f"/ideas/{idea.id}"), (client, "/help"),
             (client, "/login"), (client, "/register"), (client, "/search?q=fridge"),
             (client, "/nowhere"), (member, "/dashboard"), (member, "/admin/settings")]
    for browser, url in pages:
        response = browser.get(url)
        assert '<a href="/code-of-conduct">Code of conduct</a>' in footer(response), url


@pytest.mark.parametrize("changes, field, message", [
    ({"name": ""}, "name", "Enter the board's name."),
    ({"name": "    "}, "name", "Enter the board's name."),
    ({"name": "x" * 81}, "name", "The name must be 80 characters or fewer."),
    ({"contact_email": "not an email"}, "contact_email",
     "Enter an email address in the right format, like name@example.org."),
    ({"contact_email": "hello@"}, "contact_email",
     "Enter an email address in the right format, like name@example.org."),
    ({"registration_mode": "everyone"}, "registration_mode", None),
    ({"allowed_domains": "example.org, not a domain"}, "allowed_domains",
     "“not a domain” is not an email domain, like example.org."),
])
def test_bad_settings_are_refused_next_to_the_field_and_nothing_is_saved(
    app, client, admin, changes, field, message
):
    assert save_settings(admin, name="Camden Ideas", contact_email="hello@camden.example").status_code == 302
    response = save_settings(admin, **{"name": "Changed", "contact_email": "new@camden.example", **changes})
    assert response.status_code == 422
    error = field_error(response, field)
    assert error is not None
    if message:
        assert error == "Error: " + message
    stored = stored_settings(app)
    assert (stored.name, stored.contact_email, stored.registration_mode) == (
        "Camden Ideas", "hello@camden.example", "open")
    assert header_name(client.get("/")) == "Camden Ideas"


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_members_and_moderators_cannot_change_settings_or_make_invitations(app, client, make_user, role):
    browser = signed_in(app, make_user("someone", role=role))
    assert browser.get("/admin/settings").status_code == 403
    response = save_settings(browser, name="Taken over", registration_mode="invite")
    assert response.status_code == 403
    assert browser.get("/admin/invites").status_code == 403
    assert browser.post("/admin/invites", data={"note": "For me"}).status_code == 403

    assert stored_settings(app) is None
    assert header_name(client.get("/")) == "Simpl"
    assert count_rows(app, Invite) == 0
    assert register(app.test_client()).status_code == 302  # registration is still open


def test_visitors_are_sent_to_sign_in_for_settings_and_invitations(app, client):
    for url in ("/admin/settings", "/admin/invites"):
        response = client.post(url, data=SETTINGS)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    assert stored_settings(app) is None and count_rows(app, Invite) == 0


# --- Registration: open ---------------------------------------------------------------------


def test_on_an_open_board_anyone_registers(app, client):
    page = client.get("/register")
    assert page.status_code == 200
    assert "Registration is by invitation" not in text_of(page)
    response = register(client, "newbie", "newbie@anywhere.example")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert account(app, "newbie").email == "newbie@anywhere.example"


# --- Registration: by invitation --------------------------------------------------------------


@pytest.fixture
def invite_only(admin):
    assert save_settings(admin, registration_mode="invite").status_code == 302
    return admin


def make_invite(admin, note="For Sam") -> str:
    response = admin.post("/admin/invites", data={"note": note})
    assert response.status_code == 200
    link = invite_link(response)
    assert link, "the page shows no invitation link"
    return link


def test_without_an_invitation_registration_is_closed(app, client, invite_only):
    page = client.get("/register")
    assert page.status_code == 403
    assert "Registration is by invitation" in text_of(page)
    html = page.get_data(as_text=True)
    assert 'name="username"' not in html and 'name="password"' not in html
    assert "That invitation link has been used already" not in text_of(page)

    response = register(client)
    assert response.status_code == 403
    assert account(app, "newbie") is None


def test_the_closed_page_gives_the_contact_address(client, admin):
    save_settings(admin, registration_mode="invite", contact_email="join@camden.example")
    page = client.get("/register")
    assert "Ask them at join@camden.example" in text_of(page)


def test_an_admin_makes_an_invitation_link_shown_only_once(app, invite_only):
    response = invite_only.post("/admin/invites", data={"note": "For Sam at number 4"})
    assert response.status_code == 200
    link = invite_link(response)
    assert link.startswith("http://localhost/register?invite=")
    assert "it is shown only once, works once, and expires in 14 days" in text_of(response)
    assert count_rows(app, Invite) == 1

    later = invite_only.get("/admin/invites")
    assert invite_link(later) is None
    assert token_of(link) not in later.get_data(as_text=True)
    assert re.search(r"For Sam at number 4 .* Waiting until", text_of(later))


def test_registering_with_an_invitation_link_works_once(app, invite_only):
    link = make_invite(invite_only)
    url = register_url(link)
    browser = app.test_client()

    form = browser.get(url)
    assert form.status_code == 200
    assert 'name="password"' in form.get_data(as_text=True)
    response = register(browser, "sam", url=url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    sam = account(app, "sam")
    assert sam is not None
    with app.app_context():
        invite = db.session.scalars(select(Invite)).one()
        assert invite.used_by_id == sam.id and invite.used_at is not None
    assert "Used: sam" in text_of(invite_only.get("/admin/invites"))

    again = app.test_client()
    page = again.get(url)
    assert page.status_code == 403
    assert "That invitation link has been used already, has expired, or is not complete." in text_of(page)
    response = register(again, "second", url=url)
    assert response.status_code == 403
    assert account(app, "second") is None
    assert count_rows(app, User) == 2  # the admin and sam


def test_a_registration_with_mistakes_does_not_spend_the_invitation(app, invite_only):
    url = register_url(make_invite(invite_only))
    browser = app.test_client()
    response = browser.post(url, data={"username": "sam", "email": "sam@example.org",
                                       "password": PASSWORD, "confirm_password": "something else"})
    assert response.status_code == 422
    assert field_error(response, "confirm_password") == "Error: The two passwords do not match."
    assert account(app, "sam") is None
    assert register(browser, "sam", url=url).status_code == 302
    assert account(app, "sam") is not None


def test_an_expired_invitation_is_refused(app, invite_only):
    link = make_invite(invite_only)
    with app.app_context():
        db.session.execute(update(Invite).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    browser = app.test_client()
    page = browser.get(register_url(link))
    assert page.status_code == 403
    assert "has expired" in text_of(page)
    assert register(browser, "late", url=register_url(link)).status_code == 403
    assert account(app, "late") is None
    assert "Expired" in text_of(invite_only.get("/admin/invites"))


@pytest.mark.parametrize("token", ["made-up-token", "", "%00", "x" * 500])
def test_a_made_up_invitation_is_refused(app, client, invite_only, token):
    make_invite(invite_only)
    page = client.get(f"/register?invite={token}")
    assert page.status_code == 403
    assert "Registration is by invitation" in text_of(page)
    assert register(client, "chancer", url=f"/register?invite={token}").status_code == 403
    assert account(app, "chancer") is None


def test_a_changed_invitation_link_is_refused(app, client, invite_only):
    token = token_of(make_invite(invite_only))
    for wrong in (token[:-1], token + "A", token.upper() if token.upper() != token else token.lower()):
        assert client.get(f"/register?invite={wrong}").status_code == 403
    assert register(client, "chancer", url=f"/register?invite={token[:-1]}").status_code == 403
    assert account(app, "chancer") is None


def test_only_a_digest_of_the_invitation_token_is_stored(app, invite_only):
    link = make_invite(invite_only, note="For Sam")
    token = token_of(link)
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM invites")).all()
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    assert token not in stored
    assert "For Sam" in stored  # the row read is the invite itself
    # And the link still works: the token is real, only not kept.
    assert register(app.test_client(), "sam", url=register_url(link)).status_code == 302


def test_an_invitation_made_while_registration_is_open_warns_the_admin(admin):
    page = admin.get("/admin/invites")
    assert "Registration is not by invitation at the moment" in text_of(page)


# --- Registration: listed email domains -------------------------------------------------------


@pytest.fixture
def domains_only(app, admin):
    response = save_settings(admin, registration_mode="domains", allowed_domains=" Camden.gov.uk, @example.org ,")
    assert response.status_code == 302
    assert stored_settings(app).allowed_domains == "camden.gov.uk, example.org"
    return admin


def test_the_register_page_says_which_domains_are_allowed(client, domains_only):
    page = client.get("/register")
    assert page.status_code == 200
    assert re.search(r"This board is open to email addresses at camden\.gov\.uk, example\.org ?\.", text_of(page))
    assert "<strong>camden.gov.uk, example.org</strong>" in page.get_data(as_text=True)


@pytest.mark.parametrize("email", ["pat@camden.gov.uk", "Pat@CAMDEN.gov.uk", "pat@example.org"])
def test_an_address_at_a_listed_domain_registers(app, client, domains_only, email):
    response = register(client, "pat", email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert account(app, "pat").email == email.lower()


@pytest.mark.parametrize("email", [
    "pat@gmail.com", "pat@notcamden.gov.uk", "pat@camden.gov.uk.evil.example", "pat@sub.example.org",
])
def test_an_address_at_another_domain_is_refused_naming_the_allowed_ones(app, client, domains_only, email):
    response = register(client, "pat", email)
    assert response.status_code == 422
    assert field_error(response, "email") == (
        "Error: This board is open to email addresses at camden.gov.uk, example.org only.")
    assert account(app, "pat") is None


def test_choosing_listed_domains_without_listing_any_is_refused(app, admin):
    response = save_settings(admin, registration_mode="domains", allowed_domains="  ,  ")
    assert response.status_code == 422
    assert field_error(response, "allowed_domains") == (
        "Error: List at least one email domain, or choose another way to register.")
    assert stored_settings(app) is None
    assert register(app.test_client(), "pat", "pat@gmail.com").status_code == 302


def test_switching_back_to_open_lets_anyone_register_again(app, client, domains_only):
    assert save_settings(domains_only, registration_mode="open",
                         allowed_domains="camden.gov.uk").status_code == 302
    assert "This board is open to email addresses" not in text_of(client.get("/register"))
    assert register(client, "pat", "pat@gmail.com").status_code == 302


# --- The privacy notice and the open data licence -------------------------------------------


def test_every_page_links_the_privacy_notice_and_open_data(client):
    html = client.get("/ideas").get_data(as_text=True)
    footer = html.split('<footer', 1)[1]
    assert 'href="/privacy"' in footer and 'href="/data"' in footer


def test_the_privacy_notice_says_what_simpl_keeps_until_an_admin_writes_one(app, client, admin):
    page = text_of(client.get("/privacy"))
    assert "Your email address, your password (kept only as a one-way hash)" in page
    assert "delete your account at once" in page
    response = save_settings(admin, privacy_notice="We are **Elm Park** residents' association.")
    assert response.status_code == 302
    page = client.get("/privacy")
    assert "<strong>Elm Park</strong>" in page.get_data(as_text=True)
    assert "one-way hash" not in text_of(page)
    assert stored_settings(app).privacy_notice.startswith("We are")


def test_admins_set_the_open_data_licence(app, client, admin):
    assert "Open Government Licence v3.0" in text_of(client.get("/privacy"))
    response = save_settings(admin, data_licence_name="CC BY 4.0",
                             data_licence_url="https://creativecommons.org/licenses/by/4.0/")
    assert response.status_code == 302
    assert stored_settings(app).data_licence_name == "CC BY 4.0"
    assert "CC BY 4.0" in text_of(client.get("/privacy"))
    assert "CC BY 4.0" in client.get("/ideas.atom").get_data(as_text=True)


def test_a_licence_address_must_be_a_web_address(app, admin):
    response = save_settings(admin, data_licence_name="Mine", data_licence_url="not a url")
    assert response.status_code == 422
    assert field_error(response, "data_licence_url") == "Error: Enter a web address starting with https:// or http://."
    assert 'value="Mine"' in response.get_data(as_text=True)
    assert stored_settings(app) is None or stored_settings(app).data_licence_name != "Mine"


# --- Every worker obeys a change at once --------------------------------------------------


@pytest.fixture
def other_worker(database_url):
    """A second app on the same database file, as a second gunicorn worker would be."""
    from helpers import make_test_app

    second = make_test_app(database_url, SETTINGS_CACHE_SECONDS=3600)
    yield second
    with second.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("before, after", [("open", "invite"), ("open", "domains"), ("invite", "open"),
                                           ("domains", "invite"), ("invite", "domains")])
def test_a_change_of_registration_is_obeyed_at_once_by_the_other_worker(app, admin, other_worker,
                                                                        before, after):
    visitor = other_worker.test_client()
    assert save_settings(admin, registration_mode=before, allowed_domains="camden.gov.uk").status_code == 302
    visitor.get("/register")  # the other worker has read the settings as they were
    assert save_settings(admin, registration_mode=after, allowed_domains="camden.gov.uk").status_code == 302

    page = visitor.get("/register")
    if after == "invite":
        assert page.status_code == 403 and "Registration is by invitation" in text_of(page)
        assert register(visitor, "pat", "pat@camden.gov.uk").status_code == 403
        assert account(app, "pat") is None
    elif after == "domains":
        assert page.status_code == 200
        assert "This board is open to email addresses at camden.gov.uk" in text_of(page)
        assert register(visitor, "sam", "sam@gmail.com").status_code == 422
        assert register(visitor, "pat", "pat@camden.gov.uk").status_code == 302
        assert account(app, "pat").email == "pat@camden.gov.uk"
    else:
        assert page.status_code == 200 and "Registration is by invitation" not in text_of(page)
        assert register(visitor, "pat", "pat@gmail.com").status_code == 302
        assert account(app, "pat") is not None


def test_a_new_board_name_shows_at_once_on_the_other_worker(admin, other_worker):
    visitor = other_worker.test_client()
    assert header_name(visitor.get("/ideas")) == "Simpl"
    assert save_settings(admin, name="Elm Park Ideas").status_code == 302
    assert header_name(visitor.get("/ideas")) == "Elm Park Ideas"


def test_a_new_or_renamed_topic_shows_at_once_in_the_other_worker_s_filters(app, admin, other_worker):
    visitor = other_worker.test_client()
    assert "Allotments" not in visitor.get("/ideas").get_data(as_text=True)
    assert admin.post("/admin/topics", data={"name": "Allotments"}).status_code == 302
    assert "Allotments" in visitor.get("/ideas").get_data(as_text=True)
    assert "Allotments" in visitor.get("/help").get_data(as_text=True)

    from board.models import Topic
    with app.app_context():
        topic_id = db.session.scalar(select(Topic.id))
    assert admin.post(f"/admin/topics/{topic_id}", data={"name": "Orchards"}).status_code == 302
    html = visitor.get("/ideas").get_data(as_text=True)
    assert "Orchards" in html and "Allotments" not in html
    assert admin.post(f"/admin/topics/{topic_id}/delete").status_code == 302
    assert "Orchards" not in visitor.get("/ideas").get_data(as_text=True)
