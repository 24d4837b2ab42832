#!/usr/bin/env bash
# Files benchmark (issue 5, "Speed"): on loopback, in one run,
#   1. dd writing 1 GB to the data directory's disk vs. a 1 GB upload through Atrium;
#   2. cat reading the stored file to /dev/null vs. a 1 GB download through Atrium;
#   3. 50 clients each uploading a batch of ten 1 MB files at the same time (all must succeed);
# with the server's peak resident memory (VmHWM, reset between phases) for each.
#   2b. the same download through Debian's nginx (sendfile on), in the same run;
# Targets: upload >= 50% of dd, download >= 90% of nginx's rate (medians of 9 rounds), RSS < 512 MB.
# Bounded: every curl has a time limit; the whole run takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-18085}
DB=${DB:-atrium_bench_files}
DATA=${DATA:-$(mktemp -d /tmp/atrium-bench-files.XXXXXX)}
CLIENTS=${CLIENTS:-50}
BASE="http://127.0.0.1:$PORT"
WORK="$DATA/bench-input"
PID=""

cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

seconds() { /usr/bin/time -f %e -o "$DATA/time.txt" "$@" >/dev/null 2>&1; cat "$DATA/time.txt"; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", (b / 1048576) / s }'; }
hwm_mb() { awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$PID/status"; }
reset_hwm() { echo 5 > "/proc/$PID/clear_refs" 2>/dev/null || echo "(could not reset VmHWM; figures are peaks since start)"; }

[ -f target/atrium.jar ] || mvn -q -B package -DskipTests
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null

ATRIUM_HTTP_PORT=$PORT ATRIUM_HTTP_HOST=127.0.0.1 \
ATRIUM_DB_URL="postgresql://postgres@127.0.0.1:5432/$DB" ATRIUM_REDIS_PREFIX="atrium-bench-files:" \
ATRIUM_DATA_DIR="$DATA" ATRIUM_MAX_FILE_SIZE=2GB ATRIUM_USER_QUOTA=1TB ATRIUM_UPLOADS_PER_USER=$CLIENTS \
ATRIUM_ADMIN_EMAIL=admin@bench.local ATRIUM_ADMIN_PASSWORD=bench-admin-password \
ATRIUM_ACCESS_LOG=WARN ATRIUM_LOG_LEVEL=WARN ATRIUM_CORS_ORIGINS='*' \
  java ${JAVA_OPTS-@jvm.options} -jar target/atrium.jar >"$DATA/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 120); do
  curl -fs "$BASE/health/ready" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { cat "$DATA/server.log"; exit 1; }
  sleep 0.5
done

curl -s -X POST "$BASE/api/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","username":"bench","password":"correct horse battery staple"}' >/dev/null
TOKEN=$(curl -s -X POST "$BASE/api/auth/login" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"correct horse battery staple"}' | jq -r .access)
[ -n "$TOKEN" ] && [ "$TOKEN" != null ] || { echo "login failed"; tail -5 "$DATA/server.log"; exit 1; }

mkdir -p "$WORK"
echo "== preparing 1 GB of random input (not timed)"
head -c 1073741824 /dev/urandom > "$WORK/big.bin"
sync

echo "== 1. write 1 GB"
rm -f "$DATA/dd.bin"
DD_CACHE=$(seconds dd if="$WORK/big.bin" of="$DATA/dd.bin" bs=1M)
rm -f "$DATA/dd.bin"
DD_SYNC=$(seconds dd if="$WORK/big.bin" of="$DATA/dd.bin" bs=1M conv=fdatasync)
rm -f "$DATA/dd.bin"
# The first dd above writes into pages the guest has never touched; once those are freed, a
# repeat writes into recycled pages at memory speed. Both are reported: they differ tenfold here.
DD_WARM=$(seconds dd if="$WORK/big.bin" of="$DATA/dd.bin" bs=1M)
rm -f "$DATA/dd.bin"
reset_hwm
UP=$(curl -s --max-time 300 -o "$WORK/up.json" -w '%{http_code} %{time_total}' \
  -H "Authorization: Bearer $TOKEN" -F "files=@$WORK/big.bin" "$BASE/api/files/upload-batch")
UP_CODE=${UP% *}; UP_TIME=${UP#* }
ID=$(jq -r '.results[0].file_id' "$WORK/up.json")
[ "$UP_CODE" = 200 ] && [ "$(jq -r '.results[0].status' "$WORK/up.json")" = success ] || { echo "upload failed: $UP_CODE $(cat "$WORK/up.json")"; exit 1; }
[ "$(jq -r '.results[0].sha256' "$WORK/up.json")" = "$(sha256sum "$WORK/big.bin" | cut -d' ' -f1)" ] || { echo "sha256 mismatch"; exit 1; }
UP_RSS=$(hwm_mb)
echo "dd (page cache)    $(mbps 1073741824 "$DD_CACHE") MB/s  (${DD_CACHE}s)"
echo "dd (fdatasync)     $(mbps 1073741824 "$DD_SYNC") MB/s  (${DD_SYNC}s)"
echo "dd (repeat)        $(mbps 1073741824 "$DD_WARM") MB/s  (${DD_WARM}s)"
echo "upload             $(mbps 1073741824 "$UP_TIME") MB/s  (${UP_TIME}s)  = $(awk -v a="$DD_CACHE" -v b="$UP_TIME" 'BEGIN{printf "%.0f", 100*a/b}')% of dd (page cache), $(awk -v a="$DD_SYNC" -v b="$UP_TIME" 'BEGIN{printf "%.0f", 100*a/b}')% of dd (fdatasync), $(awk -v a="$DD_WARM" -v b="$UP_TIME" 'BEGIN{printf "%.0f", 100*a/b}')% of dd (repeat)   peak RSS ${UP_RSS} MB"

echo "== 2. read 1 GB"
STORED=$(find "$DATA/files" -name "$ID" -type f)
CAT=$(seconds sh -c "cat '$STORED' > /dev/null")
reset_hwm
DOWN=$(curl -s --max-time 300 -o /dev/null -w '%{http_code} %{time_total} %{size_download}' \
  -H "Authorization: Bearer $TOKEN" "$BASE/api/files/download/$ID")
read -r DOWN_CODE DOWN_TIME DOWN_SIZE <<<"$DOWN"
[ "$DOWN_CODE" = 200 ] && [ "$DOWN_SIZE" = 1073741824 ] || { echo "download failed: $DOWN"; exit 1; }
DOWN_RSS=$(hwm_mb)
# curl reads 16 KB at a time; a client reading 1 MB at a time shows what the node itself serves
BIG_READ=$(python3 - "$PORT" "/api/files/download/$ID" "$TOKEN" <<'PY'
import socket, sys, time
port, path, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port))
t0 = time.time()
s.sendall(f"GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n".encode())
buf = memoryview(bytearray(1 << 20)); n = 0
while True:
    k = s.recv_into(buf)
    if k == 0:
        break
    n += k
print(f"{n} {time.time() - t0:.3f}")
PY
)
read -r BIG_BYTES BIG_TIME <<<"$BIG_READ"
[ "$BIG_BYTES" -gt 1073741824 ] || { echo "large-read download failed: $BIG_READ"; exit 1; }
echo "cat                $(mbps 1073741824 "$CAT") MB/s  (${CAT}s)"
echo "download           $(mbps 1073741824 "$DOWN_TIME") MB/s  (${DOWN_TIME}s)  = $(awk -v a="$CAT" -v b="$DOWN_TIME" 'BEGIN{printf "%.0f", 100*a/b}')% of cat   peak RSS ${DOWN_RSS} MB"
echo "download (1 MB reads) $(mbps 1073741824 "$BIG_TIME") MB/s  (${BIG_TIME}s)  = $(awk -v a="$CAT" -v b="$BIG_TIME" 'BEGIN{printf "%.0f", 100*a/b}')% of cat"
# The same file through Debian's nginx (sendfile on), in the same run: the download target is
# a share of what a static file server reaches on this machine (issue 15: >= 90 %).
NGINX_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$DATA/nginx"
cat > "$DATA/nginx/nginx.conf" <<NGX
worker_processes 1;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
pid $DATA/nginx/nginx.pid;
error_log $DATA/nginx/error.log;
events { worker_connections 64; }
http {
  access_log off; sendfile on; tcp_nopush on;
  client_body_temp_path $DATA/nginx; proxy_temp_path $DATA/nginx; fastcgi_temp_path $DATA/nginx;
  uwsgi_temp_path $DATA/nginx; scgi_temp_path $DATA/nginx;
  server { listen 127.0.0.1:$NGINX_PORT; root $(dirname "$STORED"); }
}
NGX
/usr/sbin/nginx -c "$DATA/nginx/nginx.conf" -e "$DATA/nginx/error.log"
# DOWNLOAD_ROUNDS (9) rounds, nginx then Atrium, so both see the same machine. One round of
# either varies by 20-40 % on a shared 2-core machine, so the median of each is compared (the
# best of each is printed too); three rounds gave 80-111 % on one machine within an hour.
ROUNDS_N=${DOWNLOAD_ROUNDS:-9}
NGX_TIMES=""; ATR_TIMES=""; ROUNDS=""
for round in $(seq 1 "$ROUNDS_N"); do
  NGX_DOWN=$(curl -s --max-time 300 -o /dev/null -w '%{http_code} %{time_total} %{size_download}' \
    "http://127.0.0.1:$NGINX_PORT/$ID")
  read -r NGX_CODE NGX_TIME NGX_SIZE <<<"$NGX_DOWN"
  [ "$NGX_CODE" = 200 ] && [ "$NGX_SIZE" = 1073741824 ] || { echo "nginx download failed: $NGX_DOWN"; exit 1; }
  ATR_DOWN=$(curl -s --max-time 300 -o /dev/null -w '%{http_code} %{time_total} %{size_download}' \
    -H "Authorization: Bearer $TOKEN" "$BASE/api/files/download/$ID")
  read -r ATR_CODE ATR_TIME ATR_SIZE <<<"$ATR_DOWN"
  [ "$ATR_CODE" = 200 ] && [ "$ATR_SIZE" = 1073741824 ] || { echo "Atrium download failed: $ATR_DOWN"; exit 1; }
  ROUNDS="$ROUNDS $(mbps 1073741824 "$NGX_TIME")/$(mbps 1073741824 "$ATR_TIME")"
  NGX_TIMES="$NGX_TIMES $NGX_TIME"; ATR_TIMES="$ATR_TIMES $ATR_TIME"
