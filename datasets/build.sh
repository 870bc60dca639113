#!/usr/bin/env bash
# Rebuilds Hallmark's corpus, prompts and human-text datasets from Debian packages.
#   bash datasets/build.sh            # install missing packages (apt-get), build, install outputs under datasets/
#   bash datasets/build.sh --check    # build into datasets/build/ only and compare with the committed files
# Outputs: datasets/corpus/{train,heldout}.jsonl.gz, datasets/prompts/prompts.jsonl.gz,
#          datasets/human-text/human-text.jsonl.gz, datasets/corpus/manifest.json (sizes, SHA-256, versions).
set -euo pipefail
cd "$(dirname "$0")"

PKGS="bible-kjv bible-kjv-text sword-text-web diatheke jargon-text miscfiles python3"
missing=()
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "build.sh: installing ${missing[*]}" >&2
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

mkdir -p build
rm -rf build/datasets
python3 build_corpus.py --out build/datasets >build/manifest.out 2>build/build.log || { cat build/build.log >&2; exit 1; }
cat build/build.log >&2

FILES="corpus/train.jsonl.gz corpus/heldout.jsonl.gz prompts/prompts.jsonl.gz human-text/human-text.jsonl.gz"
if [ "${1:-}" = "--check" ]; then
  status=0
  for f in $FILES; do
    if cmp -s "build/datasets/$f" "$f"; then echo "same:    $f"; else echo "DIFFERS: $f"; status=1; fi
  done
  exit $status
fi
for f in $FILES; do
  mkdir -p "$(dirname "$f")"
  cp "build/datasets/$f" "$f"
done
cp build/datasets/manifest.json corpus/manifest.json
echo "build.sh: installed $FILES and corpus/manifest.json" >&2
