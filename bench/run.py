"""Simpl's speed benchmark: `.venv/bin/python bench/run.py`.

Generates the large board once (bench/data/board.db, 100,000 ideas), serves it with
gunicorn on 127.0.0.1, and measures each page with wrk: requests per second, p50 and
p99 latency, and memory per worker. In the same run it measures a bare Flask app
(bench/ceiling.py) that renders 20 rows from one SQLite query under the same gunicorn
settings, and reports each page's throughput as a fraction of that ceiling. The
results, with the date and the machine, go into bench/RESULTS.md.

With `--postgresql URL` (an empty database, or one this benchmark filled before), it
generates the same board there too and measures the visitors' pages on PostgreSQL
beside SQLite in the same run.

Needs wrk (apt install wrk). Timings on a shared machine are noisy: this is not a test.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
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
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
DATABASE = DATA / "board.db"
RESULTS = BENCH / "RESULTS.md"
USERNAME, PASSWORD = "neighbour1", "generated-password"

# Targets from the issues that asked for this benchmark.
ANONYMOUS_SHARE, SIGNED_IN_SHARE, P99_MS, WORKER_MB = 0.5, 1 / 3, 100.0, 100.0
POSTGRESQL_SHARE = 0.7  # of the same page on SQLite


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    worker_mb: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url: str | None = None) -> dict:
    env = {**os.environ, "INSTANCE_PATH": str(DATA), "DATABASE_URL": f"sqlite:///{DATABASE}",
           "RATELIMIT_ENABLED": "0", "BENCH_DATABASE": str(DATABASE)}
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


class Server:
    """gunicorn serving an app, with its workers' memory readable from /proc."""

    def __init__(self, app: str, workers: int, chdir: Path, database_url: str | None = None):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
             f"127.0.0.1:{self.port}", "--chdir", str(chdir), "--log-level", "warning",
             "--no-control-socket", app],
            cwd=ROOT, env=environment(database_url),
        )
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        time.sleep(0.5)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def worker_mb(self) -> float:
        sizes = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", status, re.M):
                sizes.append(int(re.search(r"^VmRSS:\s+(\d+)", status, re.M).group(1)) / 1024)
        return max(sizes, default=0.0)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def wrk(server: Server, name: str, path: str, args, cookie: str = "", script: list[str] | None = None) -> Result:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", script[0], server.url(path), "--", *script[1:]]
    else:
        command.append(server.url(path))
    subprocess.run(command[:1] + ["-t1", "-c1", "-d1s"] + command[4:], capture_output=True)  # warm up
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = int(re.search(r"Non-2xx or 3xx responses: (\d+)", output).group(1)) if "Non-2xx" in output else 0
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return Result(name, rps, latency(output, "50%"), latency(output, "99%"), errors, server.worker_mb())


def latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def sign_in(server: Server) -> tuple[str, str]:
    """The session cookie and CSRF token of a signed-in generated person."""
    def request(method, path, body=None, cookie=""):
        connection = http.client.HTTPConnection("127.0.0.1", server.port)
        headers = {"Cookie": cookie} if cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        set_cookie = response.getheader("Set-Cookie") or ""
        return response, text, set_cookie.split(";", 1)[0] or cookie

    _, page, cookie = request("GET", "/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response, _, cookie = request("POST", "/login", urlencode(
        {"login": USERNAME, "password": PASSWORD, "csrf_token": token}), cookie)
    assert response.status == 302, "could not sign in"
    _, page, cookie = request("GET", "/dashboard", cookie=cookie)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return cookie, token


def pages() -> list[tuple[str, str]]:
    with sqlite3.connect(DATABASE) as db:
        idea = db.execute("SELECT id FROM ideas WHERE hidden_at IS NULL "
                          "ORDER BY abs(comments_count - 100), id LIMIT 1").fetchone()[0]
        comments = db.execute("SELECT comments_count FROM ideas WHERE id = ?", (idea,)).fetchone()[0]
    return [
        ("home", "/"),
        ("ideas, new, page 1", "/ideas"),
        ("ideas, new, page 200", "/ideas?page=200"),
        ("ideas, popular, page 1", "/ideas?sort=popular"),
        ("ideas, popular, page 200", "/ideas?sort=popular&page=200"),
        (f"an idea with {comments} comments", f"/ideas/{idea}"),
        ("help wanted, page 1", "/help"),
        ("help wanted, page 200", "/help?page=200"),
        ("a profile", f"/users/{USERNAME}"),
    ]


# What programs read: the API and the feeds.
OPEN_DATA = [
    ("API: ideas, page 1", "/api/v1/ideas"),
    ("API: ideas, most supported", "/api/v1/ideas?sort=popular"),
    ("feed: new ideas", "/ideas.atom"),
]
SEARCH = [("search", "/search?q=garden")]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M).group(1)
    except (OSError, AttributeError):
        pass
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024 ** 2
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), "
            f"{memory} GiB, Python {platform.python_version()}")


