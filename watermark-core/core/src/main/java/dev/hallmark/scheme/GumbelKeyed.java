package dev.hallmark.scheme;

import dev.hallmark.key.WatermarkKey;
import dev.hallmark.prf.Prf;

/** {@link GumbelScheme} bound to a key: one uniform r per (context, candidate). */
public final class GumbelKeyed implements KeyedScheme {

    private static final NullModel NULL = new NullModel.Gamma();

    private final GumbelScheme scheme;
    private final String keyId;
    private final Prf prf;

    GumbelKeyed(GumbelScheme scheme, WatermarkKey key) {
        this.scheme = scheme;
        this.keyId = key.id();
        this.prf = Prf.of(key, "gumbel/r/v1");
    }

    @Override
    public GumbelScheme scheme() {
        return scheme;
    }

    @Override
    public String keyId() {
        return keyId;
    }

    @Override
    public NullModel nullModel() {
        return NULL;
    }

    /** r in (0, 1) for {@code candidate} after the context ending before index {@code end}. */
    public double uniform(int[] context, int end, int candidate) {
        int h = scheme.context();
        return Prf.toUnitOpen(prf.hash(context, end - h, h, candidate));
    }

    @Override
    public double score(int[] ids, int t, long[] tupleOut) {
        int h = scheme.context();
        Tuples.of(ids, t - h, h, ids[t], tupleOut);
        double r = Prf.toUnitOpen(prf.hash(ids, t - h, h, ids[t]));
        return -Math.log1p(-r);
    }
}
