"""Ideas that say the same, joined into one: proposed by the idea's author or staff,
agreed by the other idea's author (or decided by staff after the wait), and then one
idea with everyone's support, the other's address leading to it."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from sqlalchemy import select

from board.extensions import db
from board.models import DuplicateProposal, Idea, IdeaStatus, Role, Support, utcnow
from board.moderation.models import ModerationAction
from board.notifications.following import follow, unfollow
from board.notifications.models import Follow, Notification
from helpers import count_rows, fetch, field_error, signed_in, text_of


@pytest.fixture
def two(app, make_user, make_idea):
    """Ben's idea, which duplicates Amina's, each with its own author."""
    amina, ben = make_user("amina"), make_user("ben")
    target = make_idea(author=amina, title="Benches in Victoria Park")
    duplicate = make_idea(author=ben, title="Somewhere to sit in the park")
    return amina, ben, target, duplicate


def _support(app, user, idea):
    with app.app_context():
        db.session.get(Idea, idea.id).toggle_support(user)
        db.session.commit()


def _proposal(app) -> DuplicateProposal:
    with app.app_context():
        proposal = db.session.scalar(select(DuplicateProposal).order_by(DuplicateProposal.id.desc()))
        db.session.expunge(proposal)
        return proposal


def _propose(app, who, duplicate, target):
    return signed_in(app, who).post(f"/ideas/{duplicate.id}/duplicate", data={"target": str(target.id)})


def _age(app, proposal, days):
    with app.app_context():
        db.session.get(DuplicateProposal, proposal.id).created_at = utcnow() - timedelta(days=days)
        db.session.commit()


def _merged(app, two):
    amina, ben, target, duplicate = two
    _propose(app, ben, duplicate, target)
    response = signed_in(app, amina).post(f"/ideas/duplicates/{_proposal(app).id}/accept")
    assert response.status_code == 302
    return response


# --- Proposing -----------------------------------------------------------------------


def test_the_author_can_propose_that_their_idea_duplicates_another(app, two):
    amina, ben, target, duplicate = two
    response = _propose(app, ben, duplicate, target)
    assert response.status_code == 302
    proposal = _proposal(app)
    assert (proposal.idea_id, proposal.target_id, proposal.proposed_by_id) == (duplicate.id, target.id, ben.id)
    assert proposal.decided_at is None
    page = text_of(signed_in(app, ben).get(f"/ideas/{duplicate.id}"))
    assert "waiting for its author to answer" in page


def test_the_other_idea_can_be_named_by_its_address(app, two):
    amina, ben, target, duplicate = two
    signed_in(app, ben).post(f"/ideas/{duplicate.id}/duplicate",
                             data={"target": f"https://board.test/ideas/{target.id}?sort=new"})
    assert _proposal(app).target_id == target.id


def test_staff_can_propose_for_any_idea(app, make_user, two):
    amina, ben, target, duplicate = two
    moderator = make_user("mod", role=Role.MODERATOR)
    assert _propose(app, moderator, duplicate, target).status_code == 302
    assert _proposal(app).proposed_by_id == moderator.id


def test_someone_else_cannot_propose(app, make_user, two):
    amina, ben, target, duplicate = two
    response = _propose(app, make_user("carys"), duplicate, target)
    assert response.status_code == 403
    assert count_rows(app, DuplicateProposal) == 0
    # Nor is the form shown to them.
    assert "Propose joining them" not in text_of(signed_in(app, make_user("dai")).get(f"/ideas/{duplicate.id}"))


@pytest.mark.parametrize("named, message", [
    ("self", "An idea cannot duplicate itself"),
    ("999999", "There is no idea with that number or address"),
    ("hidden", "There is no idea with that number or address"),
    ("", "Enter the other idea's number or address"),
])
def test_a_proposal_names_another_visible_idea(app, make_idea, two, named, message):
    amina, ben, target, duplicate = two
    hidden = make_idea(title="Hidden")
    with app.app_context():
        db.session.get(Idea, hidden.id).hidden_at = utcnow()
        db.session.commit()
    value = {"self": str(duplicate.id), "hidden": str(hidden.id)}.get(named, named)
    response = signed_in(app, ben).post(f"/ideas/{duplicate.id}/duplicate", data={"target": value})
    assert response.status_code == 422
    assert message in field_error(response, "target")
    assert count_rows(app, DuplicateProposal) == 0


def test_an_idea_already_joined_cannot_be_proposed_or_be_a_target(app, make_idea, two):
    amina, ben, target, duplicate = two
    _merged(app, two)
    third = make_idea(author=ben, title="A third")
    response = _propose(app, ben, third, duplicate)
    assert "has itself joined another one" in field_error(response, "target")
    response = signed_in(app, ben).post(f"/ideas/{duplicate.id}/duplicate?stay=1",
                                        data={"target": str(third.id)})
    assert response.status_code in (409, 422)


# --- Deciding ------------------------------------------------------------------------


def test_the_target_s_author_sees_the_proposal_and_is_notified(app, two):
    amina, ben, target, duplicate = two
    _propose(app, ben, duplicate, target)
    client = signed_in(app, amina)
    notifications = text_of(client.get("/notifications"))
    assert "proposes that “Somewhere to sit in the park” joins your idea" in notifications
    page = client.get(f"/ideas/{target.id}")
    assert "Join it with this idea" in text_of(page)
    assert f'action="/ideas/duplicates/{_proposal(app).id}/accept"' in page.get_data(as_text=True)


def test_accepting_joins_the_ideas(app, two):
    amina, ben, target, duplicate = two
    response = _merged(app, two)
    assert response.headers["Location"] == f"/ideas/{target.id}"
    joined = fetch(app, Idea, duplicate.id)
    assert joined.status == IdeaStatus.DUPLICATE and joined.duplicate_of_id == target.id
    proposal = _proposal(app)
    assert proposal.decision == "accepted" and proposal.decided_by_id == amina.id


def test_declining_keeps_them_apart_and_is_logged(app, two):
    amina, ben, target, duplicate = two
    _propose(app, ben, duplicate, target)
    response = signed_in(app, amina).post(f"/ideas/duplicates/{_proposal(app).id}/decline")
    assert response.status_code == 302
    assert fetch(app, Idea, duplicate.id).status == IdeaStatus.NEW
    assert _proposal(app).decision == "declined"
    entry = fetch(app, ModerationAction, 1)
    assert (entry.action, entry.target_id, entry.moderator_id) == ("keep_apart", duplicate.id, amina.id)
    assert "kept apart by its author" in entry.reason
    assert "declined to join “Somewhere to sit in the park”" in text_of(signed_in(app, ben).get("/notifications"))


def test_nobody_else_can_decide(app, make_user, two):
    amina, ben, target, duplicate = two
    _propose(app, ben, duplicate, target)
    for who in (ben, make_user("carys")):
        response = signed_in(app, who).post(f"/ideas/duplicates/{_proposal(app).id}/accept")
        assert response.status_code == 403
    assert fetch(app, Idea, duplicate.id).duplicate_of_id is None


def test_staff_decide_alone_only_after_the_wait(app, make_user, two):
    amina, ben, target, duplicate = two
    moderator = make_user("mod", role=Role.MODERATOR)
    _propose(app, ben, duplicate, target)
    proposal = _proposal(app)
    staff = signed_in(app, moderator)
    _age(app, proposal, 13)
    assert staff.post(f"/ideas/duplicates/{proposal.id}/accept").status_code == 403
    assert "Staff may decide alone 14 days after" in text_of(staff.get(f"/ideas/{target.id}"))
    _age(app, proposal, 14)
    assert staff.post(f"/ideas/duplicates/{proposal.id}/accept").status_code == 302
    assert fetch(app, Idea, duplicate.id).duplicate_of_id == target.id
    entry = fetch(app, ModerationAction, 1)
    assert (entry.action, entry.moderator_id, entry.target_id) == ("merge", moderator.id, duplicate.id)
    assert "joined by staff" in entry.reason


def test_a_proposal_is_answered_once(app, two):
    amina, ben, target, duplicate = two
    _merged(app, two)
    response = signed_in(app, amina).post(f"/ideas/duplicates/{_proposal(app).id}/decline")
    assert response.status_code == 409


# --- What joining does ------------------------------------------------------------------


def test_supporters_are_counted_once(app, make_user, two):
    amina, ben, target, duplicate = two
    both, only_duplicate, only_target = make_user(), make_user(), make_user()
    for person in (both, only_duplicate):
        _support(app, person, duplicate)
    for person in (both, only_target):
        _support(app, person, target)
    _merged(app, two)
    assert count_rows(app, Support, Support.idea_id == target.id) == 3
    joined = fetch(app, Idea, target.id)
    assert joined.supporters_count == 3
    assert joined.last_supported_at is not None
    assert "3 supporters" in text_of(signed_in(app, amina).get(f"/ideas/{target.id}"))


def test_followers_follow_the_idea_it_joined(app, make_user, two):
    amina, ben, target, duplicate = two
    follower, stopped = make_user(), make_user()
    with app.app_context():
        follow(follower, db.session.get(Idea, duplicate.id))
        follow(stopped, db.session.get(Idea, duplicate.id))
        unfollow(stopped, db.session.get(Idea, target.id))  # chose not to follow the target
        db.session.commit()
    _merged(app, two)
    following = {follower.id: None, ben.id: None}
    for person_id in following:
        assert count_rows(app, Follow, Follow.user_id == person_id, Follow.idea_id == target.id,
                          Follow.stopped_at.is_(None)) == 1
    assert count_rows(app, Follow, Follow.user_id == stopped.id, Follow.idea_id == target.id,
                      Follow.stopped_at.is_(None)) == 0


def test_the_duplicate_s_address_leads_to_the_idea_it_joined(app, client, two):
    amina, ben, target, duplicate = two
    _merged(app, two)
    response = client.get(f"/ideas/{duplicate.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{target.id}"


def test_the_duplicate_s_comments_stay_readable(app, client, make_comment, two):
    amina, ben, target, duplicate = two
    make_comment(duplicate, body="I would sit there every day.")
    _merged(app, two)
    target_page = client.get(f"/ideas/{target.id}")
    assert f'href="/ideas/{duplicate.id}?stay=1"' in target_page.get_data(as_text=True)
    page = client.get(f"/ideas/{duplicate.id}?stay=1")
    assert page.status_code == 200
    words = text_of(page)
    assert "Joined idea Benches in Victoria Park" in words
    assert "I would sit there every day." in words
    assert "Support this idea" not in words


def test_a_joined_idea_takes_no_more_supports_or_comments(app, make_user, two):
    amina, ben, target, duplicate = two
    _merged(app, two)
    someone = signed_in(app, make_user())
    assert someone.post(f"/ideas/{duplicate.id}/support").status_code == 409
    someone.post(f"/ideas/{duplicate.id}/comments", data={"comment": "Hello"})
    assert fetch(app, Idea, duplicate.id).comments_count == 0


def test_everyone_involved_is_told(app, make_user, two):
    amina, ben, target, duplicate = two
    moderator = make_user("mod", role=Role.MODERATOR)
    supporter = make_user("sian")
    _support(app, supporter, duplicate)
    _propose(app, moderator, duplicate, target)
    proposal = _proposal(app)
    _age(app, proposal, 15)
    signed_in(app, moderator).post(f"/ideas/duplicates/{proposal.id}/accept")
    with app.app_context():
        told = set(db.session.scalars(select(Notification.recipient_id).join(Notification.event)
                                      .where(Notification.event.has(kind="duplicate_merged"))))
    assert told == {amina.id, ben.id, supporter.id}  # the proposer decided: not told of it
    page = text_of(signed_in(app, supporter).get("/notifications"))
    assert "“Somewhere to sit in the park” has joined another idea" in page


def test_the_merge_is_in_the_moderation_log(app, make_user, two):
    amina, ben, target, duplicate = two
    _merged(app, two)
    moderator = signed_in(app, make_user("mod", role=Role.MODERATOR))
    log = text_of(moderator.get("/moderation/log"))
    assert "Joined the idea with another Somewhere to sit in the park" in log
    assert "joined by its author" in log


def test_the_api_and_the_feed_say_what_it_duplicates(app, client, two):
    amina, ben, target, duplicate = two
    _merged(app, two)
    data = client.get(f"/api/v1/ideas/{duplicate.id}").json
    assert data["status"] == "duplicate"
    assert data["duplicate_of"]["id"] == target.id
    assert data["duplicate_of"]["url"].endswith(f"/ideas/{target.id}")
    listed = {item["id"]: item for item in client.get("/api/v1/ideas").json["data"]}
    assert listed[target.id]["duplicate_of"] is None
    feed = feedparser.parse(client.get("/ideas.atom").get_data())
    entry = next(e for e in feed.entries if e.title == duplicate.title)
    assert f'Joined idea <a href="http://localhost/ideas/{target.id}">' in entry.content[0].value


def test_the_status_filter_lists_joined_ideas(app, client, two):
    amina, ben, target, duplicate = two
    _merged(app, two)
    words = text_of(client.get("/ideas?status=duplicate"))
    assert "Somewhere to sit in the park" in words and "Benches in Victoria Park" not in words
    assert [item["id"] for item in client.get("/api/v1/ideas?status=duplicate").json["data"]] == [duplicate.id]


def test_a_notification_about_a_comment_on_a_joined_idea_still_leads_to_the_comment(app, make_comment, two):
    amina, ben, target, duplicate = two
    comment = make_comment(duplicate, body="Lovely idea.")
    _merged(app, two)
    reader = signed_in(app, ben)
    assert f'href="/comments/{comment.id}"' in reader.get("/notifications").get_data(as_text=True)
    link = reader.get(f"/comments/{comment.id}").headers["Location"]
    assert link == f"/ideas/{duplicate.id}?stay=1#comment-{comment.id}"
    assert f'id="comment-{comment.id}"' in reader.get(link.split("#")[0]).get_data(as_text=True)


def test_a_search_result_for_a_comment_on_a_joined_idea_leads_to_the_comment(app, client, make_comment, two):
    amina, ben, target, duplicate = two
    comment = make_comment(duplicate, body="A bench facing the pond, please.")
    _merged(app, two)
    html = client.get("/search?q=pond&kind=comment").get_data(as_text=True)
    link = f"/ideas/{duplicate.id}?stay=1#comment-{comment.id}"
    assert f'href="{link}"' in html
    page = client.get(link.split("#")[0])
    assert page.status_code == 200
    assert f'id="comment-{comment.id}"' in page.get_data(as_text=True)


def test_staff_answer_the_idea_joined_not_the_duplicate(app, make_user, two):
    amina, ben, target, duplicate = two
    _merged(app, two)
    staff = signed_in(app, make_user("mod", role=Role.MODERATOR))
    assert "Answer this idea officially" not in text_of(staff.get(f"/ideas/{duplicate.id}?stay=1"))
    response = staff.post(f"/ideas/{duplicate.id}/status", data={"status": "done", "response": "Done."})
    assert response.status_code == 409
    assert fetch(app, Idea, duplicate.id).status == IdeaStatus.DUPLICATE


def test_deleting_the_idea_it_joined_makes_it_an_idea_of_its_own_again(app, client, make_user, two):
    amina, ben, target, duplicate = two
    supporter = make_user()
    _support(app, supporter, duplicate)
    _merged(app, two)
    signed_in(app, amina).post(f"/ideas/{target.id}/delete")
    again = fetch(app, Idea, duplicate.id)
    assert (again.status, again.duplicate_of_id, again.supporters_count) == (IdeaStatus.NEW, None, 1)
    assert client.get(f"/ideas/{duplicate.id}").status_code == 200


def test_an_author_who_leaves_takes_their_ideas_but_not_those_joined_with_them(app, two):
    amina, ben, target, duplicate = two
    _merged(app, two)
    with app.app_context():
        from board.models import User
        from board.people.own_data import erase

        erase(db.session.get(User, amina.id), keep_posts=False)
        db.session.commit()
    again = fetch(app, Idea, duplicate.id)
    assert (again.status, again.duplicate_of_id) == (IdeaStatus.NEW, None)
