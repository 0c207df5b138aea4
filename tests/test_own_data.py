"""A person's own data: downloading everything the board holds about them, and deleting
their account, from the account page or by an admin with `board erase-user`.

The promises: the download holds exactly the person's data and no one else's; a
deleted account leaves no personal data in any table, whichever choice the person
made about their posts, and counters on other people's posts stay right.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass

import pytest
from sqlalchemy import func, inspect, select

from board.admin.models import Invite
from board.extensions import db
from board.help.models import Invitation, Message, invite_to_help, send_message
from board.mail.models import OutboxMessage
from board.models import Comment, HelpRequest, Idea, Offer, Role, Support, User
from board.moderation import moderate, report
from board.moderation.models import ModerationAction, Report
from board.notifications.following import follow
from board.notifications.models import EmailChoice, Follow, Notification
from helpers import PASSWORD, PASSWORD_HASH, count_rows, csrf_token_from, field_error, make_test_app, text_of

# Olivia is the person whose data this is; every string that is hers is distinctive,
# so that finding it anywhere after she is erased is a failure, not a coincidence.
OLIVIA = {
    "username": "olivia_quince",
    "email": "olivia.quince@private.example",
    "display_name": "Olivia Quince",
    "bio": "Beekeeper on Larkspur Lane",
}
OLIVIA_SKILL = "quince jam making"  # only she offers it
SHARED_SKILL = "first aid"  # Bob offers it too
OLIVIA_TEXTS = {
    "idea_title": "Orchard along the towpath",
    "idea_body": "Plant zephyrine quince trees along the towpath.",
    "request_title": "Ladders for the orchard",
    "request_body": "Borrow ladders to prune the zephyrine trees.",
    "request_skill": "orchard ladders",
    "comment": "Olivias marmalade comment: I can bring compost.",
    "offer": "I have a wheelbarrow, signed Olivia-wheelbarrow.",
    "message": "Olivia-message: see you at the allotment gate.",
    "report": "Olivia-report-reason: this sundial plan is off topic.",
}
BOB = {"username": "bob_marrow", "email": "bob.marrow@hidden.example", "display_name": "Bob Marrow"}
CAROL = {"username": "carol_tansy", "email": "carol.tansy@secret.example", "display_name": "Carol Tansy"}
CAROL_TEXTS = {
    "idea_title": "A sundial by the bandstand",
    "idea_body": "Carol-unrelated: a brass sundial.",
    "offer": "Carol-offer: I have a trailer.",
    "message": "Carol-private-message to Bob only.",
    "comment_on_olivia": "Carol-comment on the orchard.",
}
BOB_TEXTS = {
    "idea_title": "Benches on the green",
    "request_title": "Moving marrows on Sunday",
    "invite_request_title": "Chairs for the fete",
    "message_to_olivia": "Bob-message: noon works for me.",
}


@dataclass
class Board:
    olivia: int
    bob: int
    carol: int
    moderator: int
    olivia_idea: int
    olivia_request: int
    olivia_comment: int
    bob_idea: int
    bob_request: int
    carol_idea: int


@pytest.fixture
def board(app, make_user) -> Board:
    """Olivia takes part in everything the board has; Bob and Carol are her neighbours."""
    olivia = make_user(**OLIVIA)
    bob = make_user(**BOB)
    carol = make_user(**CAROL)
    moderator = make_user("mod_sage", email="sage@staff.example", role=Role.MODERATOR)
    with app.app_context():
        olivia, bob, carol, moderator = (db.session.get(User, p.id) for p in (olivia, bob, carol, moderator))
        olivia.set_skills([OLIVIA_SKILL, SHARED_SKILL])
        bob.set_skills([SHARED_SKILL])
        db.session.add(EmailChoice(user_id=olivia.id, category="matches", frequency="weekly"))

        olivia_idea = Idea.post(olivia, OLIVIA_TEXTS["idea_title"], OLIVIA_TEXTS["idea_body"])
        olivia_request = HelpRequest.post(olivia, OLIVIA_TEXTS["request_title"],
                                          OLIVIA_TEXTS["request_body"], [OLIVIA_TEXTS["request_skill"]])
        bob_idea = Idea.post(bob, BOB_TEXTS["idea_title"], "Three benches.")
        bob_request = HelpRequest.post(bob, BOB_TEXTS["request_title"], "Heavy marrows.", ["lifting"])
        bob_other_request = HelpRequest.post(bob, BOB_TEXTS["invite_request_title"], "Chairs.", ["lifting"])
        carol_idea = Idea.post(carol, CAROL_TEXTS["idea_title"], CAROL_TEXTS["idea_body"])

        # Olivia supports (the latest to), comments on and offers help with Bob's things;
        # Carol does too.
        for person in (carol, olivia):
            bob_idea.toggle_support(person)
        olivia_comment = bob_idea.add_comment(olivia, OLIVIA_TEXTS["comment"])
        bob_idea.add_comment(olivia, "A second comment from her.")
        bob_idea.add_comment(carol, "Carol likes benches.")
        olivia_offer = bob_request.make_offer(olivia, OLIVIA_TEXTS["offer"])
        carol_offer = bob_request.make_offer(carol, CAROL_TEXTS["offer"])
        bob_request.accept(olivia_offer, by=bob)
        bob_request.accept(carol_offer, by=bob)
        db.session.flush()
        send_message(olivia_offer, olivia, OLIVIA_TEXTS["message"])
        send_message(olivia_offer, bob, BOB_TEXTS["message_to_olivia"])
        send_message(carol_offer, bob, CAROL_TEXTS["message"])
        invite_to_help(bob_other_request, olivia, by=bob)
        olivia_idea.add_comment(carol, CAROL_TEXTS["comment_on_olivia"])
        follow(olivia, carol_idea, explicitly=True)

        # Reports and the moderators' log, which name people and quote what they wrote.
        report(carol_idea, by=olivia, reason=OLIVIA_TEXTS["report"])
        report(olivia, by=carol, reason=f"@{OLIVIA['username']} ({OLIVIA['display_name']}) was rude.")
        moderate("hide", olivia_comment, by=moderator, reason="Hidden while we look.")
        moderate("restore", olivia_comment, by=moderator, reason="It was fine.")
        moderate("suspend", olivia, by=moderator, reason=f"Warned {OLIVIA['display_name']}.")
        moderate("reinstate", olivia, by=moderator, reason="Served her time.")

        # The invitation she registered with: the admin's note says who it was for.
        invite, _token = Invite.make(by=moderator, days=7, note=f"For {OLIVIA['display_name']}")
        invite.used_at, invite.used_by_id = invite.created_at, olivia.id

        # Email waiting to go: to her, and to Bob about her.
        db.session.add_all([
            OutboxMessage(to_address=OLIVIA["email"], subject="Confirm your address",
                          text_body="Hello olivia_quince", html_body="<p>Hello</p>"),
            OutboxMessage(to_address=BOB["email"], subject="Olivia Quince commented",
                          text_body="Olivia Quince commented on your idea", html_body="<p>x</p>"),
            OutboxMessage(to_address=CAROL["email"], subject="Your weekly digest",
                          text_body="Nothing about her.", html_body="<p>y</p>"),
        ])
        db.session.commit()
        return Board(olivia.id, bob.id, carol.id, moderator.id, olivia_idea.id, olivia_request.id,
                     olivia_comment.id, bob_idea.id, bob_request.id, carol_idea.id)


def person(app, user_id) -> User:
    with app.app_context():
        found = db.session.get(User, user_id)
        db.session.expunge(found)
        return found


def download(client) -> dict:
    response = client.post("/account/data")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return json.loads(archive.read("my-data.json").decode("utf-8"))


def delete_account(client, password=PASSWORD, posts="remove"):
    return client.post("/account/delete", data={"password": password, "posts": posts})


def every_text_in_the_database(app) -> list[tuple[str, str]]:
    """(table, text) for every text value in every table, the search index's included."""
    with app.app_context():
        connection = db.session.connection()
        tables = inspect(connection).get_table_names()
        assert {table.name for table in db.metadata.sorted_tables} <= set(tables)
        if connection.dialect.name == "sqlite":  # PostgreSQL indexes within the tables themselves
            assert "search_index" in tables
        found = []
        for table in tables:
            for row in connection.exec_driver_sql(f'SELECT * FROM "{table}"'):
                found.extend((table, value) for value in row if isinstance(value, str))
        return found


