#!/usr/bin/env bash
# Simpl now against Simpl at an earlier commit, in one run, on the benchmark's SQLite board: each
# page is loaded on one and then the other, alternately, ROUNDS times, and the table gives the
# median requests/s of each and their ratio. Pages are rendered for every request
# (PAGE_CACHE_SECONDS=0), so the ratio is the cost of the code, not of a kept page.
#
#   bash bench/compare.sh 468a378              # now against the board before it was translated
#   LANGUAGES="en fr cy" bash bench/compare.sh 468a378   # now in each language, against then
#
# The earlier commit is checked out once in /tmp/simpl-compare-REV with its own venv. Its code
# reads the same board: columns added since are simply not read. Knobs: ROUNDS (3), DURATION
# (6 s), WARMUP (2 s), CONNS (16), WORKERS (2), LANGUAGES (en: the Accept-Language of the
# requests to the board now; the earlier board has only English).
set -euo pipefail
REV=${1:?usage: bash bench/compare.sh REV}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
DATA=$HERE/data
ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-6} WARMUP=${WARMUP:-2} CONNS=${CONNS:-16} WORKERS=${WORKERS:-2}
LANGUAGES=${LANGUAGES:-en}
THEN=/tmp/simpl-compare-$(git -C "$ROOT" rev-parse --short "$REV")

command -v wrk >/dev/null || { echo "compare.sh: wrk is missing (bash ../shared/bench/setup.sh installs it)" >&2; exit 1; }
[ -f "$DATA/board.db" ] || "$ROOT/.venv/bin/python" "$HERE/run.py" --urls >/dev/null  # makes the board once
if [ ! -x "$THEN/.venv/bin/gunicorn" ]; then
  rm -rf "$THEN"
  git -C "$ROOT" worktree add -f --detach "$THEN" "$REV" >/dev/null
  python3 -m venv "$THEN/.venv" && "$THEN/.venv/bin/pip" install -q -e "$THEN" gunicorn
fi

query() { "$ROOT/.venv/bin/python" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$DATA/board.db" "$1"; }
busy_idea=$(query "SELECT id FROM ideas WHERE hidden_at IS NULL ORDER BY abs(comments_count - 100), id LIMIT 1")
quiet_idea=$(query "SELECT id FROM ideas WHERE hidden_at IS NULL AND comments_count = 0 ORDER BY id LIMIT 1")
PAGES=${PAGES:-"/ /ideas /ideas?sort=popular /ideas?page=200 /help /ideas/$busy_idea /ideas/$quiet_idea /help/1
  /users/neighbour1 /search?q=garden /api/v1/ideas /ideas.atom"}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
LOGS=$(mktemp -d /tmp/simpl-compare-logs.XXXXXX)
serve() {  # serve DIR PORT NAME: the board in DIR on the benchmark's board, in the background
  (cd "$1" && exec env INSTANCE_PATH="$DATA" DATABASE_URL="sqlite:///$DATA/board.db" RATELIMIT_ENABLED=0 \
     PAGE_CACHE_SECONDS=0 "$1/.venv/bin/gunicorn" --no-control-socket -w "$WORKERS" -b "127.0.0.1:$2" \
     --log-level warning app:app) >"$LOGS/$3.log" 2>&1 &
  echo $!
}
then_port=$(free_port); now_port=$(free_port)
then_pid=$(serve "$THEN" "$then_port" then); now_pid=$(serve "$ROOT" "$now_port" now)
trap 'kill $then_pid $now_pid 2>/dev/null; rm -rf "$LOGS"' EXIT
for name in then now; do
  port=${name}_port
  for _ in $(seq 150); do curl -sf -o /dev/null "http://127.0.0.1:${!port}/" && continue 2; sleep 0.2; done
  echo "compare.sh: the board ($name) did not start:" >&2; cat "$LOGS/$name.log" >&2; exit 1
done

measure() {  # measure PORT PATH LANGUAGE: requests/s after a warm-up
  local url="http://127.0.0.1:$1$2" header="Accept-Language: $3"
  wrk -t2 -c"$CONNS" -d"${WARMUP}s" -H "$header" "$url" >/dev/null
  wrk -t2 -c"$CONNS" -d"${DURATION}s" -H "$header" "$url" | awk '/Requests\/sec/ {print $2}'
}
median() { tr ' ' '\n' | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "Simpl now ($(git -C "$ROOT" rev-parse --short HEAD)) against $REV, $WORKERS workers, $CONNS connections,"
echo "pages rendered for every request, median of $ROUNDS alternate runs of ${DURATION} s:"
echo
header="| page | then req/s |"; rule="|---|---:|"
for language in $LANGUAGES; do header+=" now ($language) req/s | now ($language) / then |"; rule+="---:|---:|"; done
echo "$header"; echo "$rule"
for path in $PAGES; do
  then_runs=""; declare -A now_runs=()
  for _ in $(seq "$ROUNDS"); do
    then_runs+=" $(measure "$then_port" "$path" en)"
    for language in $LANGUAGES; do now_runs[$language]+=" $(measure "$now_port" "$path" "$language")"; done
  done
  then_rps=$(echo $then_runs | median)
  row="| \`$path\` | $then_rps |"
  for language in $LANGUAGES; do
    now_rps=$(echo ${now_runs[$language]} | median)
    row+=" $now_rps | $(awk -v a="$now_rps" -v b="$then_rps" 'BEGIN {printf "%.2f", a / b}') |"
  done
  echo "$row"
  unset now_runs
done
