"""Simpl's speed benchmark: `.venv/bin/python bench/run.py`.

Generates the large board once (bench/data/board.db, 100,000 ideas), serves it with
gunicorn on 127.0.0.1, and measures each page with wrk: requests per second, p50 and
p99 latency, and peak memory per worker. In the same run it measures the shared
yardstick's ceiling (../shared/bench/ceiling/ceiling.py: a bare Flask app with compiled
templates on a board of the same size, CEILING_DB) under the same gunicorn settings,
and reports each page's throughput as a fraction of the ceiling page of its kind:
lists against its /list (the 20 newest ideas with their authors), single things against
its /detail/5000 (an idea with 50 comments). The ceiling of a page's kind is measured
again just before each page, because a shared machine's speed drifts during a run.
The results, with the date and the machine, go into bench/RESULTS.md.

With `--postgresql URL` (an empty database, or one this benchmark filled before), it
generates the same board there too and measures the visitors' pages on PostgreSQL
beside SQLite in the same run.

`--urls` prints the visitors' pages as the shared yardstick's APP_URLS ("kind@name=path
..."), which bench/yardstick.sh passes to ../shared/bench/run.sh.

Needs wrk (apt install wrk) and the shared yardstick's ceiling board and venv
(`bash ../shared/bench/setup.sh`, once). Timings on a shared machine are noisy: this
is not a test.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import re
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
DATABASE = DATA / "board.db"
RESULTS = BENCH / "RESULTS.md"
PASSWORD = "generated-password"  # every generated person's (board/cli.py, board generate)
VISITOR_PROFILE = "neighbour1"

# The shared yardstick: its ceiling app, the venv and the board setup.sh built for it.
SHARED = Path(os.environ.get("SHARED_BENCH", ROOT.parent / "shared" / "bench"))
PERF = Path(os.environ.get("BENCH_DIR", "/tmp/perf"))
CEILING_DB = Path(os.environ.get("CEILING_DB", PERF / "ceiling.sqlite"))
CEILING_GUNICORN = PERF / "venv-ceiling" / "bin" / "gunicorn"
# The ceiling's page of each kind, as the shared yardstick measures them (targets/ceiling.sh).
CEILING_PAGES = {"list": "/list", "detail": "/detail/5000"}

# Speed targets: shares of the ceiling page of the same kind.
VISITOR_SHARE, SEARCH_SHARE, SIGNED_IN_SHARE, LONG_TAIL_SHARE = 0.5, 0.3, 0.4, 0.4
DEEP_PAGE_SHARE = 0.9  # page 200 of a list, of its page 1
P99_MS, WORKER_MB = 100.0, 100.0
POSTGRESQL_SHARE = 0.7  # of the same page on SQLite
DEEP_PAGE, PER_PAGE, API_MAX_LIMIT = 200, 20, 100  # PER_PAGE, API_PAGE_SIZE, API_MAX_PAGE_SIZE


@dataclass
class Page:
    name: str
    kind: str  # "list" or "detail": which ceiling page it is compared with
    slug: str  # its label in the shared yardstick, after the kind: "list@ideas-p200"
    path: str
    share: float  # the target, of the ceiling
    page_one: str | None = None  # a deep page of a list: the slug of the list's first page
    script: str = ""  # a wrk script that chooses each request (the path is then only its start)


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    worker_mb: float
    cpu_ms: float  # the server's CPU time per request: less disturbed by other load than requests/s


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url: str | None = None) -> dict:
    env = {**os.environ, "INSTANCE_PATH": str(DATA), "DATABASE_URL": f"sqlite:///{DATABASE}",
           "RATELIMIT_ENABLED": "0"}
    if database_url:
        # The instance folder's generated key is the one SQLite uses: the same one here.
        env.update(DATABASE_URL=database_url, SECRET_KEY=(DATA / "secret_key").read_text().strip())
    return env


def flask(*args: str, database_url: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                          env=environment(database_url), check=True, capture_output=True, text=True)


def prepare_board(regenerate: bool) -> None:
    if regenerate and DATABASE.exists():
        for path in DATA.glob("board.db*"):
            path.unlink()
    DATA.mkdir(exist_ok=True)
    fresh = not DATABASE.exists()
    flask("db", "upgrade")
    if fresh:
        print("Generating the board (once; about three minutes)...", flush=True)
        flask("board", "generate")


def prepare_postgresql_board(database_url: str) -> None:
    """The same board (generation has a fixed seed) in PostgreSQL, made once."""
    flask("db", "upgrade", database_url=database_url)
    if "Ideas: 0" in flask("board", "check", database_url=database_url).stdout:
        print("Generating the board in PostgreSQL (once; a few minutes)...", flush=True)
        flask("board", "generate", database_url=database_url)


def check_ceiling() -> None:
    if not (SHARED / "ceiling" / "ceiling.py").exists() or not CEILING_DB.exists():
        sys.exit(f"The ceiling needs {SHARED}/ceiling/ceiling.py and its board {CEILING_DB}: "
                 f"build them once with `bash {os.path.relpath(SHARED, Path.cwd())}/setup.sh`.")


class Server:
    """gunicorn serving an app, with its workers' peak memory readable from /proc."""

    def __init__(self, command: list[str], workers: int, chdir: Path, env: dict):
        self.port = free_port()
        self.process = subprocess.Popen(
            [*command, "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--chdir", str(chdir), "--log-level", "warning", "--no-control-socket"],
            cwd=chdir, env=env,
        )
        for _ in range(600):
            if self.process.poll() is not None:
                sys.exit(f"{' '.join(command)} stopped at start (exit status {self.process.returncode})")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        time.sleep(0.5)

    @classmethod
    def simpl(cls, workers: int, database_url: str | None = None) -> Server:
        return cls([sys.executable, "-m", "gunicorn", "app:app"], workers, ROOT, environment(database_url))

    @classmethod
    def ceiling(cls, workers: int) -> Server:
        # The yardstick's own venv, so that both measure the same thing; else this project's gunicorn.
        gunicorn = [str(CEILING_GUNICORN)] if CEILING_GUNICORN.exists() else [sys.executable, "-m", "gunicorn"]
        return cls([*gunicorn, "ceiling:app"], workers, SHARED / "ceiling",
                   {**os.environ, "CEILING_DB": str(CEILING_DB)})

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, cookie: str = "", method: str = "GET", body: str | None = None):
        """(status, text, cookie after the answer) of one request."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": cookie} if cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        set_cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
        connection.close()
        return response.status, text, set_cookie or cookie

    def worker_mb(self) -> float:
        """The largest peak resident set (VmHWM) among the workers, as the shared yardstick reads it."""
        sizes = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            sizes.append(int(re.search(r"^VmHWM:\s+(\d+)", status, re.M).group(1)) / 1024)
        return max(sizes, default=0.0)

    def cpu_ticks(self) -> int:
        """User and system clock ticks of the master and its current workers, as the shared
        yardstick counts them."""
        ticks = 0
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])
        return ticks

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and re.search(
                        rf"^PPid:\s+{self.process.pid}$", (entry / "status").read_text(), re.M):
                    pids.append(int(entry.name))
            except OSError:
                continue
        return pids

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def wrk(server: Server, name: str, path: str, args, cookie: str = "", script: list[str] | None = None) -> Result:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
               "--timeout", "10s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", script[0], server.url(path), "--", *script[1:]]
    else:
        command.append(server.url(path))
    if args.warmup:  # at full load, as the shared yardstick warms up, and discarded
        warmup = [*command[:3], f"-d{args.warmup}s", *command[4:]]
        subprocess.run(warmup, capture_output=True)
    ticks = server.cpu_ticks()
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    ticks = server.cpu_ticks() - ticks
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    cpu_ms = ticks / os.sysconf("SC_CLK_TCK") * 1000 / max(requests, 1)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = int(re.search(r"Non-2xx or 3xx responses: (\d+)", output).group(1)) if "Non-2xx" in output else 0
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return Result(name, rps, latency(output, "50%"), latency(output, "99%"), errors, server.worker_mb(), cpu_ms)


def latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def sign_in(server: Server, username: str) -> tuple[str, str]:
    """The session cookie and CSRF token of a signed-in generated person."""
    _, page, cookie = server.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    status, _, cookie = server.get("/login", cookie, "POST", urlencode(
        {"login": username, "password": PASSWORD, "csrf_token": token}))
    assert status == 302, f"could not sign in as {username}"
    _, page, cookie = server.get("/dashboard", cookie)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return cookie, token


# --- What is measured ------------------------------------------------------------------


def query(sql: str, *params):
    with sqlite3.connect(DATABASE) as db:
        return db.execute(sql, params).fetchone()


def deep_page(count: int) -> int:
    """Page 200, or the last page of a list shorter than that."""
    return max(1, min(DEEP_PAGE, math.ceil(count / PER_PAGE)))


def with_query(path: str, **params) -> str:
    params = {key: value for key, value in params.items() if value is not None}
    return f"{path}?{urlencode(params)}" if params else path


def api_deep_path(server: Server, path: str, **params) -> str:
    """The API's page 200 of a list: its cursors are positions, not page numbers, so follow
    the list's own next links (100 items at a time) to the item before page 200."""
    wanted, cursor = (DEEP_PAGE - 1) * PER_PAGE, None
    while wanted:
        limit = min(wanted, API_MAX_LIMIT)
        status, text, _ = server.get(with_query(path, **params, limit=limit, cursor=cursor))
        following = json.loads(text)["links"]["next"] if status == 200 else None
        if not following:
            break
        cursor, wanted = parse_qs(urlsplit(following).query)["cursor"][0], wanted - limit
    return with_query(path, **params, cursor=cursor)


