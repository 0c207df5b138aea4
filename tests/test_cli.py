"""Operator commands: `flask --app app board ...`."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
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


def test_check_says_where_the_data_lives(app, runner, make_idea):
    make_idea()
    result = runner.invoke(args=["board", "check"])
    assert result.exit_code == 0
    database = app.config["SQLALCHEMY_DATABASE_URI"].rsplit("/", 1)[-1]
    assert database in result.output and "Ideas: 1" in result.output


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
        # Browsers open connections ahead of time and may send nothing on them: the
        # board's one worker still answers the next person at once.
        silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10) as response:
                assert response.status == 200
        finally:
            for connection in silent:
                connection.close()
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


# --- Operator commands on a board that has never been started ---------------------


def _board(instance: Path, *args: str, **env_overrides: str) -> subprocess.CompletedProcess:
    """`flask --app app board ...` in a folder of its own, as an operator runs it."""
    env = {**os.environ, "INSTANCE_PATH": str(instance), "MAIL_SERVER": "", **env_overrides}
    if "DATABASE_URL" not in env_overrides:
        env.pop("DATABASE_URL", None)  # the default: a file in the instance folder
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "board", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def _tables(database: Path) -> set[str]:
    import sqlite3

    with sqlite3.connect(database) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}


def test_check_on_a_board_never_started_creates_no_database_and_names_the_command_to_run(tmp_path):
    result = _board(tmp_path / "instance", "check")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "never been started" in result.stderr
    assert ".venv/bin/flask --app app board start" in result.stderr
    assert not (tmp_path / "instance" / "simpl.db").exists()


@pytest.mark.parametrize("args, says", [
    (("demo",), "Demo board ready"),
    (("create-admin", "first_admin", "--email", "admin@example.org", "--password", "long enough"),
     "Created first_admin an admin."),
    (("set-role", "nobody", "moderator"), "There is nobody called nobody on this board."),
    (("erase-user", "nobody", "--posts", "keep"), "There is nobody called nobody on this board."),
    (("generate", "--people", "3", "--ideas", "3", "--help-requests", "1", "--comments", "3",
      "--supports", "3"), "Board generated"),
    (("send-mail",), "Email is off"),
    (("send-digests",), "Digests written: 0."),
])
def test_every_operator_command_works_on_a_board_never_started(tmp_path, args, says):
    result = _board(tmp_path / "instance", *args)
    assert "Traceback" not in result.stderr, result.stderr
    assert says in result.stdout + result.stderr
    assert "users" in _tables(tmp_path / "instance" / "simpl.db")
    check = _board(tmp_path / "instance", "check")
    assert check.returncode == 0, check.stderr
    assert re.search(r"^Migrations: \S+, the latest$", check.stdout, re.M)


def test_send_mail_on_a_board_never_started_sends_nothing_through_a_real_server(tmp_path, smtp_server):
    result = _board(tmp_path / "instance", "send-mail", MAIL_SERVER="127.0.0.1",
                    MAIL_PORT=str(smtp_server.port))
    assert result.returncode == 0, result.stderr
    assert "Sent 0 email(s)." in result.stdout


@pytest.mark.engine("postgresql")
def test_check_on_postgresql_says_so_and_finds_its_search_index(tmp_path, empty_database_url):
    database = {"DATABASE_URL": empty_database_url, "SECRET_KEY": "the same on every server"}
    assert _board(tmp_path, "demo", **database).returncode == 0
    result = _board(tmp_path, "check", RATELIMIT_STORAGE_URI="redis://:s3cret@127.0.0.1:6379/0", **database)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("Database: postgresql+psycopg://") and line.endswith("(postgresql)")
               for line in lines)
    assert any(re.fullmatch(r"Migrations: \S+, the latest", line) for line in lines)
    assert "Search index: installed (PostgreSQL full-text search)" in lines
    assert "Rate limits kept in: redis://:***@127.0.0.1:6379/0" in lines
    assert "People: 9" in lines
    assert "s3cret" not in result.stdout + result.stderr


def test_check_tells_an_operator_what_the_board_relies_on_and_hides_passwords(tmp_path):
    instance = tmp_path / "instance"
    assert _board(instance, "demo").returncode == 0
    result = _board(instance, "check", RATELIMIT_STORAGE_URI="memory://limits:hunter2@localhost",
                    MAIL_SERVER="127.0.0.1", MAIL_PORT="2525")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"Database: sqlite:///{instance / 'simpl.db'} (sqlite)" in lines
    assert any(re.fullmatch(r"Migrations: \S+, the latest", line) for line in lines)
    assert "Search index: installed (SQLite FTS5)" in lines
    assert "Rate limits kept in: memory://limits:***@localhost" in lines
    assert "Email: on, through 127.0.0.1:2525" in lines
    assert "Outbox: 0 email(s) waiting" in lines
    assert "People: 9" in lines
    assert "hunter2" not in result.stdout + result.stderr


def test_check_says_when_the_database_is_behind_the_code_and_any_command_brings_it_up(tmp_path):
    instance = tmp_path / "instance"
    assert _board(instance, "demo").returncode == 0
    env = {**os.environ, "INSTANCE_PATH": str(instance)}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "downgrade", "--", "-1"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    behind = _board(instance, "check")
    assert behind.returncode != 0
    assert re.search(r"^Migrations: \S+, but the latest is \S+$", behind.stdout, re.M)
    assert "board start" in behind.stderr
    assert _board(instance, "set-role", "amina", "moderator").returncode == 0
    assert re.search(r"^Migrations: \S+, the latest$", _board(instance, "check").stdout, re.M)


def test_check_on_an_empty_database_file_says_so_in_one_line(tmp_path):
    (tmp_path / "empty.db").touch()
    result = _board(tmp_path / "instance", "check", DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Error: The database has no tables yet. Start the board once with: "
        ".venv/bin/flask --app app board start"
    ]


def test_commands_on_an_unreachable_database_say_so_in_one_line_and_hide_the_password(tmp_path):
    nowhere = f"postgresql://simpl:hunter2@127.0.0.1:{_free_port()}/simpl"
    for args in (("check",), ("demo",), ("set-role", "amina", "admin")):
        result = _board(tmp_path / "instance", *args, DATABASE_URL=nowhere, SECRET_KEY="shared")
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        error = result.stderr.strip().splitlines()
        assert len(error) == 1 and "Connection refused" in error[0], result.stderr
        assert "hunter2" not in result.stdout + result.stderr


def test_a_command_on_a_database_in_a_missing_folder_says_so_in_one_line(tmp_path):
    result = _board(tmp_path / "instance", "demo",
                    DATABASE_URL=f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'simpl.db'}")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: Cannot bring the database up to date")


def test_two_boards_started_by_one_person_each_keep_their_own_control_socket(tmp_path):
    import stat

    home = tmp_path / "home"
    home.mkdir()
    servers = {}
    for name in ("a", "b"):
        port = _free_port()
        env = {**os.environ, "INSTANCE_PATH": str(tmp_path / name), "PORT": str(port),
               "WEB_CONCURRENCY": "1", "HOME": str(home), "MAIL_SERVER": ""}
        for unset in ("DATABASE_URL", "XDG_RUNTIME_DIR"):
            env.pop(unset, None)
        servers[name] = (port, subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "board", "start"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        ))
    try:
        for name, (port, _) in servers.items():
            body = None
            # Two boards migrating fresh databases at once can take a while on a busy machine.
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                        body = response.read().decode()
                        break
                except OSError:
                    time.sleep(0.1)
            assert body is not None and "ideas and help for our area" in body, name
        for name in servers:
            socket_path = tmp_path / name / "gunicorn.ctl"
            for _ in range(50):
                if socket_path.exists():
                    break
                time.sleep(0.1)
            assert stat.S_ISSOCK(socket_path.stat().st_mode), name
        assert not (home / ".gunicorn").exists()
    finally:
        for _, server in servers.values():
            server.terminate()
        for _, server in servers.values():
            server.communicate(timeout=20)


def test_the_demo_looks_weeks_old_with_notifications_dated_when_things_happened(tmp_path):
    from datetime import datetime, timedelta

    from board.models import Event
    from board.notifications.models import Notification
    from helpers import make_test_app, signed_in

    instance = tmp_path / "instance"
    assert _board(instance, "demo").returncode == 0
    app = make_test_app(instance / "simpl.db")
    with app.app_context():
        amina = User.by_username("amina")
        db.session.expunge(amina)
        now = datetime.utcnow()
        for model in (Event, Notification, Comment, Offer, Idea, HelpRequest):
            dates = db.session.scalars(select(model.created_at)).all()
            assert max(dates) < now - timedelta(hours=1), model.__name__
            assert min(dates) < now - timedelta(days=14), model.__name__
    page = signed_in(app, amina).get("/notifications").get_data(as_text=True)
    shown = re.findall(r'<time datetime="([^"]+)Z">([^<]+)</time>', page)
    words = {text for _, text in shown}
    assert len(words) >= 4, words
    assert "just now" not in words
    assert all(datetime.fromisoformat(moment) <= now for moment, _ in shown)
    # Some were read long ago, the latest wait.
    assert "Mark as read" in page and page.count('notification--unread') < len(shown)
    with app.app_context():
        db.engine.dispose()


def test_commands_started_at_once_on_a_new_board_migrate_it_once(tmp_path, empty_database_url):
    """Timers on several servers start their commands at the same moment after an upgrade."""
    # Nothing waits to be sent, so the mail server is never reached.
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": "1",
           "DATABASE_URL": empty_database_url, "SECRET_KEY": "the same on every server"}
    started = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "board", "send-mail"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(3)]
    results = [(process.wait(timeout=120), *process.communicate()) for process in started]
    assert [code for code, _, _ in results] == [0, 0, 0], results
    assert all("Sent 0 email(s)." in out for _, out, _ in results)
