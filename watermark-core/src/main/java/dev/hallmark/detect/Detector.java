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