def visitor_pages(server: Server) -> list[Page]:
    """Every read page a visitor can open, with its kind and target. Ids and
    counts come from the SQLite board; the PostgreSQL board is generated from the same
    seed. The generated board has no topics or areas, so those filters are not here."""
    visible = "hidden_at IS NULL"
    ideas = query(f"SELECT count(*) FROM ideas WHERE {visible}")[0]
    new_ideas = query(f"SELECT count(*) FROM ideas WHERE {visible} AND status = 'new'")[0]
    idea, comments = query(f"SELECT id, comments_count FROM ideas WHERE {visible} "
                           "ORDER BY abs(comments_count - 100), id LIMIT 1")
    quiet_idea = query(f"SELECT id FROM ideas WHERE {visible} AND comments_count = 0 ORDER BY id LIMIT 1")[0]
    help_request, offers = query(f"SELECT id, offers_count FROM help_requests WHERE {visible} "
                                 "ORDER BY offers_count DESC, id LIMIT 1")
    skill = query("SELECT s.name FROM skills s JOIN help_request_skills h ON h.skill_id = s.id "
                  "GROUP BY s.id ORDER BY count(*) DESC, s.name LIMIT 1")[0]

    def requests(where: str = "", *params) -> int:
        return query(f"SELECT count(*) FROM help_requests WHERE {visible} {where}", *params)[0]

    html_lists = [  # (name, slug, path, filters, rows in the list)
        ("ideas, newest", "ideas", "/ideas", {}, ideas),
        ("ideas, most supported", "ideas-popular", "/ideas", {"sort": "popular"}, ideas),
        ("ideas, most active", "ideas-active", "/ideas", {"sort": "active"}, ideas),
        ("ideas, trending", "ideas-trending", "/ideas", {"sort": "trending"}, ideas),
        ("ideas, status new", "ideas-status", "/ideas", {"status": "new"}, new_ideas),
        ("help wanted", "help", "/help", {}, requests()),
        ("help wanted, open", "help-open", "/help", {"status": "open"}, requests("AND status = 'open'")),
        ("help wanted, matched", "help-matched", "/help", {"status": "matched"},
         requests("AND status = 'matched'")),
        ("help wanted, closed", "help-closed", "/help", {"status": "closed"},
         requests("AND status = 'closed'")),
        ("help wanted, skills", "help-kind", "/help", {"kind": "skills"}, requests("AND kind = 'skills'")),
        (f"help wanted, {skill}", "help-skill", "/help", {"skill": skill}, requests(
            "AND id IN (SELECT help_request_id FROM help_request_skills h JOIN skills s "
            "ON s.id = h.skill_id WHERE s.name = ?)", skill)),
    ]
    api_lists = [
        ("API: ideas, newest", "api-ideas", "/api/v1/ideas", {}),
        ("API: ideas, most supported", "api-ideas-popular", "/api/v1/ideas", {"sort": "popular"}),
        ("API: ideas, most active", "api-ideas-active", "/api/v1/ideas", {"sort": "active"}),
        ("API: ideas, trending", "api-ideas-trending", "/api/v1/ideas", {"sort": "trending"}),
        ("API: help requests", "api-help", "/api/v1/help-requests", {}),
        ("API: help requests, open", "api-help-open", "/api/v1/help-requests", {"status": "open"}),
    ]
    pages = [Page("home", "list", "home", "/", VISITOR_SHARE)]
    for name, slug, path, filters, count in html_lists:
        deep = deep_page(count)
        pages += [
            Page(f"{name}, page 1", "list", slug, with_query(path, **filters), VISITOR_SHARE),
            Page(f"{name}, page {deep}" + ("" if deep == DEEP_PAGE else " (the last)"), "list",
                 f"{slug}-p{deep}", with_query(path, **filters, page=deep), VISITOR_SHARE, page_one=slug),
        ]
    pages += [
        Page(f"an idea with {comments} comments", "detail", "idea", f"/ideas/{idea}", VISITOR_SHARE),
        Page("an idea with no comments", "detail", "idea-quiet", f"/ideas/{quiet_idea}", VISITOR_SHARE),
        Page(f"a help request with {offers} offers", "detail", "help-request", f"/help/{help_request}",
             VISITOR_SHARE),
        Page("a profile", "list", "profile", f"/users/{VISITOR_PROFILE}", VISITOR_SHARE),
        Page("a skill", "list", "skill", with_query(f"/skills/{skill}").replace(" ", "%20"), VISITOR_SHARE),
        Page("search", "list", "search", "/search?q=garden", SEARCH_SHARE),
        Page("search, ideas", "list", "search-ideas", "/search?q=garden&kind=idea", SEARCH_SHARE),
        Page("search, help requests", "list", "search-help", "/search?q=garden&kind=help_request", SEARCH_SHARE),
        Page("search, comments", "list", "search-comments", "/search?q=garden&kind=comment", SEARCH_SHARE),
    ]
    for name, slug, path, filters in api_lists:
        pages += [
            Page(f"{name}, page 1", "list", slug, with_query(path, **filters), VISITOR_SHARE),
            Page(f"{name}, page {DEEP_PAGE}", "list", f"{slug}-p{DEEP_PAGE}",
                 api_deep_path(server, path, **filters), VISITOR_SHARE, page_one=slug),
        ]
    pages += [
        Page("API: front door", "list", "api", "/api/v1/", VISITOR_SHARE),
        Page("API: skills", "list", "api-skills", "/api/v1/skills", VISITOR_SHARE),
        Page("API: an idea", "detail", "api-idea", f"/api/v1/ideas/{idea}", VISITOR_SHARE),
        Page("API: an idea's comments", "list", "api-idea-comments", f"/api/v1/ideas/{idea}/comments",
             VISITOR_SHARE),
        Page("API: a help request", "detail", "api-help-request", f"/api/v1/help-requests/{help_request}",
             VISITOR_SHARE),
        Page("API: a person", "detail", "api-person", f"/api/v1/people/{VISITOR_PROFILE}", VISITOR_SHARE),
        Page("feed: new ideas", "list", "feed-ideas", "/ideas.atom", VISITOR_SHARE),
        Page("feed: an idea's activity", "list", "feed-idea", f"/ideas/{idea}/activity.atom", VISITOR_SHARE),
        Page("feed: help wanted", "list", "feed-help", "/help.atom", VISITOR_SHARE),
        Page(f"feed: help wanted, {skill}", "list", "feed-help-skill", with_query("/help.atom", skill=skill),
             VISITOR_SHARE),
    ]
    return pages


