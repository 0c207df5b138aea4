"""Running the board: the first admin and roles from the command line, and the admin's
People page, where an admin changes anyone's role and Official badge."""

from __future__ import annotations

import re
from html import unescape

import pytest

from board.models import User
from helpers import PASSWORD, Auth, count_rows, fetch, field_error, signed_in, text_of


def person(app, username: str) -> User | None:
    with app.app_context():
        found = User.by_username(username)
    return fetch(app, User, found.id) if found else None


# --- board create-admin ------------------------------------------------------------


def test_create_admin_makes_a_new_admin_account_who_can_sign_in_and_manage_roles(app, runner):
    result = runner.invoke(args=["board", "create-admin", "root", "--email", "Root@Example.org",
                                 "--password", "a long enough password"])
    assert result.exit_code == 0, result.output
    assert "Created root an admin." in result.output
    root = person(app, "root")
    assert root.role == "admin"
    assert root.email == "root@example.org"

    browser = app.test_client()
    response = Auth(browser).login("root", "a long enough password")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert browser.get("/admin/people").status_code == 200
    assert browser.get("/moderation").status_code == 200


def test_create_admin_asks_for_the_email_and_password_when_not_given(app, runner):
    result = runner.invoke(args=["board", "create-admin", "root"],
                           input="root@example.org\na long enough password\na long enough password\n")
    assert result.exit_code == 0, result.output
    assert "Created root an admin." in result.output
    root = person(app, "root")
    assert root.role == "admin" and root.email == "root@example.org"
    assert Auth(app.test_client()).login("root@example.org", "a long enough password").status_code == 302


def test_create_admin_promotes_someone_who_already_has_an_account(app, runner, make_user):
    bob = make_user("bob", display_name="Bob Reader")
    result = runner.invoke(args=["board", "create-admin", "BOB"])
    assert result.exit_code == 0, result.output
    assert "Made bob an admin." in result.output
    assert fetch(app, User, bob.id).role == "admin"
    assert count_rows(app, User) == 1
    # Their password is the one they had.
    assert Auth(app.test_client()).login("bob", PASSWORD).status_code == 302


@pytest.mark.parametrize("username", ["ab", "has space", "x" * 31, "semi;colon", "émile"])
def test_create_admin_refuses_a_bad_username(app, runner, username):
    result = runner.invoke(args=["board", "create-admin", username, "--email", "root@example.org",
                                 "--password", "a long enough password"])
    assert result.exit_code == 1
    assert "A username must be 3 to 30 letters, numbers, hyphens or underscores." in result.output
    assert count_rows(app, User) == 0


def test_create_admin_refuses_an_email_address_that_is_taken(app, runner, make_user):
    make_user("bob", email="bob@example.org")
    result = runner.invoke(args=["board", "create-admin", "root", "--email", " BOB@example.org ",
                                 "--password", "a long enough password"])
    assert result.exit_code == 1
    assert "There is already an account with that email address." in result.output
    assert person(app, "root") is None
    assert person(app, "bob").role == "member"


def test_create_admin_refuses_something_that_is_not_an_email_address(app, runner):
    result = runner.invoke(args=["board", "create-admin", "root", "--email", "not an email",
                                 "--password", "a long enough password"])
    assert result.exit_code == 1
    assert person(app, "root") is None


def test_create_admin_refuses_a_short_password(app, runner):
    result = runner.invoke(args=["board", "create-admin", "root", "--email", "root@example.org",
                                 "--password", "seven77"])
    assert result.exit_code == 1
    assert "A password must be at least 8 characters long." in result.output
    assert count_rows(app, User) == 0


# --- board set-role -------------------------------------------------------------------


def test_set_role_makes_someone_a_moderator_with_the_official_badge(app, runner, client, make_user):
    make_user("bob", display_name="Bob Reader")
    assert "Official" not in text_of(client.get("/users/bob"))

    result = runner.invoke(args=["board", "set-role", "bob", "moderator", "--official"])
    assert result.exit_code == 0, result.output
    assert "bob is now a moderator, with the Official badge." in result.output
    bob = person(app, "bob")
    assert bob.role == "moderator" and bob.is_official
    assert "@bob · joined" in text_of(client.get("/users/bob"))
    assert re.search(r'<strong class="tag tag--official">Official</strong>', client.get("/users/bob").get_data(as_text=True))
    assert signed_in(app, bob).get("/moderation").status_code == 200


