package dev.hallmark.scheme;

import dev.hallmark.interop.internal.VllmPrf;
import dev.hallmark.interop.internal.VllmReferenceStats;
import dev.hallmark.key.VllmKey;
import java.util.Locale;

/**
 * A {@link VllmScheme} bound to vLLM's 64-bit key: the keyed functions of vLLM's detector and
 * generator, bit for bit.
 *
 * <p><b>Reference count.</b> vLLM's detector walks the text with the context of each token (the W
 * tokens before it, -1 before the start); with {@code dedup=true} a token whose context tuple was
 * already seen is skipped. {@code tokens_scored} is its {@code num_scored_tokens}, {@code score_sum}
 * its {@code score}, and {@code reference_p_value} its p-value ({@code VllmReferenceStats}).
 *
 * <p><b>Units (exact p-value).</b> gumbel and dual_key_gumbel: the score is a function of the
 * (context, token) tuple, so the unit is that tuple; with {@code dedup=true} the scored contexts are
 * distinct and the units coincide with vLLM's count. sbw: the green decision depends only on
 * (seed, token), and different contexts can share a seed (selfhash ignores the oldest context token
 * and takes a minimum; lefthash adds the ids), so the unit is (seed, token) and a coin vLLM counts
 * twice is scored once. Under the null, distinct units have independent scores: Exp(1) (gumbel),
 * {@code (1 - alpha) E + alpha E'} with independent E, E' (dual_key_gumbel: key_a and key_b are
 * independent keys), Bernoulli({@code int(gamma 0x7FFFFFFF) / 2^31}) (sbw).
 *
 * <p><b>Discreteness.</b> vLLM's uniforms lie on a grid of 2^24 values, so a Gumbel score is not
 * exactly Exp(1): coupling it with a continuous uniform shows that it exceeds an Exp(1) variable by
 * at most {@code 2 ln(1 + 2^-24) = 1.2e-7}; the Gamma tail is exact for the continuous model and
 * would move by at most that shift per token (negligible against the sd of the sum, sqrt(n)).
 *
 * <p>Immutable and thread-safe.
 */
public final class VllmKeyed implements ReferenceKeyed {

    private static final int GUMBEL = 0;
    private static final int DUAL = 1;
    private static final int SBW_SELFHASH = 2;
    private static final int SBW_LEFTHASH = 3;
    /** Set in the second word of every sbw unit, so that no unit is (0, 0). */
    private static final long SBW_UNIT_TAG = 1L << 32;

    private final VllmScheme scheme;
    private final int kind;
    private final int w;
    private final int vocab;
    private final String keyId;
    private final VllmPrf prfA;
    private final VllmPrf prfB;
    private final double weightA;
    private final double weightB;
    private final long sbwKey;
    private final int gammaThreshold;
    private final double alpha;
    private final double gamma;
    private final NullModel nullModel;

    VllmKeyed(VllmScheme scheme, VllmKey key) {
        this.scheme = scheme.withoutKey();
        this.w = scheme.context();
        this.vocab = scheme.vocab();
        this.keyId = key.id();
        VllmPrf a = null;
        VllmPrf b = null;
        double wa = 1;
        double wb = 0;
        long sk = 0;
        int thr = 0;
        double al = Double.NaN;
        double ga = Double.NaN;
        if (scheme instanceof VllmGumbelScheme) {
            kind = GUMBEL;
            a = VllmPrf.of(key.secretBits());
            nullModel = new NullModel.Gamma();
        } else if (scheme instanceof VllmDualKeyGumbelScheme d) {
            kind = DUAL;
            a = VllmPrf.of(key.keyA().secretBits());
            b = VllmPrf.of(key.keyB().secretBits());
            al = d.alpha();
            wa = 1 - al;
            wb = al;
            nullModel = new NullModel.WeightedExp(al);
        } else {
            VllmSbwScheme s = (VllmSbwScheme) scheme;
            kind = s.seeding() == VllmSbwScheme.Seeding.SELFHASH ? SBW_SELFHASH : SBW_LEFTHASH;
            sk = key.secretBits();
            ga = s.gamma();
            thr = VllmPrf.sbwGammaThreshold(ga);
            nullModel = new NullModel.Binomial(1, s.greenProbability());
        }
        this.prfA = a;
        this.prfB = b;
        this.weightA = wa;
        this.weightB = wb;
        this.sbwKey = sk;
        this.gammaThreshold = thr;
        this.alpha = al;
        this.gamma = ga;
    }

    /** The scheme, without any inline key. */
    @Override
    public VllmScheme scheme() {
        return scheme;
    }

    /** @return the key's public fingerprint ({@link VllmKey#id()}) */
    @Override
    public String keyId() {
        return keyId;
    }

    @Override
    public NullModel nullModel() {
        return nullModel;
    }