def signed_in_person() -> tuple[str, int, int]:
    """(username, help request, offer): someone whose request has an accepted helper, so that
    they have a conversation, and who is about as busy as the busiest tenth of the board
    (notifications)."""
    busy = query("SELECT c FROM (SELECT count(*) c FROM notifications GROUP BY recipient_id) "
                 "ORDER BY c DESC LIMIT 1 OFFSET (SELECT count(*) / 10 FROM users)")[0]
    return query(
        "SELECT u.username, h.id, o.id FROM offers o JOIN help_requests h ON h.id = o.help_request_id "
        "JOIN users u ON u.id = h.author_id WHERE o.status = 'accepted' AND h.hidden_at IS NULL "
        "ORDER BY abs((SELECT count(*) FROM notifications n WHERE n.recipient_id = u.id) - ?), o.id LIMIT 1",
        busy)


CONVERSATION_LENGTH = 20


def start_conversation(server: Server, cookie: str, path: str) -> None:
    """Messages in the signed-in person's conversation, once: the generated board has none."""
    have = query("SELECT count(*) FROM help_messages WHERE offer_id = ?", int(path.rsplit("/", 2)[-2]))[0]
    for n in range(have, CONVERSATION_LENGTH):
        _, page, cookie = server.get(path, cookie)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        body = f"Message {n + 1}: thank you, Saturday morning works. I will bring the tools **and** the list."
        server.get(path, cookie, "POST", urlencode({"csrf_token": token, "body": body}))


