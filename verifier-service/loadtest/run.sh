#!/usr/bin/env bash
# Load test of the verifier service (NOT part of the default test run).
#
#   bash verifier-service/loadtest/run.sh [detect|scan|all]
#
# detect: wrk against POST /v1/detect on loopback, bounded: DURATION (default 30s), CONNECTIONS
#         (default 16), THREADS (default 2); prints throughput, latency percentiles and errors.
# scan:   a SCAN_BYTES (default 1 GiB) JSONL corpus uploaded to POST /v1/scans; samples the
#         service's RSS every 2 s while it runs; prints the scan time and tokens/s from the report
#         and keeps the report in $WORK/report.json. CORPUS=FILE scans that file instead of a new one.
# ENGINE: the service's --tokenizer-engine, fast (default) or hf. The two keys are registered from
#         fixed secrets (public load-test keys, sha256 of their labels), so scans of the same corpus
#         with either engine are comparable report for report (compare_reports.py).
# Needs: wrk and curl (apt-get install wrk curl), python3, a built jar
# (mvn -B -q -DskipTests package). Traffic goes to 127.0.0.1 only; everything stops by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
what="${1:-all}"
PORT="${PORT:-18181}"
DURATION="${DURATION:-30s}"
CONNECTIONS="${CONNECTIONS:-16}"
THREADS="${THREADS:-2}"
SCAN_BYTES="${SCAN_BYTES:-1073741824}"
HEAP="${HEAP:-4g}"
ENGINE="${ENGINE:-fast}"
JAR=verifier-service/target/hallmark-verifier.jar
WORK="${WORK:-$(mktemp -d /tmp/hallmark-load.XXXXXX)}"
OUT="$WORK/results.txt"
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
[ -f "$JAR" ] || { echo "$JAR missing: mvn -B -q -DskipTests package" >&2; exit 2; }

java -Xmx"$HEAP" -jar "$JAR" --port "$PORT" --data-dir "$WORK/data" --tokenizer-engine "$ENGINE" \
  --rate-per-second 1000000000 --rate-burst 1000000000 --analyst-daily-documents 0 --analyst-daily-tokens 0 \
  --tenant-daily-documents 0 --tenant-daily-tokens 0 > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do grep -q "listening on" "$WORK/server.log" && break; sleep 0.5; done
grep -q "listening on" "$WORK/server.log" || { cat "$WORK/server.log"; exit 1; }
BASE="http://127.0.0.1:$PORT"
ADMIN=$(cat "$WORK/data/admin-token")
secret() { python3 -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha256(sys.argv[1].encode()).digest()).decode())' "$1"; }
curl -fsS -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' "$BASE/v1/keys" \
  -d '{"scheme":"kgw:gamma=0.25,delta=2,context=1,seeding=lefthash","label":"load key h=1","secret":"'"$(secret 'load key h=1')"'"}' >/dev/null
curl -fsS -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' "$BASE/v1/keys" \
  -d '{"scheme":"kgw:gamma=0.25,delta=2,context=4,seeding=selfhash","label":"load key h=4","secret":"'"$(secret 'load key h=4')"'"}' >/dev/null
ANALYST=$(curl -fsS -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' "$BASE/v1/tokens" \
  -d '{"tenant":"load","role":"analyst"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); tokenizer engine $ENGINE" | tee "$OUT"

if [ "$what" = detect ] || [ "$what" = all ]; then
  python3 verifier-service/loadtest/make_bodies.py datasets/human-text/human-text.jsonl.gz "$WORK/bodies.jsonl" 500
  # warm-up (JIT), then the measured run
  HALLMARK_TOKEN="$ANALYST" HALLMARK_BODIES="$WORK/bodies.jsonl" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d10s --timeout 10s -s verifier-service/loadtest/detect.lua "$BASE" >/dev/null
  echo "== wrk -t$THREADS -c$CONNECTIONS -d$DURATION POST /v1/detect (one 150-400 word text per request, 2 keys)" | tee -a "$OUT"
  HALLMARK_TOKEN="$ANALYST" HALLMARK_BODIES="$WORK/bodies.jsonl" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s verifier-service/loadtest/detect.lua "$BASE" \
    | tee -a "$OUT"
fi

if [ "$what" = scan ] || [ "$what" = all ]; then
  CORPUS="${CORPUS:-$WORK/corpus.jsonl}"
  [ -f "$CORPUS" ] || python3 verifier-service/loadtest/make_corpus.py datasets/corpus/train.jsonl.gz "$CORPUS" "$SCAN_BYTES"
  echo "== scan of $(stat -c %s "$CORPUS") bytes JSONL ($CORPUS), 2 keys (h=1 lefthash, h=4 selfhash), heap $HEAP" | tee -a "$OUT"
  ( while kill -0 $SERVER 2>/dev/null; do echo "$(date +%s) $(ps -o rss= -p $SERVER)"; sleep 2; done ) > "$WORK/rss.txt" &
  SAMPLER=$!
  t0=$(date +%s)
  # -T streams the file from disk (--data-binary would read 1 GB into curl's memory first)
  SCAN=$(curl -sS -X POST -H "Authorization: Bearer $ANALYST" -H 'Content-Type: application/x-ndjson' \
    -T "$CORPUS" "$BASE/v1/scans?name=load" | tee "$WORK/upload.json" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || { cat "$WORK/upload.json"; exit 1; }
  t1=$(date +%s)
  echo "upload + validation: $((t1 - t0)) s" | tee -a "$OUT"
  while true; do
    S=$(curl -fsS -H "Authorization: Bearer $ANALYST" "$BASE/v1/scans/$SCAN")
    state=$(echo "$S" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    [ "$state" = done ] || [ "$state" = failed ] && break
    echo "$S" | python3 -c 'import json,sys; p=json.load(sys.stdin)["progress"]; print("progress %(documents)d docs %(tokens)d tokens %(fraction).3f" % p)'
    sleep 20
  done
  kill $SAMPLER 2>/dev/null || true
  echo "$S" > "$WORK/report.json"
  echo "$S" | python3 -c '
import json,sys
s=json.load(sys.stdin)
if s["state"]!="done":
    print("scan failed:", s.get("error")); sys.exit(1)
r=s["report"]
print("scan: %d documents, %d tokens, %.1f s, %.0f tokens/s (report timing)" % (r["documents"]["total"], r["tokens"]["seen"], r["timing"]["seconds"], r["timing"]["tokens_per_second"]))
for k in r["keys"]:
    print("  key %s %s: scored %d, repeated %d, budget %d" % (k["key_id"], k["scheme"], k["tokens_scored"], k["skipped"]["repeated"], k["skipped"]["filtered"]))
' | tee -a "$OUT"
  python3 - "$WORK/rss.txt" <<'PY' | tee -a "$OUT"
import sys
rows=[l.split() for l in open(sys.argv[1]) if len(l.split())==2]
t0=int(rows[0][0]); rss=[(int(t)-t0, int(k)/1024) for t,k in rows]
peak=max(r for _,r in rss)
n=len(rss); q=[rss[int(n*f)] for f in (0.25,0.5,0.75)] if n>4 else rss
print("RSS MiB: peak %.0f; at 25%%/50%%/75%%/end of the run: %s; samples %d" % (peak, ", ".join("%.0f" % r for _,r in q+[rss[-1]]), n))
PY
fi
echo "results: $OUT"
