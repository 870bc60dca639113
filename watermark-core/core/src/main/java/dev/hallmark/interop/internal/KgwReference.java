package dev.hallmark.interop.internal;
import dev.hallmark.interop.KgwPrf;

import dev.hallmark.interop.KgwSeeding;


import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The KGW red/green-list watermark exactly as the public reference implementations compute it:
 * lm-watermarking ({@code extended_watermark_processor.py}, Kirchenbauer et al.) and the Hugging
 * Face transformers {@code WatermarkLogitsProcessor} / {@code WatermarkDetector} built on it.
 * Verification only: it reproduces their green lists and detector counts on CPU, so text generated
 * with them can be tested here.
 *
 * <p><b>Green list.</b> For a context window {@code c} (the {@code context_width} tokens the seeding
 * scheme reads; for self-salted schemes the window ends with the candidate token), the reference
 * seeds a PyTorch CPU generator with {@code prf(c) % (2**64 - 1)} ({@link KgwPrf}; the generator keeps
 * the low 32 bits), draws {@code torch.randperm(V)} and takes its first {@code int(V * gamma)}
 * entries. Here only those {@code int(V * gamma)} Fisher-Yates steps are run ({@link TorchRandperm}).
 *
 * <p><b>Detection.</b> The text is cut into n-grams of length {@code n = context_width + 1 - self_salt};
 * the last token of each is scored against the green list of its window. With
 * {@code ignore_repeated_ngrams} every distinct n-gram (as a tuple of ids) is counted once,
 * otherwise every occurrence counts; the per-position green mask always covers all n-grams. See
 * {@link Scorer#score}. Token ids outside {@code [0, V)} can never be green (the reference tests
 * {@code target in greenlist}), but are scored.
 *
 * <p>Differences between the two references that matter here (details in {@code docs/interop.md}):
 * transformers' {@code selfhash} uses a table seeded with the hashing key and context width 1 by
 * default (named {@code hf-selfhash} here), and its detector's {@code ignore_repeated_ngrams} does not
 * actually de-duplicate (it counts tensors, which hash by identity): its counts equal the counts
 * here with {@code ignoreRepeatedNgrams = false}.
 *
 * <p><b>Fast membership.</b> {@link #isGreen(long, int)} answers "is this token green after this
 * seed" for any number of threads, memoised in bounded caches of decisions and of whole green lists
 * (see {@code KgwGreenCache}); {@link #shared} hands out one instance per configuration so that the
 * caches outlive a single detector.
 *
 * <p>Instances are thread-safe (their only mutable state is that cache); per-thread work with
 * masks goes through {@link #newScorer()}.
 */
public final class KgwReference {

    /** Shared instances (and so shared caches) of the most recently used configurations. */
    private static final int SHARED_CONFIGS = 4;
    private static final Map<String, KgwReference> SHARED = new LinkedHashMap<>(8, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, KgwReference> eldest) {
            return size() > SHARED_CONFIGS;
        }
    };

    private final KgwSeeding seeding;
    private final int vocabSize;
    private final double gamma;
    private final int greenlistSize;
    private final KgwSeeder seeder;
    private final TorchRandperm randperm;
    private final KgwGreenCache cache;

    private KgwReference(KgwSeeding seeding, int vocabSize, double gamma) {
        this.seeding = seeding;
        this.vocabSize = vocabSize;
        this.gamma = gamma;
        // Python: int(self.vocab_size * self.gamma), a truncated double product.
        this.greenlistSize = (int) (vocabSize * gamma);
        this.seeder = new KgwSeeder(seeding);
        this.randperm = TorchRandperm.of(vocabSize, greenlistSize);
        this.cache = new KgwGreenCache(randperm, seeding.selfSalt(), cacheBytes());
    }

    private static long cacheBytes() {
        String mib = System.getProperty("hallmark.interop.kgwCacheMiB");
        if (mib == null) {
            return KgwGreenCache.DEFAULT_LIST_BYTES;
        }
        try {
            long v = Long.parseLong(mib.strip());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v << 20;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "system property hallmark.interop.kgwCacheMiB must be a non-negative integer (MiB), got '" + mib + "'",
                    e);
        }
    }

    /**
     * @param seeding   the seeding scheme
     * @param vocabSize V, the size of the permuted vocabulary ({@code len(vocab)} in lm-watermarking,
     *                  {@code model_config.vocab_size} in transformers), in [2, {@link TorchRandperm#MAX_N})
     * @param gamma     green-list fraction, in (0, 1)
     * @return the reference KGW configuration
     */
    public static KgwReference of(KgwSeeding seeding, int vocabSize, double gamma) {
        Objects.requireNonNull(seeding, "seeding");
        if (vocabSize < 2 || vocabSize >= TorchRandperm.MAX_N) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "vocabulary size must be in [2, %d), got %d", TorchRandperm.MAX_N, vocabSize));
        }
        if (!(gamma > 0 && gamma < 1)) {
            throw new IllegalArgumentException("gamma must be in (0, 1), got " + gamma);
        }
        if ((int) (vocabSize * gamma) < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "int(vocab * gamma) = int(%d * %s) is 0: the green list would be empty", vocabSize, gamma));
        }
        return new KgwReference(seeding, vocabSize, gamma);
    }

    /**
     * The shared instance for a configuration: the same object (and green-list caches) for every
     * caller asking for the same seeding, V and gamma, among the last few configurations used.
     * Validates like {@link #of}.
     *
     * @param seeding   the seeding scheme
     * @param vocabSize V
     * @param gamma     green-list fraction
     * @return the shared instance
     */
    public static KgwReference shared(KgwSeeding seeding, int vocabSize, double gamma) {
        Objects.requireNonNull(seeding, "seeding");
        String key = seeding.name() + "|" + vocabSize + "|" + Double.doubleToLongBits(gamma);
        synchronized (SHARED) {
            KgwReference r = SHARED.get(key);
            if (r == null) {
                r = of(seeding, vocabSize, gamma);
                SHARED.put(key, r);
            }
            return r;
        }
    }

    /**
     * Whether {@code target} is in the green list of a generator seeded with {@code seed} (the value
     * {@link #seed} returns; only its low 32 bits matter). Thread-safe and memoised; the answer is
     * exactly the reference's {@code target in greenlist_ids}.
     *
     * @param seed   the seed
     * @param target a token id; ids outside [0, V) are never green
     * @return true iff green
     */
    public boolean isGreen(long seed, int target) {
        if (target < 0 || target >= vocabSize) {
            return false;
        }
        return cache.isGreen(seed, target);
    }

    /**
     * How the calling thread's {@link #isGreen(long, int)} queries were answered since the last
     * {@link #resetCacheStats()}: {@code [decision-cache hits, green-list hits, green lists built,
     * permutation walks]}. For benchmarks and tuning.
     *
     * @return the four counts
     */
    public long[] cacheStats() {
        KgwGreenCache.Stats s = cache.threadStats();
        return new long[] {s.decisionHits(), s.listHits(), s.listBuilds(), s.walks()};
    }

    /** Empties the shared membership caches (for cold-cache benchmarks, or to release their memory). */
    public void clearCache() {
        cache.clear();
    }

    /** Zeroes the calling thread's cache counters. */
    public void resetCacheStats() {
        cache.resetThreadStats();
    }

    /** @return how many whole green lists the shared cache may hold (0 for self-salted seedings) */
    public int cachedListCapacity() {
        return cache.listSlots();
    }

    /** @return the seeding scheme */
    public KgwSeeding seeding() {
        return seeding;
    }

    /** @return V */
    public int vocabSize() {
        return vocabSize;
    }

    /** @return gamma */
    public double gamma() {
        return gamma;
    }

    /** @return {@code int(V * gamma)} */
    public int greenlistSize() {
        return greenlistSize;
    }

    /** @return the scored n-gram length {@code context_width + 1 - self_salt} */
    public int ngramLength() {
        return seeding.ngramLength();
    }

    /**
     * The seed value the reference passes to {@code manual_seed} for a context window.
     *
     * @param context token ids; the window is {@code context[off .. off + context_width)}
     * @param off     window start
     * @return {@code prf(window) % (2**64 - 1)} as unsigned 64-bit bits
     */
    public long seed(int[] context, int off) {
        checkWindow(context, off, seeding.contextWidth());
        return seeder.seed(context, off);
    }

    /** @return a new per-thread scorer (mutable workspace) */
    public Scorer newScorer() {
        return new Scorer(this);
    }

    private static void checkWindow(int[] a, int off, int len) {
        Objects.requireNonNull(a, "tokens");
        if (off < 0 || len < 0 || off > a.length - len) {
            throw new IndexOutOfBoundsException(String.format(Locale.ROOT,
                    "window [%d, %d) outside an array of length %d", off, off + len, a.length));
        }
    }

    /**
     * Mutable per-thread workspace: a generator, the identity buffer of the green-list prefix
     * (allocated on first use of {@link #greenList}), and the n-gram table. Not thread-safe;
     * reusing one scorer allocates nothing per token.
     */
    public static final class Scorer {
        private final KgwReference kgw;
        private final TorchMt19937 rng = TorchMt19937.seeded(0);
        private final NgramTable table = new NgramTable();
        private TorchRandperm.Workspace workspace;

        private Scorer(KgwReference kgw) {
            this.kgw = kgw;
        }

        /** @return the configuration this scorer works for */
        public KgwReference reference() {
            return kgw;
        }

        /**
         * The green list of a context window in permutation order, as the reference's
         * {@code _get_greenlist_ids(window)} returns it.
         *
         * @param context token ids; the window is {@code context[off .. off + context_width)}
         * @param off     window start
         * @param out     receives {@code greenlistSize()} ids from {@code outOff}
         * @param outOff  offset into {@code out}
         * @return the number of ids written ({@code greenlistSize()})
         */
        public int greenList(int[] context, int off, int[] out, int outOff) {
            checkWindow(context, off, kgw.seeding.contextWidth());
            if (workspace == null) {
                workspace = kgw.randperm.newWorkspace();
            }
            rng.manualSeed(kgw.seeder.seed(context, off));
            kgw.randperm.prefix(rng, workspace, out, outOff);
            return kgw.greenlistSize;
        }

        /**
         * Whether {@code target} is in the green list of the window {@code context[off .. off + context_width)}.
         * For self-salted schemes the window must already end with the target.
         *
         * @param context token ids
         * @param off     window start
         * @param target  the candidate token id
         * @return true iff green
         */
        public boolean isGreen(int[] context, int off, int target) {
            checkWindow(context, off, kgw.seeding.contextWidth());
            return greenUnchecked(context, off, target);
        }

        private boolean greenUnchecked(int[] context, int off, int target) {
            if (target < 0 || target >= kgw.vocabSize) {
                return false;
            }
            rng.manualSeed(kgw.seeder.seed(context, off));
            return kgw.randperm.inPrefix(rng, target);
        }

        /**
         * The reference detector's counting on a token sequence (lm-watermarking
         * {@code WatermarkDetector._score_sequence} with {@code tokenized_text}, no normalizers, no
         * windowing; no BOS stripping: pass the ids without a leading BOS).
         *
         * <p>N-gram {@code i} is {@code tokens[off + i .. off + i + n)}; its window is the whole
         * n-gram if self-salted, else its first {@code n - 1} tokens; its target is its last token.
         * There are {@code len - n + 1} n-grams. Each distinct n-gram is evaluated once.
         *
         * @param tokens    token ids (non-negative)
         * @param off       start of the text
         * @param len       number of tokens; the reference requires {@code len - context_width >= 1}
         * @param ignoreRepeatedNgrams count each distinct n-gram once (lm-watermarking semantics)
         * @param greenMask if not null, receives the green flag of every n-gram at
         *                  {@code greenMask[0 .. len - n + 1)} (the reference's {@code green_token_mask})
         * @return tokens scored, green tokens, and the reference z-score
         */
        public KgwReferenceCounts score(int[] tokens, int off, int len, boolean ignoreRepeatedNgrams,
                                        boolean[] greenMask) {
            checkWindow(tokens, off, len);
            final KgwSeeding s = kgw.seeding;
            final int width = s.contextWidth();
            if (len - width < 1) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "need at least 1 token to score after the first %d tokens the seeding scheme %s "
                                + "requires, got %d tokens", width, s.name(), len));
            }
            final int n = s.ngramLength();
            final int count = len - n + 1;
            if (greenMask != null && greenMask.length < count) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "green mask needs %d slots, has %d", count, greenMask.length));
            }
            for (int i = off; i < off + len; i++) {
                if (tokens[i] < 0) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "token ids must be non-negative, got %d at position %d", tokens[i], i - off));
                }
            }
            final int targetShift = n - 1;
            // The window of n-gram i starts at i (self-salted: the n-gram itself; else its prefix).
            table.reset(tokens, n, count);
            long distinct = 0;
            long distinctGreen = 0;
            long allGreen = 0;
            try {
                for (int i = 0; i < count; i++) {
                    int start = off + i;
                    int slot = table.findOrInsert(start);
                    boolean green;
                    if (slot < 0) {
                        slot = -slot - 1;
                        green = greenUnchecked(tokens, start, tokens[start + targetShift]);
                        table.setPayload(slot, green);
                        distinct++;
                        if (green) {
                            distinctGreen++;
                        }
                    } else {
                        green = table.payload(slot);
                    }
                    if (green) {
                        allGreen++;
                    }
                    if (greenMask != null) {
                        greenMask[i] = green;
                    }
                }
            } finally {
                table.release();
            }
            return ignoreRepeatedNgrams
                    ? new KgwReferenceCounts(distinct, distinctGreen, kgw.gamma)
                    : new KgwReferenceCounts(count, allGreen, kgw.gamma);
        }
    }
}