def signed_in_pages(help_request: int, offer: int, username: str) -> list[Page]:
    idea = query("SELECT id FROM ideas WHERE hidden_at IS NULL ORDER BY abs(comments_count - 100), id LIMIT 1")[0]
    share = SIGNED_IN_SHARE
    return [
        Page("home", "list", "home", "/", share),
        Page("dashboard", "list", "dashboard", "/dashboard", share),
        Page("notifications", "list", "notifications", "/notifications", share),
        Page("ideas, newest", "list", "ideas", "/ideas", share),
        Page("ideas, most supported", "list", "ideas-popular", "/ideas?sort=popular", share),
        Page("ideas, page 200", "list", "ideas-p200", "/ideas?page=200", share),
        Page("help wanted", "list", "help", "/help", share),
        Page("an idea with about 100 comments", "detail", "idea", f"/ideas/{idea}", share),
        Page("their help request", "detail", "help-request", f"/help/{help_request}", share),
        Page(f"a conversation ({CONVERSATION_LENGTH} messages)", "detail", "conversation",
             f"/help/{help_request}/offers/{offer}/messages", share),
        Page("their profile", "list", "profile", f"/users/{username}", share),
    ]


# --- The report ------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M).group(1)
    except (OSError, AttributeError):
        pass
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024 ** 2
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), "
            f"{memory} GiB, Python {platform.python_version()}")


