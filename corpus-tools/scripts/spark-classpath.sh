#!/usr/bin/env bash
# Writes corpus-tools/target/spark-classpath.txt: the class path of corpus-tools with its
# provided-scope Spark jars (as Maven resolved them for the tests), and
# corpus-tools/target/spark-only-classpath.txt: the same minus Hallmark's own dependencies, i.e.
# roughly what a Spark distribution's jars/ directory provides to spark-submit.
# Run from anywhere; builds (test-compile) the reactor first. Never installs into ~/.m2.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mvn -B -q -pl corpus-tools -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.includeScope=provided -Dmdep.outputFile="$root/corpus-tools/target/spark-classpath.txt" >&2
tr ':' '\n' < corpus-tools/target/spark-classpath.txt \
  | grep -v -e 'watermark-core' -e '/ai/djl/' -e '/info/picocli/' -e '/org/openjdk/jmh/' -e 'slf4j-nop' \
            -e 'jopt-simple' -e '/net/java/dev/jna/' \
  | paste -sd: > corpus-tools/target/spark-only-classpath.txt
echo "$root/corpus-tools/target/spark-classpath.txt"