def test_set_role_keeps_the_badge_unless_told_and_can_take_it_away(app, runner, client, make_user):
    make_user("bob", role="moderator", is_official=True)

    result = runner.invoke(args=["board", "set-role", "bob", "admin"])
    assert result.exit_code == 0, result.output
    assert "bob is now an admin, with the Official badge." in result.output
    assert person(app, "bob").is_official

    result = runner.invoke(args=["board", "set-role", "bob", "member", "--not-official"])
    assert result.exit_code == 0, result.output
    assert "bob is now a member." in result.output
    bob = person(app, "bob")
    assert bob.role == "member" and not bob.is_official
    assert "Official" not in text_of(client.get("/users/bob"))
    assert signed_in(app, bob).get("/moderation").status_code == 403


def test_set_role_for_someone_unknown_is_an_error(app, runner, make_user):
    result = runner.invoke(args=["board", "set-role", "ghost", "moderator"])
    assert result.exit_code == 1
    assert "There is nobody called ghost on this board." in result.output


def test_set_role_rejects_a_role_that_does_not_exist(app, runner, make_user):
    make_user("bob")
    result = runner.invoke(args=["board", "set-role", "bob", "superuser"])
    assert result.exit_code == 2
    assert "'superuser' is not one of 'member', 'moderator', 'admin'." in result.output
    assert person(app, "bob").role == "member"


# --- The People page ---------------------------------------------------------------------


@pytest.fixture
def staff(make_user):
    return {
        "ada": make_user("ada", role="admin", display_name="Ada Admin"),
        "mo": make_user("mo", role="moderator", display_name="Mo Moderator"),
        "olive": make_user("olive", is_official=True, display_name="Olive Official"),
        "bob": make_user("bob", display_name="Bob Reader"),
    }


@pytest.fixture
def admin(app, staff):
    return signed_in(app, staff["ada"])


def staff_rows(response) -> list[str]:
    """The staff table as read: one line per person."""
    body = re.search(r"<tbody>(.*?)</tbody>", response.get_data(as_text=True), re.S).group(1)
    return [unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip())
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_the_people_page_lists_moderators_admins_and_officials_but_not_members(admin):
    response = admin.get("/admin/people")
    assert response.status_code == 200
    assert sorted(staff_rows(response)) == [
        "Ada Admin @ada Admin",
        "Mo Moderator @mo Moderator",
        "Olive Official @olive Member Official",
    ]
    assert "@bob" not in text_of(response)
    assert '<label for="username" class="label">Username</label>' in response.get_data(as_text=True)


