#!/usr/bin/env bash
# Reproduces the "detection on the model's own output" numbers of docs/model.md:
#   1. completions of the committed default model (datasets/models/default) on held-out prompts,
#      one file per scheme at its default parameters, plus one without watermark;
#   2. hallmark detection-report: tokens needed to reach and keep p <= 1e-5, and false positives on
#      the human-text set and on the unwatermarked completions at alpha 1e-3 (also 1e-2, 0.1).
#
# Run from anywhere; writes completions to datasets/build/model-report/ (git-ignored; an existing
# completion file is reused, delete it to regenerate) and the report to docs/results/.
# The key is a PUBLIC demo key committed so that the numbers can be reproduced exactly; never use
# it for anything else.
#
# Environment: PROMPT_EVERY (default 8: every 8th prompt of the 1,015, i.e. 127 prompts spread over
# all sources), MAX_TOKENS (default 200), NULL_KEYS (default 99: the generating key + 99 never-used
# keys per text for the false-positive trials).
set -euo pipefail
cd "$(dirname "$0")/.."
EVERY=${PROMPT_EVERY:-8}
MAX_TOKENS=${MAX_TOKENS:-200}
NULL_KEYS=${NULL_KEYS:-99}
OUT=datasets/build/model-report
KEY=docs/results/model-report-demo-key.json
JAR=corpus-tools/target/hallmark.jar
if [ ! -f "$JAR" ]; then
  mvn -B -q -pl corpus-tools -am -DskipTests package
fi
# one PyTorch thread: on a shared 2-core machine more threads spin-wait and run several times slower
export OMP_NUM_THREADS=1
hallmark() {
  java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -jar "$JAR" "$@"
}
mkdir -p "$OUT" docs/results
gzip -dc datasets/prompts/prompts.jsonl.gz | awk -v n="$EVERY" 'NR % n == 1' > "$OUT/prompts.jsonl"
echo "model-report: $(wc -l < "$OUT/prompts.jsonl") prompts, up to $MAX_TOKENS tokens each; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for s in kgw unigram gumbel synthid plain; do
  f="$OUT/$s.jsonl"
  if [ -s "$f" ]; then
    echo "model-report: reusing $f"
    continue
  fi
  if [ "$s" = plain ]; then
    mark=(--no-watermark)
  else
    mark=(--key "$KEY" --scheme "$s")
  fi
  start=$(date +%s)
  hallmark generate "${mark[@]}" --prompts "$OUT/prompts.jsonl" --max-tokens "$MAX_TOKENS" --seed 1 --out "$f.tmp"
  mv "$f.tmp" "$f"
  echo "model-report: $s done in $(( $(date +%s) - start )) s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
hallmark detection-report --key "$KEY" \
  --generated "$OUT/kgw.jsonl" --generated "$OUT/unigram.jsonl" --generated "$OUT/gumbel.jsonl" \
  --generated "$OUT/synthid.jsonl" --unwatermarked "$OUT/plain.jsonl" \
  --human datasets/human-text/human-text.jsonl.gz --null-keys "$NULL_KEYS" \
  --target-p 1e-5 --alpha 1e-3,1e-2,0.1 --out docs/results/detection-report.json | tee docs/results/detection-report.txt