    /**
     * vLLM's per-token score of {@code ids[t]} with the context {@code ids[t-W..t)} (-1 before 0):
     * gumbel {@code -ln(1 - u)}, dual_key_gumbel {@code (1 - alpha) s_A + alpha s_B}, sbw 1 (green)
     * or 0. Writes the token's independent unit to {@code tupleOut}.
     *
     * @throws IllegalArgumentException if {@code ids[t]} is negative or not below {@code vocab}
     */
    @Override
    public double score(int[] ids, int t, long[] tupleOut) {
        int v = ids[t];
        checkToken(v, t);
        switch (kind) {
            case GUMBEL -> {
                unitOfContextAndToken(ids, t, tupleOut);
                return VllmPrf.score(prfA.word(ids, 0, t, w, v));
            }
            case DUAL -> {
                unitOfContextAndToken(ids, t, tupleOut);
                double sa = weightA == 0 ? 0 : VllmPrf.score(prfA.word(ids, 0, t, w, v));
                double sb = weightB == 0 ? 0 : VllmPrf.score(prfB.word(ids, 0, t, w, v));
                return sa * weightA + sb * weightB;
            }
            default -> {
                long seed = kind == SBW_SELFHASH ? VllmPrf.sbwSelfhashSeed(sbwKey, ids, 0, t, w, v)
                        : VllmPrf.sbwLefthashSeed(sbwKey, ids, 0, t, w);
                // the unit (seed, token), tagged so that it is never (0, 0), which tuple sets reserve: a
                // seed is 0 e.g. for lefthash after a context summing to 0, and for selfhash where a
                // -1 pad (hash 0) is in the context
                tupleOut[0] = seed;
                tupleOut[1] = SBW_UNIT_TAG | v;
                return VllmPrf.sbwGreen(seed, v, gammaThreshold) ? 1.0 : 0.0;
            }
        }
    }

    /** gumbel and dual_key_gumbel with {@code dedup=true}: counted contexts are distinct, so are the units. */
    @Override
    public boolean countsDistinctUnits() {
        return scheme.dedup() && (kind == GUMBEL || kind == DUAL);
    }

    /** The score without its unit (gumbel and dual: no tuple identity to compute). */
    @Override
    public double scoreValue(int[] ids, int t) {
        int v = ids[t];
        checkToken(v, t);
        return switch (kind) {
            case GUMBEL -> VllmPrf.score(prfA.word(ids, 0, t, w, v));
            case DUAL -> (weightA == 0 ? 0 : VllmPrf.score(prfA.word(ids, 0, t, w, v))) * weightA
                    + (weightB == 0 ? 0 : VllmPrf.score(prfB.word(ids, 0, t, w, v))) * weightB;
            default -> score(ids, t, new long[2]);
        };
    }

    /** Whether {@code v} is green after the context {@code ids[end-W..end)} (entries before {@code start} are -1); sbw only. */
    public boolean isGreen(int[] ids, int start, int end, int v) {
        long seed = kind == SBW_SELFHASH ? VllmPrf.sbwSelfhashSeed(sbwKey, ids, start, end, w, v)
                : VllmPrf.sbwLefthashSeed(sbwKey, ids, start, end, w);
        return VllmPrf.sbwGreen(seed, v, gammaThreshold);
    }

    private void checkToken(int v, int t) {
        if (v < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "token id %d at position %d is negative (vLLM pads contexts with -1; token ids are >= 0)", v, t));
        }
        if (vocab > 0 && v >= vocab) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "token id %d at position %d is outside the vocabulary [0, %d) of scheme %s", v, t, vocab, scheme));
        }
    }

    /** Identity of the context of position t (W tokens, -1 before 0). */
    void contextIdentity(int[] ids, int t, long[] out) {
        if (t >= w) {
            Tuples.of(ids, t - w, w - 1, ids[t - 1], out);
        } else {
            int[] pad = padded(ids, t, false);
            Tuples.of(pad, 0, w - 1, pad[w - 1], out);
        }
    }

    private void unitOfContextAndToken(int[] ids, int t, long[] out) {
        if (t >= w) {
            Tuples.of(ids, t - w, w, ids[t], out);
        } else {
            int[] pad = padded(ids, t, true);
            Tuples.of(pad, 0, w, ids[t], out);
        }
    }

    /** [-1]*(W - t) + ids[0..t) (+ ids[t] if withToken): the first W positions only. */
    private int[] padded(int[] ids, int t, boolean withToken) {
        int[] pad = new int[w + (withToken ? 1 : 0)];
        int missing = w - t;
        for (int i = 0; i < missing; i++) {
            pad[i] = -1;
        }
        System.arraycopy(ids, 0, pad, missing, t);
        if (withToken) {
            pad[w] = ids[t];
        }
        return pad;
    }

    /** vLLM's detector counting: every position, skipping repeated contexts when {@code dedup}. */
    @Override
    public ReferenceCounter newCounter() {
        final boolean dedup = scheme.dedup();
        return new ReferenceCounter() {
            private int[] ids;

            @Override
            public void begin(int[] ids, int len) {
                this.ids = ids;
                for (int t = 0; t < len; t++) {
                    checkToken(ids[t], t);
                }
            }

            @Override
            public Decision classify(int t, long[] tupleOut) {
                if (!dedup) {
                    return Decision.COUNT;
                }
                contextIdentity(ids, t, tupleOut);
                return Decision.COUNT_IF_NEW;
            }
        };
    }

    /** sbw: vLLM's z-score with the nominal gamma; gumbel and dual: the null model's z-score. */
    @Override
    public double referenceZScore(long tokensScored, double scoreSum) {
        if (kind == SBW_SELFHASH || kind == SBW_LEFTHASH) {
            return VllmReferenceStats.sbwZ(scoreSum, tokensScored, gamma);
        }
        return nullModel.zScore(tokensScored, scoreSum);
    }

    /** vLLM's own p-value for its count and score ({@code VllmReferenceStats}). */
    @Override
    public double referencePValue(long tokensScored, double scoreSum) {
        return switch (kind) {
            case GUMBEL -> VllmReferenceStats.gumbelPValue(scoreSum, tokensScored);
            case DUAL -> VllmReferenceStats.dualKeyPValue(scoreSum, tokensScored, alpha);
            default -> VllmReferenceStats.sbwPValue(scoreSum, tokensScored, gamma);
        };
    }
}