def passes(result: Result, share: float, target: float) -> bool:
    return share >= target and result.p99_ms < P99_MS and result.worker_mb < WORKER_MB and not result.errors


@dataclass
class Measured:
    group: str
    page: Page
    result: Result
    ceiling: Result

    @property
    def share(self) -> float:
        return self.result.rps / self.ceiling.rps


def page_table(rows: list[Measured], deep_column: bool) -> list[str]:
    shares = {m.page.slug: m.share for m in rows}
    lines = [
        "| page | URL | kind | requests/s | ceiling requests/s | share of ceiling | target | CPU ms per "
        "request | CPU share | p50 ms | p99 ms | MB per worker | errors |"
        + (" page 200 / page 1 |" if deep_column else ""),
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if deep_column else ""),
    ]
    for m in rows:
        r, verdict = m.result, " ✓" if passes(m.result, m.share, m.page.share) else " ✗"
        verdict = verdict if m.page.share else ""  # a load without a target
        shown = m.page.script or (m.page.path if len(m.page.path) < 60 else m.page.path[:57] + "…")
        line = (f"| {m.page.name} | `{shown}` | "
                f"{m.page.kind} | {r.rps:,.0f} | {m.ceiling.rps:,.0f} | {m.share:.2f}{verdict} | "
                f"{m.page.share or '–'} | {r.cpu_ms:.2f} | {m.ceiling.cpu_ms / r.cpu_ms if r.cpu_ms else 0:.2f} | "
                f"{r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.worker_mb:.0f} | {r.errors} |")
        if deep_column:
            first = shares.get(m.page.page_one) if m.page.page_one else None
            if first:  # shares, not requests/s: each is against the ceiling measured just before it
                deep = m.share / first
                line += f" {deep:.2f}{' ✓' if deep >= DEEP_PAGE_SHARE else ' ✗'} |"
            else:
                line += " |"
        lines.append(line)
    return lines


