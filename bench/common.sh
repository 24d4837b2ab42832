# Shared helpers for the benchmark scripts: build once, start a node on a bench database, stop it.
set -euo pipefail
BENCH_PORT=${BENCH_PORT:-18080}
BASE="http://127.0.0.1:$BENCH_PORT"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bench/results"
mkdir -p "$OUT"

require() { command -v "$1" >/dev/null || { echo "missing $1 (apt-get install $2)"; exit 1; }; }

build_jar() {
  [ -f "$ROOT/target/atrium.jar" ] && [ -z "${REBUILD:-}" ] || (cd "$ROOT" && mvn -q -B package -DskipTests)
}

# start_node DB [extra env assignments...]: starts the jar in the background, waits until ready.
# NODE_PORT (default BENCH_PORT) and NODE_TAG (a suffix of its log's name) start a second node.
start_node() {
  local db=$1; shift
  local log="$OUT/node-$db${NODE_TAG:-}.log"
  export BENCH_DB=$db
  env ATRIUM_HTTP_PORT=${NODE_PORT:-$BENCH_PORT} ATRIUM_HTTP_HOST=127.0.0.1 \
    ATRIUM_DB_URL="postgresql://postgres@127.0.0.1:5432/$db" ATRIUM_REDIS_PREFIX="bench:$db:" \
    ATRIUM_DATA_DIR="$OUT/data-$db" ATRIUM_ADMIN_EMAIL=admin@bench.local ATRIUM_ADMIN_PASSWORD=bench-admin-password \
    ATRIUM_ACCESS_LOG=WARN "$@" \
    java ${JAVA_OPTS-@$ROOT/jvm.options} -jar "$ROOT/target/atrium.jar" > "$log" 2>&1 &
  NODE_PID=$!
  for _ in $(seq 1 120); do
    grep -q "Atrium ready" "$log" 2>/dev/null && return 0
    kill -0 $NODE_PID 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.25
  done
  echo "node did not become ready"; exit 1
}

stop_node() {
  [ -n "${NODE_PID:-}" ] && kill -TERM $NODE_PID 2>/dev/null && wait $NODE_PID 2>/dev/null || true
  NODE_PID=
}

drop_db() {
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null
}

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# rps FILE: requests/sec from a wrk report
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
# p99 FILE: 99th percentile latency from a wrk --latency report, in ms
p99() { awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' "$1"; }
