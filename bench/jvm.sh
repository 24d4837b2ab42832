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

PID_A= PID_B=
trap 'kill -TERM $PID_A $PID_B 2>/dev/null; wait 2>/dev/null; drop_db $DB' EXIT
start_node $DB
PID_A=$NODE_PID
NODE_PORT=$PORT_B NODE_TAG=-b JAVA_OPTS="$OTHER_ARGS" start_node $DB
PID_B=$NODE_PID

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