def engines_report(pairs: list[tuple[Measured, Result]]) -> str:
    """Each visitor page on SQLite and on PostgreSQL, measured one right after the other."""
    lines = [
        "", f"### PostgreSQL beside SQLite (target: each page at least {POSTGRESQL_SHARE} of the "
        "same page on SQLite)", "",
        "| page | SQLite requests/s | PostgreSQL requests/s | PostgreSQL / SQLite | PostgreSQL share "
        "of ceiling | SQLite p99 ms | PostgreSQL p99 ms | PostgreSQL MB per worker | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for sqlite, postgresql in pairs:
        ratio = postgresql.rps / sqlite.result.rps
        lines.append(
            f"| {sqlite.page.name} | {sqlite.result.rps:,.0f} | {postgresql.rps:,.0f} | {ratio:.2f}"
            f"{' ✓' if ratio >= POSTGRESQL_SHARE else ' ✗'} | {postgresql.rps / sqlite.ceiling.rps:.2f} | "
            f"{sqlite.result.p99_ms:.1f} | {postgresql.p99_ms:.1f} | {postgresql.worker_mb:.0f} | "
            f"{sqlite.result.errors + postgresql.errors} |"
        )
    return "\n".join(lines) + "\n"


def report(results: list[Measured], args, minutes: float) -> str:
    with sqlite3.connect(DATABASE) as db:
        size = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("users", "ideas", "help_requests", "comments", "supports", "offers")}
    ceilings = []
    for kind, path in CEILING_PAGES.items():
        measures = sorted(m.ceiling.rps for m in results if m.page.kind == kind)
        if measures:
            ceilings.append(f"`{path}` ({kind}) {measures[0]:,.0f} to {measures[-1]:,.0f} requests/s, "
                            f"median {measures[len(measures) // 2]:,.0f}")
    groups = {
        "visitor": (f"### Visitors (targets: at least {VISITOR_SHARE} of the ceiling of the page's kind, "
                    f"search {SEARCH_SHARE}; page 200 at least {DEEP_PAGE_SHARE} of page 1; p99 under "
                    f"{P99_MS:.0f} ms; under {WORKER_MB:.0f} MB per worker)"),
        "signed-in": (f"### Signed in as {args.person} (target: at least {SIGNED_IN_SHARE} of the ceiling, "
                      f"p99 under {P99_MS:.0f} ms)"),
        "long-tail": (f"### A visitors' read mix over the long tail (target: at least {LONG_TAIL_SHARE} of the "
                      "ceiling's list page)"),
        "mixed": "### Mixed reads and writes, signed in (85% pages, 10% supports, 5% comments; no target)",
    }
    lines = [
        f"Measured on {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} on {machine()}, "
        f"in {minutes:.0f} minutes.",
        f"Board: {', '.join(f'{n:,} {t}' for t, n in size.items())}.",
        f"gunicorn with {args.workers} sync workers; wrk with {args.threads} threads, "
        f"{args.connections} connections, {args.duration} s per measure after {args.warmup} s of warm-up.",
        "",
        "The ceiling is the shared yardstick's bare Flask app (../shared/bench/ceiling/ceiling.py, "
        "compiled templates, one SQLite connection per request on a board of the same size) under the "
        "same gunicorn settings. A list page is compared with its `/list` (the 20 newest ideas with "
        "their authors), a single thing with its `/detail/5000` (an idea and 50 comments with their "
        "authors). The ceiling page of a page's kind is measured again just before the page, and the "
        "page is compared with that measure, because this machine's speed drifts during a run. "
        f"Ceiling measures: {'; '.join(ceilings)}. CPU share: the ceiling's server CPU time per request "
        "over the page's (gunicorn's master and workers), which other load on the machine disturbs less "
        "than requests/s.",
    ]
    for group, title in groups.items():
        rows = [m for m in results if m.group == group]
        if rows:
            lines += ["", title, "", *page_table(rows, deep_column=group == "visitor")]
    return "\n".join(lines) + "\n"


def write_results(text: str) -> None:
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    current = RESULTS.read_text() if RESULTS.exists() else f"# Benchmark results\n\n{start}\n{end}\n"
    before, rest = current.split(start, 1)
    after = rest.split(end, 1)[1]
    RESULTS.write_text(f"{before}{start}\n{text}\n{end}{after}")


