package dev.hallmark.scheme;

import dev.hallmark.interop.internal.KgwReference;
import dev.hallmark.interop.internal.KgwReferenceCounts;

/**
 * {@link HfKgwScheme} ready to score: the reference green lists ({@link KgwReference}, shared and
 * memoised), the reference's n-gram counting, and independent units for the exact p-value.
 *
 * <p><b>Units.</b> The reference's green decision for the token x at position t is a function of
 * only two things: the low 32 bits of the seed its PRF computes from the window (all that
 * {@code manual_seed} keeps) and x. So the independent unit is (seed mod 2<sup>32</sup>, x). The
 * reference de-duplicates whole n-grams instead; that is the same for {@code lefthash}
 * (seed = key * previous token, injective for ids below 2<sup>32</sup> and odd keys), but not for
 * min-hash seedings: with {@code selfhash} two different 4-grams whose minimum is the same token
 * (often the candidate itself) get the same seed, hence the same decision, and the reference counts
 * that one coin several times. Such repeats inflate a binomial test on the reference's count (the
 * detector then over-states significance on long human text), so Hallmark's p-value uses the units;
 * the reference's count and z-score are still reported.
 *
 * <p><b>Null probability.</b> A green list holds {@code k = int(V * gamma)} of the V ids, so under
 * the null a unit is green with probability {@code k / V} (slightly below gamma; the reference's
 * z-score uses gamma itself). Within one seed different tokens are drawn without replacement
 * (negatively dependent); the binomial tail remains a valid, marginally conservative bound for such
 * sums (Hoeffding 1963, Theorem 4). Tokens outside [0, V) are never green and share one unit.
 */
public final class HfKgwKeyed implements ReferenceKeyed {

    /** High word of every unit identity (a tag; never 0, so no identity is (0, 0)). */
    private static final long UNIT_TAG = 0x4B47_5755_4E49_5401L;
    /** Low word of the shared unit of out-of-vocabulary tokens (bit 31 set: no regular unit has it). */
    private static final long OOV_UNIT = -1L;

    private final HfKgwScheme scheme;
    private final KgwReference reference;
    private final NullModel nullModel;
    private final int window;

    HfKgwKeyed(HfKgwScheme scheme) {
        this.scheme = scheme;
        this.reference = KgwReference.shared(scheme.seeding(), scheme.vocab(), scheme.gamma());
        this.nullModel = new NullModel.Binomial(1, (double) reference.greenlistSize() / scheme.vocab());
        this.window = scheme.ngramLength() - 1;
    }

    @Override
    public HfKgwScheme scheme() {
        return scheme;
    }

    /** @return {@code null}: the scheme has no Hallmark key (its hash key is in the spec) */
    @Override
    public String keyId() {
        return null;
    }

    /** Binomial with p = int(V * gamma) / V per unit. */
    @Override
    public NullModel nullModel() {
        return nullModel;
    }

    /** @return the shared reference configuration (green lists, seeds, caches); internal */
    KgwReference reference() {
        return reference;
    }

    /**
     * The green decision for {@code ids[t]} (1 or 0), exactly the reference's; writes the unit
     * (seed mod 2<sup>32</sup>, token) to {@code tupleOut}.
     */
    @Override
    public double score(int[] ids, int t, long[] tupleOut) {
        int x = ids[t];
        tupleOut[0] = UNIT_TAG;
        if (x < 0 || x >= scheme.vocab()) {
            tupleOut[1] = OOV_UNIT;
            return 0.0;
        }
        // The seeding window ends at t for self-salted schemes, at t - 1 otherwise; both start at
        // t - (n - 1) for the scored n-gram length n.
        long seed = reference.seed(ids, t - window);
        tupleOut[1] = ((seed & 0xFFFF_FFFFL) << 32) | x;
        return reference.isGreen(seed, x) ? 1.0 : 0.0;
    }

    @Override
    public ReferenceCounter newCounter() {
        final int ctx = window;
        final boolean dedup = scheme.ignoreRepeatedNgrams();
        return new ReferenceCounter() {
            private int[] ids;

            @Override
            public void begin(int[] ids, int len) {
                this.ids = ids;
            }

            @Override
            public Decision classify(int t, long[] tupleOut) {
                if (!dedup) {
                    return Decision.COUNT;
                }
                Tuples.of(ids, t - ctx, ctx, ids[t], tupleOut);
                return Decision.COUNT_IF_NEW;
            }
        };
    }

    /** lm-watermarking's {@code _compute_z_score} (transformers computes the same), bit for bit. */
    @Override
    public double referenceZScore(long tokensScored, double scoreSum) {
        if (tokensScored == 0) {
            return Double.NaN;
        }
        return new KgwReferenceCounts(tokensScored, Math.round(scoreSum), scheme.gamma()).zScore();
    }
}