done
kill "$(cat "$DATA/nginx/nginx.pid")" 2>/dev/null || true
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
best() { tr ' ' '\n' | grep . | sort -g | head -1; }
NGX_MED=$(echo "$NGX_TIMES" | median); ATR_MED=$(echo "$ATR_TIMES" | median)
NGX_BEST=$(echo "$NGX_TIMES" | best); ATR_BEST=$(echo "$ATR_TIMES" | best)
echo "nginx vs download  MB/s per round (nginx/atrium):$ROUNDS"
echo "download vs nginx  best $(mbps 1073741824 "$ATR_BEST") vs $(mbps 1073741824 "$NGX_BEST") MB/s = $(awk -v a="$NGX_BEST" -v b="$ATR_BEST" 'BEGIN{printf "%.0f", 100*a/b}')%"
echo "download vs nginx  median $(mbps 1073741824 "$ATR_MED") vs $(mbps 1073741824 "$NGX_MED") MB/s = $(awk -v a="$NGX_MED" -v b="$ATR_MED" 'BEGIN{printf "%.0f", 100*a/b}')%  (target >= 90 %)"
curl -fs -X DELETE -H "Authorization: Bearer $TOKEN" "$BASE/api/files/$ID" >/dev/null
rm -f "$WORK/big.bin"

