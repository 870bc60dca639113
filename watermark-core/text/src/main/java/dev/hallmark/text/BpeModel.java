package dev.hallmark.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Byte-level BPE over UTF-8 bytes, as HF's {@code BPE} model with its {@code Word::merge_all}: the
 * symbols of a word start as one token per byte (the GPT-2 byte-to-char alphabet), then the pair
 * with the lowest merge rank is merged, leftmost first, until no adjacent pair has a merge.
 * Immutable and thread-safe; the per-call scratch lives in a {@link Workspace}.
 */
final class BpeModel {

    /** GPT-2's byte-to-char alphabet (HF {@code bytes_char}). */
    static final char[] BYTE_CHAR = new char[256];
    /** Inverse of {@link #BYTE_CHAR} for chars below 512, else -1. */
    static final int[] CHAR_BYTE = new int[512];

    static {
        Arrays.fill(CHAR_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            BYTE_CHAR[b] = printable ? (char) b : (char) (256 + n++);
            CHAR_BYTE[BYTE_CHAR[b]] = b;
        }
    }

    private final int[] byteToId;
    private final int unkId;
    private final boolean fuseUnk;
    private final boolean ignoreMerges;
    // merges: open addressing with linear probing, slot i at [2i] = key (left id << 32 | right id)
    // and [2i + 1] = rank << 32 | new id, side by side so that a probe touches one cache line
    private final long[] mergeTable;
    private final int mergeShift;
    private final int mergeMask;
    // whole-token lookup by bytes (ignore_merges): slot -> id + 1, 0 = empty
    private final int[] wordSlots;
    private final int wordShift;
    /** Bytes each id decodes to (HF's ByteLevel decoder), concatenated; see {@link #tokenStart}. */
    private final byte[] tokenPool;
    private final int[] tokenStart;

