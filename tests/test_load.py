"""Many people at once on the real server: gunicorn on one database, SQLite or PostgreSQL.

Twenty clients post ideas, comments, supports and offers for about twenty seconds on
one server with 4 workers. No request may fail with a 5xx, every write the server
acknowledged must be in the database afterwards, counters must match a recount, and
SQLite must report itself intact. Then the same again while one worker is killed with
SIGKILL mid-load. On PostgreSQL, the load is also spread over two servers that share
the database and a Redis for rate limits, while a worker of one is killed and the
other server is stopped altogether.
"""

from __future__ import annotations

import http.client
import math
import os
import random
import re
import signal
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
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from helpers import ROOT, free_port

CLIENTS = 20
LOAD_SECONDS = float(os.environ.get("SIMPL_LOAD_SECONDS", "20"))
PASSWORD = "load-test-password"


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log_path: Path
    size: int  # how many workers it runs

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

    def has_all_its_workers(self, within: float = 20) -> bool:
        deadline = time.monotonic() + within
        while len(self.workers()) < self.size and time.monotonic() < deadline:
            time.sleep(0.2)
        return len(self.workers()) == self.size

    def logged_errors(self) -> list[str]:
        """Each kind of exception in the server's log once, for a failing test's message."""
        found = re.findall(r"^(?:\w+\.)*\w*(?:Error|Exception|Detected|Failure)\b.*$",
                           self.log_path.read_text(), re.M)
        return sorted(set(found))

    def stop(self) -> None:
        """SIGTERM, then wait: gunicorn lets each worker finish the request it is on."""
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=30)


def start_server(instance: Path, database_url: str, workers: int, **settings: str) -> Server:
    """gunicorn serving the board on `database_url`, with an instance folder of its own."""
    instance.mkdir(parents=True)
    env = {**os.environ, "INSTANCE_PATH": str(instance), "DATABASE_URL": database_url,
           "SECRET_KEY": "load-test-secret", "MAIL_SERVER": "", "RATELIMIT_ENABLED": "0",
           **settings}
    port = free_port()
    log_path = instance / "gunicorn.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--timeout", "60", "app:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    server = Server(port, process, log_path, workers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if Client(port).get("/").status == 200 and len(server.workers()) == workers:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    pytest.fail(f"gunicorn did not start:\n{log_path.read_text()[-2000:]}")


@pytest.fixture
def server(tmp_path, database_url):
    """One server with 4 workers on the test's database (the schema is already there)."""
    server = start_server(tmp_path / "instance", database_url, workers=4)
    yield server
    server.stop()


@pytest.fixture
def two_servers(tmp_path, database_url, redis_server):
    """Two servers of 2 workers on one database, counting rate limits in one Redis."""
    settings = {
        "RATELIMIT_ENABLED": "1", "RATELIMIT_STORAGE_URI": redis_server.url,
        "RATELIMIT_KEY_PREFIX": redis_server.key_prefix, "LOGIN_RATE_LIMIT": "10 per minute",
        # Far above what the load posts, so that only the login limit is ever met.
        "REGISTER_RATE_LIMIT": "10000 per minute", "POST_RATE_LIMIT": "10000 per minute",
    }
    servers = []
    try:
        for name in ("first", "second"):
            servers.append(start_server(tmp_path / name, database_url, workers=2, **settings))
        yield servers
    finally:
        for started in servers:
            started.stop()


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

    def read_token(self, path: str):
        """Open a page and keep the CSRF token its form carries."""
        page = self.get(path)
        self.token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        return page

    def register(self, username: str) -> None:
        self.read_token("/register")
        response = self.post("/register", {
            "username": username, "email": f"{username}@example.org",
            "password": PASSWORD, "confirm_password": PASSWORD,
        })
        assert response.status == 302, response.text[:500]
        # The token is tied to the session, which signing in keeps; read it again to be sure.
        self.read_token("/dashboard")

    def is_signed_in(self) -> bool:
        return self.get("/dashboard").status == 200

    def sign_in(self, login: str, password: str = PASSWORD):
        self.read_token("/login")
        return self.post("/login", {"login": login, "password": password})