echo "== 3. $CLIENTS clients x ten 1 MB files"
ARGS=()
for i in $(seq 1 10); do
  head -c 1048576 /dev/urandom > "$WORK/small$i.bin"
  ARGS+=(-F "files=@$WORK/small$i.bin")
done
reset_hwm
START=$(date +%s.%N)
for c in $(seq 1 "$CLIENTS"); do
  curl -s --max-time 120 -o "$WORK/batch$c.json" -w '%{http_code}\n' \
    -H "Authorization: Bearer $TOKEN" "${ARGS[@]}" "$BASE/api/files/upload-batch" > "$WORK/batch$c.code" &
done
wait $(jobs -p | grep -v "^$PID$") 2>/dev/null || true
END=$(date +%s.%N)
OK=0
for c in $(seq 1 "$CLIENTS"); do
  if [ "$(cat "$WORK/batch$c.code")" = 200 ] && [ "$(jq '[.results[] | select(.status == "success")] | length' "$WORK/batch$c.json")" = 10 ]; then
    OK=$((OK + 1))
  fi
done
BATCH_RSS=$(hwm_mb)
ELAPSED=$(awk -v a="$START" -v b="$END" 'BEGIN{printf "%.2f", b - a}')
echo "batches            $OK/$CLIENTS fully successful, $((CLIENTS * 10)) MB in ${ELAPSED}s = $(mbps $((CLIENTS * 10 * 1048576)) "$ELAPSED") MB/s   peak RSS ${BATCH_RSS} MB"
echo "server peak RSS over the whole run: $(awk '/VmPeak|VmHWM/ {print}' "/proc/$PID/status" | tr -s ' ' | tr '\n' ' ')"
[ "$OK" = "$CLIENTS" ]
