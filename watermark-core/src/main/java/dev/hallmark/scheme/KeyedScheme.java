package dev.hallmark.scheme;

import dev.hallmark.key.WatermarkKey;

/**
 * A scheme bound to a key: the keyed functions that both the sampler (embedding) and the
 * detector (scoring) evaluate, so the two can never disagree.
 *
 * <p>Scoring model shared by every scheme: the token at position t with its preceding context
 * forms a <em>tuple</em>; the tuple determines the per-token score through the keyed PRF; and
 * under the null (text independent of the key) the scores of distinct tuples are independent
 * with a known distribution ({@link NullModel}). Detectors therefore score each distinct tuple
 * once. {@link #score(int[], int, long[])} also writes a 128-bit identity of the tuple that is the
 * exact token ids whenever they fit (see {@link Tuples}).
 *
 * <p>Instances are immutable and thread-safe.
 */
public sealed interface KeyedScheme permits KgwKeyed, GumbelKeyed, SynthIdKeyed {

    /** Binds a scheme to a key. */
    static KeyedScheme of(Scheme scheme, WatermarkKey key) {
        return scheme.accept(new Scheme.Visitor<KeyedScheme>() {
            @Override
            public KeyedScheme kgw(KgwScheme s) {
                return new KgwKeyed(s, key);
            }

            @Override
            public KeyedScheme gumbel(GumbelScheme s) {
                return new GumbelKeyed(s, key);
            }

            @Override
            public KeyedScheme synthId(SynthIdScheme s) {
                return new SynthIdKeyed(s, key);
            }
        });
    }

    Scheme scheme();

    String keyId();

    /** The null distribution of the sum of per-tuple scores. */
    NullModel nullModel();

    /**
     * Scores the token at position {@code t} given its context {@code ids[t-h..t)} and writes the
     * identity of its tuple into {@code tupleOut[0], tupleOut[1]}. Requires
     * {@code t >= scheme().contextWidth()}.
     *
     * @return KGW 1 (green) or 0; Gumbel -ln(1 - r); SynthID the number of g-values equal to 1
     */
    double score(int[] ids, int t, long[] tupleOut);
}
