package dev.hallmark.detect;

import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.NullModel;
import dev.hallmark.scheme.ReferenceCounter;
import dev.hallmark.scheme.ReferenceKeyed;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.scheme.TupleSet;
import java.util.Arrays;
import java.util.Objects;

/**
 * Tests token ids for one scheme and key.
 *
 * <p>Every position t from the scheme's context width on forms a tuple (context, token); each
 * distinct tuple is scored once (repeats are counted in {@code skippedRepeated}); the sum of
 * scores is compared with its exact null distribution ({@link NullModel}). Interop schemes
 * ({@link ReferenceKeyed}) also report the reference detector's own count. Thread-safe.
 */
public final class Detector {

    private final KeyedScheme keyed;

    private Detector(KeyedScheme keyed) {
        this.keyed = Objects.requireNonNull(keyed, "keyed");
    }

    /** A detector for a scheme and Hallmark key ({@code key} may be {@code null} for {@code hf-kgw}). */
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
     * <p>For interop schemes ({@link ReferenceKeyed}) the reference's counting decides which
     * positions count at all; {@code tokensScored} and the statistic follow it, and the exact p-value
     * is computed on the distinct independent units among those positions (see
     * {@link DetectionResult#independent()}).
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
        TupleSet seen = options.deduplicate() && !(keyed instanceof ReferenceKeyed r && r.countsDistinctUnits())
                ? new TupleSet(len, false) : null;
        long[] tuple = new long[2];
        if (keyed instanceof ReferenceKeyed ref) {
            return detectReference(ref, a, len, h, seen, tuple, options, tokenScores);
        }
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

    private static DetectionResult detectReference(ReferenceKeyed ref, int[] a, int len, int h, TupleSet units,
            long[] unit, DetectOptions options, double[] tokenScores) {
        ReferenceCounter counter = ref.newCounter();
        counter.begin(a, len);
        // units are only de-duplicated when the reference's count does not already make them distinct
        boolean distinct = ref.countsDistinctUnits();
        TupleSet refSeen = new TupleSet(len, false);
        long[] refTuple = new long[2];
        long refN = 0;
        long refRepeated = 0;
        long refMasked = 0;
        double refSum = 0;
        long n = 0;
        double sum = 0;
        for (int t = h; t < len; t++) {
            ReferenceCounter.Decision d = counter.classify(t, refTuple);
            if (d == ReferenceCounter.Decision.SKIP_REPEATED
                    || (d == ReferenceCounter.Decision.COUNT_IF_NEW && !refSeen.add(refTuple[0], refTuple[1]))) {
                refRepeated++;
                continue;
            }
            if (d == ReferenceCounter.Decision.SKIP_MASKED) {
                refMasked++;
                continue;
            }
            double s = distinct ? ref.scoreValue(a, t) : ref.score(a, t, unit);
            refN++;
            refSum += s;
            if (!distinct && units != null && !units.add(unit[0], unit[1])) {
                continue;
            }
            n++;
            sum += s;
            if (tokenScores != null) {
                tokenScores[t] = s;
            }
        }
        return referenceResult(ref, len, h, refN, refRepeated, refMasked, refSum, n, sum, options.alpha(),
                tokenScores);
    }

    static DetectionResult referenceResult(ReferenceKeyed ref, long seen, long skippedContext, long refN,
            long refRepeated, long skippedFiltered, double refSum, long units, double unitSum, double alpha,
            double[] tokenScores) {
        NullModel nm = ref.nullModel();
        double log10p = nm.log10PValue(units, unitSum);
        double refP = ref.referencePValue(refN, refSum);
        return new DetectionResult(ref.scheme().toString(), ref.keyId(), seen, refN, skippedContext, refRepeated,
                skippedFiltered, refSum, nm.statistic(refN, refSum), ref.referenceZScore(refN, refSum), log10p, alpha,
                log10p <= Math.log10(alpha), tokenScores, new DetectionResult.Independent(units, unitSum),
                Double.isNaN(refP) ? null : new DetectionResult.Reference(refSum, refP));
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
