"""Operator commands: `flask --app app board ...`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import func, select

from board.extensions import db
from board.models import Comment, HelpRequest, HelpStatus, Idea, Offer, OfferStatus, Support, User
from helpers import text_of

ROOT = Path(__file__).resolve().parent.parent


def count(model_column):
    return db.session.scalar(select(func.count(model_column)))


def test_demo_fills_an_empty_board_with_believable_content(app, runner, client):
    result = runner.invoke(args=["board", "demo"])
    assert result.exit_code == 0, result.output
    assert "Demo board ready" in result.output
    with app.app_context():
        assert count(User.id) >= 6
        assert count(Idea.id) >= 6
        assert count(HelpRequest.id) >= 5
        assert count(Comment.id) >= 6
        assert count(Support.user_id) >= 10
        assert db.session.scalar(
            select(func.count(Offer.id)).where(Offer.status == OfferStatus.ACCEPTED)
        ) >= 2
        assert db.session.scalar(
            select(func.count(HelpRequest.id)).where(HelpRequest.status == HelpStatus.MATCHED)
        ) >= 1
        # Counters on the rows agree with a recount.
        for idea in db.session.scalars(select(Idea)):
            assert idea.supporters_count == len(idea.supports)
            assert idea.comments_count == len(idea.comments)
    page = client.get("/")
    assert page.status_code == 200
    assert "tool library" in page.get_data(as_text=True)


def test_demo_people_can_sign_in(app, runner, auth):
    runner.invoke(args=["board", "demo", "--password", "let-me-in-please"])
    response = auth.login("amina", "let-me-in-please")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"


def test_demo_refuses_a_board_that_already_has_ideas(runner, make_idea):
    make_idea()
    result = runner.invoke(args=["board", "demo"])
    assert result.exit_code != 0
    assert "already has ideas" in result.output


def test_check_says_where_the_data_lives(runner, make_idea):
    make_idea()
    result = runner.invoke(args=["board", "check"])
    assert result.exit_code == 0
    assert "board.db" in result.output and "Ideas: 1" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_start_migrates_a_new_database_and_serves_the_board_with_gunicorn(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    env.pop("DATABASE_URL", None)  # the default: a file in the instance folder
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "board", "start"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.1)
        assert body is not None, "the board did not start"
        assert "ideas and help for our area" in body
        assert (tmp_path / "instance" / "simpl.db").exists()
        assert (tmp_path / "instance" / "secret_key").exists()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    assert "gunicorn" in output.lower() or "Booting worker" in output


def test_generate_makes_a_board_of_the_asked_size_whose_counters_match_a_recount(app, runner, client):
    result = runner.invoke(args=[
        "board", "generate", "--people", "60", "--ideas", "300", "--help-requests", "50",
        "--comments", "900", "--supports", "1500",
    ])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert count(User.id) == 60
        assert count(Idea.id) == 300
        assert count(HelpRequest.id) == 50
        assert count(Comment.id) == 900
        assert count(Support.user_id) == 1500
        recounted = db.session.execute(
            select(Idea.id, Idea.supporters_count, Idea.comments_count,
                   select(func.count()).where(Support.idea_id == Idea.id).scalar_subquery(),
                   select(func.count()).where(Comment.idea_id == Idea.id).scalar_subquery())
        ).all()
        assert all(row[1] == row[3] and row[2] == row[4] for row in recounted)
        offers = db.session.execute(
            select(HelpRequest.offers_count,
                   select(func.count()).where(Offer.help_request_id == HelpRequest.id).scalar_subquery())
        ).all()
        assert all(stored == actual for stored, actual in offers)
        # Every accepted offer's request is matched or closed, never open.
        assert not db.session.scalar(
            select(func.count(Offer.id)).join(Offer.help_request)
            .where(Offer.status == OfferStatus.ACCEPTED, HelpRequest.status == HelpStatus.OPEN)
        )
    for page in ("/", "/ideas", "/ideas?sort=popular&page=5", "/ideas/1", "/help", "/help/1",
                 "/users/neighbour1"):
        assert client.get(page).status_code == 200, page


def test_generated_people_can_sign_in(runner, auth):
    runner.invoke(args=["board", "generate", "--people", "5", "--ideas", "5", "--help-requests", "2",
                        "--comments", "5", "--supports", "5"])
    assert auth.login("neighbour3", "generated-password").headers["Location"] == "/dashboard"


def test_generate_refuses_a_board_with_people_on_it(runner, make_user):
    make_user()
    result = runner.invoke(args=["board", "generate", "--people", "5"])
    assert result.exit_code != 0 and "already has people" in result.output


def test_the_demo_shows_matching_at_work(app, runner, client, auth):
    from board.help.models import Invitation, Message
    from board.notifications.models import Category, Follow, Notification

    assert runner.invoke(args=["board", "demo"]).exit_code == 0
    with app.app_context():
        assert count(Follow.id) >= 20
        assert db.session.scalar(
            select(func.count(Notification.id)).where(Notification.category == Category.MATCHES)
        ) >= 3
        assert count(Invitation.id) >= 1 and count(Message.id) >= 2
        sam = db.session.scalar(select(User).where(User.username == "sam"))
        db.session.expunge(sam)
    auth.sign_in(sam)
    dashboard = text_of(client.get("/dashboard"))
    assert "Requests you could help with Volunteers to help with maths homework" in dashboard
    assert "asks if you could help with “Volunteers to help with maths homework”" in text_of(
        client.get("/notifications"))
