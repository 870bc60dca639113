package dev.hallmark.tools.experiment;

import dev.hallmark.scheme.NullModel;

/**
 * The rejection thresholds of a detector's exact test at one false-positive rate, tabulated by the
 * number of scored tuples, so that the verdict on thousands of prefixes needs no tail computation:
 * {@code flagged(n, sum)} iff {@code nullModel.log10PValue(n, sum) <= log10(alpha)}.
 *
 * <ul>
 *   <li>Binomial nulls: the critical count c(n) = min { s integer : log10 P(S >= s) <= log10 alpha }
 *       by binary search on s (the tail is decreasing in s); exact.
 *   <li>Gamma null: c(n) = the x with log10 Q(n, x) = log10 alpha by bisection to a relative
 *       width of 1e-12, keeping the upper end, so a flagged sum always has p <= alpha (a sum within
 *       that width of the boundary, an event of probability about 1e-12, may go unflagged).
 * </ul>
 * Built once per (null model, alpha) up to the largest n needed; immutable.
 */
public final class CriticalValues {

    private final NullModel nullModel;
    private final double alpha;
    private final double[] critical;

    private CriticalValues(NullModel nullModel, double alpha, double[] critical) {
        this.nullModel = nullModel;
        this.alpha = alpha;
        this.critical = critical;
    }

    /** Thresholds for n = 0..maxN scored tuples. */
    public static CriticalValues of(NullModel nullModel, double alpha, int maxN) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        double target = Math.log10(alpha);
        double[] c = new double[maxN + 1];
        c[0] = Double.POSITIVE_INFINITY; // nothing scored: p = 1
        for (int n = 1; n <= maxN; n++) {
            // c(n) is non-decreasing in n (one more tuple can only make a given sum less
            // significant) and, for binomial nulls, c(n) <= c(n-1) + trials per tuple
            c[n] = nullModel instanceof NullModel.Binomial b ? binomial(b, n, target, c[n - 1])
                    : gamma(nullModel, n, target, c[n - 1]);
        }
        return new CriticalValues(nullModel, alpha, c);
    }

    private static double binomial(NullModel.Binomial b, int n, double target, double previous) {
        long max = (long) n * b.trialsPerTuple();
        long hi = Double.isInfinite(previous) ? max : Math.min(max, (long) previous + b.trialsPerTuple());
        if (b.log10PValue(n, hi) > target) {
            return Double.POSITIVE_INFINITY; // even the maximum is not significant
        }
        long lo = Double.isInfinite(previous) ? 0 : Math.max(0, (long) previous - 1);
        // invariant: log10P(hi) <= target; answer in (lo, hi]
        while (hi - lo > 1) {
            long mid = (lo + hi) >>> 1;
            if (b.log10PValue(n, mid) <= target) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return b.log10PValue(n, lo) <= target ? lo : hi;
    }

    private static double gamma(NullModel g, int n, double target, double previous) {
        double lo = Double.isInfinite(previous) ? n : previous;
        double hi = lo + 10 * Math.sqrt(n) + 50;
        while (g.log10PValue(n, hi) > target) {
            lo = hi;
            hi = 2 * hi;
        }
        while (hi - lo > 1e-12 * hi) {
            double mid = (lo + hi) / 2;
            if (g.log10PValue(n, mid) <= target) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    public double alpha() {
        return alpha;
    }

    public NullModel nullModel() {
        return nullModel;
    }

    /** Largest n tabulated. */
    public int maxN() {
        return critical.length - 1;
    }

    /** The critical sum for n tuples (+infinity when no sum is significant). */
    public double critical(int n) {
        return critical[n];
    }

    /** Whether a sum over n scored tuples is flagged at alpha. */
    public boolean flagged(long n, double sum) {
        if (n > maxN()) {
            return nullModel.log10PValue(n, sum) <= Math.log10(alpha);
        }
        double c = critical[(int) n];
        return nullModel instanceof NullModel.Binomial ? Math.round(sum) >= c : sum >= c;
    }
}
