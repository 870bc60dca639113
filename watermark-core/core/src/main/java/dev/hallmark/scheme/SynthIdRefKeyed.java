package dev.hallmark.scheme;

import dev.hallmark.interop.SynthIdKeys;
import dev.hallmark.interop.internal.SynthIdReference;

/**
 * {@link SynthIdRefScheme} bound to the generator owner's keys: the reference g-values and masks.
 *
 * <p>Reference count: the rows the reference keeps (context not among the last
 * {@code context_history} contexts, and before the first EOS when {@code eos_token_id} is set);
 * {@code statistic} is its Mean score, the mean g-value over layers and those rows.
 *
 * <p>Units: the n-gram. Within the history window the reference never keeps two rows with the same
 * context, so its rows are distinct n-grams; but an n-gram can come back after more than
 * {@code context_history} rows, and the reference then scores the same g-values again. Hallmark's
 * exact p-value, from Binomial(layers x units, 1/2), counts each distinct n-gram once (the same as
 * the reference's count for all but very long, repetitive texts). Under the null every g-value of a
 * distinct n-gram is a fair coin, independent across layers because the keys are distinct
 * ({@link SynthIdKeys} enforces it).
 */
public final class SynthIdRefKeyed implements ReferenceKeyed {

    private final SynthIdRefScheme scheme;
    private final SynthIdKeys keys;
    private final SynthIdReference reference;
    private final NullModel nullModel;
    private final int ctx;

    SynthIdRefKeyed(SynthIdRefScheme scheme, SynthIdKeys keys) {
        this.scheme = scheme;
        this.keys = keys;
        this.reference = SynthIdReference.of(keys.keys(), scheme.ngramLen(), scheme.contextHistory());
        this.nullModel = new NullModel.Binomial(keys.depth(), 0.5);
        this.ctx = scheme.ngramLen() - 1;
    }

    @Override
    public SynthIdRefScheme scheme() {
        return scheme;
    }

    /** @return the key set's public fingerprint ({@link SynthIdKeys#id()}) */
    @Override
    public String keyId() {
        return keys.id();
    }

    /** @return the number of layers (keys) */
    public int depth() {
        return keys.depth();
    }

    /** Binomial(layers, 1/2) per unit. */
    @Override
    public NullModel nullModel() {
        return nullModel;
    }

    /** The number of g-values equal to 1 over all layers for the n-gram ending at t; unit = the n-gram. */
    @Override
    public double score(int[] ids, int t, long[] tupleOut) {
        Tuples.of(ids, t - ctx, ctx, ids[t], tupleOut);
        return reference.onesAt(ids, t - ctx);
    }

    @Override
    public ReferenceCounter newCounter() {
        final SynthIdReference.ContextTracker tracker = reference.newContextTracker();
        final int eos = scheme.eosTokenId();
        return new ReferenceCounter() {
            private int[] ids;
            private int firstEos;

            @Override
            public void begin(int[] ids, int len) {
                this.ids = ids;
                tracker.reset();
                firstEos = len;
                if (eos >= 0) {
                    for (int i = 0; i < len; i++) {
                        if (ids[i] == eos) {
                            firstEos = i;
                            break;
                        }
                    }
                }
            }

            @Override
            public Decision classify(int t, long[] tupleOut) {
                // The history sees every row, masked or not, as in the reference.
                boolean seen = tracker.seenBefore(ids, t - ctx);
                if (t >= firstEos) {
                    return Decision.SKIP_MASKED;
                }
                return seen ? Decision.SKIP_REPEATED : Decision.COUNT;
            }
        };
    }

    /** The reference has no z-score; this is the binomial z of the ones count. */
    @Override
    public double referenceZScore(long tokensScored, double scoreSum) {
        return nullModel.zScore(tokensScored, scoreSum);
    }
}
