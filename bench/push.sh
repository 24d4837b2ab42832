#!/usr/bin/env bash
# Push benchmark: one node started like the README says (java @jvm.options; JAVA_OPTS replaces it) on loopback, a load client holding N authenticated
# WebSocket subscriptions (default 10,000), then R broadcast notifications (default 3) timed
# from the REST call to every socket's frame. Prints heap per socket and latency p50/p90/p99.
# Usage: bench/push.sh [sockets] [rounds]        (bounded: 10 min for sockets, 60 s per round)
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-10000}
ROUNDS=${2:-3}
PORT=${BENCH_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
DB=atrium_bench_push
PREFIX="atrium-bench-push:"
WORK=target/bench-push
ADMIN_EMAIL=admin@bench.local
ADMIN_PASSWORD=bench-admin-password

# Each side holds one descriptor per socket, plus jars, pools and logs.
need=$((N + 2048))
if [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -n "$need" 2>/dev/null || { echo "ulimit -n is $(ulimit -n); raise it to at least $need"; exit 1; }
fi

rm -rf "$WORK" && mkdir -p "$WORK/data"
PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
redis-cli -h 127.0.0.1 --scan --pattern "${PREFIX}*" | xargs -r -n 500 redis-cli -h 127.0.0.1 del >/dev/null

echo "building..."
mvn -q -B package -DskipTests
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test

ATRIUM_HTTP_PORT=$PORT ATRIUM_HTTP_HOST=127.0.0.1 \
ATRIUM_DB_URL="postgresql://postgres@127.0.0.1:5432/$DB" ATRIUM_REDIS_PREFIX="$PREFIX" \
ATRIUM_DATA_DIR="$WORK/data" ATRIUM_ADMIN_EMAIL=$ADMIN_EMAIL ATRIUM_ADMIN_PASSWORD=$ADMIN_PASSWORD \
  java ${JAVA_OPTS-@jvm.options} -jar target/atrium.jar >"$WORK/server.log" 2>&1 &
SERVER=$!
cleanup() {
  kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  redis-cli -h 127.0.0.1 --scan --pattern "${PREFIX}*" | xargs -r -n 500 redis-cli -h 127.0.0.1 del >/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "node did not start"; tail -20 "$WORK/server.log"; exit 1; }

echo "node pid $SERVER on port $PORT; $N sockets, $ROUNDS broadcasts"
# the load client (not the node) holds the other end of every socket: its own heap, sized for 10,000
timeout 900 java -Xmx1g -cp "target/test-classes:target/classes:$(cat "$WORK/cp.txt")" dev.atrium.bench.PushLoad \
  127.0.0.1 "$PORT" "$WORK/data" "jdbc:postgresql://127.0.0.1:5432/$DB" "$N" "$ROUNDS" \
  "$ADMIN_EMAIL" "$ADMIN_PASSWORD" "$SERVER"
if grep -q OutOfMemoryError "$WORK/server.log" || ! kill -0 "$SERVER" 2>/dev/null; then
  echo "SERVER RAN OUT OF HEAP OR DIED (see $WORK/server.log)"
else
  echo "server heap limit held ($(grep -h -o -- '-Xmx[0-9]*[mMgG]' jvm.options 2>/dev/null | tail -1) from jvm.options unless JAVA_OPTS was set)"
fi
