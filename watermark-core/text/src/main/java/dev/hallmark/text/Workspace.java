package dev.hallmark.text;

/**
 * Per-thread scratch of {@link FastBpeTokenizer}: buffers grow to the largest input seen and are
 * then reused, so steady-state tokenization allocates nothing. Buffers grown past
 * {@link #RETAIN_CHARS} by one huge document are dropped after that call.
 */
final class Workspace {

    static final int RETAIN_CHARS = 1 << 20;

    final WordCache cache;
    /** The input text (after the unpaired-surrogate rewrite, if any). */
    char[] text = new char[1024];
    char[] lossy = new char[0];
    /** NFC output. */
    char[] norm = new char[1024];
    /** A segment with a leading space (ByteLevel add_prefix_space). */
    char[] prefixed = new char[1024];
    int[] nfcCps = new int[0];
    int[] nfcCcc = new int[0];
    int[] nfcBuf = new int[0];
    /** UTF-8 bytes of one piece. */
    byte[] word = new byte[256];
    int[] symId = new int[256];
    int[] symPrev = new int[256];
    int[] symNext = new int[256];
    long[] heap = new long[768];
    /** Added-token splits: (start, end, id) triples. */
    final TokenIds splits = new TokenIds(48);
    final TokenIds normSplits = new TokenIds(48);
    /** Output of {@link FastBpeTokenizer#encode(String)}. */
    TokenIds out = new TokenIds(1024);
    /** Split counter of the test hook {@code FastBpeTokenizer.encodeWithSplits}. */
    int split;

    Workspace(int cacheSlots) {
        cache = new WordCache(cacheSlots);
    }

    char[] text(int len) {
        if (text.length < len) {
            text = new char[Math.max(len, text.length * 2)];
        }
        return text;
    }

    char[] lossy(int len) {
        if (lossy.length < len) {
            lossy = new char[len];
        }
        return lossy;
    }

    char[] prefixed(int len) {
        if (prefixed.length < len) {
            prefixed = new char[Math.max(len, prefixed.length * 2)];
        }
        return prefixed;
    }

    byte[] word(int bytes) {
        if (word.length < bytes) {
            word = new byte[Math.max(bytes, word.length * 2)];
        }
        return word;
    }

    void ensureSymbols(int n) {
        if (symId.length < n) {
            int c = Math.max(n, symId.length * 2);
            symId = new int[c];
            symPrev = new int[c];
            symNext = new int[c];
            heap = new long[3 * c];
        }
    }

    /** Drops buffers that one huge input grew beyond what is worth keeping per thread. */
    void trim() {
        if (text.length > RETAIN_CHARS) {
            text = new char[1024];
        }
        if (lossy.length > RETAIN_CHARS) {
            lossy = new char[0];
        }
        if (norm.length > 2 * RETAIN_CHARS) {
            norm = new char[1024];
        }
        if (prefixed.length > RETAIN_CHARS) {
            prefixed = new char[1024];
        }
        if (nfcCps.length > 4 * RETAIN_CHARS) {
            nfcCps = new int[0];
            nfcCcc = new int[0];
            nfcBuf = new int[0];
        }
        if (word.length > 3 * RETAIN_CHARS) {
            word = new byte[256];
        }
        if (out.array().length > RETAIN_CHARS) {
            out = new TokenIds(1024);
        }
        if (symId.length > 3 * RETAIN_CHARS) {
            symId = new int[256];
            symPrev = new int[256];
            symNext = new int[256];
            heap = new long[768];
        }
    }
}
