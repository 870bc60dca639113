package dev.hallmark.scheme;

/**
 * A keyed interop scheme: verifies text of a third-party generator whose own detector counts
 * positions its own way.
 *
 * <p>Two counts are kept, and the detectors in {@code dev.hallmark.detect} report both:
 * <ul>
 *   <li>the <b>reference count</b> ({@link #newCounter()}): the positions the reference detector
 *       scores, with its own de-duplication or masks. {@code tokens_scored}, {@code score_sum},
 *       {@code statistic} and {@code z_score} (the reference's own formula,
 *       {@link #referenceZScore}) are computed on it, so they match the reference's numbers;</li>
 *   <li>the <b>independent units</b> ({@link #score}'s tuple identity): the finest key on which the
 *       score is a deterministic function, e.g. (generator seed, token) for KGW. Among the positions
 *       the reference counts, each distinct unit is scored once; under the null these scores are
 *       independent draws of {@link #nullModel()}, so the exact p-value ({@code log10_p}) is computed
 *       on them. When the reference's count contains no two positions of the same unit (the usual
 *       case for lefthash and SynthID), the two counts coincide.</li>
 * </ul>
 * {@code hf-kgw} and {@code synthid-ref} verify only ({@code scheme().canEmbed()} is false); vLLM's
 * schemes ({@link VllmKeyed}) also embed, through {@code dev.hallmark.embed.VllmSampler}.
 */
public sealed interface ReferenceKeyed extends KeyedScheme permits HfKgwKeyed, SynthIdRefKeyed, VllmKeyed {

    /** @return a new per-document counter for the reference's counting (one per thread) */
    ReferenceCounter newCounter();

    /**
     * The z-score the reference detector reports for its counts (KGW: with the nominal gamma;
     * SynthID has none, so the binomial z of the mean g-value).
     *
     * @param tokensScored the reference count
     * @param scoreSum     the score sum over it
     * @return the z-score, NaN when nothing was scored
     */
    double referenceZScore(long tokensScored, double scoreSum);

    /**
     * The p-value the reference detector itself reports for its counts, when it reports one (vLLM:
     * its own, partly approximate, formulas). Hallmark's exact p-value is the detection result's
     * {@code log10P}; this one is shown beside it as {@code reference_p_value}.
     *
     * @param tokensScored the reference count
     * @param scoreSum     the score sum over it
     * @return the reference's p-value, or NaN when the reference reports none (the default)
     */
    default double referencePValue(long tokensScored, double scoreSum) {
        return Double.NaN;
    }

    /**
     * Whether, within one document, the positions the reference counts are always distinct units
     * (vLLM's Gumbel detectors de-duplicate contexts, and their unit is the (context, token) tuple):
     * a detector may then skip the unit de-duplication and use {@link #scoreValue}.
     *
     * @return false unless the scheme guarantees it
     */
    default boolean countsDistinctUnits() {
        return false;
    }

    /**
     * {@link #score} without the unit identity, for detectors that do not need it
     * ({@link #countsDistinctUnits()}).
     */
    default double scoreValue(int[] ids, int t) {
        return score(ids, t, new long[2]);
    }
}
