#!/usr/bin/env python3
"""Compares two scan reports (the JSON run.sh keeps in $WORK/report.json, or the report object of
GET /v1/scans/{id}) field by field and prints every difference outside the fields that differ
between any two runs: the scan's id, name and times, timing, and the tokenizer engine.
Exit 0 if the reports are otherwise identical, 1 if not. Usage: compare_reports.py A.json B.json"""
import json
import sys

VOLATILE = {"scan_id", "id", "created_at", "started_at", "finished_at", "updated_at", "timing", "tokenizer_engine",
            "owner", "lease_until", "progress"}


def load(path):
    with open(path, encoding="utf-8") as f:
        s = json.load(f)
    return s.get("report", s)


def diff(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k in VOLATILE:
                continue
            if k not in a or k not in b:
                out.append("%s/%s: only in %s" % (path, k, "first" if k in a else "second"))
            else:
                diff(a[k], b[k], path + "/" + k, out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append("%s: %d vs %d entries" % (path, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, "%s[%d]" % (path, i), out)
    elif a != b:
        out.append("%s: %r vs %r" % (path, a, b))


def main():
    a, b = load(sys.argv[1]), load(sys.argv[2])
    out = []
    diff(a, b, "", out)
    for line in out[:50]:
        print(line)
    ea = a.get("versions", {}).get("tokenizer_engine")
    eb = b.get("versions", {}).get("tokenizer_engine")
    n = a.get("tokens", {}).get("seen")
    if out:
        print("DIFFERENT: %d field(s) differ (engines %s / %s)" % (len(out), ea, eb))
        sys.exit(1)
    print("identical reports apart from ids, times and the engine (%s / %s; %s documents, %s tokens)"
          % (ea, eb, a.get("documents", {}).get("total"), n))


if __name__ == "__main__":
    main()
