#!/usr/bin/env python3
"""Builds the verifier service's demo corpus (see DATASHEET.md). Two steps, driven by build-demo.sh:

  demo_corpus.py prompts OUT_DIR
      picks the held-out prompts: every 20th prompt of datasets/prompts/prompts.jsonl.gz, the first
      24 for watermarked completions (wm-prompts.jsonl), the next 24 for unwatermarked ones
      (plain-prompts.jsonl).

  demo_corpus.py assemble OUT_DIR CORPUS.jsonl.gz
      interleaves the two `hallmark generate` outputs (wm.jsonl, plain.jsonl) with 16 human
      documents of datasets/human-text (every 9th document whose chapter gave none of the 48
      prompts) into one gzip JSONL, deterministically (fixed order, gzip mtime 0).

Only the standard library; deterministic (no randomness at all).
"""
import gzip
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROMPTS = os.path.join(ROOT, "prompts", "prompts.jsonl.gz")
HUMAN = os.path.join(ROOT, "human-text", "human-text.jsonl.gz")
N_WM = 24
N_PLAIN = 24
N_HUMAN = 16
PROMPT_STRIDE = 20
HUMAN_STRIDE = 9


def read_jsonl_gz(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def chosen_prompts():
    rows = read_jsonl_gz(PROMPTS)
    picked = rows[::PROMPT_STRIDE][: N_WM + N_PLAIN]
    if len(picked) < N_WM + N_PLAIN:
        sys.exit("not enough prompts in " + PROMPTS)
    return picked[:N_WM], picked[N_WM:]


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def cmd_prompts(out_dir):
    wm, plain = chosen_prompts()
    write_jsonl(os.path.join(out_dir, "wm-prompts.jsonl"), wm)
    write_jsonl(os.path.join(out_dir, "plain-prompts.jsonl"), plain)


def chapter(doc_id):
    # kjv/genesis/1 and web/genesis/1 are the same chapter in two translations
    parts = doc_id.split("/")
    return "/".join(parts[1:]) if len(parts) == 3 else doc_id


def cmd_assemble(out_dir, corpus):
    wm_prompts, plain_prompts = chosen_prompts()
    used = {chapter(p["doc_id"]) for p in wm_prompts + plain_prompts}
    human = [d for d in read_jsonl_gz(HUMAN) if chapter(d["id"]) not in used][::HUMAN_STRIDE][:N_HUMAN]
    if len(human) < N_HUMAN:
        sys.exit("not enough human documents in " + HUMAN)
    gens = {}
    for kind, prompts in (("wm", wm_prompts), ("plain", plain_prompts)):
        with open(os.path.join(out_dir, kind + ".jsonl"), encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        if len(rows) != len(prompts):
            sys.exit(kind + ".jsonl has %d rows, expected %d" % (len(rows), len(prompts)))
        docs = []
        for i, (g, p) in enumerate(zip(rows, prompts)):
            if g["prompt"] != p["prompt"]:
                sys.exit(kind + ".jsonl row %d is not the completion of prompt %s" % (i, p["id"]))
            marked = kind == "wm"
            docs.append({
                "id": ("demo-wm-%02d" if marked else "demo-plain-%02d") % i,
                "source": ("watermarked: " if marked else "unwatermarked: ") + g["model"]
                + (" with " + g["scheme"] + ", key " + g["key_id"] if marked else ", same sampler, no watermark"),
                "text": g["completion"],
                "prompt": g["prompt"],
                "prompt_ids": g["prompt_ids"],
                "completion_ids": g["completion_ids"],
                "prompt_source": p["id"],
            })
        gens[kind] = docs
    hdocs = [{"id": "demo-human-%02d" % i, "source": "human: " + d["source"] + " " + d["id"], "text": d["text"]}
             for i, d in enumerate(human)]
    # interleave: wm, plain, wm, plain, human, ... so that no kind sits in one block
    out = []
    queues = [gens["wm"], gens["plain"], hdocs]
    pattern = [0, 1, 0, 1, 2, 0, 1, 2]
    idx = [0, 0, 0]
    while any(idx[q] < len(queues[q]) for q in range(3)):
        for q in pattern:
            if idx[q] < len(queues[q]):
                out.append(queues[q][idx[q]])
                idx[q] += 1
    with open(corpus, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            for r in out:
                gz.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "prompts":
        cmd_prompts(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "assemble":
        cmd_assemble(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
