package dev.hallmark.scheme;

import dev.hallmark.key.WatermarkKey;
import dev.hallmark.prf.Prf;
import java.math.BigDecimal;

/** {@link KgwScheme} bound to a key: green-list membership per (context, candidate). */
public final class KgwKeyed implements KeyedScheme {

    private final KgwScheme scheme;
    private final String keyId;
    private final Prf green;
    private final Prf anchor;
    private final long threshold;
    private final double effectiveGamma;
    private final NullModel nullModel;
    private final double biasFactor;
    private final int context;
    private final boolean lefthash;

    KgwKeyed(KgwScheme scheme, WatermarkKey key) {
        this.scheme = scheme;
        this.keyId = key.id();
        this.green = Prf.of(key, "kgw/green/v1");
        this.anchor = Prf.of(key, "kgw/anchor/v1");
        // green iff the 64 PRF bits, read unsigned, are below floor(gamma * 2^64): probability
        // exactly threshold / 2^64, which equals gamma for dyadic gammas such as 0.25 and 0.5
        BigDecimal t = new BigDecimal(scheme.gamma()).multiply(new BigDecimal(2).pow(64));
        this.threshold = t.toBigInteger().longValue();
        this.effectiveGamma = new BigDecimal(Long.toUnsignedString(threshold))
                .divide(new BigDecimal(2).pow(64)).doubleValue();
        this.nullModel = new NullModel.Binomial(1, effectiveGamma);
        this.biasFactor = Math.exp(scheme.delta());
        this.context = scheme.context();
        this.lefthash = scheme.seeding() == KgwScheme.Seeding.LEFTHASH;
    }

    @Override
    public KgwScheme scheme() {
        return scheme;
    }

    @Override
    public String keyId() {
        return keyId;
    }

    @Override
    public NullModel nullModel() {
        return nullModel;
    }

    /** e^delta: the factor a green candidate's probability weight is multiplied by. */
    public double biasFactor() {
        return biasFactor;
    }

    /** The exact probability that a tuple is green under the null ({@code gamma} up to 2^-64). */
    public double effectiveGamma() {
        return effectiveGamma;
    }

    /**
     * Whether {@code candidate} is green after the context that ends just before index
     * {@code end} of {@code context} (needs {@code end >= contextWidth}).
     */
    public boolean isGreen(int[] context, int end, int candidate) {
        int h = scheme.context();
        long r;
        if (h == 0) {
            r = green.hash(candidate);
        } else if (scheme.seeding() == KgwScheme.Seeding.LEFTHASH) {
            r = green.hash(context, end - h, h, candidate);
        } else {
            r = green.hash(selfhashAnchor(context, end, candidate), candidate);
        }
        return Long.compareUnsigned(r, threshold) < 0;
    }

    /** The window token w* = argmin over (context[end-h..end), candidate) of PRF_anchor(w, candidate). */
    private int selfhashAnchor(int[] context, int end, int candidate) {
        int best = candidate;
        long bestV = anchor.hash(candidate, candidate);
        for (int i = end - scheme.context(); i < end; i++) {
            long v = anchor.hash(context[i], candidate);
            if (Long.compareUnsigned(v, bestV) < 0) {
                bestV = v;
                best = context[i];
            }
        }
        return best;
    }

    @Override
    public double score(int[] ids, int t, long[] tupleOut) {
        int h = context;
        int x = ids[t];
        long r;
        if (h == 1 && lefthash) {
            // the common case (KGW's default), kept free of loops and calls that may not inline
            int c = ids[t - 1];
            Tuples.of(c, x, tupleOut);
            r = green.hash(c, x);
        } else if (h == 0) {
            Tuples.of(ids, t, 0, x, tupleOut);
            r = green.hash(x);
        } else if (scheme.seeding() == KgwScheme.Seeding.LEFTHASH) {
            Tuples.of(ids, t - h, h, x, tupleOut);
            r = green.hash(ids, t - h, h, x);
        } else {
            int w = selfhashAnchor(ids, t, x);
            Tuples.of(w, x, tupleOut);
            r = green.hash(w, x);
        }
        return Long.compareUnsigned(r, threshold) < 0 ? 1.0 : 0.0;
    }
}
