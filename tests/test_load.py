"""Many people at once on the real server: gunicorn with 4 workers on one SQLite file.

Twenty clients post ideas, comments, supports and offers for about twenty
seconds. No request may fail with a 5xx, every write the server acknowledged must
be in the database afterwards, and SQLite must report itself intact. Then the
same again while one worker is killed with SIGKILL mid-load.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 20
LOAD_SECONDS = float(os.environ.get("SIMPL_LOAD_SECONDS", "20"))
PASSWORD = "load-test-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    db_path: Path
    log_path: Path

    def workers(self) -> list[int]:
        """The pids of the gunicorn master's worker processes."""
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    children.append(int(entry.name))
        return children


@pytest.fixture
def server(tmp_path):
    instance = tmp_path / "instance"
    env = {
        **os.environ,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "load-test-secret",
        "RATELIMIT_ENABLED": "0",
        "REGISTER_RATE_LIMIT": "1000 per minute",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    log = open(log_path, "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "4", "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "app:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    server = Server(port, process, instance / "simpl.db", log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if Client(port).get("/").status == 200 and len(server.workers()) == 4:
                break
        except OSError:
            time.sleep(0.2)
    else:
        pytest.fail("gunicorn did not start")
    yield server
    process.terminate()
    process.wait(timeout=30)
    log.close()


class Client:
    """One person's browser: a session cookie, a CSRF token, and no redirect following."""

    def __init__(self, port: int):
        self.port = port
        self.cookie = ""
        self.token = ""

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode({**form, "csrf_token": self.token})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.text = response.read().decode()
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict):
        return self.request("POST", path, form)

    def register(self, username: str) -> None:
        page = self.get("/register")
        self.token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        response = self.post("/register", {
            "username": username, "email": f"{username}@example.org",
            "password": PASSWORD, "confirm_password": PASSWORD,
        })
        assert response.status == 302, response.text[:500]
        # The token is tied to the session, which signing in keeps; read it again to be sure.
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', self.get("/dashboard").text).group(1)


@dataclass
class Acknowledged:
    """What the server said it saved, and every 5xx it answered."""

    ideas: dict[int, str] = field(default_factory=dict)
    comments: dict[int, str] = field(default_factory=dict)
    offers: set[tuple[str, int]] = field(default_factory=set)
    supports: dict[tuple[str, int], bool] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_person(port, username, request_ids, until, seen: Acknowledged, rng: random.Random):
    client = Client(port)
    client.register(username)
    my_ideas: list[int] = []
    supported: dict[int, bool] = defaultdict(bool)
    while time.monotonic() < until:
        action = rng.choice(["idea", "comment", "comment", "support", "support", "offer", "read"])
        token = uuid.uuid4().hex
        try:
            with seen.lock:
                known_ideas = list(seen.ideas)
            if action == "idea" or not known_ideas:
                response = client.post("/ideas/new", {"title": f"Idea {token}", "description": f"Body {token}"})
                if response.status == 302:
                    idea_id = int(response.getheader("Location").rsplit("/", 1)[1])
                    my_ideas.append(idea_id)
                    with seen.lock:
                        seen.ideas[idea_id] = token
            elif action == "comment":
                idea_id = rng.choice(known_ideas)
                response = client.post(f"/ideas/{idea_id}/comments", {"comment": f"Comment {token}"})
                if response.status == 302:
                    comment_id = int(response.getheader("Location").rsplit("-", 1)[1])
                    with seen.lock:
                        seen.comments[comment_id] = token
            elif action == "support":
                idea_id = rng.choice(known_ideas)
                response = client.post(f"/ideas/{idea_id}/support", {})
                if response.status == 302:
                    supported[idea_id] = not supported[idea_id]
                    with seen.lock:
                        seen.supports[(username, idea_id)] = supported[idea_id]
            elif action == "offer":
                request_id = rng.choice(request_ids)
                response = client.post(f"/help/{request_id}/offers", {"message": f"Offer {token}"})
                if response.status == 302 and response.getheader("Location").endswith("#your-offer"):
                    with seen.lock:
                        seen.offers.add((username, request_id))
            else:
                response = client.get(rng.choice(["/", "/ideas", "/help", "/dashboard"]))
        except (OSError, http.client.HTTPException):
            continue  # the connection broke (a killed worker): nothing was acknowledged
        with seen.lock:
            seen.requests += 1
            if response.status >= 500:
                seen.server_errors.append(f"{action} {response.status}")


def make_help_requests(port: int, count: int) -> list[int]:
    asker = Client(port)
    asker.register(f"asker{uuid.uuid4().hex[:8]}")
    ids = []
    for n in range(count):
        response = asker.post("/help/new", {"title": f"Need {n}", "details": "A hand, please.",
                                            "skills": "van, lifting", "idea": "0"})
        assert response.status == 302, response.text[:300]
        ids.append(int(response.getheader("Location").rsplit("/", 1)[1]))
    return ids


def run_load(server: Server, seconds: float, during=None) -> Acknowledged:
    request_ids = make_help_requests(server.port, 10)
    seen = Acknowledged()
    until = time.monotonic() + seconds
    prefix = uuid.uuid4().hex[:6]
    threads = [
        threading.Thread(target=run_person, args=(server.port, f"p{prefix}{n}", request_ids, until,
                                                  seen, random.Random(n)))
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    if during:
        during()
    for thread in threads:
        thread.join()
    return seen


def assert_everything_acknowledged_is_saved(server: Server, seen: Acknowledged) -> None:
    db = sqlite3.connect(server.db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        titles = dict(db.execute("SELECT id, title FROM ideas").fetchall())
        for idea_id, token in seen.ideas.items():
            assert titles.get(idea_id) == f"Idea {token}"
        bodies = dict(db.execute("SELECT id, body FROM comments").fetchall())
        for comment_id, token in seen.comments.items():
            assert bodies.get(comment_id) == f"Comment {token}"
        offers = set(db.execute(
            "SELECT users.username, offers.help_request_id FROM offers JOIN users ON users.id = offers.helper_id"
        ).fetchall())
        assert seen.offers <= offers
        supports = set(db.execute(
            "SELECT users.username, supports.idea_id FROM supports JOIN users ON users.id = supports.user_id"
        ).fetchall())
        for key, is_supported in seen.supports.items():
            assert (key in supports) == is_supported, key
        # Counters on the rows agree with a recount, after all that concurrency.
        assert not db.execute(
            "SELECT id FROM ideas WHERE supporters_count != (SELECT count(*) FROM supports WHERE idea_id = ideas.id)"
            " OR comments_count != (SELECT count(*) FROM comments WHERE idea_id = ideas.id)"
        ).fetchall()
        assert not db.execute(
            "SELECT id FROM help_requests WHERE offers_count != (SELECT count(*) FROM offers WHERE help_request_id = help_requests.id)"
        ).fetchall()
    finally:
        db.close()


def test_twenty_people_at_once_lose_nothing_and_never_see_a_server_error(server):
    seen = run_load(server, LOAD_SECONDS)
    print(f"{seen.requests} requests: {len(seen.ideas)} ideas, {len(seen.comments)} comments, "
          f"{len(seen.supports)} supports, {len(seen.offers)} offers")
    assert not seen.server_errors, seen.server_errors[:10]
    assert seen.requests > CLIENTS * 10
    assert len(seen.ideas) > 20 and len(seen.comments) > 20 and seen.supports and seen.offers
    assert "database is locked" not in server.log_path.read_text()
    assert_everything_acknowledged_is_saved(server, seen)


def test_a_worker_killed_mid_load_loses_no_acknowledged_write(server):
    killed = []

    def kill_a_worker():
        time.sleep(LOAD_SECONDS / 3)
        victim = server.workers()[0]
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)

    seen = run_load(server, LOAD_SECONDS * 0.75, during=kill_a_worker)
    assert killed
    assert not seen.server_errors, seen.server_errors[:10]
    assert_everything_acknowledged_is_saved(server, seen)
    # The server keeps answering, with a new worker in place of the killed one.
    assert Client(server.port).get("/ideas").status == 200
    deadline = time.monotonic() + 20
    while len(server.workers()) < 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(server.workers()) == 4 and killed[0] not in server.workers()
