#!/usr/bin/env bash
# p50/p99 of POST /v1/detect alone and while two large uploads are received and validated
# (NOT part of the default test run).
#
#   bash verifier-service/loadtest/detect-during-uploads.sh [JAR]
#
# Starts the jar (default verifier-service/target/hallmark-verifier.jar) on 127.0.0.1 with a fresh
# data directory and the rate limits lifted, registers two keys, writes 2,000 detect bodies
# (make_bodies.py, seed 42) and an UPLOAD_BYTES (default 400 MB) JSONL corpus (make_corpus.py), then
# runs DetectDuringUploads.java: CONCURRENCY (default 4) clients for QUIET (default 20) s, then the
# same while two uploads of the corpus are in flight. The detect calls are made with the admin token
# (DETECT_AS=analyst for an analyst token, whose repeated texts then get near-duplicate answers and so
# make later requests cheaper than earlier ones). Needs curl and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR="${1:-verifier-service/target/hallmark-verifier.jar}"
PORT="${PORT:-18183}"
UPLOAD_BYTES="${UPLOAD_BYTES:-400000000}"
QUIET="${QUIET:-20}"
CONCURRENCY="${CONCURRENCY:-4}"
WORK="${WORK:-$(mktemp -d /tmp/hallmark-latency.XXXXXX)}"
java ${JAVA_OPTS:-} -jar "$JAR" --port "$PORT" --data-dir "$WORK/data" $(java -jar "$JAR" --help | grep -q -- '--analyst-daily' && echo "--analyst-daily-documents 0 --analyst-daily-tokens 0 --tenant-daily-documents 0 --tenant-daily-tokens 0") \
  --rate-per-second 1000000000 --rate-burst 1000000000 > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do grep -q "listening on" "$WORK/server.log" && break; sleep 0.5; done
grep -q "listening on" "$WORK/server.log" || { cat "$WORK/server.log"; exit 1; }
BASE="http://127.0.0.1:$PORT"
ADMIN=$(cat "$WORK/data/admin-token")
for spec in kgw:gamma=0.25,delta=2,context=1,seeding=lefthash kgw:gamma=0.25,delta=2,context=4,seeding=selfhash; do
  curl -fsS -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' "$BASE/v1/keys" \
    -d "{\"scheme\":\"$spec\",\"label\":\"$spec\"}" >/dev/null
done
ANALYST=$(curl -fsS -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' "$BASE/v1/tokens" \
  -d '{"tenant":"load","role":"analyst"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
python3 verifier-service/loadtest/make_bodies.py datasets/human-text/human-text.jsonl.gz "$WORK/bodies.jsonl" 2000
python3 verifier-service/loadtest/make_corpus.py datasets/corpus/train.jsonl.gz "$WORK/corpus.jsonl" "$UPLOAD_BYTES"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); jar $JAR"
DETECT_TOKEN="$ADMIN"
[ "${DETECT_AS:-admin}" = analyst ] && DETECT_TOKEN="$ANALYST"
java verifier-service/loadtest/DetectDuringUploads.java "$BASE" "$DETECT_TOKEN" "$ADMIN" "$WORK/bodies.jsonl" \
  "$WORK/corpus.jsonl" "$QUIET" "$CONCURRENCY"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
