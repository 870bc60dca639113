package dev.hallmark.scheme;

import dev.hallmark.key.WatermarkKey;
import dev.hallmark.prf.Prf;

/** {@link SynthIdScheme} bound to a key: {@code layers} g-bits per (context, candidate). */
public final class SynthIdKeyed implements KeyedScheme {

    private final SynthIdScheme scheme;
    private final String keyId;
    private final Prf prf;
    private final long mask;
    private final NullModel nullModel;

    SynthIdKeyed(SynthIdScheme scheme, WatermarkKey key) {
        this.scheme = scheme;
        this.keyId = key.id();
        this.prf = Prf.of(key, "synthid/g/v1");
        this.mask = scheme.layers() == 64 ? -1L : (1L << scheme.layers()) - 1;
        this.nullModel = new NullModel.Binomial(scheme.layers(), 0.5);
    }

    @Override
    public SynthIdScheme scheme() {
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

    /** The g-values as bits: bit l is g_l(context, candidate), for l below {@code layers}. */
    public long gBits(int[] context, int end, int candidate) {
        int h = scheme.context();
        return prf.hash(context, end - h, h, candidate) & mask;
    }

    @Override
    public double score(int[] ids, int t, long[] tupleOut) {
        int h = scheme.context();
        Tuples.of(ids, t - h, h, ids[t], tupleOut);
        return Long.bitCount(prf.hash(ids, t - h, h, ids[t]) & mask);
    }
}
