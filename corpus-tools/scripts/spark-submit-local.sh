#!/usr/bin/env bash
# Runs hallmark.jar exactly as `spark-submit` would (org.apache.spark.deploy.SparkSubmit with
# Spark's jars on the class path and hallmark.jar as the application jar, which does NOT contain
# Spark), in local mode, on a machine without a Spark distribution: Spark's jars come from Maven.
# Usage: corpus-tools/scripts/spark-submit-local.sh [spark-submit options] -- [spark-detect args]
# e.g.   corpus-tools/scripts/spark-submit-local.sh --master 'local[2]' --files tok.json -- \
#          --key k.json --scheme kgw --input corpus.jsonl.gz --repartition 2 --tokenizer tok.json
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
jar="$root/corpus-tools/target/hallmark.jar"
[ -f "$jar" ] || { echo "build it first: mvn -B -q -pl corpus-tools -am -DskipTests package" >&2; exit 2; }
[ -f "$root/corpus-tools/target/spark-only-classpath.txt" ] || bash "$root/corpus-tools/scripts/spark-classpath.sh" >/dev/null
submit=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do submit+=("$1"); shift; done
[ $# -gt 0 ] && shift
export DJL_OFFLINE=true DJL_CACHE_DIR="${DJL_CACHE_DIR:-$HOME/.cache/hallmark/djl}"
# client mode: the driver (and, in local mode, the executors) is this JVM, so JVM flags go here
exec java -Xmx4g -Dai.djl.offline=true -cp "$(cat "$root/corpus-tools/target/spark-only-classpath.txt")" org.apache.spark.deploy.SparkSubmit \
  --conf spark.ui.enabled=false --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
  "${submit[@]}" --class dev.hallmark.tools.spark.SparkDetect "$jar" "$@"
