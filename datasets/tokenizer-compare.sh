#!/usr/bin/env bash
# Whole-process comparison of the two tokenizer engines: builds mixed JSONL inputs (default one of
# 50 MB) from text that Debian packages install (datasets/tokenizer_compare_input.py; the packages
# are in .ci/apt-packages.txt), runs `hallmark tokenize` with --engine hf and --engine fast under
# /usr/bin/time, interleaved (the order alternates from round to round, so both engines see the
# same machine), checks that the two outputs are byte-identical every time, and prints the median
# wall and CPU time of each engine per size with the ratio hf / fast and its range over the rounds.
# Usage: bash datasets/tokenizer-compare.sh [MB[,MB...]] [ROUNDS] [WORKDIR]
#        e.g. bash datasets/tokenizer-compare.sh 1,3,10,50 5       (after mvn -B -q -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES="${1:-50}"
ROUNDS="${2:-1}"
WORK="${3:-${TMPDIR:-/tmp}/hallmark-tokenize-compare}"
JAR=corpus-tools/target/hallmark.jar
[ -f "$JAR" ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 1; }
mkdir -p "$WORK"
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
# the fast engine's compiled cache is written by its first run: make sure that run is not measured
printf '{"text": "warm up"}\n' > "$WORK/warm-in.jsonl"
java -jar "$JAR" tokenize --engine fast --input "$WORK/warm-in.jsonl" --out "$WORK/warm.jsonl" 2>/dev/null
for mb in ${SIZES//,/ }; do
  in="$WORK/mixed-$mb.jsonl"
  [ -f "$in" ] || python3 datasets/tokenizer_compare_input.py --out "$in" --mb "$mb" > "$WORK/input-$mb.log"
  for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then order="hf fast"; else order="fast hf"; fi
    for engine in $order; do
      load=$(cut -d' ' -f1 /proc/loadavg)
      /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" \
        java -jar "$JAR" tokenize --engine "$engine" --input "$in" --out "$WORK/$engine.jsonl" 2> "$WORK/$engine.log"
      printf '%s\t%s\t%s\t%s\t%s\n' "$mb" "$r" "$engine" "$load" "$(cat "$WORK/time.txt")" >> "$RESULTS"
    done
    cmp "$WORK/hf.jsonl" "$WORK/fast.jsonl"
    echo "$mb MB round $r: identical ids ($(wc -l < "$WORK/fast.jsonl") documents, $(grep -o '[0-9]* tokens' "$WORK/fast.log"))"
  done
done
python3 - "$RESULTS" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(lambda: collections.defaultdict(dict))
loads = collections.defaultdict(list)
for line in open(sys.argv[1]):
    mb, r, engine, load, wall, user, sys_, rss = line.split()
    rows[mb][int(r)][engine] = (float(wall), float(user) + float(sys_), int(rss))
    loads[mb].append(float(load))
print("%-6s %-6s %10s %10s %10s %10s %14s %14s %s" % ("MB", "rounds", "hf wall", "fast wall", "hf CPU", "fast CPU",
      "wall hf/fast", "CPU hf/fast", "load (1 min) at the starts"))
for mb in sorted(rows, key=float):
    rs = [v for v in rows[mb].values() if len(v) == 2]
    med = lambda e, i: statistics.median(v[e][i] for v in rs)
    wr = [v["hf"][0] / v["fast"][0] for v in rs]
    cr = [v["hf"][1] / v["fast"][1] for v in rs]
    print("%-6s %-6d %9.2fs %9.2fs %9.2fs %9.2fs %5.1fx (%.1f-%.1f) %5.1fx (%.1f-%.1f) %.1f-%.1f" % (
        mb, len(rs), med("hf", 0), med("fast", 0), med("hf", 1), med("fast", 1),
        statistics.median(wr), min(wr), max(wr), statistics.median(cr), min(cr), max(cr),
        min(loads[mb]), max(loads[mb])))
PY
echo "raw: $RESULTS (MB, round, engine, load, wall s, user s, sys s, max RSS KB)"