    BpeModel(Map<String, Integer> vocab, String[][] merges, boolean ignoreMerges, String unkToken, boolean fuseUnk,
            Map<Integer, String> addedById, int vocabularySize, TokenizerSpec.Refuser no) {
        this.ignoreMerges = ignoreMerges;
        this.fuseUnk = fuseUnk;
        this.byteToId = new int[256];
        if (unkToken != null) {
            Integer u = vocab.get(unkToken);
            if (u == null) {
                throw new IllegalArgumentException("unk_token " + unkToken + " is not in the vocabulary");
            }
            unkId = u;
        } else {
            unkId = -1;
        }
        Arrays.fill(byteToId, -1);
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(BYTE_CHAR[b]));
            if (id != null) {
                byteToId[b] = id;
            }
        }
        // token bytes for decoding; added tokens take precedence over the model's token for an id
        String[] tokens = new String[vocabularySize];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            if (tokens[e.getValue()] != null) {
                throw no.unsupported("two vocabulary entries with id " + e.getValue());
            }
            tokens[e.getValue()] = e.getKey();
        }
        // whether a model token's chars are all in the byte alphabet (so a word can produce it)
        boolean[] alphabetic = new boolean[vocabularySize];
        byte[][] bytes = new byte[vocabularySize][];
        long total = 0;
        for (int id = 0; id < vocabularySize; id++) {
            String t = addedById.containsKey(id) ? addedById.get(id) : tokens[id];
            if (t == null) {
                bytes[id] = new byte[0];
                continue;
            }
            byte[] viaAlphabet = new byte[t.length()];
            boolean all = true;
            for (int i = 0; i < t.length() && all; i++) {
                char c = t.charAt(i);
                all = c < 512 && CHAR_BYTE[c] >= 0;
                if (all) {
                    viaAlphabet[i] = (byte) CHAR_BYTE[c];
                }
            }
            bytes[id] = all ? viaAlphabet : t.getBytes(StandardCharsets.UTF_8);
            alphabetic[id] = all && !addedById.containsKey(id) && !t.isEmpty();
            total += bytes[id].length;
        }
        tokenPool = new byte[Math.toIntExact(total)];
        tokenStart = new int[vocabularySize + 1];
        int at = 0;
        for (int id = 0; id < vocabularySize; id++) {
            tokenStart[id] = at;
            System.arraycopy(bytes[id], 0, tokenPool, at, bytes[id].length);
            at += bytes[id].length;
        }
        tokenStart[vocabularySize] = at;

        // load factor at most 2/3: 262,144 slots (4 MiB) for Qwen3's 151,387 merges
        int bits = Math.max(4, 64 - Long.numberOfLeadingZeros(Math.max(1, merges.length) * 3L / 2));
        mergeShift = 64 - bits;
        mergeMask = (1 << bits) - 1;
        mergeTable = new long[2 << bits];
        for (int i = 0; i < mergeTable.length; i += 2) {
            mergeTable[i] = -1L;
        }
        for (int rank = 0; rank < merges.length; rank++) {
            String a = merges[rank][0];
            String b = merges[rank][1];
            Integer ia = vocab.get(a);
            Integer ib = vocab.get(b);
            Integer in = vocab.get(a + b);
            if (ia == null || ib == null) {
                throw new IllegalArgumentException("merge \"" + a + " " + b + "\" uses a token missing from the vocabulary");
            }
            if (in == null) {
                throw new IllegalArgumentException("merge \"" + a + " " + b + "\" gives a token missing from the vocabulary");
            }
            putMerge(((long) ia << 32) | ib, ((long) rank << 32) | in); // a later duplicate overwrites, as in HF
        }

        if (ignoreMerges) {
            int wbits = Math.max(4, 64 - Long.numberOfLeadingZeros(Math.max(1, vocab.size()) * 2L - 1) + 1);
            wordShift = 32 - wbits;
            wordSlots = new int[1 << wbits];
            for (int id : vocab.values()) {
                if (alphabetic[id]) {
                    int s = wordSlot(tokenPool, tokenStart[id], tokenStart[id + 1] - tokenStart[id]);
                    while (wordSlots[s] != 0) {
                        s = (s + 1) & (wordSlots.length - 1);
                    }
                    wordSlots[s] = id + 1;
                }
            }
        } else {
            wordShift = 0;
            wordSlots = null;
        }
    }

    /** The model's arrays, as {@link CompiledCache} stores them. */
    record Parts(int[] byteToId, int unkId, boolean fuseUnk, boolean ignoreMerges, long[] mergeTable,
            int[] wordSlots, byte[] tokenPool, int[] tokenStart) {
    }

    /** Rebuilds a model from its stored arrays (checked for shape by the caller). */
    BpeModel(Parts p) {
        byteToId = p.byteToId();
        unkId = p.unkId();
        fuseUnk = p.fuseUnk();
        ignoreMerges = p.ignoreMerges();
        mergeTable = p.mergeTable();
        int bits = Integer.numberOfTrailingZeros(mergeTable.length / 2);
        mergeShift = 64 - bits;
        mergeMask = (1 << bits) - 1;
        wordSlots = p.wordSlots();
        wordShift = wordSlots == null ? 0 : 32 - Integer.numberOfTrailingZeros(wordSlots.length);
        tokenPool = p.tokenPool();
        tokenStart = p.tokenStart();
    }

    Parts parts() {
        return new Parts(byteToId, unkId, fuseUnk, ignoreMerges, mergeTable, wordSlots, tokenPool, tokenStart);
    }

    private void putMerge(long key, long value) {
        int s = (int) ((key * 0x9E3779B97F4A7C15L) >>> mergeShift);
        while (mergeTable[2 * s] != -1L && mergeTable[2 * s] != key) {
            s = (s + 1) & mergeMask;
        }
        mergeTable[2 * s] = key;
        mergeTable[2 * s + 1] = value;
    }

    /** {@code rank << 32 | newId} of the merge of {@code a} and {@code b}, or -1. */
    long merge(int a, int b) {
        long key = ((long) a << 32) | b;
        long[] t = mergeTable;
        int s = (int) ((key * 0x9E3779B97F4A7C15L) >>> mergeShift);
        while (true) {
            long k = t[2 * s];
            if (k == key) {
                return t[2 * s + 1];
            }
            if (k == -1L) {
                return -1L;
            }
            s = (s + 1) & mergeMask;
        }
    }

    private int wordSlot(byte[] w, int from, int len) {
        int h = 0x811C9DC5;
        for (int i = from; i < from + len; i++) {
            h = (h ^ (w[i] & 0xFF)) * 0x01000193;
        }
        return (h * 0x9E3779B9) >>> wordShift;
    }

    private int wholeWord(byte[] w, int len) {
        int mask = wordSlots.length - 1;
        for (int s = wordSlot(w, 0, len);; s = (s + 1) & mask) {
            int v = wordSlots[s];
            if (v == 0) {
                return -1;
            }
            int id = v - 1;
            int st = tokenStart[id];
            if (tokenStart[id + 1] - st == len && Arrays.equals(tokenPool, st, st + len, w, 0, len)) {
                return id;
            }
        }
    }

    /**
     * Appends the ids of the word {@code w[0, len)} (UTF-8 bytes, {@code len > 0}) to {@code out}.
     */
    void encodeWord(byte[] w, int len, Workspace ws, TokenIds out) {
        if (ignoreMerges) {
            int id = wholeWord(w, len);
            if (id >= 0) {
                out.add(id);
                return;
            }
        }
        ws.ensureSymbols(len);
        int[] ids = ws.symId;
        int[] prev = ws.symPrev;
        int[] next = ws.symNext;
        int m = 0;
        int pendingUnk = 0; // bytes of a pending unk symbol (HF folds unknown chars into it)
        for (int i = 0; i < len; i++) {
            int id = byteToId[w[i] & 0xFF];
            if (id >= 0) {
                if (pendingUnk > 0) {
                    ids[m] = unkId;
                    m++;
                    pendingUnk = 0;
                }
                ids[m++] = id;
            } else if (unkId >= 0) {
                if (pendingUnk > 0 && !fuseUnk) {
                    ids[m++] = unkId;
                }
                pendingUnk = 1;
            }
            // else: HF drops a char that is neither in the vocabulary nor covered by unk
        }
        if (pendingUnk > 0) {
            ids[m++] = unkId;
        }
        if (m <= 1) {
            if (m == 1) {
                out.add(ids[0]);
            }
            return;
        }
        for (int i = 0; i < m; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < m ? i + 1 : -1;
        }
        long[] heap = ws.heap;
        int size = 0;
        for (int i = 0; i + 1 < m; i++) {
            long r = merge(ids[i], ids[i + 1]);
            if (r >= 0) {
                size = push(heap, size, (r & 0xFFFFFFFF00000000L) | i);
            }
        }
        while (size > 0) {
            long top = heap[0];
            size = pop(heap, size);
            int pos = (int) top;
            int rank = (int) (top >>> 32);
            if (ids[pos] < 0) {
                continue;
            }
            int nx = next[pos];
            if (nx < 0) {
                continue;
            }
            long r = merge(ids[pos], ids[nx]);
            if (r < 0 || (int) (r >>> 32) != rank) {
                continue; // stale entry
            }
            ids[pos] = (int) r;
            ids[nx] = -1;
            int nn = next[nx];
            next[pos] = nn;
            if (nn >= 0) {
                prev[nn] = pos;
            }
            int p = prev[pos];
            if (p >= 0) {
                long r2 = merge(ids[p], ids[pos]);
                if (r2 >= 0) {
                    size = push(heap, size, (r2 & 0xFFFFFFFF00000000L) | p);
                }
            }
            if (nn >= 0) {
                long r3 = merge(ids[pos], ids[nn]);
                if (r3 >= 0) {
                    size = push(heap, size, (r3 & 0xFFFFFFFF00000000L) | pos);
                }
            }
        }
        for (int i = 0; i >= 0; i = next[i]) {
            out.add(ids[i]);
        }
    }

    private static int push(long[] heap, int size, long v) {
        int i = size;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= v) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = v;
        return size + 1;
    }

    private static int pop(long[] heap, int size) {
        int n = size - 1;
        long last = heap[n];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) {
                break;
            }
            if (c + 1 < n && heap[c + 1] < heap[c]) {
                c++;
            }
            if (heap[c] >= last) {
                break;
            }
            heap[i] = heap[c];
            i = c;
        }
        heap[i] = last;
        return n;
    }

    /** Appends the bytes id {@code id} decodes to. */
    int appendBytes(int id, byte[] out, int pos) {
        int st = tokenStart[id];
        int len = tokenStart[id + 1] - st;
        System.arraycopy(tokenPool, st, out, pos, len);
        return pos + len;
    }

    int tokenLength(int id) {
        return tokenStart[id + 1] - tokenStart[id];
    }
}
