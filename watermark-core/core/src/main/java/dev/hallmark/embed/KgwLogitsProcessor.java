package dev.hallmark.embed;

import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.KgwKeyed;
import dev.hallmark.scheme.KgwScheme;

/**
 * KGW in logits-processor form, for serving stacks that keep their own sampler: adds
 * {@code delta} in place to the logits of green tokens. {@link #apply} touches the whole
 * vocabulary (one PRF call per token); {@link #applyToCandidates} only the ids the caller's
 * sampler will consider, which is what a fast path should use.
 */
public final class KgwLogitsProcessor {

    private final KgwKeyed kgw;
    private final float delta;

    private KgwLogitsProcessor(KgwKeyed kgw) {
        this.kgw = kgw;
        this.delta = (float) kgw.scheme().delta();
    }

    public static KgwLogitsProcessor of(KgwScheme scheme, WatermarkKey key) {
        return new KgwLogitsProcessor((KgwKeyed) KeyedScheme.of(scheme, key));
    }

    /**
     * Adds delta to every green logit in {@code logits[0..vocab)}. Does nothing when the
     * context is shorter than the scheme's context width.
     */
    public void apply(float[] logits, int vocab, int[] context, int contextOffset, int contextLength) {
        if (contextLength < kgw.scheme().contextWidth()) {
            return;
        }
        int end = contextOffset + contextLength;
        for (int i = 0; i < vocab; i++) {
            if (kgw.isGreen(context, end, i)) {
                logits[i] += delta;
            }
        }
    }

    /** Adds delta to the logits of the green ids among {@code candidates[0..count)}. */
    public void applyToCandidates(float[] logits, int[] candidates, int count, int[] context, int contextOffset,
            int contextLength) {
        if (contextLength < kgw.scheme().contextWidth()) {
            return;
        }
        int end = contextOffset + contextLength;
        for (int j = 0; j < count; j++) {
            int id = candidates[j];
            if (kgw.isGreen(context, end, id)) {
                logits[id] += delta;
            }
        }
    }
}
