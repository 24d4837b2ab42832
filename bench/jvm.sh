#!/usr/bin/env bash
# Issue 15's footprint point, paired: one node started with jvm.options and one with the JVM's
# defaults (or OTHER_ARGS), on the same database, measured in alternation: ROUNDS rounds of wrk
# on /api/auth/me and on the dashboard, each node in turn, so drift of a shared machine falls on
# both. Prints each pair, the median ratio per endpoint, and each node's RSS at the end.
#
# Env: ROUNDS (3), DURATION (8s), CONNS (64), OTHER_ARGS ("" = the JVM's defaults).
source "$(dirname "$0")/common.sh"
require wrk wrk
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8s}
CONNS=${CONNS:-64}
OTHER_ARGS=${OTHER_ARGS:-}
DB=atrium_bench_jvm
PORT_B=$((BENCH_PORT + 1))
build_jar
drop_db $DB

start_node $DB
PID_A=$NODE_PID
env ATRIUM_HTTP_PORT=$PORT_B ATRIUM_HTTP_HOST=127.0.0.1 \
  ATRIUM_DB_URL="postgresql://postgres@127.0.0.1:5432/$DB" ATRIUM_REDIS_PREFIX="bench:$DB:" \
  ATRIUM_DATA_DIR="$OUT/data-$DB" ATRIUM_ADMIN_EMAIL=admin@bench.local ATRIUM_ADMIN_PASSWORD=bench-admin-password \
  ATRIUM_ACCESS_LOG=WARN java $OTHER_ARGS -jar "$ROOT/target/atrium.jar" > "$OUT/node-$DB-b.log" 2>&1 &
PID_B=$!
trap 'kill -TERM $PID_A $PID_B 2>/dev/null; wait 2>/dev/null; drop_db $DB' EXIT
for _ in $(seq 1 120); do
  grep -q "Atrium ready" "$OUT/node-$DB-b.log" 2>/dev/null && break
  kill -0 $PID_B 2>/dev/null || { cat "$OUT/node-$DB-b.log"; exit 1; }
  sleep 0.25
done

TOKEN=$(curl -sf -X POST $BASE/api/auth/login -H 'Content-Type: application/json' \
  -d '{"email":"admin@bench.local","password":"bench-admin-password"}' | json_field '["access"]')
A=$BASE
B="http://127.0.0.1:$PORT_B"
H="Authorization: Bearer $TOKEN"
for url in $A $B; do # warm both JITs
  wrk -t2 -c$CONNS -d4s -H "$H" "$url/api/auth/me" >/dev/null
  wrk -t2 -c$CONNS -d4s -H "$H" "$url/api/analytics/real-time-dashboard" >/dev/null
done

: > "$OUT/jvm-pairs.txt"
for r in $(seq 1 "$ROUNDS"); do
  for path in /api/auth/me /api/analytics/real-time-dashboard; do
    a=$(wrk -t2 -c$CONNS -d$DURATION -H "$H" "$A$path" | awk '/Requests\/sec/ {print $2}')
    b=$(wrk -t2 -c$CONNS -d$DURATION -H "$H" "$B$path" | awk '/Requests\/sec/ {print $2}')
    echo "$path $a $b" | tee -a "$OUT/jvm-pairs.txt"
  done
done

echo "date:    $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "node A:  java @jvm.options   RSS $(awk '/^VmRSS:/{print int($2/1024)}' /proc/$PID_A/status) MB"
echo "node B:  java ${OTHER_ARGS:-(JVM defaults)}   RSS $(awk '/^VmRSS:/{print int($2/1024)}' /proc/$PID_B/status) MB"
python3 - "$OUT/jvm-pairs.txt" <<'PY'
import sys, statistics, collections
pairs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    path, a, b = line.split()
    pairs[path].append(float(a) / float(b))
for path, rs in pairs.items():
    print("%-36s A/B median %.3f  (%s)" % (path, statistics.median(rs), ", ".join("%.3f" % r for r in rs)))
PY
