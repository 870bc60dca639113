#!/usr/bin/env bash
# Whole-process comparison of the two tokenizer engines: builds a mixed JSONL (default 50 MB) from
# text that Debian packages install (datasets/tokenizer_compare_input.py; the packages are in
# .ci/apt-packages.txt), runs `hallmark tokenize` with --engine hf and --engine fast under
# /usr/bin/time, and checks that the two outputs are byte-identical.
# Usage: bash datasets/tokenizer-compare.sh [MB] [WORKDIR]   (after mvn -B -q -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
MB="${1:-50}"
WORK="${2:-${TMPDIR:-/tmp}/hallmark-tokenize-compare}"
JAR=corpus-tools/target/hallmark.jar
[ -f "$JAR" ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 1; }
mkdir -p "$WORK"
python3 datasets/tokenizer_compare_input.py --out "$WORK/mixed.jsonl" --mb "$MB"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for engine in hf fast; do
  /usr/bin/time -f "$engine: %e s wall, %U s user + %S s sys CPU, %M KB max RSS" \
    java -jar "$JAR" tokenize --engine "$engine" --input "$WORK/mixed.jsonl" --out "$WORK/$engine.jsonl"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
cmp "$WORK/hf.jsonl" "$WORK/fast.jsonl"
echo "identical: $(wc -l < "$WORK/fast.jsonl") documents, $(sha256sum "$WORK/fast.jsonl" | cut -c1-16)"
