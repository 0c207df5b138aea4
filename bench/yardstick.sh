#!/usr/bin/env bash
# Simpl on the shared yardstick (../shared/bench/run.sh, unchanged): the ceiling, FlaskBB, and
# Simpl on SQLite and on PostgreSQL as two targets of one run, on the benchmark's boards, with
# every page a visitor can open (bench/run.py --urls), each compared with the ceiling page of its
# kind. Afterwards, a summary of Simpl's rows against its speed targets.
#
#   bash bench/yardstick.sh                                  # the full run: about 40 minutes
#   DURATION=5 WARMUP=1 TARGETS="ceiling app" bash bench/yardstick.sh      # a quick look
#
# run.sh reads its targets from its own targets/ folder only, so this runs a temporary copy of
# it with one more target file, targets/app-postgresql.sh: targets/app.sh reading APP_PG_ENV and
# APP_PG_URLS. Both Simpl targets use the same labels, so run.sh compares both with the same
# ceiling rows. Knobs: those of run.sh (WORKERS_LIST is 2 here unless given), and
#   POSTGRESQL_URL   the PostgreSQL board (default postgresql+psycopg://postgres@127.0.0.1:5433/bench,
#                    filled by bench/run.py --postgresql); empty: SQLite only
#   SHARED_BENCH     the shared yardstick (default ../shared/bench beside this project)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
SHARED=${SHARED_BENCH:-$(dirname "$ROOT")/shared/bench}
PERF=${BENCH_DIR:-/tmp/perf}
PYTHON=$ROOT/.venv/bin/python
DATA=$HERE/data
POSTGRESQL_URL=${POSTGRESQL_URL-postgresql+psycopg://postgres@127.0.0.1:5433/bench}

[ -x "$SHARED/run.sh" ] || { echo "yardstick.sh: no shared yardstick at $SHARED (set SHARED_BENCH)" >&2; exit 1; }
[ -f "$PERF/ceiling.sqlite" ] && [ -d "$PERF/venv-ceiling" ] ||
  { echo "yardstick.sh: build the yardstick once first: bash $SHARED/setup.sh" >&2; exit 1; }

# The pages, found on each board (the API's page 200 is a cursor: a position on that board).
# run.py makes the SQLite board first if there is none (about three minutes, once).
# Given APP_URLS (and APP_PG_URLS), only those are measured.
APP_URLS=${APP_URLS:-$("$PYTHON" "$HERE/run.py" --urls)}
TARGETS=${TARGETS:-"ceiling flaskbb app${POSTGRESQL_URL:+ app-postgresql}"}
if [[ " $TARGETS " == *" app-postgresql "* ]] && [ -z "${APP_PG_URLS:-}" ]; then
  APP_PG_URLS=$("$PYTHON" "$HERE/run.py" --urls --postgresql "$POSTGRESQL_URL") ||
    { echo "yardstick.sh: the PostgreSQL board at $POSTGRESQL_URL does not answer" >&2; exit 1; }
fi

COPY=$(mktemp -d /tmp/simpl-yardstick.XXXXXX)
trap 'rm -rf "$COPY"' EXIT
cp -R "$SHARED/." "$COPY/"
chmod -R u+w "$COPY"
{
  echo '# Target "app-postgresql": targets/app.sh again, reading APP_PG_ENV and APP_PG_URLS (added by'
  echo "# Simpl's bench/yardstick.sh, so that Simpl on both engines runs in one go)."
  sed -e 's/APP_ENV/APP_PG_ENV/g' -e 's/APP_URLS/APP_PG_URLS/g' "$COPY/targets/app.sh"
} >"$COPY/targets/app-postgresql.sh"

RESULTS_DIR=$PERF/results/simpl-$(date -u +%Y%m%d-%H%M%S)
common="INSTANCE_PATH=$DATA RATELIMIT_ENABLED=0"
export TARGETS RESULTS_DIR BENCH_DIR=$PERF WORKERS_LIST=${WORKERS_LIST:-2}
export APP_DIR=$ROOT APP_CMD="$ROOT/.venv/bin/gunicorn --no-control-socket app:app"
export APP_ENV="DATABASE_URL=sqlite:///$DATA/board.db $common" APP_URLS APP_PG_URLS=${APP_PG_URLS:-}
# The same key as on SQLite: sessions and tokens read the same on both engines.
export APP_PG_ENV="DATABASE_URL=$POSTGRESQL_URL SECRET_KEY=$(cat "$DATA/secret_key") $common"
bash "$COPY/run.sh"

"$PYTHON" - "$RESULTS_DIR/results.tsv" <<'PY' | tee "$RESULTS_DIR/simpl.md"
"""Simpl's rows against its speed targets: the share of the ceiling page of the same kind,
PostgreSQL against SQLite, FlaskBB's like page, and page 200 against page 1 (by shares)."""
import csv
import statistics
import sys

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))


