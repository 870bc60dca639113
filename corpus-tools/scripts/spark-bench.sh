#!/usr/bin/env bash
# Throughput of `hallmark spark-detect` on this machine: local[1] vs local[2], tokenization
# included (JSONL text) and excluded (Parquet ids), CPU time and load average recorded, plus the
# single-thread CorpusAccumulator baseline. Writes corpus-tools/target/spark-bench/spark-bench.json.
# Usage: corpus-tools/scripts/spark-bench.sh [corpus.jsonl.gz] [repeats] [scheme]
# Takes several minutes; not part of the test run. See docs/spark.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
corpus="${1:-datasets/corpus/train.jsonl.gz}"
repeats="${2:-3}"
scheme="${3:-kgw}"
bash corpus-tools/scripts/spark-classpath.sh >/dev/null
rm -rf corpus-tools/target/spark-bench
export DJL_OFFLINE=true DJL_CACHE_DIR="${DJL_CACHE_DIR:-$HOME/.cache/hallmark/djl}"
java -Xmx6g -Dai.djl.offline=true -cp "corpus-tools/target/classes:$(cat corpus-tools/target/spark-classpath.txt)" \
  dev.hallmark.tools.spark.SparkBench "$corpus" corpus-tools/target/spark-bench "$repeats" "$scheme" 'local[1]' 'local[2]' \
  2> >(grep -v -e WARN -e SLF4J -e log4j >&2)
