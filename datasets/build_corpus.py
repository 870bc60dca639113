#!/usr/bin/env python3
"""Builds Hallmark's English public-domain corpus from installed Debian packages.

Inputs (installed by datasets/build.sh): bible-kjv (+ bible-kjv-text), sword-text-web + diatheke,
jargon-text, miscfiles. Output (deterministic for the same package versions):

  <out>/corpus/train.jsonl.gz      training documents            {"id","source","text"}
  <out>/corpus/heldout.jsonl.gz    held-out documents (never trained on)
  <out>/prompts/prompts.jsonl.gz   prompts cut from held-out documents {"id","doc_id","source","prompt"}
  <out>/human-text/human-text.jsonl.gz  held-out documents with >= MIN_HUMAN_WORDS words
  <out>/manifest.json              counts, sizes, SHA-256, package versions

Only the Python standard library is used. Gzip files carry mtime 0 and no file name, so the bytes
are reproducible.
"""
import argparse, gzip, hashlib, html, io, json, os, re, subprocess, sys, unicodedata

HELDOUT_PERCENT = 10
PROMPT_WORDS = 24
PROMPTS_PER_DOC = 4
MIN_HUMAN_WORDS = 250
SPLIT_SALT = "hallmark-split-v1"

KJV_BOOKS = ("Ge Exo Lev Num Deu Josh Jdgs Ruth 1Sm 2Sm 1Ki 2Ki 1Chr 2Chr Ezra Neh Est Job Psa Prv "
             "Eccl SSol Isa Jer Lam Eze Dan Hos Joel Amos Obad Jonah Mic Nahum Hab Zep Hag Zec Mal Mat "
             "Mark Luke John Acts Rom 1Cor 2Cor Gal Eph Phi Col 1Th 2Th 1Tim 2Tim Titus Phmn Heb Jas "
             "1Pet 2Pet 1Jn 2Jn 3Jn Jude Rev").split()
WEB_BOOKS = ["Genesis", "Exodus", "Leviticus", "Numbers", "Deuteronomy", "Joshua", "Judges", "Ruth",
             "I Samuel", "II Samuel", "I Kings", "II Kings", "I Chronicles", "II Chronicles", "Ezra",
             "Nehemiah", "Esther", "Job", "Psalms", "Proverbs", "Ecclesiastes", "Song of Solomon",
             "Isaiah", "Jeremiah", "Lamentations", "Ezekiel", "Daniel", "Hosea", "Joel", "Amos",
             "Obadiah", "Jonah", "Micah", "Nahum", "Habakkuk", "Zephaniah", "Haggai", "Zechariah",
             "Malachi", "Matthew", "Mark", "Luke", "John", "Acts", "Romans", "I Corinthians",
             "II Corinthians", "Galatians", "Ephesians", "Philippians", "Colossians",
             "I Thessalonians", "II Thessalonians", "I Timothy", "II Timothy", "Titus", "Philemon",
             "Hebrews", "James", "I Peter", "II Peter", "I John", "II John", "III John", "Jude",
             "Revelation of John"]
assert len(KJV_BOOKS) == len(WEB_BOOKS) == 66
KJV_TO_CANON = dict(zip(KJV_BOOKS, WEB_BOOKS))


def clean(s):
    s = unicodedata.normalize("NFC", s)
    s = s.replace("\u00a0", " ")
    s = re.sub(r"[ \t]+", " ", s)
    return s.strip()


