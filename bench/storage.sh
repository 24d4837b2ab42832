#!/usr/bin/env bash
# Storage benchmark (issue 13, "Speed"): on loopback, in one run, with S3Proxy (file-system
# backend, signature checks on) as the object store:
#   1. a 1 GB PUT and GET straight to S3Proxy with curl (SigV4) vs. a 1 GB upload and download
#      through an Atrium node on the S3 backend (target: Atrium >= 50 % of curl); also the same
#      1 GB as a multipart upload with curl (8 MB parts, three at a time), the most any multipart
#      client gets from this store; and the same 1 GB up and down with the AWS CLI when it is
#      installed (apt-get install awscli);
#   2. 20 clients uploading a 100 MB file each through tus at once (tus-js-client, 8 MB PATCHes)
#      while the node's peak resident memory (VmHWM) is read (target: < 384 MB).
# Bounded: every transfer has a time limit; the run takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-18086}
S3_PORT=${S3_PORT:-18087}
DB=${DB:-atrium_bench_storage}
WORK=$(mktemp -d /tmp/atrium-bench-storage.XXXXXX)
CLIENTS=${CLIENTS:-20}
TUS_SIZE=${TUS_SIZE:-104857600}
BASE="http://127.0.0.1:$PORT"
S3="http://127.0.0.1:$S3_PORT"
AK=bench-access-key
SK=bench-secret-key-for-s3proxy
PID=""
S3PID=""

cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  [ -n "$S3PID" ] && kill "$S3PID" 2>/dev/null && wait "$S3PID" 2>/dev/null || true
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

seconds() { /usr/bin/time -f %e -o "$WORK/time.txt" "$@" >/dev/null 2>&1; cat "$WORK/time.txt"; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", (b / 1048576) / s }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", 100 * a / b }'; }

[ -f target/atrium.jar ] && [ -f target/s3proxy/s3proxy.jar ] || mvn -q -B package -DskipTests
[ -d target/tus-js/node_modules/tus-js-client ] || npm install --no-audit --no-fund --prefix target/tus-js tus-js-client@4.3.1 >/dev/null
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null

mkdir -p "$WORK/s3" "$WORK/node"
cat > "$WORK/s3proxy.conf" <<CONF
s3proxy.endpoint=$S3
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$AK
s3proxy.credential=$SK
jclouds.provider=filesystem
jclouds.filesystem.basedir=$WORK/s3
CONF
java -Xmx512m -jar target/s3proxy/s3proxy.jar --properties "$WORK/s3proxy.conf" >"$WORK/s3proxy.log" 2>&1 &
S3PID=$!
for _ in $(seq 1 120); do curl -s -o /dev/null "$S3/" && break; sleep 0.5; done

ATRIUM_HTTP_PORT=$PORT ATRIUM_HTTP_HOST=127.0.0.1 \
ATRIUM_DB_URL="postgresql://postgres@127.0.0.1:5432/$DB" ATRIUM_REDIS_PREFIX="atrium-bench-storage:" \
ATRIUM_DATA_DIR="$WORK/node" ATRIUM_MAX_FILE_SIZE=2GB ATRIUM_USER_QUOTA=1TB ATRIUM_UPLOADS_PER_USER=4 \
ATRIUM_STORAGE=s3 ATRIUM_S3_ENDPOINT=$S3 ATRIUM_S3_BUCKET=bench ATRIUM_S3_ACCESS_KEY=$AK ATRIUM_S3_SECRET_KEY=$SK \
ATRIUM_ADMIN_EMAIL=admin@bench.local ATRIUM_ADMIN_PASSWORD=bench-admin-password \
ATRIUM_ACCESS_LOG=WARN ATRIUM_LOG_LEVEL=WARN \
  java ${JAVA_OPTS:--Xmx192m -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC} -jar target/atrium.jar >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 240); do curl -s -o /dev/null -w '%{http_code}' "$BASE/health/ready" 2>/dev/null | grep -q 200 && break; sleep 0.5; done

login() {
  curl -s -X POST "$BASE/api/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1@bench.local\",\"username\":\"$1\",\"password\":\"bench password long\"}" >/dev/null
  curl -s -X POST "$BASE/api/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1@bench.local\",\"password\":\"bench password long\"}" | jq -r .access
}
TOKEN=$(login storage)

SIZE=$((1024 * 1024 * 1024))
head -c $SIZE /dev/urandom > "$WORK/big.bin"
# S3Proxy wants x-amz-content-sha256 on every request; curl 7.88 signs it when given
SIGV4=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
curl -s -o /dev/null "${SIGV4[@]}" -X PUT "$S3/direct"