def where_found(app, needles) -> list[tuple[str, str]]:
    """Which tables still hold any of these strings (case-insensitive), and where."""
    return [
        (table, needle) for table, text in every_text_in_the_database(app)
        for needle in needles if needle.lower() in text.lower()
    ]


PERSONAL = [*OLIVIA.values(), OLIVIA_SKILL, OLIVIA_TEXTS["report"]]
OLIVIAS_POSTS = [text for key, text in OLIVIA_TEXTS.items() if key != "report"]


# --- Download my data ------------------------------------------------------------------


def test_downloading_my_data_needs_signing_in(client, board):
    response = client.post("/account/data")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_my_data_is_only_downloaded_by_a_post_never_a_get(client, auth, app, board):
    auth.sign_in(person(app, board.olivia))
    assert client.get("/account/data").status_code == 405


def test_the_download_button_carries_a_csrf_token_and_a_forged_post_is_refused(tmp_path):
    app = make_test_app(tmp_path / "csrf.db", WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        olivia = User(username=OLIVIA["username"], email=OLIVIA["email"], password_hash=PASSWORD_HASH)
        db.session.add(olivia)
        db.session.commit()
        olivia_cookie_id = olivia.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = olivia_cookie_id, True

    assert client.post("/account/data").status_code == 400
    token = csrf_token_from(client.get("/account"))
    assert client.post("/account/data", data={"csrf_token": token}).status_code == 200


def test_my_data_is_a_zip_named_after_the_board_and_me_holding_one_json_file(client, auth, app, board):
    auth.sign_in(person(app, board.olivia))

    response = client.post("/account/data")

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="simpl-olivia_quince-data.zip"'
    assert "no-store" in response.headers["Cache-Control"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert archive.namelist() == ["my-data.json"]
        text = archive.read("my-data.json").decode("utf-8")
    assert text.startswith("{\n  ")  # pretty-printed, for a person to read
    assert json.loads(text)["profile"]["username"] == "olivia_quince"


def test_my_data_holds_everything_i_posted_and_everything_stored_about_me(client, auth, app, board):
    auth.sign_in(person(app, board.olivia))

    data = download(client)

    assert data["profile"] | {"created_at": None, "last_active_at": None} == {
        **OLIVIA, "role": "member", "official": False, "created_at": None, "last_active_at": None,
        "email_confirmed_at": None, "suspended_at": None,
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["profile"]["created_at"])
    assert sorted(data["skills"]) == sorted([OLIVIA_SKILL, SHARED_SKILL])
    # Her one choice, and the defaults for the rest.
    assert data["email_choices"] == {"mine": "immediately", "invitations": "immediately",
                                     "matches": "weekly", "following": "daily", "answers": "daily"}
    [idea] = data["ideas"]
    assert (idea["title"], idea["body"], idea["status"]) == (
        OLIVIA_TEXTS["idea_title"], OLIVIA_TEXTS["idea_body"], "new")
    [request] = data["help_requests"]
    assert request["body"] == OLIVIA_TEXTS["request_body"]
    assert request["skills"] == [OLIVIA_TEXTS["request_skill"]]
    assert (request["kind"], request["status"]) == ("skills", "open")
    assert [c["body"] for c in data["comments"]] == [OLIVIA_TEXTS["comment"], "A second comment from her."]
    assert data["comments"][0]["on"] == {"kind": "idea", "id": board.bob_idea,
                                         "url": f"http://localhost/ideas/{board.bob_idea}",
                                         "title": BOB_TEXTS["idea_title"]}
    [offer] = data["offers"]
    assert (offer["message"], offer["status"]) == (OLIVIA_TEXTS["offer"], "accepted")
    assert [s["idea"]["id"] for s in data["supports"]] == [board.bob_idea]
    followed = {(f["what"]["kind"], f["what"]["id"]) for f in data["follows"]}
    assert ("idea", board.carol_idea) in followed and ("idea", board.olivia_idea) in followed
    assert [i["help_request"]["title"] for i in data["invitations_received"]] == [
        BOB_TEXTS["invite_request_title"]]
    [conversation] = data["conversations"]
    assert conversation["help_request"]["id"] == board.bob_request
    assert [m["body"] for m in conversation["messages_you_sent"]] == [OLIVIA_TEXTS["message"]]
    told = [(n["what"], n["about"]["id"]) for n in data["notifications"]]
    assert ("offer_accepted", board.bob_request) in told
    assert all(n["read"] is False for n in data["notifications"])
    [made] = data["reports_made"]
    assert made["reason"] == OLIVIA_TEXTS["report"]


def test_my_data_holds_nothing_of_anyone_elses(client, auth, app, board):
    auth.sign_in(person(app, board.olivia))

    text = json.dumps(download(client), ensure_ascii=False)

    for other in (BOB["email"], CAROL["email"], "sage@staff.example", "@"):
        assert other not in text.replace(OLIVIA["email"], "")
    for unrelated in (CAROL_TEXTS["idea_body"], CAROL_TEXTS["offer"], CAROL_TEXTS["message"],
                      CAROL_TEXTS["comment_on_olivia"], "Carol likes benches"):
        assert unrelated not in text
    assert "Carol Tansy" not in text


OTHERS_TEXTS = {
    "official_response": "Sage-official-response: the parks team will plant in spring.",
    "offer": "Carol-offer-on-the-orchard: my long ladders.",
    "message": "Carol-message-to-olivia: ladders arrive at nine.",
}
OLIVIAS_REPLY = "Olivia-reply-to-carol: the gate code is on the shed."


def test_my_data_holds_what_i_wrote_and_none_of_anyone_elses_words_or_names(client, auth, app, board):
    with app.app_context():
        olivia, carol, moderator = (db.session.get(User, i) for i in (board.olivia, board.carol, board.moderator))
        moderator.display_name = "Sage Pennyroyal"
        db.session.get(Idea, board.olivia_idea).answer(
            "under_consideration", OTHERS_TEXTS["official_response"], by=moderator)
        request = db.session.get(HelpRequest, board.olivia_request)
        offer = request.make_offer(carol, OTHERS_TEXTS["offer"])
        request.accept(offer, by=olivia)
        db.session.flush()
        send_message(offer, carol, OTHERS_TEXTS["message"])
        send_message(offer, olivia, OLIVIAS_REPLY)
        db.session.commit()
    auth.sign_in(person(app, board.olivia))

    text = json.dumps(download(client), ensure_ascii=False)

    others = [BOB["display_name"], BOB["username"], CAROL["display_name"], CAROL["username"],
              "Sage Pennyroyal", "mod_sage", *OTHERS_TEXTS.values(), BOB_TEXTS["message_to_olivia"],
              CAROL_TEXTS["comment_on_olivia"], CAROL_TEXTS["offer"], CAROL_TEXTS["message"],
              "Carol likes benches"]
    assert [found for found in others if found.lower() in text.lower()] == []
    mine = [*OLIVIA.values(), *OLIVIA_TEXTS.values(), OLIVIAS_REPLY, "A second comment from her."]
    assert [missing for missing in mine if missing not in text] == []


# --- The account page -----------------------------------------------------------------------


def test_the_account_page_offers_my_data_and_deleting_my_account(client, auth, app, board):
    auth.sign_in(person(app, board.olivia))

    response = client.get("/account")

    html = response.get_data(as_text=True)
    section = html.split('id="your-data-heading"', 1)[1].split("</section>", 1)[0]
    assert 'action="/account/data"' in section and 'method="post"' in section
    assert 'name="csrf_token"' in section
    assert "Download my data" in section
    assert '<a href="/account/delete">Delete my account</a>' in section


def test_the_delete_page_explains_what_happens_and_offers_the_download_first(client, auth, app, board):
    auth.sign_in(person(app, board.olivia))

    response = client.get("/account/delete")

    assert response.status_code == 200
    text = text_of(response)
    assert text.index("Download my data") < text.index("What happens when you delete your account")
    assert "This cannot be undone." in text
    assert "What should happen to what you posted?" in text
    assert "Remove my ideas, help requests, comments and offers" in text
    assert "Keep them, shown as by \u201cDeleted user\u201d" in text
    assert '<label for="password" class="label">Your password</label>' in response.get_data(as_text=True)


# --- Delete my account: refusals ------------------------------------------------------------


def test_a_wrong_password_deletes_nothing_and_says_so_next_to_the_field(client, auth, app, board):
    auth.sign_in(person(app, board.olivia))

    response = delete_account(client, password="not my password", posts="keep")

    assert response.status_code == 422
    assert field_error(response, "password") == "Error: That is not your password."
    assert 'value="keep" checked' in response.get_data(as_text=True)  # her choice is kept
    olivia = person(app, board.olivia)
    assert (olivia.erased_at, olivia.email, olivia.username) == (None, OLIVIA["email"], OLIVIA["username"])
    assert count_rows(app, Idea, Idea.author_id == board.olivia) == 1
    assert client.get("/account").status_code == 200  # still signed in


def test_a_missing_password_or_choice_is_asked_for(client, auth, app, board):
    auth.sign_in(person(app, board.olivia))

    response = client.post("/account/delete", data={})

    assert response.status_code == 422
    assert field_error(response, "password") == "Error: Enter your password."
    assert field_error(response, "posts") == (
        "Error: Choose whether to remove what you posted or keep it.")
    assert person(app, board.olivia).erased_at is None


# --- Delete my account: what it does ---------------------------------------------------------


def test_deleting_my_account_signs_me_out_and_says_so(client, auth, app, board):
    auth.sign_in(person(app, board.olivia))

    response = delete_account(client)

    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert "Your account is deleted." in text_of(home)
    assert client.get("/account").status_code == 302


def test_removing_my_posts_leaves_no_personal_data_in_any_table(client, auth, app, board):
    auth.sign_in(person(app, board.olivia))
    assert where_found(app, [*PERSONAL, *OLIVIAS_POSTS])  # the scan does see them before

    delete_account(client, posts="remove")

    assert where_found(app, [*PERSONAL, *OLIVIAS_POSTS, OLIVIA_TEXTS["request_skill"]]) == []
    olivia = person(app, board.olivia)
    assert (olivia.username, olivia.email, olivia.name) == (
        f"deleted-{olivia.id}", f"deleted-{olivia.id}@invalid", "Deleted user")
    assert olivia.bio is None and olivia.email_verified_at is None and olivia.erased_at is not None
    for model, column in ((Support, Support.user_id), (Follow, Follow.user_id),
                          (EmailChoice, EmailChoice.user_id), (Notification, Notification.recipient_id),
                          (Invitation, Invitation.person_id), (Offer, Offer.helper_id),
                          (Comment, Comment.author_id), (Idea, Idea.author_id),
                          (HelpRequest, HelpRequest.author_id), (Message, Message.sender_id)):
        assert count_rows(app, model, column == board.olivia) == 0, model
    # Both sides of her conversation went; Bob's conversation with Carol did not.
    assert count_rows(app, Message) == 1
    # The report she made stays for the moderators, without her words.
    [kept] = [r for r in fetch_all(app, Report) if r.reporter_id == board.olivia]
    assert kept.target_id == board.carol_idea and "deleted their account" in kept.reason
    # The moderators' log keeps its entries, naming no one.
    assert len(fetch_all(app, ModerationAction)) == 4
    # The shared skill stays, for Bob; email waiting for others stays if it is not about her.
    assert [o.to_address for o in fetch_all(app, OutboxMessage)] == [CAROL["email"]]


def fetch_all(app, model) -> list:
    with app.app_context():
        rows = db.session.scalars(select(model)).all()
        db.session.expunge_all()
        return rows


def test_removing_my_posts_keeps_the_counters_on_other_peoples_posts_right(client, auth, app, board):
    auth.sign_in(person(app, board.olivia))

    delete_account(client, posts="remove")

    with app.app_context():
        bob_idea = db.session.get(Idea, board.bob_idea)
        assert bob_idea.supporters_count == 1 == len(bob_idea.supports)
        assert bob_idea.comments_count == 1 == len(bob_idea.comments)
        # Trending goes by the support still standing, not hers.
        assert bob_idea.last_supported_at == max(s.created_at for s in bob_idea.supports)
        bob_request = db.session.get(HelpRequest, board.bob_request)
        assert bob_request.offers_count == 1 == len(bob_request.offers)
        for someone in db.session.scalars(select(User)):
            unread = db.session.scalar(select(func.count(Notification.id)).where(
                Notification.recipient_id == someone.id, Notification.read_at.is_(None)))
            assert someone.unread_notifications == unread, someone.username


def test_keeping_my_posts_shows_them_as_by_deleted_user_with_no_personal_data_left(
    client, auth, app, board
):
    auth.sign_in(person(app, board.olivia))

    delete_account(client, posts="keep")

    # Private messages are not posts: both sides of her conversation go all the same.
    assert where_found(app, [*PERSONAL, OLIVIA_TEXTS["message"], BOB_TEXTS["message_to_olivia"]]) == []
    assert count_rows(app, Message) == 1
    assert count_rows(app, Idea, Idea.author_id == board.olivia) == 1
    assert count_rows(app, Comment, Comment.author_id == board.olivia) == 2
    assert count_rows(app, Offer, Offer.helper_id == board.olivia) == 1
    profile = f'<a href="/users/deleted-{board.olivia}">Deleted user</a>'
    idea_page = client.get(f"/ideas/{board.olivia_idea}")
    assert OLIVIA_TEXTS["idea_body"] in text_of(idea_page)
    assert profile in idea_page.get_data(as_text=True)
    assert profile in client.get(f"/ideas/{board.bob_idea}").get_data(as_text=True)  # her comment
    assert profile in client.get("/ideas").get_data(as_text=True)
    assert profile in client.get("/help").get_data(as_text=True)
    their_profile = client.get(f"/users/deleted-{board.olivia}")
    assert "<h1>Deleted user</h1>" in their_profile.get_data(as_text=True)
    assert OLIVIA_TEXTS["idea_title"] in text_of(their_profile)
    with app.app_context():
        bob_idea = db.session.get(Idea, board.bob_idea)
        assert bob_idea.supporters_count == 1 == len(bob_idea.supports)
        assert bob_idea.comments_count == 3 == len(bob_idea.comments)


def test_a_session_from_before_the_deletion_is_signed_out_at_its_next_request(app, board, auth):
    olivia = person(app, board.olivia)
    other_device = app.test_client()
    assert auth.login(OLIVIA["username"]).status_code == 302
    assert other_device.post("/login", data={"login": OLIVIA["email"], "password": PASSWORD,
                                             "remember": "y"}).status_code == 302
    assert other_device.get("/account").status_code == 200

    assert delete_account(auth.client).status_code == 302

    response = other_device.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert OLIVIA["email"] not in other_device.get("/").get_data(as_text=True)
    assert olivia.username not in text_of(other_device.get("/"))


def test_no_one_can_sign_in_as_a_deleted_person(client, auth, app, board):
    auth.sign_in(person(app, board.olivia))
    delete_account(client)
    auth.logout()

    for login in (OLIVIA["username"], OLIVIA["email"], f"deleted-{board.olivia}"):
        response = auth.login(login)
        assert response.status_code == 422, login
        assert client.get("/account").status_code == 302


def test_search_no_longer_finds_posts_removed_with_an_account(client, auth, app, board):
    assert f"/ideas/{board.olivia_idea}" in client.get("/search?q=zephyrine").get_data(as_text=True)
    auth.sign_in(person(app, board.olivia))

    delete_account(client, posts="remove")

    response = client.get("/search?q=zephyrine")
    assert response.status_code == 200
    assert "Nothing matches" in text_of(response)
    assert "Nothing matches" in text_of(client.get("/search?q=marmalade"))


# --- Admins: flask board erase-user ------------------------------------------------------------


@pytest.mark.parametrize("posts", ["remove", "keep"])
def test_an_admin_can_erase_someone_from_the_command_line(app, runner, board, posts):
    result = runner.invoke(args=["board", "erase-user", OLIVIA["username"], "--posts", posts])

    assert result.exit_code == 0, result.output
    assert f"Erased {OLIVIA['username']}" in result.output
    assert OLIVIA["email"] not in result.output
    assert where_found(app, PERSONAL) == []
    ideas_left = count_rows(app, Idea, Idea.author_id == board.olivia)
    assert ideas_left == (1 if posts == "keep" else 0)


def test_the_command_asks_what_to_do_with_the_posts_when_not_told(app, runner, board):
    result = runner.invoke(args=["board", "erase-user", OLIVIA["username"]], input="keep\n")

    assert result.exit_code == 0, result.output
    assert "Remove their posts, or keep them" in result.output
    assert person(app, board.olivia).erased_at is not None
    assert count_rows(app, Idea, Idea.author_id == board.olivia) == 1


def test_the_command_refuses_someone_who_is_not_there(app, runner, board):
    result = runner.invoke(args=["board", "erase-user", "nobody_here", "--posts", "remove"])

    assert result.exit_code != 0
    assert "There is nobody called nobody_here" in result.output
    assert person(app, board.olivia).erased_at is None


def test_erasing_a_short_name_leaves_words_that_merely_contain_it(app, runner, make_user):
    sam = make_user("sam", email="sam@private.example", display_name="Sam")
    ann = make_user("ann")
    with app.app_context():
        db.session.add_all([
            OutboxMessage(to_address="ann@example.org", subject="Samuel commented",
                          text_body="Samuel said the same.", html_body="<p>x</p>"),
            OutboxMessage(to_address="ann@example.org", subject="Sam commented",
                          text_body="Sam commented on your idea.", html_body="<p>x</p>"),
        ])
        report(db.session.get(User, sam.id), by=db.session.get(User, ann.id),
               reason="@sam wrote the same thing as Samuel.")
        db.session.commit()

    assert runner.invoke(args=["board", "erase-user", "sam", "--posts", "remove"]).exit_code == 0

    assert [o.subject for o in fetch_all(app, OutboxMessage)] == ["Samuel commented"]
    [kept] = fetch_all(app, Report)
    assert kept.reason == "Deleted user wrote the same thing as Samuel."