def print_urls(args) -> None:
    """The visitors' pages as the shared yardstick's APP_URLS, found on the given engine."""
    server = Server.simpl(1, args.postgresql or None)
    try:
        pages = visitor_pages(server)
    finally:
        server.stop()
    print(" ".join(f"{page.kind}@{page.slug}={page.path}" for page in pages))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measure")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of discarded load before each measure")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--regenerate", action="store_true", help="make the board again")
    parser.add_argument("--no-write", action="store_true", help="print, but leave RESULTS.md alone")
    parser.add_argument("--only", default="", help="measure only pages whose name contains this (or one of several, a|b)")
    parser.add_argument("--postgresql", metavar="URL", default="",
                        help="also measure the visitors' pages on this PostgreSQL database "
                             "(postgresql+psycopg://...), filled with the same board")
    parser.add_argument("--urls", action="store_true",
                        help="print the visitors' pages as the shared yardstick's APP_URLS and stop "
                             "(with --postgresql, as found on that board)")
    args = parser.parse_args()

    prepare_board(args.regenerate)
    if args.postgresql:
        prepare_postgresql_board(args.postgresql)
    if args.urls:
        print_urls(args)
        return
    check_ceiling()
    started = time.monotonic()
    # All servers stay up; an idle one costs nothing, and each page is measured right
    # after a fresh measure of the ceiling page of its kind.
    ceiling_server = Server.ceiling(args.workers)
    simpl = Server.simpl(args.workers)
    on_postgresql = Server.simpl(args.workers, args.postgresql) if args.postgresql else None
    results: list[Measured] = []
    engines: list[tuple[Measured, Result]] = []

    def measure(group: str, page: Page, server: Server = simpl, **options) -> Measured | None:
        if not any(part in page.name for part in args.only.split("|")):
            return None
        status, _, _ = server.get(page.path, options.get("cookie", ""))
        if status != 200 and not options.get("script"):
            print(f"{group} {page.name}: {page.path} answered {status}, not measured", flush=True)
            return None
        ceiling = wrk(ceiling_server, "ceiling", CEILING_PAGES[page.kind], args)
        measured = Measured(group, page, wrk(server, page.name, page.path, args, **options), ceiling)
        results.append(measured)
        print(f"{group} {page.name}: {measured.result.rps:,.0f} requests/s "
              f"({measured.result.cpu_ms:.2f} CPU ms each), ceiling {page.kind} {ceiling.rps:,.0f} "
              f"({ceiling.cpu_ms:.2f}), share {measured.share:.2f}, p99 {measured.result.p99_ms:.1f} ms",
              flush=True)
        return measured

    try:
        on_sqlite = visitor_pages(simpl)
        # The API's deep pages are positions on each board: found again on PostgreSQL's.
        on_server = visitor_pages(on_postgresql) if on_postgresql else []
        for n, page in enumerate(on_sqlite):
            measured = measure("visitor", page)
            if on_postgresql and measured:
                engines.append((measured, wrk(on_postgresql, page.name, on_server[n].path, args)))
                print(f"  on PostgreSQL: {engines[-1][1].rps:,.0f} requests/s", flush=True)

        args.person, help_request, offer = signed_in_person()
        cookie, token = sign_in(simpl, args.person)
        signed_in = signed_in_pages(help_request, offer, args.person)
        start_conversation(simpl, cookie, signed_in[-2].path)
        for page in signed_in:
            measure("signed-in", page, cookie=cookie)

        ideas, help_requests, people = query(
            "SELECT (SELECT max(id) FROM ideas), (SELECT max(id) FROM help_requests), (SELECT max(id) FROM users)")
        measure("long-tail", Page("long tail: random ideas, list pages, help requests, profiles", "list",
                                  "long-tail", "/", LONG_TAIL_SHARE, script="bench/longtail.lua"),
                script=[str(BENCH / "longtail.lua"), str(ideas), str(help_requests), str(people), "1000"])
        measure("mixed", Page("mixed", "list", "mixed", "/", 0.0, script="bench/mixed.lua"), cookie=cookie,
                script=[str(BENCH / "mixed.lua"), token, str(ideas)])
    finally:
        simpl.stop()
        ceiling_server.stop()
        if on_postgresql:
            on_postgresql.stop()

    minutes = (time.monotonic() - started) / 60
    text = report(results, args, minutes) + (engines_report(engines) if engines else "")
    print("\n" + text)
    if not args.no_write and not args.only:
        write_results(text)
        print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