@dataclass
class Acknowledged:
    """What the servers said they saved, and every 5xx they answered."""

    ideas: dict[int, str] = field(default_factory=dict)
    comments: dict[int, str] = field(default_factory=dict)
    offers: set[tuple[str, int]] = field(default_factory=set)
    supports: dict[tuple[str, int], bool] = field(default_factory=dict)
    server_errors: list[tuple[int, float, str]] = field(default_factory=list)  # port, when, what
    requests: int = 0
    signed_in_again: int = 0  # people whose session did not work on the server they moved to
    lock: threading.Lock = field(default_factory=threading.Lock)

    def server_errors_from(self, port: int, before: float = math.inf) -> list[str]:
        return [what for at, when, what in self.server_errors if at == port and when < before]


def run_person(servers: list[int], username, request_ids, until, seen: Acknowledged, rng: random.Random):
    """One person busy until `until` on the first of `servers` (their ports).

    A broken connection acknowledged nothing. It moves the person on to the next server
    in the list, if there is one; on the last they stay whatever happens (a killed worker
    is replaced), and carry on with the session they have.
    """
    servers = list(servers)
    client = Client(servers[0])
    client.register(username)
    supported: dict[int, bool] = defaultdict(bool)
    unsure: set[int] = set()  # ideas whose support a broken request may or may not have changed
    moved = False
    while time.monotonic() < until:
        action = rng.choice(["idea", "comment", "comment", "support", "support", "offer", "read"])
        token = uuid.uuid4().hex
        idea_id = None
        try:
            if moved:
                if not client.is_signed_in():
                    client.sign_in(username)
                    with seen.lock:
                        seen.signed_in_again += 1
                client.read_token("/dashboard")
                moved = False
            with seen.lock:
                known_ideas = list(seen.ideas)
            if action == "idea" or not known_ideas:
                response = client.post("/ideas/new", {"title": f"Idea {token}", "description": f"Body {token}",
                                                       # past the ideas like it, as someone posting anyway
                                                       "similar_seen": "1"})
                saved = re.search(r"/ideas/(\d+)$", response.getheader("Location") or "")
                if response.status == 302 and saved:
                    with seen.lock:
                        seen.ideas[int(saved.group(1))] = token
            elif action == "comment":
                idea_id = rng.choice(known_ideas)
                response = client.post(f"/ideas/{idea_id}/comments", {"comment": f"Comment {token}"})
                saved = re.search(r"#comment-(\d+)$", response.getheader("Location") or "")
                if response.status == 302 and saved:
                    with seen.lock:
                        seen.comments[int(saved.group(1))] = token
            elif action == "support":
                idea_id = rng.choice(known_ideas)
                response = client.post(f"/ideas/{idea_id}/support", {})
                if response.status == 302 and response.getheader("Location").endswith("#support"):
                    supported[idea_id] = not supported[idea_id]
                    if idea_id not in unsure:
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
            if action == "support" and idea_id is not None:
                # The click may have been saved before the connection broke: stop checking it.
                unsure.add(idea_id)
                with seen.lock:
                    seen.supports.pop((username, idea_id), None)
            if len(servers) > 1:
                servers.pop(0)
                client.port = servers[0]
                moved = True
            continue
        with seen.lock:
            seen.requests += 1
            if response.status >= 500:
                seen.server_errors.append((client.port, time.monotonic(), f"{action} {response.status}"))


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


