"""Following ideas and help requests, and the notifications people get about them."""

from __future__ import annotations

import re

from sqlalchemy import select

from board.extensions import db
from board.models import Idea, User
from board.notifications.models import Category, Follow, Notification
from helpers import count_queries, count_rows, fetch, text_of


def notifications_of(app, user) -> list[Notification]:
    with app.app_context():
        rows = db.session.scalars(
            select(Notification).where(Notification.recipient_id == user.id).order_by(Notification.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def follows(app, user, thing) -> bool:
    column = Follow.idea_id if isinstance(thing, Idea) else Follow.help_request_id
    with app.app_context():
        row = db.session.scalar(select(Follow).where(Follow.user_id == user.id, column == thing.id))
        return row is not None and row.stopped_at is None


# --- Following ---------------------------------------------------------------------


def test_people_follow_what_they_post_support_comment_on_and_offer_on(
    app, client, auth, make_user, make_idea, make_help_request, make_comment, make_offer
):
    author, supporter, commenter, helper = (make_user() for _ in range(4))
    idea = make_idea(author=author)
    help_request = make_help_request(author=author)
    auth.sign_in(supporter)
    client.post(f"/ideas/{idea.id}/support")
    make_comment(on=idea, author=commenter)
    make_offer(help_request, helper=helper)
    assert follows(app, author, idea) and follows(app, author, help_request)
    assert follows(app, supporter, idea)
    assert follows(app, commenter, idea)
    assert follows(app, helper, help_request)
    assert not follows(app, helper, idea)


def test_the_follow_button_follows_and_unfollows(app, client, auth, make_user, make_idea):
    idea = make_idea()
    reader = make_user()
    auth.sign_in(reader)
    page = client.get(f"/ideas/{idea.id}")
    assert "Follow this idea" in text_of(page)
    response = client.post(f"/ideas/{idea.id}/follow", data={"follow": "1"})
    assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{idea.id}"
    assert follows(app, reader, idea)
    assert "You follow this idea. Unfollow this idea" in text_of(client.get(f"/ideas/{idea.id}"))
    client.post(f"/ideas/{idea.id}/follow", data={"follow": "0"})
    assert not follows(app, reader, idea)


def test_a_help_request_page_says_whether_the_reader_follows_it(
    app, client, auth, make_user, make_help_request
):
    help_request = make_help_request()
    reader = make_user()
    auth.sign_in(reader)
    assert "You follow this help request." not in text_of(client.get(f"/help/{help_request.id}"))
    client.post(f"/help/{help_request.id}/follow", data={"follow": "1"})
    assert "You follow this help request. Unfollow this help request" in text_of(
        client.get(f"/help/{help_request.id}"))
    client.post(f"/help/{help_request.id}/follow", data={"follow": "0"})
    page = text_of(client.get(f"/help/{help_request.id}"))
    assert "You follow this help request." not in page and "Follow this help request" in page
    # Another person's following is theirs alone.
    client.post(f"/help/{help_request.id}/follow", data={"follow": "1"})
    auth.sign_in(make_user())
    assert "You follow this help request." not in text_of(client.get(f"/help/{help_request.id}"))


def test_an_explicit_unfollow_is_not_undone_by_taking_part_again(
    app, client, auth, make_user, make_idea, make_comment
):
    idea = make_idea()
    commenter = make_user()
    make_comment(on=idea, author=commenter)
    auth.sign_in(commenter)
    client.post(f"/ideas/{idea.id}/follow", data={"follow": "0"})
    make_comment(on=idea, author=commenter, body="One more thing.")
    assert not follows(app, commenter, idea)
    make_comment(on=idea, body="Someone else speaks.")
    assert notifications_of(app, commenter) == []


def test_following_needs_sign_in_and_a_visible_thing(app, client, auth, make_user, make_help_request):
    help_request = make_help_request()
    response = client.post(f"/help/{help_request.id}/follow", data={"follow": "1"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    auth.sign_in(make_user())
    assert client.post("/help/999999/follow", data={"follow": "1"}).status_code == 404
    assert client.post(f"/help/{help_request.id}/follow", data={"follow": "1"}).status_code == 302


# --- Who is told --------------------------------------------------------------------


def test_a_comment_tells_the_author_and_followers_but_not_the_commenter(
    app, make_user, make_idea, make_comment
):
    author, follower, commenter, stranger = (make_user() for _ in range(4))
    idea = make_idea(author=author)
    make_comment(on=idea, author=follower)
    make_comment(on=idea, author=commenter, body="Great idea")
    assert [n.category for n in notifications_of(app, author)] == [Category.MINE, Category.MINE]
    assert [n.category for n in notifications_of(app, follower)] == [Category.FOLLOWING]
    assert notifications_of(app, commenter) == []
    assert notifications_of(app, stranger) == []


def test_a_comment_that_is_rolled_back_takes_its_notifications_and_follows_with_it(
    app, make_user, make_idea
):
    author, commenter = make_user(), make_user()
    idea = make_idea(author=author)
    with app.app_context():
        db.session.get(Idea, idea.id).add_comment(db.session.get(User, commenter.id), "Count me in.")
        db.session.rollback()
    assert notifications_of(app, author) == []
    assert fetch(app, User, author.id).unread_notifications == 0
    assert not follows(app, commenter, idea)


def test_offers_and_answers_tell_the_right_people(
    app, client, auth, make_user, make_help_request, make_offer
):
    requester, helper, other_helper = make_user(), make_user(), make_user()
    help_request = make_help_request(author=requester)
    offer = make_offer(help_request, helper=helper)
    declined = make_offer(help_request, helper=other_helper)
    assert len(notifications_of(app, requester)) == 2
    auth.sign_in(requester)
    client.post(f"/help/{help_request.id}/offers/{offer.id}/accept")
    client.post(f"/help/{help_request.id}/offers/{declined.id}/decline")
    helper_heard = [n.category for n in notifications_of(app, helper)]
    # Told of the other offer (they follow the request), of their acceptance (theirs),
    # and not of the other helper being declined (nobody else's business).
    assert helper_heard == [Category.FOLLOWING, Category.MINE]
    assert [n.category for n in notifications_of(app, other_helper)] == [Category.FOLLOWING, Category.MINE]
    assert len(notifications_of(app, requester)) == 2  # nothing for their own answers


def test_an_official_answer_tells_the_author_and_supporters(
    app, client, auth, make_user, make_idea
):
    author, supporter = make_user(), make_user()
    staff = make_user(role="moderator")
    idea = make_idea(author=author)
    auth.sign_in(supporter)
    client.post(f"/ideas/{idea.id}/support")
    auth.sign_in(staff)
    client.post(f"/ideas/{idea.id}/status", data={"status": "in_progress", "response": "On it."})
    assert [n.category for n in notifications_of(app, author)] == [Category.MINE]
    assert [n.category for n in notifications_of(app, supporter)] == [Category.FOLLOWING]
    auth.sign_in(supporter)
    page = text_of(client.get("/notifications"))
    assert f"answered “{idea.title}” officially: In progress" in page


def test_a_help_request_on_an_idea_tells_the_ideas_followers(
    app, make_user, make_idea, make_help_request, make_comment
):
    author, follower = make_user(), make_user()
    idea = make_idea(author=author)
    make_comment(on=idea, author=follower)
    make_help_request(author=author, idea=idea, skills=("paint",))
    assert [n.category for n in notifications_of(app, follower)] == [Category.FOLLOWING]


def test_suspended_people_are_not_told(app, make_user, make_idea, make_comment):
    from board.models import utcnow

    author = make_user(suspended_at=utcnow())
    idea = make_idea(author=author)
    make_comment(on=idea)
    assert notifications_of(app, author) == []


# --- The notifications page ------------------------------------------------------------


def test_notifications_page_lists_newest_first_with_links(
    app, client, auth, make_user, make_idea, make_comment
):
    author = make_user()
    amina = make_user(display_name="Amina")
    ben = make_user(display_name="Ben")
    idea = make_idea(author=author, title="Community fridge")
    first = make_comment(on=idea, author=amina)
    second = make_comment(on=idea, author=ben)
    auth.sign_in(author)
    response = client.get("/notifications")
    html = response.get_data(as_text=True)
    page = text_of(response)
    assert response.status_code == 200
    assert page.index("Ben commented on “Community fridge”") < page.index("Amina commented on “Community fridge”")
    # Each to the comment's own address, which leads to it in its discussion.
    assert f'href="/comments/{second.id}"' in html
    assert f'href="/comments/{first.id}"' in html
    assert client.get(f"/comments/{first.id}").headers["Location"] == f"/ideas/{idea.id}#comment-{first.id}"


def test_the_header_shows_the_unread_count_and_marking_read_lowers_it(
    app, client, auth, make_user, make_idea, make_comment
):
    author = make_user()
    idea = make_idea(author=author)
    for _ in range(3):
        make_comment(on=idea)
    auth.sign_in(author)
    assert "Notifications 3 unread" in text_of(client.get("/"))
    first = notifications_of(app, author)[0]
    response = client.post(f"/notifications/{first.id}/read")
    assert response.status_code == 302
    assert "Notifications 2 unread" in text_of(client.get("/"))
    assert fetch(app, Notification, first.id).read_at is not None
    client.post("/notifications/read")
    assert "unread" not in text_of(client.get("/"))
    assert all(n.read_at for n in notifications_of(app, author))
    assert fetch(app, User, author.id).unread_notifications == 0


def test_each_unread_notification_has_a_button_that_marks_it_read_and_comes_back(
    app, client, auth, make_user, make_idea, make_comment
):
    author = make_user()
    idea = make_idea(author=author)
    for _ in range(22):
        make_comment(on=idea)
    auth.sign_in(author)
    newest_first = [n.id for n in reversed(notifications_of(app, author))]

    first_page = client.get("/notifications").get_data(as_text=True)
    second_page = client.get("/notifications?page=2").get_data(as_text=True)

    buttons = re.findall(r'<form method="post" action="/notifications/(\d+)/read(\?page=2)?" class="inline-form">\n'
                         r'  <input type="hidden" name="csrf_token" value="[^"]+">\n'
                         r'  <button type="submit" class="button button--secondary" '
                         r'aria-label="Mark as read: ([^"]+)">Mark as read</button>', first_page + second_page)
    assert [int(found[0]) for found in buttons] == newest_first
    assert [bool(found[1]) for found in buttons] == [False] * 20 + [True] * 2
    assert all(f"commented on “{idea.title}”" in found[2] for found in buttons)
    assert first_page.count("notification--unread") == 20


def test_nobody_marks_anothers_notifications_read(app, client, auth, make_user, make_idea, make_comment):
    author = make_user()
    make_comment(on=make_idea(author=author))
    notification = notifications_of(app, author)[0]
    auth.sign_in(make_user())
    assert client.post(f"/notifications/{notification.id}/read").status_code == 404
    assert fetch(app, Notification, notification.id).read_at is None
    assert client.get(f"/notifications/{notification.id}/read").status_code == 405


def test_notifications_need_sign_in(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.post("/notifications/read").status_code == 302


def test_notifications_are_paginated(app, client, auth, make_user, make_idea, make_comment):
    app.config["PER_PAGE"] = 5
    author = make_user()
    idea = make_idea(author=author)
    for i in range(7):
        make_comment(on=idea, author=make_user(display_name=f"Neighbour {i}"))
    auth.sign_in(author)
    first = text_of(client.get("/notifications"))
    second = text_of(client.get("/notifications?page=2"))
    assert "Neighbour 6 commented" in first and "Neighbour 1 commented" not in first
    assert "Neighbour 1 commented" in second and "Neighbour 0 commented" in second


def test_notifications_page_makes_the_same_queries_for_1_or_40(
    app, client, auth, make_user, make_idea, make_help_request, make_comment, make_offer
):
    author = make_user()
    idea = make_idea(author=author)
    help_request = make_help_request(author=author)
    make_comment(on=idea)
    auth.sign_in(author)
    client.get("/notifications")
    with count_queries(app) as one:
        client.get("/notifications")
    for _ in range(20):
        make_comment(on=idea)
        make_offer(help_request)
    with count_queries(app) as many:
        response = client.get("/notifications")
    assert response.status_code == 200
    assert len(many) == len(one) <= 3


def test_hidden_posts_are_not_named_in_notifications(
    app, client, auth, make_user, make_idea, make_comment
):
    from board.models import utcnow

    author = make_user()
    idea = make_idea(author=author, title="Something rude")
    make_comment(on=idea)
    with app.app_context():
        db.session.get(Idea, idea.id).hidden_at = utcnow()
        db.session.commit()
    auth.sign_in(author)
    page = text_of(client.get("/notifications"))
    assert "Something rude" not in page
    assert "a post removed by a moderator" in page


def test_deleting_a_post_removes_its_notifications(
    app, client, auth, make_user, make_help_request, make_offer
):
    author = make_user()
    help_request = make_help_request(author=author)
    make_offer(help_request)
    auth.sign_in(author)
    client.post(f"/help/{help_request.id}/delete")
    assert count_rows(app, Notification) == 0
    assert client.get("/notifications").status_code == 200


def test_the_dashboard_shows_the_latest_notifications(
    app, client, auth, make_user, make_idea, make_comment
):
    author = make_user()
    idea = make_idea(author=author, title="Street party")
    make_comment(on=idea, author=make_user(display_name="Priya"))
    auth.sign_in(author)
    page = text_of(client.get("/dashboard"))
    assert "Latest for you New Priya commented on “Street party”" in page
    client.post("/notifications/read")
    assert "New Priya" not in text_of(client.get("/dashboard"))


# --- Email choices -----------------------------------------------------------------


def test_email_choices_have_sensible_defaults_and_can_be_changed(app, client, auth, make_user):
    from board.notifications.models import EmailChoice

    person = make_user()
    auth.sign_in(person)
    response = client.get("/account/notifications")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="mine" name="mine" value="immediately" checked' in html
    assert 'name="matches" value="daily" checked' in html
    assert "This board does not send email at the moment" in text_of(response)
    response = client.post("/account/notifications", data={
        "mine": "daily", "invitations": "immediately", "matches": "never", "following": "weekly",
    })
    assert response.status_code == 302
    with app.app_context():
        chosen = dict(db.session.execute(
            select(EmailChoice.category, EmailChoice.frequency).where(EmailChoice.user_id == person.id)
        ).all())
    assert chosen == {"mine": "daily", "invitations": "immediately", "matches": "never",
                      "following": "weekly"}


def test_a_question_left_unanswered_is_named_once_in_the_summary_and_once_beside_it(
    client, auth, make_user
):
    auth.sign_in(make_user())
    response = client.post("/account/notifications", data={
        "invitations": "immediately", "matches": "never", "following": "weekly",
    })
    assert response.status_code == 422
    assert text_of(response).count("Choose how often to hear about this.") == 2


def test_an_email_choice_that_is_not_offered_gets_a_message(client, auth, make_user):
    auth.sign_in(make_user())
    response = client.post("/account/notifications", data={
        "mine": "hourly", "invitations": "immediately", "matches": "never", "following": "weekly",
    })
    assert response.status_code == 422
    assert "Choose how often to hear about this." in text_of(response)
    assert "Not a valid choice" not in text_of(response)


def test_deleting_a_post_puts_the_unread_counts_right(
    app, client, auth, make_user, make_idea, make_comment
):
    author, follower = make_user(), make_user()
    idea = make_idea(author=author)
    make_comment(on=idea, author=follower)  # the author is told
    comment = make_comment(on=idea, author=author, body="Thanks")  # the follower is told
    assert fetch(app, User, follower.id).unread_notifications == 1
    auth.sign_in(author)
    client.post(f"/comments/{comment.id}/delete")
    assert fetch(app, User, follower.id).unread_notifications == 0
    assert fetch(app, User, author.id).unread_notifications == 1
    client.post(f"/ideas/{idea.id}/delete")
    assert fetch(app, User, author.id).unread_notifications == 0
    assert "unread" not in text_of(client.get("/"))
