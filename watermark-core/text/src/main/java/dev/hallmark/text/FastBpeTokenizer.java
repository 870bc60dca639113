package dev.hallmark.text;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A pure-Java byte-level BPE tokenizer that reads a Hugging Face {@code tokenizer.json} and gives
 * the same ids as HF tokenizers (through {@link HfTokenizer}: no special tokens added, no
 * truncation) for every input. Supported: Qwen2/Qwen3, Llama-3 / cl100k and GPT-2 style files
 * (normalizer none or NFC; pre-tokenizer ByteLevel, or Split with one of their regexes followed by
 * ByteLevel; BPE with {@code ignore_merges}; added and special tokens). Any other file is refused
 * with an {@link UnsupportedTokenizerException} that names the unsupported part. See
 * docs/tokenizer.md for the pipeline, how exactness is tested and the known limits.
 *
 * <p>Thread-safe: the model is immutable and each thread gets its own scratch buffers and a
 * fixed-size cache of pre-token ids ({@value #DEFAULT_CACHE_ENTRIES} entries, about 1.5 MiB per
 * thread by default). {@link #encodeTo} allocates nothing once its buffers have grown.
 */
public final class FastBpeTokenizer implements TextTokenizer {

    /** Default number of word-cache entries per thread. */
    public static final int DEFAULT_CACHE_ENTRIES = 16_384;
    /** Batches with at least this many chars are encoded on the common fork-join pool. */
    private static final long PARALLEL_BATCH_CHARS = 1 << 16;

    private final Path path;
    private final int vocabularySize;
    private final boolean nfc;
    private final PreTokenizerScanner scanner;
    private final boolean prefixSpace;
    private final boolean prefixPerPiece;
    private final BpeModel model;
    private final AddedTokenMatcher rawTokens;
    private final AddedTokenMatcher normalizedTokens;
    private final Compiled compiled;
    private final ThreadLocal<Workspace> workspaces;
    private volatile boolean closed;

    /**
     * Everything the engine needs from a {@code tokenizer.json}, compiled: what {@link CompiledCache}
     * stores on disk.
     */
    record Compiled(boolean nfc, String pattern, boolean prefixSpace, boolean prefixPerPiece, int vocabularySize,
            BpeModel model, List<AddedTokenMatcher.Pattern> raw, List<AddedTokenMatcher.Pattern> normalized) {
    }

    private FastBpeTokenizer(Path path, Compiled c, int cacheEntries) {
        this.path = path;
        this.nfc = c.nfc();
        this.scanner = PreTokenizerScanner.forPattern(c.pattern());
        this.prefixSpace = c.prefixSpace();
        this.prefixPerPiece = c.prefixPerPiece();
        this.vocabularySize = c.vocabularySize();
        this.model = c.model();
        this.rawTokens = new AddedTokenMatcher(c.raw());
        this.normalizedTokens = new AddedTokenMatcher(c.normalized());
        this.compiled = c;
        this.workspaces = ThreadLocal.withInitial(() -> new Workspace(cacheEntries));
    }

    /** Builds the engine's structures from a parsed file, assigning added-token ids as HF does. */
    static Compiled compile(Path path, TokenizerSpec spec) {
        TokenizerSpec.Refuser no = new TokenizerSpec.Refuser(path);
        // added tokens, with HF's id assignment (AddedVocabulary::add_tokens)
        Map<String, Integer> addedIds = new LinkedHashMap<>();
        Map<Integer, TokenizerSpec.Added> addedById = new HashMap<>();
        List<TokenizerSpec.Added> specials = new ArrayList<>();
        Set<String> specialContents = new HashSet<>();
        for (TokenizerSpec.Added t : spec.added()) {
            if (t.special() && !t.content().isEmpty() && specialContents.add(t.content())) {
                specials.add(t);
            }
        }
        List<TokenizerSpec.Added> others = new ArrayList<>();
        int modelSize = spec.vocab().size();
        for (TokenizerSpec.Added t : spec.added()) {
            if (t.content().isEmpty() || addedById.values().stream().anyMatch(v -> sameToken(v, t))) {
                continue;
            }
            Integer id = addedIds.get(t.content());
            if (id == null) {
                id = spec.vocab().get(t.content());
            }
            if (id == null) {
                int max = addedIds.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
                id = max < 0 ? modelSize : (max >= modelSize || modelSize == 0 ? max + 1 : modelSize);
            }
            if (id != t.id()) {
                throw no.unsupported("added token " + t.content() + " has id " + t.id()
                        + " in the file but HF tokenizers assigns it id " + id);
            }
            addedIds.put(t.content(), id);
            addedById.put(id, t);
            if (!specialContents.contains(t.content())) {
                others.add(t);
            }
        }
        int maxId = -1;
        for (int id : spec.vocab().values()) {
            maxId = Math.max(maxId, id);
        }
        for (int id : addedIds.values()) {
            maxId = Math.max(maxId, id);
        }
        if (maxId < 0) {
            throw new IllegalArgumentException("no vocabulary found in " + path);
        }
        int vocabularySize = maxId + 1;
        Map<Integer, String> contentById = new HashMap<>();
        addedById.forEach((id, t) -> contentById.put(id, t.content()));
        BpeModel model = new BpeModel(spec.vocab(), spec.merges().toArray(new String[0][]), spec.ignoreMerges(),
                spec.unkToken(), spec.fuseUnk(), contentById, vocabularySize, no);

        List<AddedTokenMatcher.Pattern> raw = new ArrayList<>();
        List<AddedTokenMatcher.Pattern> normalized = new ArrayList<>();
        Workspace tmp = new Workspace(1);
        List<TokenizerSpec.Added> ordered = new ArrayList<>(specials);
        ordered.addAll(others);
        for (TokenizerSpec.Added t : ordered) {
            int id = addedIds.get(t.content());
            if (t.normalized()) {
                String content = t.content();
                if (spec.normalizeNfc()) {
                    char[] c = content.toCharArray();
                    content = new String(tmp.norm, 0, Nfc9.normalize(c, 0, c.length, tmp));
                }
                normalized.add(new AddedTokenMatcher.Pattern(content, id, t.lstrip(), t.rstrip()));
            } else {
                raw.add(new AddedTokenMatcher.Pattern(t.content(), id, t.lstrip(), t.rstrip()));
            }
        }
        return new Compiled(spec.normalizeNfc(), spec.scanner().pattern(), spec.prefixSpace(), spec.prefixPerPiece(),
                vocabularySize, model, raw, normalized);
    }

    private static boolean sameToken(TokenizerSpec.Added a, TokenizerSpec.Added b) {
        return a.content().equals(b.content()) && a.special() == b.special() && a.normalized() == b.normalized()
                && a.lstrip() == b.lstrip() && a.rstrip() == b.rstrip();
    }

    /**
     * Loads a byte-level BPE {@code tokenizer.json} with the default word-cache size.
     *
     * @throws java.io.UncheckedIOException if the file is missing (the message names the path) or unreadable
     * @throws UnsupportedTokenizerException if the file uses something this engine does not implement
     * @throws IllegalArgumentException if the file is not a valid tokenizer.json
     */
    public static FastBpeTokenizer open(Path tokenizerJson) {
        return open(tokenizerJson, DEFAULT_CACHE_ENTRIES);
    }

    /**
     * Loads a byte-level BPE {@code tokenizer.json}.
     *
     * @param cacheEntries word-cache entries per thread, a power of two (about 96 bytes each)
     */
    public static FastBpeTokenizer open(Path tokenizerJson, int cacheEntries) {
        Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        if (cacheEntries < 1 || Integer.bitCount(cacheEntries) != 1) {
            throw new IllegalArgumentException("cacheEntries must be a power of two >= 1: " + cacheEntries);
        }
        return new FastBpeTokenizer(tokenizerJson, compile(tokenizerJson, TokenizerSpec.read(tokenizerJson)), cacheEntries);
    }

    /**
     * Loads a byte-level BPE {@code tokenizer.json} through a cache of its compiled form in
     * {@code compiledDir} (created if needed): the first load parses the JSON and writes
     * {@code <size>-<checksums>.fastbpe} there; later loads of the same file read that instead,
     * several times faster. A stale, foreign or damaged cache file is ignored and rewritten; a
     * cache directory that cannot be written only costs speed.
     *
     * @param compiledDir where compiled tokenizers are kept (e.g. under the application's cache)
     */
    public static FastBpeTokenizer open(Path tokenizerJson, Path compiledDir) {
        Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        Objects.requireNonNull(compiledDir, "compiledDir");
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new UncheckedIOException(new NoSuchFileException(
                    Tokenizers.missingMessage(tokenizerJson, "the path given")));
        }
        CompiledCache.Key key = CompiledCache.Key.of(tokenizerJson);
        Path file = CompiledCache.file(compiledDir, key);
        Compiled c = CompiledCache.read(file, key);
        if (c == null) {
            c = compile(tokenizerJson, TokenizerSpec.read(tokenizerJson));
            CompiledCache.write(file, key, c);
        }
        return new FastBpeTokenizer(tokenizerJson, c, DEFAULT_CACHE_ENTRIES);
    }

    /** The compiled form (for {@link CompiledCache} and tests). */
    Compiled compiled() {
        return compiled;
    }

    @Override
    public Path path() {
        return path;
    }

    /** {@link TokenizerEngine#FAST}. */
    @Override
    public TokenizerEngine engine() {
        return TokenizerEngine.FAST;
    }

    @Override
    public int vocabularySize() {
        return vocabularySize;
    }

    @Override
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        Workspace ws = workspace();
        TokenIds out = ws.out;
        out.clear();
        encode(text, ws, out, null);
        int[] ids = out.toArray();
        ws.trim();
        return ids;
    }

    /**
     * Appends the ids of {@code text} to {@code out}; allocates nothing once this thread's buffers
     * (and {@code out}) have grown to the input size.
     */
    public void encodeTo(String text, TokenIds out) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(out, "out");
        encode(text, workspace(), out, null);
    }

    /**
     * Test hook: the ids of {@code text} and, per id, the index of the split it came from (a
     * pre-token or an added token), which is what HF reports as word ids.
     */
    int[][] encodeWithSplits(String text) {
        TokenIds ids = new TokenIds();
        TokenIds words = new TokenIds();
        encode(text, workspace(), ids, words);
        return new int[][] {ids.toArray(), words.toArray()};
    }

    @Override
    public int[][] encodeBatch(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        String[] arr = texts.toArray(new String[0]);
        long chars = 0;
        for (String t : arr) {
            chars += Objects.requireNonNull(t, "texts contains null").length();
        }
        int[][] out = new int[arr.length][];
        IntStream range = IntStream.range(0, arr.length);
        (chars >= PARALLEL_BATCH_CHARS && arr.length > 1 ? range.parallel() : range)
                .forEach(i -> out[i] = encode(arr[i]));
        return out;
    }

    @Override
    public String decode(int[] ids, int off, int len) {
        Objects.checkFromIndexSize(off, len, ids.length);
        long bytes = 0;
        for (int i = off; i < off + len; i++) {
            int id = ids[i];
            if (id < 0 || id >= vocabularySize) {
                throw new IllegalArgumentException("token id " + id + " at index " + i
                        + " is outside the vocabulary [0, " + vocabularySize + ")");
            }
            bytes += model.tokenLength(id);
        }
        byte[] buf = new byte[Math.toIntExact(bytes)];
        int p = 0;
        for (int i = off; i < off + len; i++) {
            p = model.appendBytes(ids[i], buf, p); // ids without a token add no bytes, as HF skips them
        }
        return Utf8.decodeLossy(buf, 0, p);
    }

    /** Marks this tokenizer closed; later calls fail. Per-thread buffers are freed with their threads. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "FastBpeTokenizer[" + path + ", vocabulary " + vocabularySize + "]";
    }

    private Workspace workspace() {
        if (closed) {
            throw new IllegalStateException("tokenizer is closed");
        }
        return workspaces.get();
    }

    /** {@code words}, when not null, gets the split index of every id (see {@link #encodeWithSplits}). */
    private void encode(String text, Workspace ws, TokenIds out, TokenIds words) {
        int n = text.length();
        if (n == 0) {
            return;
        }
        char[] s = ws.text(n);
        text.getChars(0, n, s, 0);
        ws.split = 0;
        if (Utf8.hasUnpairedSurrogate(s, n)) {
            char[] l = ws.lossy(3 * n);
            n = Utf8.jniLossy(s, n, l);
            s = l;
        }
        if (rawTokens.isEmpty()) {
            segment(s, 0, n, ws, out, words);
        } else {
            TokenIds splits = ws.splits;
            splits.clear();
            rawTokens.split(s, 0, n, splits);
            int[] t = splits.array();
            for (int k = 0; k < splits.size(); k += 3) {
                if (t[k + 2] >= 0) {
                    addedToken(t[k + 2], ws, out, words);
                } else {
                    segment(s, t[k], t[k + 1], ws, out, words);
                }
            }
        }
        ws.trim();
    }

    /** One text segment between raw-matched added tokens: normalize, split on normalized tokens, pre-tokenize. */
    private static void addedToken(int id, Workspace ws, TokenIds out, TokenIds words) {
        out.add(id);
        if (words != null) {
            words.add(ws.split++);
        }
    }

    private void segment(char[] s, int from, int to, Workspace ws, TokenIds out, TokenIds words) {
        char[] buf = s;
        int a = from;
        int b = to;
        if (nfc && !Nfc9.isInert(s, from, to)) {
            b = Nfc9.normalize(s, from, to, ws);
            a = 0;
            buf = ws.norm;
        }
        if (normalizedTokens.isEmpty()) {
            preTokenize(buf, a, b, ws, out, words);
            return;
        }
        TokenIds splits = ws.normSplits;
        splits.clear();
        normalizedTokens.split(buf, a, b, splits);
        for (int k = 0; k < splits.size(); k += 3) {
            int[] t = splits.array();
            if (t[k + 2] >= 0) {
                addedToken(t[k + 2], ws, out, words);
            } else {
                preTokenize(buf, t[k], t[k + 1], ws, out, words);
            }
        }
    }

    private void preTokenize(char[] buf, int from, int to, Workspace ws, TokenIds out, TokenIds words) {
        if (prefixSpace && !prefixPerPiece && buf[from] != ' ') {
            char[] p = ws.prefixed(to - from + 1);
            p[0] = ' ';
            System.arraycopy(buf, from, p, 1, to - from);
            buf = p;
            to = to - from + 1;
            from = 0;
        }
        PreTokenizerScanner sc = scanner;
        WordCache cache = ws.cache;
        int i = from;
        while (i < to) {
            int e = sc.pieceEnd(buf, i, to);
            int h = WordCache.hash(buf, i, e);
            if (!cache.get(buf, i, e, h, out)) {
                int before = out.size();
                byte[] w = ws.word(3 * (e - i) + 1);
                int len = 0;
                if (prefixSpace && prefixPerPiece && buf[i] != ' ') {
                    w[len++] = ' ';
                }
                len = Utf8.encode(buf, i, e, w, len);
                model.encodeWord(w, len, ws, out);
                cache.put(buf, i, e, h, out.array(), before, out.size());
            }
            if (words != null) {
                while (words.size() < out.size()) {
                    words.add(ws.split);
                }
                ws.split++;
            }
            i = e;
        }
    }
}
