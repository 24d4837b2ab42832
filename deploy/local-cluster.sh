#!/usr/bin/env bash
# The deploy/ topology on one machine without Docker: two Atrium nodes on two loopback ports and
# Debian's nginx (installed with apt-get if missing) on a third, using the local PostgreSQL and
# Redis. Everything listens on 127.0.0.1 only.
#
#   deploy/local-cluster.sh start    # build if needed, start node 1, node 2, then nginx
#   deploy/local-cluster.sh status
#   deploy/local-cluster.sh stop     # nginx first, then the nodes (SIGTERM: they drain and close sockets)
#   deploy/local-cluster.sh check    # render deploy/nginx.conf for these ports and validate it (nginx -t)
#
# Ports: ATRIUM_NODE1_PORT (8081), ATRIUM_NODE2_PORT (8082), ATRIUM_GATEWAY_PORT (8090).
# State (pids, logs, data dir, rendered nginx.conf) lives in target/local-cluster/, or in
# ATRIUM_CLUSTER_DIR (GatewayTest renders its gateways there).
set -euo pipefail
cd "$(dirname "$0")/.."

NODE1=${ATRIUM_NODE1_PORT:-8081}
NODE2=${ATRIUM_NODE2_PORT:-8082}
GATEWAY=${ATRIUM_GATEWAY_PORT:-8090}
RUN=${ATRIUM_CLUSTER_DIR:-$(pwd)/target/local-cluster}
DB_URL=${ATRIUM_DB_URL:-postgresql://postgres@127.0.0.1:5432/atrium_cluster}

node_env() {
  # exec: the background job becomes the JVM itself, so its pid is the one to signal
  exec env ATRIUM_HTTP_HOST=127.0.0.1 ATRIUM_HTTP_PORT="$1" ATRIUM_DB_URL="$DB_URL" \
    ATRIUM_REDIS_PREFIX="${ATRIUM_REDIS_PREFIX:-atrium-cluster:}" ATRIUM_DATA_DIR="$RUN/data" \
    ATRIUM_TRUST_PROXY=true ATRIUM_MAX_FILE_SIZE=1GB \
    ATRIUM_CORS_ORIGINS="http://127.0.0.1:$GATEWAY,http://localhost:$GATEWAY,http://localhost:3000" \
    ATRIUM_PUBLIC_URL="${ATRIUM_PUBLIC_URL:-http://localhost:$GATEWAY}" \
    ATRIUM_ADMIN_EMAIL="${ATRIUM_ADMIN_EMAIL:-admin@atrium.local}" \
    ${ATRIUM_ADMIN_PASSWORD:+ATRIUM_ADMIN_PASSWORD="$ATRIUM_ADMIN_PASSWORD"} "${@:2}"
}

wait_ready() {
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "nothing ready on port $1; see $RUN/*.log" >&2
  return 1
}

start_node() {
  local name=$1 port=$2
  if [ -f "$RUN/$name.pid" ] && kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then
    echo "$name already running"
    return
  fi
  # the README's run command: JVM settings from jvm.options (heap, GC, direct memory; README "Memory and the JVM")
  node_env "$port" java @jvm.options -jar target/atrium.jar >"$RUN/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
  wait_ready "$port"
  echo "$name ready on 127.0.0.1:$port (pid $(cat "$RUN/$name.pid"))"
}

ensure_nginx() {
  if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "nginx is missing: run 'sudo apt-get install -y nginx-light' (or nginx) and try again" >&2
    exit 1
  fi
  echo "installing nginx (apt-get)..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null; }
  # Debian starts the packaged service on port 80; this script runs its own instance.
  (service nginx stop || systemctl stop nginx || true) >/dev/null 2>&1
}

render_nginx() {
  mkdir -p "$RUN/nginx/logs" "$RUN/nginx/temp"
  sed -e "s|server atrium1:8080|server 127.0.0.1:$NODE1|" \
      -e "s|server atrium2:8080|server 127.0.0.1:$NODE2|" \
      -e "s|listen 80;|listen 127.0.0.1:$GATEWAY;|" \
      -e "s|^worker_processes auto;|worker_processes 2;\npid $RUN/nginx/nginx.pid;\nerror_log $RUN/nginx/logs/error.log warn;|" \
      -e "s|^http {|http {\n    client_body_temp_path $RUN/nginx/temp/body;\n    proxy_temp_path $RUN/nginx/temp/proxy;\n    fastcgi_temp_path $RUN/nginx/temp/fastcgi;\n    uwsgi_temp_path $RUN/nginx/temp/uwsgi;\n    scgi_temp_path $RUN/nginx/temp/scgi;|" \
      deploy/nginx.conf >"$RUN/nginx/nginx.conf"
}

nginx_bin() {
  command -v nginx 2>/dev/null || echo /usr/sbin/nginx
}

start() {
  mkdir -p "$RUN/data"
  [ -f target/atrium.jar ] || mvn -q -B package -DskipTests
  ensure_nginx
  # Node 1 first: it migrates the schema and generates the signing key the other node reads.
  start_node node1 "$NODE1"
  start_node node2 "$NODE2"
  render_nginx
  "$(nginx_bin)" -t -q -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf"
  "$(nginx_bin)" -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf"
  wait_ready "$GATEWAY"
  echo "gateway on http://127.0.0.1:$GATEWAY (REST) and ws://127.0.0.1:$GATEWAY/ws"
}

stop() {
  if [ -f "$RUN/nginx/nginx.pid" ]; then
    "$(nginx_bin)" -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -s quit 2>/dev/null || true
    for _ in $(seq 1 50); do [ -f "$RUN/nginx/nginx.pid" ] || break; sleep 0.1; done
    echo "gateway stopped"
  fi
  for name in node2 node1; do
    if [ -f "$RUN/$name.pid" ]; then
      pid=$(cat "$RUN/$name.pid")
      if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      fi
      rm -f "$RUN/$name.pid"
      echo "$name stopped"
    fi
  done
}

status() {
  for name in node1 node2; do
    if [ -f "$RUN/$name.pid" ] && kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then
      echo "$name running (pid $(cat "$RUN/$name.pid"))"
    else
      echo "$name stopped"
    fi
  done
  if [ -f "$RUN/nginx/nginx.pid" ]; then echo "gateway running on 127.0.0.1:$GATEWAY"; else echo "gateway stopped"; fi
}

check() {
  ensure_nginx
  render_nginx
  "$(nginx_bin)" -t -q -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf"
  echo "$RUN/nginx/nginx.conf is valid"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  check) check ;;
  *) echo "usage: $0 start|stop|status|check" >&2; exit 2 ;;
esac