def engines_report(pairs: list[tuple[Result, Result]]) -> str:
    """Each visitor page on SQLite and on PostgreSQL, measured one right after the other."""
    lines = [
        "", f"### PostgreSQL beside SQLite (target: each page at least {POSTGRESQL_SHARE} of the "
        "same page on SQLite)", "",
        "| page | SQLite requests/s | PostgreSQL requests/s | PostgreSQL / SQLite | "
        "SQLite p99 ms | PostgreSQL p99 ms | PostgreSQL MB per worker | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for sqlite, postgresql in pairs:
        ratio = postgresql.rps / sqlite.rps
        lines.append(
            f"| {sqlite.name} | {sqlite.rps:,.0f} | {postgresql.rps:,.0f} | {ratio:.2f}"
            f"{' ✓' if ratio >= POSTGRESQL_SHARE else ' ✗'} | {sqlite.p99_ms:.1f} | "
            f"{postgresql.p99_ms:.1f} | {postgresql.worker_mb:.0f} | {sqlite.errors + postgresql.errors} |"
        )
    return "\n".join(lines) + "\n"


def report(results: list[tuple[str, Result, Result]], args) -> str:
    """`results`: (group, page, the ceiling measured just before it)."""
    def row(result: Result, ceiling: Result, share: float | None) -> str:
        ratio = result.rps / ceiling.rps
        verdict = "" if share is None else (" ✓" if ratio >= share and result.p99_ms < P99_MS else " ✗")
        return (f"| {result.name} | {result.rps:,.0f} | {ceiling.rps:,.0f} | {ratio:.2f}{verdict} | "
                f"{result.p50_ms:.1f} | {result.p99_ms:.1f} | {result.worker_mb:.0f} | {result.errors} |")

    head = ("| page | requests/s | ceiling requests/s | share of ceiling | p50 ms | p99 ms | "
            "MB per worker | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|")
    ceilings = sorted(c.rps for _, _, c in results)
    with sqlite3.connect(DATABASE) as db:
        size = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("users", "ideas", "help_requests", "comments", "supports", "offers")}
    groups = {
        "visitor": f"### Visitors (target: at least {ANONYMOUS_SHARE:.2f} of the ceiling, p99 under {P99_MS:.0f} ms)",
        "signed-in": f"### Signed in (target: at least {SIGNED_IN_SHARE:.2f} of the ceiling, p99 under {P99_MS:.0f} ms)",
        "mixed": "### Mixed reads and writes, signed in (85% pages, 10% supports, 5% comments)",
    }
    shares = {"visitor": ANONYMOUS_SHARE, "signed-in": SIGNED_IN_SHARE, "mixed": None}
    lines = [
        f"Measured on {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} on {machine()}.",
        f"Board: {', '.join(f'{n:,} {t}' for t, n in size.items())}.",
        f"gunicorn with {args.workers} sync workers; wrk with {args.threads} threads, "
        f"{args.connections} connections, {args.duration} s per measure.",
        "",
        "The ceiling is a bare Flask app rendering 20 rows from one SQLite query under the same "
        "gunicorn settings (bench/ceiling.py). It is measured again just before each page, and "
        "each page is compared with that measure, because this machine's speed drifts during a run. "
        f"Ceiling measures: {ceilings[0]:,.0f} to {ceilings[-1]:,.0f} requests/s, "
        f"median {ceilings[len(ceilings) // 2]:,.0f}; {results[0][2].worker_mb:.0f} MB per worker.",
    ]
    for group, title in groups.items():
        lines += ["", title, "", head]
        lines += [row(page, ceiling, shares[group]) for g, page, ceiling in results if g == group]
    return "\n".join(lines) + "\n"


def write_results(text: str) -> None:
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    current = RESULTS.read_text() if RESULTS.exists() else f"# Benchmark results\n\n{start}\n{end}\n"
    before, rest = current.split(start, 1)
    after = rest.split(end, 1)[1]
    RESULTS.write_text(f"{before}{start}\n{text}\n{end}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measure")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--regenerate", action="store_true", help="make the board again")
    parser.add_argument("--no-write", action="store_true", help="print, but leave RESULTS.md alone")
    parser.add_argument("--only", default="", help="measure only pages whose name contains this")
    parser.add_argument("--postgresql", metavar="URL", default="",
                        help="also measure the visitors' pages on this PostgreSQL database "
                             "(postgresql+psycopg://...), filled with the same board")
    args = parser.parse_args()

    prepare_board(args.regenerate)
    if args.postgresql:
        prepare_postgresql_board(args.postgresql)
    # Both servers stay up; an idle one costs nothing, and each page is measured right
    # after a fresh measure of the ceiling.
    ceiling_server = Server("ceiling:app", args.workers, BENCH)
    simpl = Server("app:app", args.workers, ROOT)
    on_postgresql = Server("app:app", args.workers, ROOT, args.postgresql) if args.postgresql else None
    results: list[tuple[str, Result, Result]] = []
    engines: list[tuple[Result, Result]] = []

    def measure(group: str, name: str, path: str, **options) -> None:
        if args.only not in name:
            return
        ceiling = wrk(ceiling_server, "ceiling", "/", args)
        page = wrk(simpl, name, path, args, **options)
        results.append((group, page, ceiling))
        print(f"{group} {name}: {page.rps:,.0f} requests/s, ceiling {ceiling.rps:,.0f}", flush=True)

    try:
        for name, path in [*pages(), *OPEN_DATA, *SEARCH]:
            measure("visitor", name, path)
            if on_postgresql and args.only in name:
                engines.append((results[-1][1], wrk(on_postgresql, name, path, args)))
                print(f"  on PostgreSQL: {engines[-1][1].rps:,.0f} requests/s", flush=True)
        cookie, token = sign_in(simpl)
        for name, path in [*pages(), ("dashboard", "/dashboard"), ("notifications", "/notifications")]:
            measure("signed-in", name, path, cookie=cookie)
        with sqlite3.connect(DATABASE) as db:
            ideas = db.execute("SELECT max(id) FROM ideas").fetchone()[0]
        measure("mixed", "mixed", "/", cookie=cookie,
                script=[str(BENCH / "mixed.lua"), token, str(ideas)])
    finally:
        simpl.stop()
        ceiling_server.stop()
        if on_postgresql:
            on_postgresql.stop()

    text = report(results, args) + (engines_report(engines) if engines else "")
    print("\n" + text)
    if not args.no_write and not args.only:
        write_results(text)
        print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