def slug(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def is_heldout(split_key):
    h = hashlib.sha256((SPLIT_SALT + ":" + split_key).encode("utf-8")).hexdigest()
    return int(h[:8], 16) % 100 < HELDOUT_PERCENT


def run(cmd):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout.decode("utf-8")


def pkg_version(p):
    return run(["dpkg-query", "-W", "-f=${Version}", p]).strip()


# ---------------------------------------------------------------- sources

def kjv_docs():
    """One document per chapter of the KJV, verses one per line (verse numbers dropped)."""
    out = run(["bible", "-f", "Gen1:1-Rev22:21"])
    chapters = {}
    order = []
    for line in out.splitlines():
        m = re.match(r"^([1-3]?[A-Za-z]+)(\d+):(\d+) (.*)$", line)
        if not m:
            if line.strip():
                raise SystemExit("unexpected KJV line: " + line[:80])
            continue
        book, ch, text = m.group(1), int(m.group(2)), clean(m.group(4))
        key = (KJV_TO_CANON[book], ch)
        if key not in chapters:
            chapters[key] = []
            order.append(key)
        chapters[key].append(text)
    for (book, ch) in order:
        yield {"id": "kjv/%s/%d" % (slug(book), ch), "source": "bible-kjv",
               "split_key": "bible/%s/%d" % (slug(book), ch), "text": "\n".join(chapters[(book, ch)])}


def web_docs():
    """One document per chapter of the World English Bible (with deuterocanon), from diatheke OSIS.

    diatheke prints a stale heading before some verse keys, so only the text after the
    'Book c:v: ' key is used; adjacent <w> elements that the module stores without a space
    get one; the glossary appended to the last verse is cut off.
    """
    out = run(["diatheke", "-b", "engWEB2015eb", "-f", "OSIS", "-k", "Gen 1:1-Rev 22:21"])
    key_re = re.compile(r"((?:I{1,3} |IV )?[A-Z][A-Za-z ()]*?) (\d+):(\d+): ")
    chapters = {}
    order = []
    for line in out.splitlines():
        ms = list(key_re.finditer(line))
        if not ms:
            continue
        m = ms[-1]
        book, ch = m.group(1).strip(), int(m.group(2))
        text = line[m.end():]
        text = re.split(r"\s{6,}", text)[0]
        text = text.replace("</w><w", "</w> <w")
        text = re.sub(r"<note\b.*?</note>", " ", text)
        text = re.sub(r"<[^>]+>", " ", text)
        text = html.unescape(text)
        text = clean(text)
        text = re.sub(r" ([,.;:!?’”])", r"\1", text)
        text = re.sub(r"([“‘]) ", r"\1", text)
        if not text:
            continue
        key = (book, ch)
        if key not in chapters:
            chapters[key] = []
            order.append(key)
        chapters[key].append(text)
    for (book, ch) in order:
        yield {"id": "web/%s/%d" % (slug(book), ch), "source": "sword-text-web",
               "split_key": "bible/%s/%d" % (slug(book), ch), "text": "\n".join(chapters[(book, ch)])}


def paragraphs(lines):
    """Joins hard-wrapped lines into paragraphs (blank-line separated)."""
    paras, cur = [], []
    for ln in lines:
        if ln.strip():
            cur.append(ln.strip())
        elif cur:
            paras.append(" ".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur))
    return [clean(p) for p in paras if clean(p)]


def jargon_docs():
    """The Jargon File 4.4.7: the introductory chapters, the lexicon (consecutive entries grouped
    into documents of >= 3000 characters) and the appendices, cross-reference braces removed."""
    with gzip.open("/usr/share/doc/jargon-text/jargon.txt.gz", "rt", encoding="utf-8") as f:
        lines = f.read().replace("{", "").replace("}", "").replace("\u00a0", " ").splitlines()
    first_ch = next(i for i, l in enumerate(lines) if l.startswith("Chapter 1."))
    gloss = next(i for i, l in enumerate(lines) if l.strip() == "Glossary" and not l.startswith(" "))
    first_entry = next(i for i in range(gloss, len(lines)) if re.match(r"^   :[^:]+:", lines[i]))
    appendix = next(i for i in range(first_entry, len(lines)) if lines[i].startswith("Appendix A."))

    def sections(a, b, prefix):
        starts = [i for i in range(a, b) if lines[i] and not lines[i].startswith(" ")]
        starts.append(b)
        pending, n = [], 0
        for s, e in zip(starts, starts[1:]):
            pending.append(lines[s].strip())
            pending.extend(paragraphs(lines[s + 1:e]))
            if sum(len(p) for p in pending) >= 1500 or e == b:
                n += 1
                yield {"id": "jargon/%s/%d" % (prefix, n), "source": "jargon-text",
                       "split_key": "jargon/%s/%d" % (prefix, n), "text": "\n\n".join(pending)}
                pending = []

    yield from sections(first_ch, gloss, "intro")
    entry_starts = [i for i in range(first_entry, appendix) if re.match(r"^   :[^:]+:", lines[i])]
    entry_starts.append(appendix)
    pending, n = [], 0
    for s, e in zip(entry_starts, entry_starts[1:]):
        head = lines[s].strip()[1:]
        head = re.sub(r"^([^:]+):\s*(//,?\s*)?", r"\1: ", head).strip()
        pending.append(head)
        pending.extend(paragraphs(lines[s + 1:e]))
        if sum(len(p) for p in pending) >= 3000 or e == appendix:
            n += 1
            yield {"id": "jargon/lexicon/%d" % n, "source": "jargon-text",
                   "split_key": "jargon/lexicon/%d" % n, "text": "\n\n".join(pending)}
            pending = []
    yield from sections(appendix, len(lines), "appendix")


