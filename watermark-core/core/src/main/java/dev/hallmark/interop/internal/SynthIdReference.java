package dev.hallmark.interop.internal;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * SynthID-Text's g-values and masks exactly as DeepMind's reference implementation computes them
 * ({@code google-deepmind/synthid-text}, {@code logits_processing.py} and {@code hashing_function.py}),
 * for verifying text it watermarked. Verification only.
 *
 * <p><b>Hash.</b> {@code accumulate(h, x) = (h + x) * 6364136223846793005 + 1} in wrapping signed
 * 64-bit arithmetic, folded over a sequence. Every hash starts from
 * {@code hash_iv = int.from_bytes(sha256(keys as little-endian int64), "big") mod (2^63 - 1)}.
 *
 * <p><b>g-values.</b> For the n-gram {@code x[t-n+1 .. t]} and layer {@code l} (one int64 key per
 * layer): {@code h = accumulate(accumulate(hash_iv, ngram), key[l])}; then 12 rounds of
 * {@code h = accumulate(h, 1) >> 5} (arithmetic shift; 5 = 64 / 12); {@code g = (h >> 30) mod 2}.
 * The first n-gram ends at position {@code n - 1}, so a text of L tokens has {@code L - n + 1} rows.
 *
 * <p><b>Context-repetition mask.</b> The (n-1)-gram context of each n-gram is hashed
 * ({@code accumulate(hash_iv, context)}) and compared against a FIFO history of the last
 * {@code context_history_size} (1,024) context hashes, which starts filled with zeros; a context
 * found in it is masked (as the reference does, a hash equal to 0 counts as seen while zero slots
 * remain). <b>EOS mask.</b> Every n-gram whose last token is at or after the first EOS is masked (the
 * reference masks tokens from the first EOS on and aligns the mask at position {@code n - 1}).
 *
 * <p><b>Score.</b> The reference Mean score is the mean of the g-values over layers and unmasked
 * n-grams. Under H0 (text independent of the keys) the unmasked g-values are fair coins, so the
 * number of ones is Binomial(layers x unmasked, 1/2), which gives an exact p-value.
 *
 * <p>Instances are immutable and thread-safe; per-thread work goes through {@link #newScorer()}.
 */
public final class SynthIdReference {

    /** The LCG multiplier (newlib/musl). */
    public static final long MULTIPLIER = 6364136223846793005L;
    /** The LCG increment. */
    public static final long INCREMENT = 1L;
    /** Rounds of {@code accumulate(h, 1) >> shift} before the g-bit is read. */
    public static final int NUM_APPLY_HASH = 12;
    /** {@code 64 // NUM_APPLY_HASH}. */
    public static final int SHIFT = 64 / NUM_APPLY_HASH;
    /** The bit the g-value is read from. */
    public static final int G_BIT = 30;
    /** The reference's default context history size. */
    public static final int DEFAULT_CONTEXT_HISTORY = 1024;

    private final long[] keys;
    private final int ngramLen;
    private final int contextHistory;
    private final long hashIv;

    private SynthIdReference(long[] keys, int ngramLen, int contextHistory) {
        this.keys = keys;
        this.ngramLen = ngramLen;
        this.contextHistory = contextHistory;
        this.hashIv = hashIv(keys);
    }

    /**
     * @param keys           the int64 watermarking keys, one per tournament layer (depth = keys.length >= 1)
     * @param ngramLen       n, the n-gram length (context n-1 plus the token), >= 2
     * @param contextHistory size of the repeated-context history, >= 1 (reference default 1,024)
     * @return the configuration
     */
    public static SynthIdReference of(long[] keys, int ngramLen, int contextHistory) {
        Objects.requireNonNull(keys, "keys");
        if (keys.length < 1) {
            throw new IllegalArgumentException("SynthID needs at least one key (one per layer)");
        }
        if (ngramLen < 2) {
            throw new IllegalArgumentException("ngram_len must be at least 2, got " + ngramLen);
        }
        if (contextHistory < 1) {
            throw new IllegalArgumentException("context history size must be at least 1, got " + contextHistory);
        }
        return new SynthIdReference(keys.clone(), ngramLen, contextHistory);
    }

    /** @return a copy of the keys */
    public long[] keys() {
        return keys.clone();
    }

    /** @return the number of layers (= number of keys) */
    public int depth() {
        return keys.length;
    }

    /** @return n */
    public int ngramLen() {
        return ngramLen;
    }

    /** @return the context history size */
    public int contextHistory() {
        return contextHistory;
    }

    /** @return the hash IV derived from the keys */
    public long hashIv() {
        return hashIv;
    }

    /**
     * One LCG step: {@code (h + x) * 6364136223846793005 + 1}, wrapping.
     *
     * @param h current hash
     * @param x data element
     * @return the next hash
     */
    public static long accumulateHash(long h, long x) {
        return (h + x) * MULTIPLIER + INCREMENT;
    }

    /**
     * The reference's IV: SHA-256 of the keys as little-endian int64 bytes
     * ({@code torch.tensor(keys).numpy().tobytes()}), read as a big-endian unsigned integer, modulo
     * {@code 2^63 - 1}.
     *
     * @param keys the keys
     * @return the IV, in [0, 2<sup>63</sup> - 1)
     */
    public static long hashIv(long[] keys) {
        ByteBuffer buf = ByteBuffer.allocate(Long.BYTES * keys.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long k : keys) {
            buf.putLong(k);
        }
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(buf.array());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        return new BigInteger(1, digest).mod(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
    }

    /**
     * The g-value of a per-layer hash: 12 rounds of {@code accumulate(h, 1) >> 5}, then bit 30.
     *
     * @param layerHash {@code accumulate(ngramHash, key)}
     * @return 0 or 1
     */
    static int gFromLayerHash(long layerHash) {
        long h = layerHash;
        for (int r = 0; r < NUM_APPLY_HASH; r++) {
            h = accumulateHash(h, 1L) >> SHIFT;
        }
        // (h >> 30) % 2 with floor modulo is the low bit, also for negative h.
        return (int) ((h >> G_BIT) & 1L);
    }

    /**
     * The number of g-values equal to 1, over all layers, of the n-gram
     * {@code tokens[start .. start + ngram_len)}: {@code sum_l g_l(ngram)}, in [0, depth].
     * Stateless and thread-safe.
     *
     * @param tokens token ids
     * @param start  first token of the n-gram
     * @return the count of ones
     */
    public int onesAt(int[] tokens, int start) {
        checkRange(tokens, start, ngramLen);
        long h = hashIv;
        for (int i = 0; i < ngramLen; i++) {
            h = accumulateHash(h, tokens[start + i]);
        }
        int ones = 0;
        for (long k : keys) {
            ones += gFromLayerHash(accumulateHash(h, k));
        }
        return ones;
    }

    /** @return a new repetition tracker (per thread, per document walk) */
    public ContextTracker newContextTracker() {
        return new ContextTracker(this);
    }

    /**
     * The reference's context-repetition bookkeeping as a stream: feed the n-grams of a text in
     * order and learn, for each, whether its (n-1)-gram context was among the last
     * {@code context_history} contexts (the reference's {@code compute_context_repetition_mask}, one
     * row at a time). Mutable, not thread-safe; {@link #reset()} before each text.
     */
    public static final class ContextTracker {
        private final SynthIdReference ref;
        private final ContextHistory history;

        private ContextTracker(SynthIdReference ref) {
            this.ref = ref;
            this.history = new ContextHistory(ref.contextHistory);
        }

        /** Starts a new text (the history is refilled with zeros, as the reference starts). */
        public void reset() {
            history.reset();
        }

        /**
         * Processes the next n-gram: hashes its context {@code tokens[start .. start + n - 1)}, tests
         * it against the history, then pushes it (also when it was seen).
         *
         * @param tokens token ids
         * @param start  first token of the n-gram
         * @return true iff the context was seen (the reference masks the row)
         */
        public boolean seenBefore(int[] tokens, int start) {
            checkRange(tokens, start, ref.ngramLen - 1);
            long h = ref.hashIv;
            for (int i = 0; i < ref.ngramLen - 1; i++) {
                h = accumulateHash(h, tokens[start + i]);
            }
            boolean seen = history.contains(h);
            history.push(h);
            return seen;
        }
    }

    /** @return a new per-thread scorer (mutable workspace for the repetition history) */
    public Scorer newScorer() {
        return new Scorer(this);
    }

    /**
     * Number of scored rows for a text of {@code len} tokens: {@code max(0, len - n + 1)}.
     *
     * @param len text length
     * @return number of n-grams
     */
    public int rows(int len) {
        return Math.max(0, len - ngramLen + 1);
    }

    private static void checkRange(int[] a, int off, int len) {
        Objects.requireNonNull(a, "tokens");
        if (off < 0 || len < 0 || off > a.length - len) {
            throw new IndexOutOfBoundsException(String.format(Locale.ROOT,
                    "range [%d, %d) outside an array of length %d", off, off + len, a.length));
        }
    }

    /**
     * Mutable per-thread workspace. Not thread-safe; reusing one scorer allocates nothing per token.
     */
    public static final class Scorer {
        private final SynthIdReference ref;
        private final ContextHistory history;

        private Scorer(SynthIdReference ref) {
            this.ref = ref;
            this.history = new ContextHistory(ref.contextHistory);
        }

        /** @return the configuration this scorer works for */
        public SynthIdReference reference() {
            return ref;
        }

        /**
         * The reference's {@code compute_g_values}: one row of {@code depth} bits per n-gram.
         *
         * @param tokens token ids
         * @param off    start of the text
         * @param len    number of tokens
         * @param out    receives {@code out[r * depth + l]} for row r, layer l ({@code rows(len) * depth} bytes)
         * @return the number of rows written
         */
        public int gValues(int[] tokens, int off, int len, byte[] out) {
            checkRange(tokens, off, len);
            final int rows = ref.rows(len);
            final long[] keys = ref.keys;
            final int depth = keys.length;
            if (out.length < rows * depth) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "g-value buffer needs %d slots, has %d", rows * depth, out.length));
            }
            for (int r = 0; r < rows; r++) {
                long h = ngramHash(tokens, off + r);
                for (int l = 0; l < depth; l++) {
                    out[r * depth + l] = (byte) gFromLayerHash(accumulateHash(h, keys[l]));
                }
            }
            return rows;
        }

        /**
         * The reference's {@code compute_context_repetition_mask}: {@code true} where the n-gram's
         * (n-1)-gram context was not among the last {@code context_history} contexts.
         *
         * @param tokens token ids
         * @param off    start of the text
         * @param len    number of tokens
         * @param out    receives {@code rows(len)} flags
         * @return the number of rows written
         */
        public int contextRepetitionMask(int[] tokens, int off, int len, boolean[] out) {
            checkRange(tokens, off, len);
            final int rows = ref.rows(len);
            if (out.length < rows) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "mask buffer needs %d slots, has %d", rows, out.length));
            }
            history.reset();
            for (int r = 0; r < rows; r++) {
                long ch = contextHash(tokens, off + r);
                out[r] = !history.contains(ch);
                history.push(ch);
            }
            return rows;
        }

        /**
         * The EOS mask aligned to n-gram rows: row r is {@code false} iff its last token (position
         * {@code r + n - 1}) is at or after the first occurrence of {@code eosTokenId}.
         *
         * @param tokens     token ids
         * @param off        start of the text
         * @param len        number of tokens
         * @param eosTokenId the EOS id
         * @param out        receives {@code rows(len)} flags
         * @return the number of rows written
         */
        public int eosMask(int[] tokens, int off, int len, int eosTokenId, boolean[] out) {
            checkRange(tokens, off, len);
            final int rows = ref.rows(len);
            if (out.length < rows) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "mask buffer needs %d slots, has %d", rows, out.length));
            }
            int firstEos = len;
            for (int i = 0; i < len; i++) {
                if (tokens[off + i] == eosTokenId) {
                    firstEos = i;
                    break;
                }
            }
            for (int r = 0; r < rows; r++) {
                out[r] = r + ref.ngramLen - 1 < firstEos;
            }
            return rows;
        }

        /**
         * Scores a text: g-values on the n-grams kept by the repetition mask (and the EOS mask if
         * {@code eosTokenId >= 0}); the reference Mean score and the counts an exact test needs.
         *
         * @param tokens     token ids
         * @param off        start of the text
         * @param len        number of tokens
         * @param eosTokenId the EOS id, or -1 for no EOS masking
         * @return the counts and mean score
         */
        public SynthIdReferenceScore score(int[] tokens, int off, int len, int eosTokenId) {
            checkRange(tokens, off, len);
            final int rows = ref.rows(len);
            final long[] keys = ref.keys;
            final int depth = keys.length;
            final int n = ref.ngramLen;
            int firstEos = len;
            if (eosTokenId >= 0) {
                for (int i = 0; i < len; i++) {
                    if (tokens[off + i] == eosTokenId) {
                        firstEos = i;
                        break;
                    }
                }
            }
            history.reset();
            long unmasked = 0;
            long repeated = 0;
            long afterEos = 0;
            long ones = 0;
            for (int r = 0; r < rows; r++) {
                long ch = contextHash(tokens, off + r);
                boolean fresh = !history.contains(ch);
                history.push(ch);
                boolean beforeEos = r + n - 1 < firstEos;
                if (!beforeEos) {
                    afterEos++;
                    continue;
                }
                if (!fresh) {
                    repeated++;
                    continue;
                }
                unmasked++;
                // The n-gram hash continues the context hash with the token itself.
                long h = accumulateHash(ch, tokens[off + r + n - 1]);
                for (int l = 0; l < depth; l++) {
                    ones += gFromLayerHash(accumulateHash(h, keys[l]));
                }
            }
            return new SynthIdReferenceScore(rows, unmasked, repeated, afterEos, depth, ones);
        }

        private long ngramHash(int[] tokens, int start) {
            long h = ref.hashIv;
            for (int i = 0; i < ref.ngramLen; i++) {
                h = accumulateHash(h, tokens[start + i]);
            }
            return h;
        }

        private long contextHash(int[] tokens, int start) {
            long h = ref.hashIv;
            for (int i = 0; i < ref.ngramLen - 1; i++) {
                h = accumulateHash(h, tokens[start + i]);
            }
            return h;
        }
    }

    /**
     * The reference's context history: a FIFO of the last {@code size} context hashes, initially all
     * zeros, with a counting hash map for O(1) membership. Mutable.
     */
    static final class ContextHistory {
        private final long[] ring;
        private int head;
        private final long[] keys;
        private final int[] counts;
        private final boolean[] used;
        private final int mask;

        ContextHistory(int size) {
            ring = new long[size];
            int cap = Integer.highestOneBit(Math.max(4, size) * 4 - 1) << 1;
            keys = new long[cap];
            counts = new int[cap];
            used = new boolean[cap];
            mask = cap - 1;
            reset();
        }

        void reset() {
            Arrays.fill(ring, 0L);
            Arrays.fill(used, false);
            head = 0;
            add(0L, ring.length);
        }

        boolean contains(long h) {
            int slot = find(h);
            return used[slot];
        }

        /** Pushes h to the front and evicts the oldest entry. */
        void push(long h) {
            long evicted = ring[head];
            ring[head] = h;
            head = head + 1 == ring.length ? 0 : head + 1;
            add(h, 1);
            remove(evicted);
        }

        private int find(long h) {
            long x = h * 0x9E3779B97F4A7C15L;
            int slot = (int) (x ^ (x >>> 32)) & mask;
            while (used[slot] && keys[slot] != h) {
                slot = (slot + 1) & mask;
            }
            return slot;
        }

        private void add(long h, int c) {
            int slot = find(h);
            if (used[slot]) {
                counts[slot] += c;
            } else {
                used[slot] = true;
                keys[slot] = h;
                counts[slot] = c;
            }
        }

        private void remove(long h) {
            int slot = find(h);
            if (--counts[slot] > 0) {
                return;
            }
            // Backward-shift deletion keeps linear-probing chains intact.
            used[slot] = false;
            int hole = slot;
            int j = slot;
            while (true) {
                j = (j + 1) & mask;
                if (!used[j]) {
                    return;
                }
                long x = keys[j] * 0x9E3779B97F4A7C15L;
                int home = (int) (x ^ (x >>> 32)) & mask;
                // Move j into the hole if its home is not cyclically in (hole, j].
                boolean homeInRange = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
                if (!homeInRange) {
                    keys[hole] = keys[j];
                    counts[hole] = counts[j];
                    used[hole] = true;
                    used[j] = false;
                    hole = j;
                }
            }
        }
    }
}
