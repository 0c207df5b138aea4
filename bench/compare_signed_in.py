"""Simpl now against Simpl at an earlier commit, signed in and over the long tail, in one run.

`bench/compare.sh` compares visitors' pages rendered afresh; this compares the pages made for
one person (the dashboard, notifications, their own help request) and the long tail's read
mix (`bench/longtail.lua`), as `bench/run.py` measures them, with both boards served at once on
the benchmark's SQLite board and each page loaded on one and then the other, ROUNDS times.
The table gives the medians and their ratio.

    .venv/bin/python bench/compare_signed_in.py REV        # about 5 minutes

The earlier commit is checked out once in /tmp/simpl-compare-REV with its own venv, as
compare.sh does. Knobs: ROUNDS (3), DURATION (6 s), WARMUP (2 s).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import run


def checkout(rev: str) -> Path:
    short = subprocess.run(["git", "-C", str(run.ROOT), "rev-parse", "--short", rev], check=True,
                           capture_output=True, text=True).stdout.strip()
    then = Path(f"/tmp/simpl-compare-{short}")
    if not (then / ".venv" / "bin" / "gunicorn").exists():
        subprocess.run(["rm", "-rf", str(then)], check=True)
        subprocess.run(["git", "-C", str(run.ROOT), "worktree", "add", "-f", "--detach", str(then), rev],
                       check=True, capture_output=True)
        subprocess.run([sys.executable, "-m", "venv", str(then / ".venv")], check=True)
        subprocess.run([str(then / ".venv" / "bin" / "pip"), "install", "-q", "-e", str(then), "gunicorn"],
                       check=True)
    return then


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: bench/compare_signed_in.py REV")
    rev = sys.argv[1]
    then = checkout(rev)
    args = SimpleNamespace(threads=2, connections=16, duration=int(os.environ.get("DURATION", 6)),
                           warmup=int(os.environ.get("WARMUP", 2)))
    run.prepare_board(regenerate=False)
    servers = {"now": run.Server.simpl(2),
               rev: run.Server([str(then / ".venv" / "bin" / "python"), "-m", "gunicorn", "app:app"], 2, then,
                               run.environment())}
    person, help_request, _offer = run.signed_in_person()
    cookies = {label: run.sign_in(server, person)[0] for label, server in servers.items()}
    ideas, help_requests, people = run.query(
        "SELECT (SELECT max(id) FROM ideas), (SELECT max(id) FROM help_requests), (SELECT max(id) FROM users)")
    tail = [str(run.BENCH / "longtail.lua"), str(ideas), str(help_requests), str(people), "1000"]
    pages = [("dashboard", "/dashboard", None), ("notifications", "/notifications", None),
             ("their help request", f"/help/{help_request}", None), ("long tail", "/", tail)]
    results: dict[tuple[str, str], list] = {}
    try:
        for round_ in range(int(os.environ.get("ROUNDS", 3))):
            order = list(servers) if round_ % 2 == 0 else list(reversed(servers))
            for name, path, script in pages:
                for label in order:
                    cookie = "" if script else cookies[label]
                    result = run.wrk(servers[label], name, path, args, cookie=cookie, script=script)
                    results.setdefault((name, label), []).append(result)
                    print(f"{name}, {label}: {result.rps:,.0f} requests/s, {result.cpu_ms:.2f} CPU ms each",
                          flush=True)
    finally:
        for server in servers.values():
            server.stop()

    def median(name: str, label: str, field: str) -> float:
        return statistics.median(getattr(r, field) for r in results[(name, label)])

    print(f"\n| page | now requests/s | {rev} requests/s | now / then | CPU ms now | CPU ms then "
          f"| p99 ms now | MB a worker now, then |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, _path, _script in pages:
        now, earlier = median(name, "now", "rps"), median(name, rev, "rps")
        peak = [max(r.worker_mb for r in results[(name, label)]) for label in ("now", rev)]
        print(f"| {name} | {now:,.0f} | {earlier:,.0f} | {now / earlier:.2f} | {median(name, 'now', 'cpu_ms'):.2f} "
              f"| {median(name, rev, 'cpu_ms'):.2f} | {median(name, 'now', 'p99_ms'):.1f} "
              f"| {peak[0]:.0f}, {peak[1]:.0f} |")


if __name__ == "__main__":
    main()
