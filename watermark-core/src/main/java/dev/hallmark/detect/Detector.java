package dev.hallmark.detect;

import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.NullModel;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.scheme.TupleSet;
import java.util.Arrays;
import java.util.Objects;

/**
 * Tests token ids for one scheme and key.
 *
 * <p>Every position t from the scheme's context width on forms a tuple (context, token); each
 * distinct tuple is scored once (repeats are counted in {@code skippedRepeated}); the sum of
 * scores is compared with its exact null distribution ({@link NullModel}). Thread-safe.
 */
public final class Detector {

    private final KeyedScheme keyed;

    private Detector(KeyedScheme keyed) {
        this.keyed = Objects.requireNonNull(keyed, "keyed");
    }

    public static Detector of(Scheme scheme, WatermarkKey key) {
        return new Detector(KeyedScheme.of(scheme, key));
    }

    public static Detector of(KeyedScheme keyed) {
        return new Detector(keyed);
    }

    public KeyedScheme keyedScheme() {
        return keyed;
    }

    /** Detects on all of {@code ids}. */
    public DetectionResult detect(int[] ids, DetectOptions options) {
        return detect(ids, 0, ids.length, options);
    }

    /**
     * Detects on {@code ids[off..off+len)}.
     *
     * @throws IllegalArgumentException if the text is empty or too short to score one token
     */
    public DetectionResult detect(int[] ids, int off, int len, DetectOptions options) {
        int h = keyed.scheme().contextWidth();
        checkLength(len, h, keyed.scheme());
        int[] a = off == 0 ? ids : Arrays.copyOfRange(ids, off, off + len);
        double[] tokenScores = options.tokenScores() ? new double[len] : null;
        if (tokenScores != null) {
            Arrays.fill(tokenScores, Double.NaN);
        }
        TupleSet seen = options.deduplicate() ? new TupleSet(len, false) : null;
        long[] tuple = new long[2];
        long n = 0;
        long repeated = 0;
        double sum = 0;
        for (int t = h; t < len; t++) {
            double s = keyed.score(a, t, tuple);
            if (seen != null && !seen.add(tuple[0], tuple[1])) {
                repeated++;
                continue;
            }
            n++;
            sum += s;
            if (tokenScores != null) {
                tokenScores[t] = s;
            }
        }
        return result(keyed, len, n, h, repeated, 0, sum, options.alpha(), tokenScores);
    }

    /**
     * The result for aggregate counts that were computed elsewhere, e.g. by a distributed
     * reduction that de-duplicated tuples across a corpus itself (the Spark job): the statistic,
     * z-score, exact log10 p-value and verdict are derived from {@code tokensScored} (n) and
     * {@code scoreSum} (S) exactly as for {@link CorpusAccumulator#result(double)}.
     *
     * @throws IllegalArgumentException if a count is negative, the counts do not add up
     *     ({@code skippedContext + skippedFiltered + skippedRepeated + tokensScored != tokensSeen}),
     *     S is not finite, or alpha is not in (0, 1)
     */
    public static DetectionResult aggregate(KeyedScheme keyed, long tokensSeen, long tokensScored,
            long skippedContext, long skippedRepeated, long skippedFiltered, double scoreSum, double alpha) {
        Objects.requireNonNull(keyed, "keyed");
        if (tokensSeen < 0 || tokensScored < 0 || skippedContext < 0 || skippedRepeated < 0 || skippedFiltered < 0) {
            throw new IllegalArgumentException("counts must be non-negative");
        }
        if (skippedContext + skippedFiltered + skippedRepeated + tokensScored != tokensSeen) {
            throw new IllegalArgumentException("counts do not add up: context " + skippedContext + " + filtered "
                    + skippedFiltered + " + repeated " + skippedRepeated + " + scored " + tokensScored
                    + " != seen " + tokensSeen);
        }
        if (!Double.isFinite(scoreSum)) {
            throw new IllegalArgumentException("score sum must be finite, got " + scoreSum);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("false-positive rate must be in (0, 1), got " + alpha);
        }
        return result(keyed, tokensSeen, tokensScored, skippedContext, skippedRepeated, skippedFiltered, scoreSum,
                alpha, null);
    }

    static void checkLength(int len, int h, Scheme scheme) {
        if (len == 0) {
            throw new IllegalArgumentException("empty text: nothing to score");
        }
        if (len <= h) {
            throw new IllegalArgumentException("text too short: " + len + " token" + (len == 1 ? "" : "s")
                    + ", but scheme " + scheme + " needs at least " + (h + 1)
                    + " (a context of " + h + " plus one scored token)");
        }
    }

    static DetectionResult result(KeyedScheme keyed, long seen, long n, long skippedContext, long repeated,
            long filtered, double sum, double alpha, double[] tokenScores) {
        NullModel nm = keyed.nullModel();
        double log10p = nm.log10PValue(n, sum);
        return new DetectionResult(keyed.scheme().toString(), keyed.keyId(), seen, n, skippedContext, repeated,
                filtered, sum, nm.statistic(n, sum), nm.zScore(n, sum), log10p, alpha,
                log10p <= Math.log10(alpha), tokenScores);
    }
}
