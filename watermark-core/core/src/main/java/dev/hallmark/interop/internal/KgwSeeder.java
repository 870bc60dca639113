package dev.hallmark.interop.internal;
import dev.hallmark.interop.KgwPrf;

import dev.hallmark.interop.KgwSeeding;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Evaluates a {@link KgwPrf} on a context window: the value the reference hands to
 * {@code manual_seed} (see {@link KgwPrf} for the formulas). Immutable and thread-safe; the
 * permutation tables are shared (built once per process, 4 MB each).
 */
public final class KgwSeeder {

    /** Size of the reference's hashing permutation table. */
    static final int TABLE_SIZE = 1_000_003;
    /** The seed lm-watermarking's {@code alternative_prf_schemes.py} uses for its table (fib47). */
    static final long LMW_TABLE_SEED = 2971215073L;

    private static final long TWO_32 = 1L << 32;

    /** Tables of recently used transformers hashing keys (4 MB each): a small LRU, not a leak. */
    private static final int TRANSFORMERS_TABLE_CACHE = 4;
    private static final Map<Long, int[]> TRANSFORMERS_TABLES = new LinkedHashMap<>(8, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, int[]> eldest) {
            return size() > TRANSFORMERS_TABLE_CACHE;
        }
    };

    private static final class LmwTable {
        static final int[] TABLE = buildTable(LMW_TABLE_SEED);
    }

    private final KgwPrf prf;
    private final int width;
    private final long key;
    private final int[] table;

    KgwSeeder(KgwSeeding seeding) {
        this.prf = seeding.prf();
        this.width = seeding.contextWidth();
        this.key = seeding.hashKey();
        if (prf == KgwPrf.HF_SELFHASH) {
            this.table = transformersTable(key);
        } else if (prf.usesTable()) {
            this.table = LmwTable.TABLE;
        } else {
            this.table = null;
        }
    }

    /** {@code randperm(1_000_003)} from a generator seeded like {@code manual_seed(seed)}. */
    static int[] buildTable(long seed) {
        int[] t = new int[TABLE_SIZE];
        TorchRandperm.full(TorchMt19937.seeded(seed), TABLE_SIZE, t);
        return t;
    }

    /**
     * The table transformers builds with {@code rng.manual_seed(hashing_key)}; the last few are
     * cached (each {@link KgwSeeder} keeps a reference to its own, so eviction never costs a user
     * more than one rebuild of about 10 ms).
     */
    static int[] transformersTable(long hashingKey) {
        synchronized (TRANSFORMERS_TABLES) {
            int[] t = TRANSFORMERS_TABLES.get(hashingKey);
            if (t == null) {
                t = buildTable(hashingKey);
                TRANSFORMERS_TABLES.put(hashingKey, t);
            }
            return t;
        }
    }

    /** lm-watermarking's table (seeded 2971215073). */
    static int[] lmwTable() {
        return LmwTable.TABLE;
    }

    /** {@code hashint(v) = table[v mod 1_000_003] + 1} with floor modulo. */
    private long hashint(long v) {
        return table[(int) Math.floorMod(v, (long) TABLE_SIZE)] + 1L;
    }

    /**
     * The value passed to {@code manual_seed}: {@code prf(c) % (2**64 - 1)} as unsigned bits.
     *
     * @param c   token array
     * @param off start of the {@code contextWidth} context tokens
     * @return the seed (the generator uses its low 32 bits)
     */
    long seed(int[] c, int off) {
        final int w = width;
        final long k = key;
        switch (prf) {
            case ADDITIVE: {
                long sum = 0;
                for (int i = 0; i < w; i++) {
                    sum += c[off + i];
                }
                return PyIntMath.mulModMersenne64(k, sum);
            }
            case MULTIPLICATIVE: {
                long prod = 1;
                for (int i = 0; i < w; i++) {
                    prod *= c[off + i];
                }
                return PyIntMath.mulModMersenne64(k, prod);
            }
            case MINFUNC: {
                long min = Long.MAX_VALUE;
                for (int i = 0; i < w; i++) {
                    min = Math.min(min, c[off + i]);
                }
                return PyIntMath.mulModMersenne64(k, min);
            }
            case SIMPLE_SKIP: {
                long prod = 1;
                for (int i = 0; i < w; i += 2) {
                    prod *= hashint(k * c[off + i]);
                }
                return PyIntMath.modMersenne64(prod);
            }
            case SKIPGRAM:
                return PyIntMath.modMersenne64(hashint(k * c[off]));
            case ANCHORED_SKIPGRAM:
                return PyIntMath.modMersenne64(hashint(k * c[off]) * hashint(k * c[off + w - 1]));
            case MINHASH: {
                long min = Long.MAX_VALUE;
                for (int i = 0; i < w; i++) {
                    min = Math.min(min, hashint(k * c[off + i]));
                }
                return PyIntMath.modMersenne64(min);
            }
            case ANCHORED_MINHASH:
            case HF_SELFHASH: {
                long anchor = hashint(c[off + w - 1]);
                long min = Long.MAX_VALUE;
                for (int i = 0; i < w; i++) {
                    min = Math.min(min, k * hashint(c[off + i]) * anchor);
                }
                return PyIntMath.modMersenne64(min);
            }
            case MINSKIPGRAM: {
                long min = Long.MAX_VALUE;
                for (int i = 0; i < w; i++) {
                    long hi = hashint(k * c[off + i]);
                    for (int j = i + 1; j < w; j++) {
                        min = Math.min(min, hi * hashint(k * c[off + j]));
                    }
                }
                return PyIntMath.modMersenne64(min);
            }
            case NONCOMM: {
                long acc = k;
                for (int i = 0; i < w; i++) {
                    acc *= hashint(acc * c[off + i]);
                    acc = Math.floorMod(acc, TWO_32);
                }
                return acc;
            }
            case POSITION: {
                long sum = 0;
                for (int i = 0; i < w; i++) {
                    sum += k * c[off + i] * (i + 1);
                }
                return PyIntMath.modMersenne64(sum);
            }
            case HF_LEFTHASH:
                return PyIntMath.mulModMersenne64(k, c[off + w - 1]);
            default:
                throw new AssertionError(prf);
        }
    }
}
