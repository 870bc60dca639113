#!/usr/bin/env bash
# Regenerates the verifier service's demo corpus with the committed default language model.
#   mvn -B -q -DskipTests package          # builds corpus-tools/target/hallmark.jar (once)
#   bash datasets/demo/build-demo.sh       # writes datasets/demo/demo-corpus.jsonl.gz
# See datasets/demo/DATASHEET.md. demo-key.json is the PUBLISHED demo key (see README.md there):
# never use it for anything but this demo. Generation is seeded, so a rerun on the same build
# reproduces the corpus (the model runs single-threaded on the CPU).
set -euo pipefail
cd "$(dirname "$0")/../.."

JAR=corpus-tools/target/hallmark.jar
[ -f "$JAR" ] || { echo "build-demo.sh: $JAR missing; run 'mvn -B -q -DskipTests package' first" >&2; exit 1; }
OUT=datasets/build/demo
mkdir -p "$OUT"
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$HOME/.cache/hallmark/djl}"
JAVA=(java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -jar "$JAR")

python3 datasets/demo/demo_corpus.py prompts "$OUT"
# kgw = the default scheme (kgw:gamma=0.25,delta=2,context=1,seeding=lefthash); the default
# sampler (temperature 1, top-p 0.95); 150 new tokens per prompt
"${JAVA[@]}" generate --key datasets/demo/demo-key.json --scheme kgw --prompts "$OUT/wm-prompts.jsonl" \
  --out "$OUT/wm.jsonl" --max-tokens 150 --seed 101
"${JAVA[@]}" generate --no-watermark --prompts "$OUT/plain-prompts.jsonl" \
  --out "$OUT/plain.jsonl" --max-tokens 150 --seed 202
python3 datasets/demo/demo_corpus.py assemble "$OUT" datasets/demo/demo-corpus.jsonl.gz
ls -l datasets/demo/demo-corpus.jsonl.gz
sha256sum datasets/demo/demo-corpus.jsonl.gz datasets/demo/demo-key.json
