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
 * @param reference the reference detector's own numbers when it reports a p-value (vLLM), else
 *     {@code null}
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
        Independent independent,
        Reference reference) {

    /**
     * The independent scoring units of an interop detection: the exact p-value is the null
     * model's tail of {@code scoreSum} over {@code count} units.
     *
     * @param count    distinct units among the positions the reference counts
     * @param scoreSum the sum of their scores
     */
    public record Independent(long count, double scoreSum) {}

    /**
     * What the third-party detector itself reports for the same text (vLLM's
     * {@code WatermarkDetection}): its score and its p-value, which may be an approximation (vLLM's
     * dual-key Gamma moment match, its normal approximation for SBW) and underflows to 0 below about
     * 1e-308. Never multiplicity-corrected. Hallmark's exact p-value is {@link #log10P()}.
     *
     * @param score  the reference's score ({@code score_sum} over its count)
     * @param pValue the reference's p-value
     */
    public record Reference(double score, double pValue) {}

    /** A result with independent units but no reference p-value (hf-kgw, synthid-ref). */
    public DetectionResult(String scheme, String keyId, long tokensSeen, long tokensScored, long skippedContext,
            long skippedRepeated, long skippedFiltered, double scoreSum, double statistic, double zScore,
            double log10P, double alpha, boolean watermarked, double[] tokenScores, Independent independent) {
        this(scheme, keyId, tokensSeen, tokensScored, skippedContext, skippedRepeated, skippedFiltered, scoreSum,
                statistic, zScore, log10P, alpha, watermarked, tokenScores, independent, null);
    }

    /** A result of a Hallmark scheme (no separate independent units). */
    public DetectionResult(String scheme, String keyId, long tokensSeen, long tokensScored, long skippedContext,
            long skippedRepeated, long skippedFiltered, double scoreSum, double statistic, double zScore,
            double log10P, double alpha, boolean watermarked, double[] tokenScores) {
        this(scheme, keyId, tokensSeen, tokensScored, skippedContext, skippedRepeated, skippedFiltered, scoreSum,
                statistic, zScore, log10P, alpha, watermarked, tokenScores, null, null);
    }

    /** The p-value (0.0 when it is below the smallest double; use {@link #log10P()} then). */
    public double pValue() {
        return Tails.pValueFromLog10(log10P);
    }

    /** A copy with a different p-value (e.g. after multiple-testing correction) and verdict. */
    public DetectionResult withLog10P(double adjustedLog10P) {
        return new DetectionResult(scheme, keyId, tokensSeen, tokensScored, skippedContext, skippedRepeated,
                skippedFiltered, scoreSum, statistic, zScore, adjustedLog10P, alpha,
                adjustedLog10P <= Math.log10(alpha), tokenScores, independent, reference);
    }

    /** A copy without per-token scores. */
    public DetectionResult withoutTokenScores() {
        return new DetectionResult(scheme, keyId, tokensSeen, tokensScored, skippedContext, skippedRepeated,
                skippedFiltered, scoreSum, statistic, zScore, log10P, alpha, watermarked, null, independent, reference);
    }
}
