package dev.hallmark.detect;

import dev.hallmark.stats.Tails;

/**
 * The outcome of testing one text (or corpus) against one key.
 *
 * @param scheme canonical scheme spec
 * @param keyId the key's public id
 * @param tokensSeen tokens in the input
 * @param tokensScored distinct tuples scored (n)
 * @param skippedContext positions without a full context (the first {@code contextWidth} tokens)
 * @param skippedRepeated positions whose tuple was already scored (de-duplication)
 * @param skippedFiltered positions excluded by a caller's filter (e.g. the radioactivity filter)
 * @param scoreSum the sum S of per-tuple scores (green count, g count, or sum of -ln(1-r))
 * @param statistic the mean score per trial: green fraction (KGW), mean g-value (SynthID),
 *     mean -ln(1-r) (Gumbel)
 * @param zScore (S - E[S]) / sd[S] under the null, for orientation only: the p-value is exact
 * @param log10P log10 of the exact p-value P(S' >= S) under the null (0 when nothing was scored)
 * @param alpha the false-positive rate of the verdict
 * @param watermarked {@code pValue <= alpha}, decided in log space
 * @param tokenScores per-position scores (NaN where not scored), or {@code null} when not requested
 * @param independent for interop schemes ({@link dev.hallmark.scheme.ReferenceKeyed}): the
 *     independent units the exact p-value is computed on, while {@code tokensScored},
 *     {@code scoreSum}, {@code statistic} and {@code zScore} follow the reference detector's
 *     counting; {@code null} for Hallmark's own schemes, whose p-value is computed on
 *     {@code tokensScored} itself
 */
public record DetectionResult(
        String scheme,
        String keyId,
        long tokensSeen,
        long tokensScored,
        long skippedContext,
        long skippedRepeated,
        long skippedFiltered,
        double scoreSum,
        double statistic,
        double zScore,
        double log10P,
        double alpha,
        boolean watermarked,
        double[] tokenScores,
        Independent independent) {

    /**
     * The independent scoring units of an interop detection: the exact p-value is the null
     * model's tail of {@code scoreSum} over {@code count} units.
     *
     * @param count    distinct units among the positions the reference counts
     * @param scoreSum the sum of their scores
     */
    public record Independent(long count, double scoreSum) {}

    /** A result of a Hallmark scheme (no separate independent units). */
    public DetectionResult(String scheme, String keyId, long tokensSeen, long tokensScored, long skippedContext,
            long skippedRepeated, long skippedFiltered, double scoreSum, double statistic, double zScore,
            double log10P, double alpha, boolean watermarked, double[] tokenScores) {
        this(scheme, keyId, tokensSeen, tokensScored, skippedContext, skippedRepeated, skippedFiltered, scoreSum,
                statistic, zScore, log10P, alpha, watermarked, tokenScores, null);
    }

    /** The p-value (0.0 when it is below the smallest double; use {@link #log10P()} then). */
    public double pValue() {
        return Tails.pValueFromLog10(log10P);
    }

    /** A copy with a different p-value (e.g. after multiple-testing correction) and verdict. */
    public DetectionResult withLog10P(double adjustedLog10P) {
        return new DetectionResult(scheme, keyId, tokensSeen, tokensScored, skippedContext, skippedRepeated,
                skippedFiltered, scoreSum, statistic, zScore, adjustedLog10P, alpha,
                adjustedLog10P <= Math.log10(alpha), tokenScores, independent);
    }

    /** A copy without per-token scores. */
    public DetectionResult withoutTokenScores() {
        return new DetectionResult(scheme, keyId, tokensSeen, tokensScored, skippedContext, skippedRepeated,
                skippedFiltered, scoreSum, statistic, zScore, log10P, alpha, watermarked, null, independent);
    }
}
