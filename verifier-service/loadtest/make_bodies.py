#!/usr/bin/env python3
"""Writes detect request bodies from the human-text dataset: paragraphs of ~150-400 words, one
text per request, as analysts paste them. Usage: make_bodies.py HUMAN_TEXT_JSONL_GZ OUT N"""
import gzip, json, random, sys

src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(42)
docs = [json.loads(l)["text"] for l in gzip.open(src, "rt", encoding="utf-8")]
with open(out, "w", encoding="utf-8") as f:
    for i in range(n):
        words = rnd.choice(docs).split()
        k = rnd.randint(150, 400)
        s = rnd.randint(0, max(0, len(words) - k))
        f.write(json.dumps({"text": " ".join(words[s:s + k])}) + "\n")
