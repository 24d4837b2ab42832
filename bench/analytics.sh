#!/usr/bin/env bash
# Analytics benchmark (issue 4), one run, loopback, bounded: DURATION per wrk phase (default 15 s).
#  1. GET /health/live, 64 connections: the reference rate.
#  2. POST /api/analytics/track-activity with one activity, 64 connections: target >= 40% of (1).
#  3. POST batches of 100 activities, 16 connections: target >= 50,000 activities/s, and every
#     accepted activity found in the table afterwards.
#  4. GET /api/analytics/real-time-dashboard with SEED_ROWS (default 10,000,000) activities
#     stored, 32 connections: target p99 < 20 ms.
source "$(dirname "$0")/common.sh"
require wrk wrk
DURATION=${DURATION:-15s}
SEED_ROWS=${SEED_ROWS:-10000000}
DB=atrium_bench_analytics
build_jar
drop_db $DB
# one account sends every activity (up to ~200,000 a second): the per-user rate limit is raised
start_node $DB ATRIUM_INGEST_RATE_PER_USER=100000000

ADMIN_TOKEN=$(curl -sf -X POST $BASE/api/auth/login -H 'Content-Type: application/json' \
  -d '{"email":"admin@bench.local","password":"bench-admin-password"}' | json_field '["access"]')
EMAIL=bench-analytics@example.com
PASSWORD="correct horse battery staple"
curl -sf -X POST $BASE/api/auth/register -H 'Content-Type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"username\":\"benchanalytics\",\"password\":\"$PASSWORD\"}" >/dev/null
TOKEN=$(curl -sf -X POST $BASE/api/auth/login -H 'Content-Type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | json_field '["access"]')
sql() { psql -qAt -h 127.0.0.1 -U postgres -d $DB -c "$1"; }
ok_requests() { # completed requests minus non-2xx, from a wrk report
  local total non2xx
  total=$(awk '/requests in/ {print $1}' "$1")
  non2xx=$(grep -o 'Non-2xx or 3xx responses: [0-9]*' "$1" | grep -o '[0-9]*$' || echo 0)
  echo $((total - non2xx))
}

cat > "$OUT/analytics-one.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"action":"bench_click","metadata":{"duration_ms":12,"path":"/bench"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
cat > "$OUT/analytics-batch.lua" <<LUA
local events = {}
for i = 1, 100 do
  events[i] = '{"action":"bench_batch","metadata":{"duration_ms":' .. i .. ',"i":' .. i .. '}}'
end
wrk.method = "POST"
wrk.body = '{"events":[' .. table.concat(events, ",") .. ']}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA

# warm-up (JIT, pools, prepared statements), not measured
wrk -t2 -c16 -d3s -s "$OUT/analytics-one.lua" $BASE/api/analytics/track-activity > /dev/null
wrk -t2 -c16 -d3s -s "$OUT/analytics-batch.lua" $BASE/api/analytics/track-activity > /dev/null

wrk -t2 -c64 -d$DURATION --latency $BASE/health/live > "$OUT/analytics-live.txt"
ONE_BEFORE=$(sql "SELECT count(*) FROM activities WHERE action = 'bench_click'")
wrk -t2 -c64 -d$DURATION --latency -s "$OUT/analytics-one.lua" $BASE/api/analytics/track-activity > "$OUT/analytics-one.txt"
ONE_AFTER=$(sql "SELECT count(*) FROM activities WHERE action = 'bench_click'")

BATCH_BEFORE=$(sql "SELECT count(*) FROM activities WHERE action = 'bench_batch'")
wrk -t2 -c16 -d$DURATION --latency -s "$OUT/analytics-batch.lua" $BASE/api/analytics/track-activity > "$OUT/analytics-batch.txt"
BATCH_AFTER=$(sql "SELECT count(*) FROM activities WHERE action = 'bench_batch'")

# Seed the table to SEED_ROWS with set-based SQL (one statement per million rows), spread over
# the last 20 days, then measure the dashboard, whose cost must not depend on the table.
HAVE=$(sql "SELECT count(*) FROM activities")
USER_ID=$(sql "SELECT id FROM users WHERE email = '$EMAIL'")
SEED_START=$(date +%s)
while [ "$HAVE" -lt "$SEED_ROWS" ]; do
  N=$(( SEED_ROWS - HAVE < 1000000 ? SEED_ROWS - HAVE : 1000000 ))
  sql "INSERT INTO activities (occurred_at, id, user_id, action, source, metadata, ip, user_agent)
       SELECT now() - interval '1 hour' - random() * interval '20 days', gen_random_uuid(), '$USER_ID',
              'seeded_' || (g % 50), 'api', jsonb_build_object('duration_ms', g % 1000), '10.1.2.3', 'bench-seed'
       FROM generate_series(1, $N) g" >/dev/null
  HAVE=$(( HAVE + N ))
done
SEED_S=$(( $(date +%s) - SEED_START ))
STORED=$(sql "SELECT count(*) FROM activities")
wrk -t2 -c32 -d$DURATION --latency -H "Authorization: Bearer $ADMIN_TOKEN" \
  $BASE/api/analytics/real-time-dashboard > "$OUT/analytics-dashboard.txt"
stop_node
[ -n "${KEEP_DB:-}" ] || drop_db $DB

LIVE=$(rps "$OUT/analytics-live.txt"); ONE=$(rps "$OUT/analytics-one.txt"); BATCH=$(rps "$OUT/analytics-batch.txt")
SECS=$(python3 -c "import re; d='$DURATION'; print(float(re.sub('[a-z]','',d)) * (60 if d.endswith('m') else 1))")
ONE_OK=$(ok_requests "$OUT/analytics-one.txt"); BATCH_OK=$(ok_requests "$OUT/analytics-batch.txt")
echo "date:                           $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine:                        $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r)"
echo "GET /health/live req/s:         $LIVE (p99 $(p99 "$OUT/analytics-live.txt") ms)"
echo "single track-activity req/s:    $ONE (p99 $(p99 "$OUT/analytics-one.txt") ms) = $(python3 -c "print(round(100*$ONE/$LIVE,1))")% of live"
echo "  202s: $ONE_OK, rows stored: $(( ONE_AFTER - ONE_BEFORE ))"
echo "batches of 100 req/s:           $BATCH (p99 $(p99 "$OUT/analytics-batch.txt") ms) = $(python3 -c "print(round(100*$BATCH))") activities/s"
echo "  202s x 100: $(( BATCH_OK * 100 )), rows stored: $(( BATCH_AFTER - BATCH_BEFORE )) ($(python3 -c "print(round(($BATCH_AFTER-$BATCH_BEFORE)/$SECS))")/s over ${SECS}s)"
echo "activities stored:              $STORED (seeded in ${SEED_S}s)"
echo "dashboard req/s:                $(rps "$OUT/analytics-dashboard.txt") p99 $(p99 "$OUT/analytics-dashboard.txt") ms  non-2xx: $(grep -o 'Non-2xx or 3xx responses: [0-9]*' "$OUT/analytics-dashboard.txt" | grep -o '[0-9]*$' || echo 0)"
