#!/usr/bin/env python3
"""Writes ONE text/plain document of about SIZE bytes from the project's training corpus: lines of
prose joined by single newlines and no blank line, so the service reads the whole file as a single
document (split=blank). Usage: make_single_doc.py TRAIN_JSONL_GZ OUT SIZE_BYTES"""
import gzip, json, sys

src, out, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
docs = [json.loads(l)["text"].split() for l in gzip.open(src, "rt", encoding="utf-8")]
written = 0
n = 0
with open(out, "w", encoding="utf-8") as f:
    while written < size:
        words = docs[n % len(docs)]
        n += 1
        for i in range(0, len(words), 14):
            line = " ".join(words[i:i + 14]) + "\n"
            f.write(line)
            written += len(line.encode("utf-8"))
            if written >= size:
                break
print("wrote %d bytes" % written)