def run_load(routes: list[list[int]], seconds: float, during=None) -> Acknowledged:
    """CLIENTS people for `seconds`; person n uses the servers routes[n % len(routes)] lists."""
    request_ids = make_help_requests(routes[0][0], 10)
    seen = Acknowledged()
    until = time.monotonic() + seconds
    prefix = uuid.uuid4().hex[:6]
    threads = [
        threading.Thread(target=run_person, args=(routes[n % len(routes)], f"p{prefix}{n}", request_ids,
                                                  until, seen, random.Random(n)))
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    if during:
        during()
    for thread in threads:
        thread.join()
    print(f"{seen.requests} requests: {len(seen.ideas)} ideas, {len(seen.comments)} comments, "
          f"{len(seen.supports)} supports, {len(seen.offers)} offers")
    return seen


def assert_everything_acknowledged_is_saved(database_url: str, seen: Acknowledged) -> None:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as db:
            if engine.dialect.name == "sqlite":
                assert db.scalar(text("PRAGMA integrity_check")) == "ok"
            titles = dict(db.execute(text("SELECT id, title FROM ideas")).all())
            for idea_id, token in seen.ideas.items():
                assert titles.get(idea_id) == f"Idea {token}"
            bodies = dict(db.execute(text("SELECT id, body FROM comments")).all())
            for comment_id, token in seen.comments.items():
                assert bodies.get(comment_id) == f"Comment {token}"
            offers = set(map(tuple, db.execute(text(
                "SELECT users.username, offers.help_request_id FROM offers JOIN users ON users.id = offers.helper_id"
            )).all()))
            assert seen.offers <= offers
            supports = set(map(tuple, db.execute(text(
                "SELECT users.username, supports.idea_id FROM supports JOIN users ON users.id = supports.user_id"
            )).all()))
            for key, is_supported in seen.supports.items():
                assert (key in supports) == is_supported, key
            # Counters on the rows agree with a recount, after all that concurrency.
            assert not db.execute(text(
                "SELECT id FROM ideas WHERE supporters_count != (SELECT count(*) FROM supports WHERE idea_id = ideas.id)"
                " OR comments_count != (SELECT count(*) FROM comments WHERE idea_id = ideas.id)"
            )).all()
            assert not db.execute(text(
                "SELECT id FROM help_requests"
                " WHERE offers_count != (SELECT count(*) FROM offers WHERE help_request_id = help_requests.id)"
            )).all()
    finally:
        engine.dispose()


def assert_the_run_did_real_work(seen: Acknowledged) -> None:
    assert seen.requests > CLIENTS * 10
    assert len(seen.ideas) > 20 and len(seen.comments) > 20 and seen.supports and seen.offers


def test_twenty_people_at_once_lose_nothing_and_never_see_a_server_error(server, database_url):
    seen = run_load([[server.port]], LOAD_SECONDS)
    assert_the_run_did_real_work(seen)
    if database_url.startswith("sqlite"):
        assert "database is locked" not in server.log_path.read_text()
    assert_everything_acknowledged_is_saved(database_url, seen)
    assert not seen.server_errors, (seen.server_errors[:10], server.logged_errors())


def test_a_worker_killed_mid_load_loses_no_acknowledged_write(server, database_url):
    killed = []

    def kill_a_worker():
        time.sleep(LOAD_SECONDS / 3)
        victim = server.workers()[0]
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)

    seen = run_load([[server.port]], LOAD_SECONDS * 0.75, during=kill_a_worker)
    assert killed
    assert_everything_acknowledged_is_saved(database_url, seen)
    # The server keeps answering, with a new worker in place of the killed one.
    assert Client(server.port).get("/ideas").status == 200
    assert server.has_all_its_workers() and killed[0] not in server.workers()
    assert not seen.server_errors, (seen.server_errors[:10], server.logged_errors())


def wrong_passwords(port: int, times: int) -> list[int]:
    """Sign-in attempts with a wrong password, through the form as a browser sends it."""
    return [Client(port).sign_in("nobody", "wrong").status for _ in range(times)]


@pytest.mark.engine("postgresql")
def test_two_servers_on_postgresql_lose_nothing_when_a_worker_dies_and_a_server_stops(
        two_servers, database_url):
    first, second = two_servers
    # One login limit for both servers: counted in Redis, not in each server's memory.
    assert 429 not in wrong_passwords(first.port, 5) + wrong_passwords(second.port, 5)
    assert wrong_passwords(second.port, 1) == [429]
    assert wrong_passwords(first.port, 1) == [429]

    killed, stopped_at = [], []

    def kill_a_worker_then_stop_the_second_server():
        time.sleep(LOAD_SECONDS / 3)
        victim = first.workers()[0]
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)
        time.sleep(LOAD_SECONDS / 3)
        stopped_at.append(time.monotonic())
        second.stop()

    # Half the people start on the second server, and move to the first when it is gone.
    seen = run_load([[first.port], [second.port, first.port]], LOAD_SECONDS,
                    during=kill_a_worker_then_stop_the_second_server)
    assert killed and stopped_at and second.process.returncode is not None
    # The session cookie is signed with the key both servers share: it works on either.
    assert seen.signed_in_again == 0
    assert_the_run_did_real_work(seen)
    assert_everything_acknowledged_is_saved(database_url, seen)
    assert Client(first.port).get("/ideas").status == 200
    assert first.has_all_its_workers() and killed[0] not in first.workers()
    # Nobody met a server error: on the first server at any time, on the second until it stopped.
    errors = seen.server_errors_from(first.port) + seen.server_errors_from(second.port, before=stopped_at[0])
    assert not errors, (errors[:10], first.logged_errors() + second.logged_errors())
