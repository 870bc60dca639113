package dev.hallmark.tools.experiment;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Detection-power metrics over sets of detector outcomes. Pure functions of their arguments.
 *
 * <p>Conventions: p-values are passed as log10 p (the detectors' exact {@code log10P}); scores for
 * ROC analysis are "higher means more watermarked", and the experiment uses -log10 p. A text is
 * flagged at false-positive rate alpha when {@code log10 p <= log10 alpha}, exactly as
 * {@code DetectionResult.watermarked()} decides.
 */
public final class DetectionMetrics {

    private DetectionMetrics() {
    }

    /**
     * The fraction of {@code log10p} flagged at {@code alpha}, with its 95% Clopper-Pearson interval.
     * On watermarked texts this is the TPR at the nominal FPR alpha (the threshold comes from the
     * exact p-values, not from an empirical null); on texts independent of the key it is the
     * empirical FPR, which must stay within its interval of alpha.
     */
    public static Rate flaggedAt(double[] log10p, double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        double t = Math.log10(alpha);
        long k = 0;
        for (double v : log10p) {
            if (v <= t) {
                k++;
            }
        }
        return Rate.of(k, log10p.length);
    }

    /**
     * ROC-AUC in Mann-Whitney form: the probability that a random positive scores above a random
     * negative, ties counting one half: AUC = (R_pos - P (P + 1) / 2) / (P N), with R_pos the sum of
     * the positives' mid-ranks in the pooled sample. O((P + N) log(P + N)).
     *
     * @return NaN when either set is empty
     */
    public static double auc(double[] positives, double[] negatives) {
        int p = positives.length;
        int n = negatives.length;
        if (p == 0 || n == 0) {
            return Double.NaN;
        }
        double[] all = new double[p + n];
        boolean[] pos = new boolean[p + n];
        Integer[] idx = new Integer[p + n];
        for (int i = 0; i < p; i++) {
            all[i] = check(positives[i]);
            pos[i] = true;
        }
        for (int j = 0; j < n; j++) {
            all[p + j] = check(negatives[j]);
        }
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(all[a], all[b]));
        double rankSum = 0;
        int i = 0;
        while (i < idx.length) {
            int j = i;
            while (j + 1 < idx.length && all[idx[j + 1]] == all[idx[i]]) {
                j++;
            }
            double mid = (i + j) / 2.0 + 1; // ranks are 1-based
            for (int k = i; k <= j; k++) {
                if (pos[idx[k]]) {
                    rankSum += mid;
                }
            }
            i = j + 1;
        }
        return (rankSum - p * (p + 1) / 2.0) / ((double) p * n);
    }

    private static double check(double v) {
        if (Double.isNaN(v)) {
            throw new IllegalArgumentException("score is NaN");
        }
        return v;
    }

    /** A confidence interval. */
    public record Interval(double lower, double upper) {
    }

    /**
     * Percentile bootstrap confidence interval of the AUC: {@code replicates} times, resample the
     * positives and the negatives separately with replacement (stratified, so both stay
     * represented), recompute the AUC; the interval is the (1 - conf)/2 and (1 + conf)/2 empirical
     * quantiles of the replicates (type 7 interpolation). Deterministic given the seed.
     */
    public static Interval bootstrapAuc(double[] positives, double[] negatives, int replicates, long seed,
            double conf) {
        if (replicates < 2) {
            throw new IllegalArgumentException("need at least 2 bootstrap replicates, got " + replicates);
        }
        if (positives.length == 0 || negatives.length == 0) {
            return new Interval(Double.NaN, Double.NaN);
        }
        SplittableRandom r = new SplittableRandom(seed);
        double[] reps = new double[replicates];
        double[] bp = new double[positives.length];
        double[] bn = new double[negatives.length];
        for (int b = 0; b < replicates; b++) {
            for (int i = 0; i < bp.length; i++) {
                bp[i] = positives[r.nextInt(bp.length)];
            }
            for (int j = 0; j < bn.length; j++) {
                bn[j] = negatives[r.nextInt(bn.length)];
            }
            reps[b] = auc(bp, bn);
        }
        Arrays.sort(reps);
        return new Interval(quantile(reps, (1 - conf) / 2), quantile(reps, (1 + conf) / 2));
    }

    /** The q-quantile of sorted data, linear interpolation between order statistics (R type 7). */
    public static double quantile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /**
     * The empirical ROC curve: for each distinct score threshold t, from the highest down, the
     * point (FPR, TPR) = (#negatives >= t / N, #positives >= t / P), starting at (0, 0) and
     * ending at (1, 1). Tied scores of both classes give one diagonal step, so the trapezoid area
     * under the curve equals {@link #auc}.
     *
     * @return {fpr[], tpr[], threshold[]} (threshold of the first point is +infinity)
     */
    public static double[][] roc(double[] positives, double[] negatives) {
        double[] p = positives.clone();
        double[] n = negatives.clone();
        Arrays.sort(p);
        Arrays.sort(n);
        double[] thresholds = new double[p.length + n.length];
        System.arraycopy(p, 0, thresholds, 0, p.length);
        System.arraycopy(n, 0, thresholds, p.length, n.length);
        Arrays.sort(thresholds);
        double[] fpr = new double[thresholds.length + 1];
        double[] tpr = new double[thresholds.length + 1];
        double[] th = new double[thresholds.length + 1];
        th[0] = Double.POSITIVE_INFINITY;
        int m = 1;
        int ip = p.length;
        int in = n.length;
        for (int k = thresholds.length - 1; k >= 0; k--) {
            double t = thresholds[k];
            if (k < thresholds.length - 1 && thresholds[k + 1] == t) {
                continue;
            }
            while (ip > 0 && p[ip - 1] >= t) {
                ip--;
            }
            while (in > 0 && n[in - 1] >= t) {
                in--;
            }
            tpr[m] = p.length == 0 ? Double.NaN : (double) (p.length - ip) / p.length;
            fpr[m] = n.length == 0 ? Double.NaN : (double) (n.length - in) / n.length;
            th[m] = t;
            m++;
        }
        return new double[][] {Arrays.copyOf(fpr, m), Arrays.copyOf(tpr, m), Arrays.copyOf(th, m)};
    }

    /** Trapezoid area under a curve given by points sorted by x. */
    public static double trapezoid(double[] x, double[] y) {
        double a = 0;
        for (int i = 1; i < x.length; i++) {
            a += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        }
        return a;
    }

    /**
     * Tokens to detect (the sequential "size" of MarkMyWords, Piet et al. 2023): the smallest
     * prefix length L such that the text is flagged at every prefix length from L to its full
     * length. {@code detected[L]} says whether the prefix of L tokens is flagged (index 0 is the
     * empty prefix).
     *
     * @return that L, or -1 when the full text is not flagged (never detected)
     */
    public static int tokensToDetect(boolean[] detected) {
        int n = detected.length - 1;
        if (n < 0 || !detected[n]) {
            return -1;
        }
        int l = n;
        while (l > 0 && detected[l - 1]) {
            l--;
        }
        return l;
    }

    /**
     * The median of tokens-to-detect values where -1 (never detected) counts as +infinity: the
     * middle order statistic, or the mean of the two middle ones for an even count (infinite if
     * either is).
     */
    public static double medianTokensToDetect(int[] ttd) {
        if (ttd.length == 0) {
            return Double.NaN;
        }
        double[] v = new double[ttd.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = ttd[i] < 0 ? Double.POSITIVE_INFINITY : ttd[i];
        }
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }
}
