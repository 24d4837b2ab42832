#!/usr/bin/env bash
# Users administration benchmark (issue 3, "Speed"):
#   1. 100,000 users seeded with set-based SQL;
#   2. wrk at 64 connections on GET /api/users?page=1&search=<term>&ordering=-created_at and on
#      GET /health/live in the same run (target: search >= 25% of live's requests per second);
#   3. POST /api/users/import of 10,000 users with pre-hashed (Django) passwords, timed (target < 5 s).
# Loopback only, bounded in time (DURATION per wrk run, default 10s). Starts the jar on its own
# database and Redis prefix and stops everything at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18093}
DB=atrium_bench_users
PG="psql -q -h 127.0.0.1 -U postgres"
BASE="http://127.0.0.1:$PORT"
ADMIN_EMAIL=bench-admin@atrium.test
ADMIN_PASSWORD=bench-admin-password-1
TERM_SEARCH=${TERM_SEARCH:-okaforley}
# The per-node list cache is off by default (as in the node); ATRIUM_USERS_LIST_CACHE=1s measures it.
LIST_CACHE=${ATRIUM_USERS_LIST_CACHE:-0}
WORK=$(mktemp -d)
PID=

cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID"; wait "$PID" 2>/dev/null || true
  fi
  $PG -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is not installed"; exit 1; }
[ -f target/atrium.jar ] || mvn -q -B package -DskipTests
$PG -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null

ATRIUM_HTTP_PORT=$PORT ATRIUM_HTTP_HOST=127.0.0.1 \
ATRIUM_DB_URL="postgresql://postgres@127.0.0.1:5432/$DB" \
ATRIUM_REDIS_PREFIX="atrium-bench-users:" ATRIUM_DATA_DIR="$WORK/data" \
ATRIUM_ADMIN_EMAIL=$ADMIN_EMAIL ATRIUM_ADMIN_PASSWORD=$ADMIN_PASSWORD \
ATRIUM_ACCESS_LOG=WARN ATRIUM_LOG_LEVEL=WARN ATRIUM_USERS_LIST_CACHE=$LIST_CACHE \
  java ${JAVA_OPTS-@jvm.options} -jar target/atrium.jar >"$WORK/node.log" 2>&1 &
PID=$!
for _ in $(seq 1 120); do
  curl -fs "$BASE/health/ready" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/node.log"; exit 1; }
  sleep 0.5
done

echo "== seeding 100,000 users"
$PG -d $DB -f bench/seed-users.sql
$PG -d $DB -c 'VACUUM ANALYZE users' -c 'VACUUM ANALYZE user_search_grams'

TOKEN=$(curl -fs -H 'Content-Type: application/json' \
  -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" "$BASE/api/auth/login" \
  | sed -n 's/.*"access":"\([^"]*\)".*/\1/p')
SEARCH="$BASE/api/users?page=1&search=$TERM_SEARCH&ordering=-created_at"
COUNT=$(curl -fs -H "Authorization: Bearer $TOKEN" "$SEARCH" | sed -n 's/^{"count":\([0-9]*\).*/\1/p')
echo "search '$TERM_SEARCH' matches $COUNT users; list cache $LIST_CACHE"

echo "== EXPLAIN of the search page"
$PG -d $DB -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT u.id FROM users u
  WHERE lower(u.email || ' ' || u.username || ' ' || u.first_name || ' ' || u.last_name) LIKE '%$TERM_SEARCH%'
  ORDER BY u.created_at DESC, u.id DESC LIMIT 20 OFFSET 0" | sed 's/^/  /'

run_wrk() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 5s --latency "$@"; }
rps() { sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\)/\1/p'; }

echo "== wrk GET /health/live"
run_wrk "$BASE/health/live" | tee "$WORK/live.txt"
echo "== wrk GET /api/users?page=1&search=$TERM_SEARCH&ordering=-created_at"
run_wrk -H "Authorization: Bearer $TOKEN" "$SEARCH" | tee "$WORK/search.txt"
LIVE=$(rps <"$WORK/live.txt")
FOUND=$(rps <"$WORK/search.txt")

echo "== import of 10,000 users with pre-hashed Django passwords"
HASH='pbkdf2_sha256$870000$c2FsdHNhbHQ$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo0NTY3ODk='
{ echo "email,username,password,first_name,last_name"
  seq 1 10000 | awk -v h="$HASH" '{ printf "imp%d@bench.test,imp%d,%s,Imported,User%d\n", $1, $1, h, $1 }'; } >"$WORK/import.csv"
IMPORT=$(curl -s -o "$WORK/import.json" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: text/csv' --data-binary @"$WORK/import.csv" "$BASE/api/users/import")
echo "import answer: $(head -c 200 "$WORK/import.json")"

echo
echo "== results"
echo "health/live requests/s:   $LIVE"
echo "users search requests/s:  $FOUND"
awk -v a="$FOUND" -v b="$LIVE" 'BEGIN { printf "search / live:            %.1f%% (target >= 25%%)\n", 100 * a / b }'
echo "import 10,000 (status s): $IMPORT (target < 5 s)"