def state_docs():
    for name in ("us-constitution", "us-declaration"):
        with gzip.open("/usr/share/state/%s.gz" % name, "rt", encoding="utf-8") as f:
            text = "\n\n".join(paragraphs(f.read().splitlines()))
        yield {"id": "state/" + name, "source": "miscfiles", "split_key": "state/" + name, "text": text}


# ---------------------------------------------------------------- outputs

def write_jsonl_gz(path, records):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        for r in records:
            gz.write((json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8"))
    data = buf.getvalue()
    with open(path, "wb") as f:
        f.write(data)
    return {"file": os.path.basename(path), "records": len(records), "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest()}


def cut_prompts(doc):
    """Up to PROMPTS_PER_DOC prompts of PROMPT_WORDS words, each starting at a line start, spread
    evenly over the document; a prompt never runs past the document end."""
    text = doc["text"]
    starts = [0] + [m.end() for m in re.finditer(r"\n+", text)]
    usable = []
    for s in starts:
        words = list(re.finditer(r"\S+", text[s:]))
        if len(words) > PROMPT_WORDS + 40:
            usable.append((s, s + words[PROMPT_WORDS - 1].end()))
    if not usable:
        return []
    k = min(PROMPTS_PER_DOC, len(usable))
    picks = sorted({(i * len(usable)) // k for i in range(k)})
    return [text[usable[i][0]:usable[i][1]] for i in picks]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    docs = []
    for gen in (kjv_docs, web_docs, jargon_docs, state_docs):
        got = list(gen())
        print("build_corpus: %-12s %5d documents, %9d chars" % (gen.__name__, len(got),
              sum(len(d["text"]) for d in got)), file=sys.stderr)
        docs.extend(got)
    ids = [d["id"] for d in docs]
    assert len(ids) == len(set(ids)), "duplicate document ids"

    train, held = [], []
    for d in docs:
        (held if is_heldout(d["split_key"]) else train).append(d)
    strip = lambda d: {"id": d["id"], "source": d["source"], "text": d["text"]}
    prompts = []
    for d in held:
        for j, p in enumerate(cut_prompts(d)):
            prompts.append({"id": "%s#p%d" % (d["id"], j), "doc_id": d["id"], "source": d["source"], "prompt": p})
    human = [strip(d) for d in held if len(d["text"].split()) >= MIN_HUMAN_WORDS]

    out = args.out
    files = {
        "corpus/train.jsonl.gz": write_jsonl_gz(os.path.join(out, "corpus", "train.jsonl.gz"), [strip(d) for d in train]),
        "corpus/heldout.jsonl.gz": write_jsonl_gz(os.path.join(out, "corpus", "heldout.jsonl.gz"), [strip(d) for d in held]),
        "prompts/prompts.jsonl.gz": write_jsonl_gz(os.path.join(out, "prompts", "prompts.jsonl.gz"), prompts),
        "human-text/human-text.jsonl.gz": write_jsonl_gz(os.path.join(out, "human-text", "human-text.jsonl.gz"), human),
    }
    by_source = {}
    for name, part in (("train", train), ("heldout", held)):
        for d in part:
            s = by_source.setdefault(d["source"], {"train_docs": 0, "heldout_docs": 0, "train_chars": 0, "heldout_chars": 0})
            s[name + "_docs"] += 1
            s[name + "_chars"] += len(d["text"])
    manifest = {
        "packages": {p: pkg_version(p) for p in ("bible-kjv", "bible-kjv-text", "sword-text-web", "diatheke", "jargon-text", "miscfiles")},
        "parameters": {"heldout_percent": HELDOUT_PERCENT, "split_salt": SPLIT_SALT, "prompt_words": PROMPT_WORDS,
                       "prompts_per_doc": PROMPTS_PER_DOC, "min_human_words": MIN_HUMAN_WORDS},
        "by_source": by_source,
        "files": files,
    }
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")
    print(json.dumps(manifest, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
