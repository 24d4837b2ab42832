#!/usr/bin/env bash
# Platform and accounts benchmark (issue 2), one run, loopback, bounded: 15 s per wrk phase.
#  1. GET /health/live vs GET /api/auth/me with a bearer token, 64 connections each.
#  2. /health/live p99 while 32 clients log in in a loop (Argon2id saturating the worker pool).
#  3. Start-up time with the database already migrated.
source "$(dirname "$0")/common.sh"
require wrk wrk
DURATION=${DURATION:-15s}
DB=atrium_bench_auth
build_jar
drop_db $DB

start_node $DB            # first start: creates and migrates the database
EMAIL=bench-user@example.com
PASSWORD="correct horse battery staple"
curl -sf -X POST $BASE/api/auth/register -H 'Content-Type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"username\":\"benchuser\",\"password\":\"$PASSWORD\"}" >/dev/null
stop_node

# second start: database already migrated. Login attempts are counted while in flight (per email
# and address, per email, per address), so the login storm below needs high limits.
start_node $DB ATRIUM_LOGIN_MAX_FAILURES=1000 ATRIUM_LOGIN_MAX_FAILURES_PER_ACCOUNT=100000 \
  ATRIUM_LOGIN_MAX_FAILURES_PER_IP=100000
STARTUP_MS=$(grep -o '([0-9]* ms after the JVM started)' "$OUT/node-$DB.log" | grep -o '[0-9]*')
TOKEN=$(curl -sf -X POST $BASE/api/auth/login -H 'Content-Type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | json_field '["access"]')

wrk -t2 -c64 -d$DURATION --latency $BASE/health/live > "$OUT/auth-live.txt"
wrk -t2 -c64 -d$DURATION --latency -H "Authorization: Bearer $TOKEN" $BASE/api/auth/me > "$OUT/auth-me.txt"

cat > "$OUT/login.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"email":"$EMAIL","password":"$PASSWORD"}'
wrk.headers["Content-Type"] = "application/json"
LUA
wrk -t1 -c32 -d$DURATION -s "$OUT/login.lua" $BASE/api/auth/login > "$OUT/auth-login.txt" &
LOGIN_PID=$!
sleep 2   # let the login load saturate the pool before measuring
wrk -t1 -c8 -d10s --latency $BASE/health/live > "$OUT/auth-live-under-login.txt"
wait $LOGIN_PID
stop_node
drop_db $DB

LIVE=$(rps "$OUT/auth-live.txt"); ME=$(rps "$OUT/auth-me.txt")
RATIO=$(python3 -c "print(round(100*$ME/$LIVE,1))")
echo "date:                          $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine:                       $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r)"
echo "GET /health/live req/s:        $LIVE (p99 $(p99 "$OUT/auth-live.txt") ms)"
echo "GET /api/auth/me req/s:        $ME (p99 $(p99 "$OUT/auth-me.txt") ms) = ${RATIO}% of live"
echo "logins/s (32 clients):         $(rps "$OUT/auth-login.txt")  non-2xx: $(grep -o 'Non-2xx or 3xx responses: [0-9]*' "$OUT/auth-login.txt" | grep -o '[0-9]*$' || echo 0)"
echo "/health/live p99 under logins: $(p99 "$OUT/auth-live-under-login.txt") ms"
echo "ready after JVM start:         ${STARTUP_MS} ms (database already migrated)"
