#!/usr/bin/env bash
# Memory of one huge document (NOT part of the default test run).
#
#   bash verifier-service/loadtest/single-doc.sh [JAR]
#
# Starts the service jar (default verifier-service/target/hallmark-verifier.jar) on 127.0.0.1 with a
# fresh data directory and the JVM's default heap, registers two keys (h=1 lefthash, h=4 selfhash),
# uploads one SIZE-byte (default 50 MB) text/plain document (one paragraph: no blank line) as an
# analyst, waits for the scan, and prints the process's VmRSS before the upload and VmHWM (peak RSS)
# at the end, from /proc/PID/status, and their difference. Needs curl and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR="${1:-verifier-service/target/hallmark-verifier.jar}"
PORT="${PORT:-18182}"
SIZE="${SIZE:-52428800}"
WORK="${WORK:-$(mktemp -d /tmp/hallmark-single.XXXXXX)}"
java ${JAVA_OPTS:-} -jar "$JAR" --port "$PORT" --data-dir "$WORK/data" > "$WORK/server.log" 2>&1 &
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
python3 verifier-service/loadtest/make_single_doc.py datasets/corpus/train.jsonl.gz "$WORK/doc.txt" "$SIZE"
status() { grep -E "^$1:" /proc/$SERVER/status | awk '{print $2}'; }
sleep 5
BASE_RSS=$(status VmRSS)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); jar $JAR; JAVA_OPTS='${JAVA_OPTS:-}'"
echo "before the upload: VmRSS $((BASE_RSS / 1024)) MiB, VmHWM $(( $(status VmHWM) / 1024)) MiB"
t0=$(date +%s)
RESP=$(curl -sS -X POST -H "Authorization: Bearer $ANALYST" -H 'Content-Type: text/plain' -T "$WORK/doc.txt" \
  "$BASE/v1/scans?name=single")
echo "upload: $RESP" | cut -c1-300
SCAN=$(echo "$RESP" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("id",""))')
state=none
while [ -n "$SCAN" ]; do
  S=$(curl -fsS -H "Authorization: Bearer $ADMIN" "$BASE/v1/scans/$SCAN")
  state=$(echo "$S" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  [ "$state" = done ] || [ "$state" = failed ] && break
  kill -0 $SERVER 2>/dev/null || { echo "server died"; break; }
  sleep 2
done
t1=$(date +%s)
HWM=$(status VmHWM)
echo "scan $SCAN: $state after $((t1 - t0)) s"
[ "$state" = done ] && echo "$S" | python3 -c 'import json,sys; r=json.load(sys.stdin)["report"]; print("report: %d document(s), %d tokens, documents %s" % (r["documents"]["total"], r["tokens"]["seen"], json.dumps(r["documents"])))'
[ "$state" = failed ] && echo "$S" | python3 -c 'import json,sys; print("error:", json.load(sys.stdin).get("error"))'
echo "after: VmRSS $(( $(status VmRSS) / 1024)) MiB, VmHWM (peak) $((HWM / 1024)) MiB; peak growth over the start: $(( (HWM - BASE_RSS) / 1024)) MiB"