def rps(target, label, workers):
    values = [float(r["req_s"]) for r in rows if (r["target"], r["label"], r["workers"]) == (target, label, workers)
              and r["req_s"] not in ("", "-")]
    return statistics.median(values) if values else None


def p99(target, label, workers):
    values = [float(r["p99_ms"]) for r in rows if (r["target"], r["label"], r["workers"]) == (target, label, workers)
              and r["p99_ms"] not in ("", "-")]
    return statistics.median(values) if values else None


def rss(target, label, workers):
    values = [float(r["peak_rss_mb"]) for r in rows
              if (r["target"], r["label"], r["workers"]) == (target, label, workers) and r["peak_rss_mb"] not in ("", "-")]
    return max(values) if values else None


PEER = {"list": "list@forum", "detail": "detail@topic"}
fmt = lambda v, f="{:.2f}": "-" if v is None else f.format(v)  # noqa: E731
for workers in dict.fromkeys(r["workers"] for r in rows):
    labels = list(dict.fromkeys(r["label"] for r in rows if r["target"] == "app" and r["workers"] == workers))
    if not labels:
        continue
    print(f"\nSimpl against its speed targets, {workers} workers (shares of the ceiling page of the same kind; "
          "search 0.3, other pages 0.5; page 200 at least 0.9 of page 1; PostgreSQL at least 0.7 of SQLite; "
          "20 times FlaskBB; p99 under 100 ms; under 100 MB a worker):\n")
    print("| page | kind | SQLite share | PostgreSQL share | PostgreSQL / SQLite | × FlaskBB (SQLite) "
          "| page 200 / page 1 (SQLite) | p99 ms (SQLite, PostgreSQL) | MB a worker (SQLite, PostgreSQL) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for label in labels:
        kind, _, name = label.partition("@")
        ceiling, peer = rps("ceiling", kind, workers), rps("flaskbb", PEER.get(kind, ""), workers)
        sqlite, postgresql = rps("app", label, workers), rps("app-postgresql", label, workers)
        share = sqlite / ceiling if sqlite and ceiling else None
        pg_share = postgresql / ceiling if postgresql and ceiling else None
        deep = None
        if "-p" in name and name.rsplit("-p", 1)[1].isdigit():
            first = rps("app", f"{kind}@{name.rsplit('-p', 1)[0]}", workers)
            deep = sqlite / first if sqlite and first else None
        print(f"| {name} | {kind} | {fmt(share)} | {fmt(pg_share)} | "
              f"{fmt(postgresql / sqlite if postgresql and sqlite else None)} | "
              f"{fmt(sqlite / peer if sqlite and peer else None, '{:.0f}')} | {fmt(deep)} | "
              f"{fmt(p99('app', label, workers), '{:.0f}')}, {fmt(p99('app-postgresql', label, workers), '{:.0f}')} | "
              f"{fmt(rss('app', label, workers), '{:.0f}')}, {fmt(rss('app-postgresql', label, workers), '{:.0f}')} |")
PY
echo "Simpl's summary: $RESULTS_DIR/simpl.md"
