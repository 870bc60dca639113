package dev.hallmark.tools.distill;

import dev.hallmark.stats.BinomialInterval;
import dev.hallmark.stats.Tails;
import java.util.Arrays;
import org.apache.commons.statistics.inference.KolmogorovSmirnovTest;

/**
 * Checks that null p-values look uniform: a one-sample Kolmogorov-Smirnov test against U(0, 1)
 * and rejection counts at fixed levels with 95% Clopper-Pearson intervals. Exact p-values of
 * discrete statistics (binomial) are conservative, P(p <= a) <= a, so the counts may fall below
 * the nominal rate; they must not exceed it.
 */
public final class NullChecks {

    private NullChecks() {
    }

    /** The levels at which rejection counts are reported. */
    public static final double[] LEVELS = {0.001, 0.01, 0.05, 0.1};

    /**
     * @param n p-values checked
     * @param ksStatistic KS distance to U(0, 1)
     * @param ksPValue its p-value
     * @param rejections count of p <= level, per {@link #LEVELS}
     * @param lower 95% Clopper-Pearson lower bound of each rate
     * @param upper 95% Clopper-Pearson upper bound of each rate
     * @param bandUpper the pre-stated limit of each count: a valid test exceeds it with probability
     *     at most 0.5% ({@link BinomialInterval#upperCountLimit}, the upper end of a 99% band)
     */
    public record Uniformity(int n, double ksStatistic, double ksPValue, int[] rejections, double[] lower,
            double[] upper, long[] bandUpper) {

        /** True if every rejection count is within its pre-stated band. */
        public boolean withinBands() {
            for (int i = 0; i < LEVELS.length; i++) {
                if (rejections[i] > bandUpper[i]) {
                    return false;
                }
            }
            return true;
        }

        /** True if no rejection rate is significantly above its level (the 95% interval starts above it). */
        public boolean notAnticonservative() {
            for (int i = 0; i < LEVELS.length; i++) {
                if (lower[i] > LEVELS[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Uniformity checks of p-values given as log10 p. */
    public static Uniformity uniformity(double[] log10p) {
        double[] p = new double[log10p.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Tails.pValueFromLog10(log10p[i]);
        }
        Arrays.sort(p);
        double d = Double.NaN;
        double ksP = Double.NaN;
        if (p.length >= 2) {
            KolmogorovSmirnovTest.OneResult r = KolmogorovSmirnovTest.withDefaults().test(p,
                    x -> Math.min(1, Math.max(0, x)));
            d = r.getStatistic();
            ksP = r.getPValue();
        }
        int[] rej = new int[LEVELS.length];
        double[] lo = new double[LEVELS.length];
        double[] hi = new double[LEVELS.length];
        long[] band = new long[LEVELS.length];
        for (int i = 0; i < LEVELS.length; i++) {
            band[i] = BinomialInterval.upperCountLimit(p.length, LEVELS[i], 0.005);
            for (double x : p) {
                rej[i] += x <= LEVELS[i] ? 1 : 0;
            }
            if (p.length > 0) {
                BinomialInterval ci = BinomialInterval.clopperPearson(rej[i], p.length, 0.95);
                lo[i] = ci.lower();
                hi[i] = ci.upper();
            }
        }
        return new Uniformity(p.length, d, ksP, rej, lo, hi, band);
    }
}
