package dev.hallmark.stats;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * Family-wise error rate corrections for testing one text against several keys (or windows),
 * working directly on log10 p-values so that p-values below 1e-308 keep their meaning.
 *
 * <p>Both corrections control the family-wise error rate under arbitrary dependence between the
 * tests; Holm's step-down procedure is uniformly more powerful than Bonferroni. All inputs must be
 * log10 p-values: finite or negative infinity, and {@code <= 0}.
 *
 * <p>References: S. Holm, "A simple sequentially rejective multiple test procedure",
 * Scand. J. Statist. 6 (1979) 65-70; adjusted p-values as in S. P. Wright, "Adjusted P-values for
 * simultaneous inference", Biometrics 48 (1992) 1005-1013.
 */
public final class MultipleTesting {

    private MultipleTesting() {
    }

    /**
     * Holm step-down adjusted p-values, in log10, in the same order as the input.
     *
     * <p>With the p-values sorted ascending, {@code p(1) <= ... <= p(m)}, the adjusted value of the
     * i-th smallest is {@code min(1, max_(j <= i) (m - j + 1) p(j))}; in log10 this is
     * {@code min(0, max_(j <= i) (log10 p(j) + log10(m - j + 1)))}. Adjusted values are monotone in
     * the order of the raw ones; ties keep their input order. Rejecting every hypothesis whose adjusted
     * value is {@code <= log10 alpha} is Holm's procedure at level alpha.
     *
     * @param log10p log10 p-values (not modified); an empty array gives an empty array
     * @return adjusted log10 p-values, each in {@code [log10p[i], 0]}
     * @throws IllegalArgumentException if an entry is NaN or positive
     * @throws NullPointerException if the array is null
     */
    public static double[] holmLog10(double[] log10p) {
        Objects.requireNonNull(log10p, "log10p");
        final int m = log10p.length;
        for (int i = 0; i < m; i++) {
            check(log10p[i], i);
        }
        final Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        // stable sort by value: ties keep input order
        Arrays.sort(order, Comparator.comparingDouble(i -> log10p[i]));
        final double[] adjusted = new double[m];
        double running = Double.NEGATIVE_INFINITY;
        for (int rank = 0; rank < m; rank++) {
            final int idx = order[rank];
            final double v = Math.min(0.0, log10p[idx] + Math.log10(m - rank));
            running = Math.max(running, v);
            adjusted[idx] = running;
        }
        return adjusted;
    }

    /**
     * Weighted Holm step-down adjusted p-values, in log10, in the input order (Holm 1979, who
     * introduced the weighted form; adjusted values as in Wright 1992).
     *
     * <p>Hypothesis i gets weight {@code w_i >= 0}, {@code sum w_i <= 1}: its share of alpha. With
     * {@code q_i = p_i / w_i} sorted ascending, {@code q(1) <= ... <= q(m)}, the adjusted value of the
     * j-th is {@code min(1, max_(l <= j) q(l) * W(l))}, where {@code W(l)} is the total weight of the
     * hypotheses ranked l..m (those not yet rejected at step l). Rejecting every hypothesis whose
     * adjusted value is at most alpha is the weighted Holm procedure at level alpha.
     *
     * <p>Why the family-wise error rate is at most alpha, under any dependence: let I0 be the true
     * nulls, W0 their total weight. At the step where the first true null is rejected, every true
     * null is still in play, so the remaining weight is at least W0, and that null i satisfied
     * {@code p_i <= alpha w_i / W0}. Hence any false rejection implies {@code p_i <= alpha w_i / W0}
     * for some i in I0, which (each p_i valid: {@code P(p_i <= u) <= u}) has probability at most
     * {@code sum_(I0) alpha w_i / W0 = alpha} by the union bound. Equal weights give
     * {@link #holmLog10}; a hypothesis of weight 0 is never rejected (adjusted value 1).
     *
     * @param log10p log10 p-values, each finite or negative infinity and {@code <= 0}
     * @param weights the weights, each finite and {@code >= 0}, summing to at most 1 (+1e-9)
     * @return adjusted log10 p-values, each in {@code [log10p[i], 0]}
     * @throws IllegalArgumentException on a bad p-value or weight, or lengths that differ
     */
    public static double[] weightedHolmLog10(double[] log10p, double[] weights) {
        Objects.requireNonNull(log10p, "log10p");
        Objects.requireNonNull(weights, "weights");
        final int m = log10p.length;
        if (weights.length != m) {
            throw new IllegalArgumentException("weights has " + weights.length + " entries, log10p has " + m);
        }
        double total = 0;
        for (int i = 0; i < m; i++) {
            check(log10p[i], i);
            if (!(weights[i] >= 0) || Double.isInfinite(weights[i])) {
                throw new IllegalArgumentException("weight must be finite and >= 0, got " + weights[i] + " at index " + i);
            }
            total += weights[i];
        }
        if (total > 1 + 1e-9) {
            throw new IllegalArgumentException("weights must sum to at most 1, got " + total);
        }
        // log10 q_i = log10 p_i - log10 w_i; weight 0 means never rejected (q = +infinity)
        final double[] lq = new double[m];
        for (int i = 0; i < m; i++) {
            lq[i] = weights[i] == 0 ? Double.POSITIVE_INFINITY
                    : log10p[i] == Double.NEGATIVE_INFINITY ? Double.NEGATIVE_INFINITY
                    : log10p[i] - Math.log10(weights[i]);
        }
        final Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> lq[i]));
        // remaining weight from rank l to the end
        final double[] remaining = new double[m + 1];
        for (int r = m - 1; r >= 0; r--) {
            remaining[r] = remaining[r + 1] + weights[order[r]];
        }
        final double[] adjusted = new double[m];
        double running = Double.NEGATIVE_INFINITY;
        for (int rank = 0; rank < m; rank++) {
            final int idx = order[rank];
            double v;
            if (lq[idx] == Double.POSITIVE_INFINITY) {
                v = 0.0;
            } else {
                v = Math.min(0.0, lq[idx] + Math.log10(remaining[rank]));
            }
            running = Math.max(running, v);
            adjusted[idx] = Math.max(running, log10p[idx]);
        }
        return adjusted;
    }

    /**
     * Bonferroni-adjusted p-values in log10: {@code min(0, log10p[i] + log10(m))} with m the array
     * length.
     *
     * @throws IllegalArgumentException if an entry is NaN or positive
     * @throws NullPointerException if the array is null
     */
    public static double[] bonferroniLog10(double[] log10p) {
        Objects.requireNonNull(log10p, "log10p");
        final int m = log10p.length;
        final double[] out = new double[m];
        for (int i = 0; i < m; i++) {
            check(log10p[i], i);
            out[i] = Math.min(0.0, log10p[i] + Math.log10(m));
        }
        return out;
    }

    /**
     * One Bonferroni-adjusted p-value in log10: {@code min(0, log10p + log10(m))}, e.g. for the best
     * of m windows or keys searched.
     *
     * @param log10p the raw log10 p-value, {@code <= 0}
     * @param m the number of tests, {@code >= 1}
     * @throws IllegalArgumentException if log10p is NaN or positive, or m is below 1
     */
    public static double bonferroniLog10(double log10p, long m) {
        check(log10p, -1);
        if (m < 1) {
            throw new IllegalArgumentException("number of tests m must be >= 1, got " + m);
        }
        return Math.min(0.0, log10p + Math.log10(m));
    }

    private static void check(double v, int index) {
        if (!(v <= 0)) {
            throw new IllegalArgumentException("log10 p-value must be <= 0 and not NaN, got " + v
                + (index >= 0 ? " at index " + index : ""));
        }
    }
}