def test_an_admin_makes_a_member_a_moderator_with_the_official_badge(app, admin, staff):
    assert signed_in(app, staff["bob"]).get("/moderation").status_code == 403

    response = admin.post("/admin/people", data={"username": "bob", "role": "moderator", "is_official": "y"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/people"
    bob = fetch(app, User, staff["bob"].id)
    assert bob.role == "moderator" and bob.is_official

    page = admin.get("/admin/people")
    assert "Bob Reader is now moderator with the Official badge." in text_of(page)
    assert "Bob Reader @bob Moderator Official" in staff_rows(page)
    assert signed_in(app, staff["bob"]).get("/moderation").status_code == 200


def test_an_admin_takes_away_a_moderators_role_and_badge(app, admin, staff):
    response = admin.post("/admin/people", data={"username": "MO", "role": "member"})
    assert response.status_code == 302
    mo = fetch(app, User, staff["mo"].id)
    assert mo.role == "member" and not mo.is_official

    page = admin.get("/admin/people")
    assert "Mo Moderator is now member." in text_of(page)
    assert not any("@mo " in row for row in staff_rows(page))
    assert signed_in(app, staff["mo"]).get("/moderation").status_code == 403


def test_an_admin_makes_another_admin(app, admin, staff):
    admin.post("/admin/people", data={"username": "olive", "role": "admin", "is_official": "y"})
    olive = fetch(app, User, staff["olive"].id)
    assert olive.role == "admin" and olive.is_official
    assert signed_in(app, olive).get("/admin/people").status_code == 200


def test_an_unknown_username_is_refused_next_to_the_field(app, admin, staff):
    response = admin.post("/admin/people", data={"username": "ghost", "role": "admin"})
    assert response.status_code == 422
    assert field_error(response, "username") == "Error: There is nobody with that username on this board."
    assert count_rows(app, User, User.role == "admin") == 1


def test_an_empty_username_is_refused_next_to_the_field(admin):
    response = admin.post("/admin/people", data={"username": "  ", "role": "admin"})
    assert response.status_code == 422
    assert field_error(response, "username") == "Error: Enter the username of the person."


def test_a_role_that_does_not_exist_is_refused(app, admin, staff):
    response = admin.post("/admin/people", data={"username": "bob", "role": "superuser"})
    assert response.status_code == 422
    assert field_error(response, "role") is not None
    assert fetch(app, User, staff["bob"].id).role == "member"


@pytest.mark.parametrize("role", ["moderator", "member"])
def test_an_admin_cannot_take_away_their_own_admin_role(app, admin, staff, role):
    response = admin.post("/admin/people", data={"username": "ada", "role": role})
    assert response.status_code == 403
    assert "You cannot take away your own admin role; ask another admin." in text_of(response)
    assert fetch(app, User, staff["ada"].id).role == "admin"
    assert admin.get("/admin/people").status_code == 200


def test_an_admin_can_give_themselves_the_official_badge(app, admin, staff):
    response = admin.post("/admin/people", data={"username": "ada", "role": "admin", "is_official": "y"})
    assert response.status_code == 302
    ada = fetch(app, User, staff["ada"].id)
    assert ada.role == "admin" and ada.is_official


def test_another_admin_can_take_away_an_admins_role(app, admin, staff, make_user):
    other = signed_in(app, make_user("root", role="admin"))
    response = other.post("/admin/people", data={"username": "ada", "role": "member"})
    assert response.status_code == 302
    assert fetch(app, User, staff["ada"].id).role == "member"
    # Ada's next request no longer opens the admin page.
    assert admin.get("/admin/people").status_code == 403


# --- The admin front page ------------------------------------------------------------------


def main_links(response) -> dict[str, str]:
    """The links in the page's main part, as read: text -> address."""
    main = re.search(r'<main\b.*?</main>', response.get_data(as_text=True), re.S).group(0)
    return {unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()): href
            for href, text in re.findall(r'<a\b[^>]*href="([^"]+)"[^>]*>(.*?)</a>', main, re.S)}


def test_the_admin_front_page_links_every_admin_page_and_each_one_opens(admin):
    response = admin.get("/admin")
    assert response.status_code == 200
    page = text_of(response)
    links = main_links(response)
    for name, address in {
        "Settings": "/admin/settings", "People and roles": "/admin/people",
        "Invitations": "/admin/invites", "Topics": "/admin/topics", "Areas": "/admin/areas",
        "Reports": "/moderation", "Moderation log": "/moderation/log",
    }.items():
        assert links.get(name) == address, name
        assert admin.get(address).status_code == 200, address
    assert "who may register" in page and "most reported first" in page
    # The header's Admin link leads here, and so does the address with a slash.
    assert re.search(r'<a href="/admin"[^>]*>Admin</a>', admin.get("/ideas").get_data(as_text=True))
    assert admin.get("/admin/").status_code == 200


def test_the_admin_front_page_is_for_admins_only(app, staff, client):
    assert signed_in(app, staff["bob"]).get("/admin").status_code == 403
    assert signed_in(app, staff["mo"]).get("/admin").status_code == 403
    visitor = client.get("/admin")
    assert visitor.status_code == 302 and visitor.headers["Location"].startswith("/login")