PUT_S=$(seconds curl -fs --max-time 600 "${SIGV4[@]}" -T "$WORK/big.bin" "$S3/direct/big.bin")
GET_S=$(seconds curl -fs --max-time 600 "${SIGV4[@]}" -o /dev/null "$S3/direct/big.bin")
# the ceiling of any multipart client: the same bytes as 8 MB parts, three at a time, with curl;
# S3Proxy's file-system backend writes every part and copies them into the object at completion
split -b 8M -d -a 4 "$WORK/big.bin" "$WORK/part."
multipart() {
  local id
  id=$(curl -fs "${SIGV4[@]}" -X POST "$S3/direct/multi.bin?uploads=" | sed -n 's:.*<UploadId>\(.*\)</UploadId>.*:\1:p')
  # xargs appends a part's number and file to: S3 endpoint, credentials, upload id
  ls "$WORK"/part.* | awk '{ print NR, $0 }' | xargs -P3 -n2 sh -c 'curl -fs -D - -o /dev/null \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$2" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -T "$5" \
    "$1/direct/multi.bin?partNumber=$4&uploadId=$3" | tr -d "\r" | sed -n "s/^[Ee][Tt]ag: \(.*\)/$4 \1/p"' \
    _ "$S3" "$AK:$SK" "$id" > "$WORK/etags"
  { echo "<CompleteMultipartUpload>"; sort -n "$WORK/etags" | while read -r n e; do
      echo "<Part><PartNumber>$n</PartNumber><ETag>$e</ETag></Part>"; done; echo "</CompleteMultipartUpload>"; } \
    > "$WORK/complete.xml"
  curl -fs --max-time 600 "${SIGV4[@]}" -X POST -H "Content-Type: application/xml" \
    --data-binary @"$WORK/complete.xml" "$S3/direct/multi.bin?uploadId=$id" >/dev/null
}
START=$(date +%s.%N)
multipart
MPU_S=$(awk -v a="$START" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
rm -f "$WORK"/part.*
# The AWS CLI (Debian's awscli), a plain client the issue names: it sends a file over 8 MB as a
# multipart upload of 8 MB parts, 10 at a time (as Atrium must: the length of a file inside a
# multipart/form-data body is not known before its end); a download is ranged GETs of 8 MB, 10 at a time, written to a file.
AWS_UP_S= AWS_DOWN_S=
AWS_BIN=$(command -v /usr/bin/aws || command -v aws || true)
if [ -n "$AWS_BIN" ]; then
  # (S3Proxy refuses the CRC checksum headers botocore sends by default: "when_required" drops them)
  AWS=(env AWS_ACCESS_KEY_ID=$AK AWS_SECRET_ACCESS_KEY=$SK AWS_DEFAULT_REGION=us-east-1
    AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
    "$AWS_BIN" --endpoint-url "$S3" s3)
  AWS_UP_S=$(seconds "${AWS[@]}" cp --only-show-errors "$WORK/big.bin" s3://direct/aws.bin)
  AWS_DOWN_S=$(seconds "${AWS[@]}" cp --only-show-errors s3://direct/aws.bin "$WORK/aws-down.bin")
  rm -f "$WORK/aws-down.bin"
else
  echo "(no AWS CLI: apt-get install awscli for its reference lines)"
fi
UP_S=$(seconds curl -fs --max-time 600 -o "$WORK/up.json" -H "Authorization: Bearer $TOKEN" -F "files=@$WORK/big.bin" "$BASE/api/files/upload-batch")
ID=$(jq -r '.results[0].file_id' "$WORK/up.json")
DOWN_S=$(seconds curl -fs --max-time 600 -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/api/files/download/$ID")
echo "1 GB PUT to S3Proxy (curl SigV4, one PUT): ${PUT_S}s = $(mbps $SIZE "$PUT_S") MB/s"
echo "1 GB multipart upload to S3Proxy (curl, 8 MB parts, 3 at a time): ${MPU_S}s = $(mbps $SIZE "$MPU_S") MB/s = $(pct "$PUT_S" "$MPU_S") % of one PUT"
echo "1 GB upload through Atrium (S3): ${UP_S}s = $(mbps $SIZE "$UP_S") MB/s = $(pct "$PUT_S" "$UP_S") % of curl (one PUT), $(pct "$MPU_S" "$UP_S") % of curl multipart"
echo "1 GB GET from S3Proxy (curl SigV4): ${GET_S}s = $(mbps $SIZE "$GET_S") MB/s"
echo "1 GB download through Atrium (S3): ${DOWN_S}s = $(mbps $SIZE "$DOWN_S") MB/s = $(pct "$GET_S" "$DOWN_S") % of curl"
if [ -n "$AWS_UP_S" ]; then
  echo "AWS CLI: $("$AWS_BIN" --version 2>&1 | cut -d' ' -f1)"
  echo "1 GB upload with the AWS CLI (multipart, 8 MB parts, 10 at a time): ${AWS_UP_S}s = $(mbps $SIZE "$AWS_UP_S") MB/s; Atrium = $(pct "$AWS_UP_S" "$UP_S") % of it"
  echo "1 GB download with the AWS CLI (to a file): ${AWS_DOWN_S}s = $(mbps $SIZE "$AWS_DOWN_S") MB/s; Atrium = $(pct "$AWS_DOWN_S" "$DOWN_S") % of it"
fi
curl -fs -X DELETE -H "Authorization: Bearer $TOKEN" "$BASE/api/files/$ID" >/dev/null
rm -f "$WORK/big.bin"

: > "$WORK/tokens.txt"
for i in $(seq 1 "$CLIENTS"); do login "tus$i" >> "$WORK/tokens.txt"; done
echo 5 > "/proc/$PID/clear_refs" 2>/dev/null || echo "(could not reset VmHWM; the peak below is since start)"
TUS_MODULES="$PWD/target/tus-js/node_modules" timeout 900 node bench/tus-load.mjs "$BASE/api/files/tus" \
  "$WORK/tokens.txt" "$TUS_SIZE" $((8 * 1024 * 1024)) > "$WORK/tus.json"
echo "tus, $CLIENTS clients x $((TUS_SIZE / 1048576)) MB at once: $(cat "$WORK/tus.json")"
echo "node peak RSS (VmHWM) during the tus phase: $(awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$PID/status") MB"
