#!/usr/bin/env python3
"""Builds a mixed JSONL ({"text": ...} per line) of about --mb megabytes of UTF-8 from text that
Debian packages install (not from the repository): JDK and Python sources, man pages in six
languages, Chinese/Russian/German fortunes, Japanese dictionary entries, Arabic/Hebrew/Korean/
Malayalam word lists, Debian docs. Used by datasets/tokenizer-compare.sh to compare the two
tokenizer engines as whole processes. Deterministic: files are taken in sorted order, round-robin
over the sources, until the budget is spent."""
import argparse
import glob
import gzip
import json
import os
import sys
import zipfile


def chunks(text, size=16384):
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        nl = text.rfind("\n", start, end)
        if end < len(text) and nl > start:
            end = nl + 1
        yield text[start:end]
        start = end


def read(path, encoding="utf-8"):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return f.read().decode(encoding, errors="replace")


def files(pattern):
    return sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))


def sources():
    zip_path = "/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip"
    if os.path.exists(zip_path):
        def jdk():
            with zipfile.ZipFile(zip_path) as z:
                for name in sorted(n for n in z.namelist() if n.endswith(".java"))[::5]:
                    yield z.read(name).decode("utf-8", errors="replace")
        yield "jdk", jdk()
    yield "python", (read(p) for p in files("/usr/lib/python3*/**/*.py")[::3])
    for lang in ["ja", "de", "fr", "ru", "pl", "uk"]:
        yield "man-" + lang, (read(p) for p in files("/usr/share/man/%s/man*/*.gz" % lang))
    for name in ["chinese", "tang300", "song100"]:
        p = "/usr/share/games/fortunes/" + name
        if os.path.exists(p):
            yield "fortunes-" + name, iter(read(p).split("\n%\n"))
    for lang in ["ru", "de"]:
        yield "fortunes-" + lang, (read(p) for p in files("/usr/share/games/fortunes/%s/*" % lang)
                                   if not p.endswith((".dat", ".u8")))
    if os.path.exists("/usr/share/edict/edict"):
        yield "edict", chunks(read("/usr/share/edict/edict", "euc-jp"))
    for dic in ["ar", "he", "ko", "ml_IN"]:
        p = "/usr/share/hunspell/%s.dic" % dic
        if os.path.exists(p):
            yield "dict-" + dic, chunks(read(p))
    yield "docs", (read(p) for p in files("/usr/share/doc/**/*.md") + files("/usr/share/doc/**/*.txt"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--mb", type=float, default=50)
    args = ap.parse_args()
    budget = int(args.mb * 1e6)
    streams = [(name, iter(s)) for name, s in sources()]
    per_source = {}
    total = 0
    with open(args.out, "w", encoding="utf-8") as out:
        while streams and total < budget:
            for name, it in list(streams):
                text = next(it, None)
                if text is None:
                    streams.remove((name, it))
                    continue
                for piece in chunks(text, 65536):
                    out.write(json.dumps({"source": name, "text": piece}, ensure_ascii=False) + "\n")
                    n = len(piece.encode("utf-8"))
                    total += n
                    per_source[name] = per_source.get(name, 0) + n
    for name, n in sorted(per_source.items()):
        print("%-18s %7.2f MB" % (name, n / 1e6), file=sys.stderr)
    print("total %.1f MB -> %s" % (total / 1e6, args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
