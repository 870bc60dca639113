#!/usr/bin/env python3
"""Writes a JSONL corpus of about SIZE bytes from the project's training corpus: documents are
cut into passages of 100-600 words and each repetition drops 5% of the words at random, so the
corpus keeps producing new (context, token) tuples (a worst case for the de-duplication memory)
rather than repeating the same few megabytes. Usage: make_corpus.py TRAIN_JSONL_GZ OUT SIZE_BYTES"""
import gzip, json, random, sys

src, out, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(7)
docs = [json.loads(l)["text"].split() for l in gzip.open(src, "rt", encoding="utf-8")]
written = 0
n = 0
with open(out, "w", encoding="utf-8") as f:
    while written < size:
        words = docs[n % len(docs)]
        n += 1
        i = 0
        while i < len(words) and written < size:
            k = rnd.randint(100, 600)
            part = [w for w in words[i:i + k] if rnd.random() > 0.05]
            i += k
            if len(part) < 20:
                continue
            line = json.dumps({"id": "doc-%d-%d" % (n, i), "text": " ".join(part)}) + "\n"
            f.write(line)
            written += len(line.encode("utf-8"))
print("wrote %d bytes" % written)
