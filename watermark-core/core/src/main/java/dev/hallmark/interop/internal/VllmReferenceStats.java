package dev.hallmark.interop.internal;

import dev.hallmark.stats.Tails;
import org.apache.commons.numbers.gamma.Erfc;

/**
 * The p-values vLLM's own detectors report ({@code WatermarkDetector._get_p_value}), reproduced in
 * double precision so that Hallmark can show them next to its exact ones.
 * <ul>
 *   <li>gumbel: {@code P(Gamma(n, 1) >= score)}, exact, by vLLM's own log-sum-exp routine
 *       ({@link #gammaSurvivalIntegerShape}); it underflows to 0 below about 1e-308.</li>
 *   <li>dual_key_gumbel: a Gamma moment match, {@code Q(n / v, score / v)} with
 *       {@code v = (1 - alpha)^2 + alpha^2} (exact only for alpha in {0, 1/2, 1}, where vLLM uses the
 *       integer routine with shape {@code round(n / v)}).</li>
 *   <li>sbw: the normal approximation {@code erfc(z / sqrt 2) / 2} of
 *       {@code z = (W - T gamma) / sqrt(T gamma (1 - gamma))}.</li>
 * </ul>
 */
public final class VllmReferenceStats {

    private VllmReferenceStats() {}

    /** Above this shape the reference loop (O(shape)) is replaced by the same quantity from {@link Tails}. */
    static final long LOOP_LIMIT = 10_000_000L;

    /**
     * vLLM's {@code _gamma_survival_integer_shape(score, shape)}: with {@code t_0 = 0},
     * {@code t_k = t_(k-1) + ln(score) - ln(k)} (k &lt; shape), {@code m = max(0, t_k)}:
     * {@code min(1, exp(min(0, -score + m + ln(sum_k exp(t_k - m)))))}; 1 when shape or score is not
     * positive. The terms are formed and added in vLLM's order (two passes instead of a stored list).
     * For shapes above 10^7, where that loop takes seconds, the same tail is taken from
     * {@link Tails#lnGammaUpper} (it differs from the loop only by rounding).
     */
    public static double gammaSurvivalIntegerShape(double score, long shape) {
        if (shape <= 0 || score <= 0) {
            return 1.0;
        }
        if (shape > LOOP_LIMIT) {
            return Math.exp(Tails.lnGammaUpper(score, shape));
        }
        double logScore = Math.log(score);
        double logTerm = 0.0;
        double max = 0.0;
        for (long i = 1; i < shape; i++) {
            logTerm += logScore - Math.log(i);
            max = Math.max(max, logTerm);
        }
        double sum = Math.exp(0.0 - max);
        logTerm = 0.0;
        for (long i = 1; i < shape; i++) {
            logTerm += logScore - Math.log(i);
            sum += Math.exp(logTerm - max);
        }
        double logSum = max + Math.log(sum);
        return Math.min(1.0, Math.exp(Math.min(0.0, -score + logSum)));
    }

    /**
     * vLLM's {@code GumbelWatermarkDetector} p-value, {@code P(Gamma(n, 1) >= score)}; 1 when nothing
     * was scored. vLLM's routine ({@link #gammaSurvivalIntegerShape}) computes this tail exactly, up to
     * rounding; this takes the same tail from {@link Tails} (O(1) instead of O(n) per detection) and
     * maps it to a double as vLLM does (0 below the smallest double).
     */
    public static double gumbelPValue(double score, long n) {
        if (n <= 0 || score <= 0) {
            return 1.0;
        }
        return Math.min(1.0, Math.exp(Tails.lnGammaUpper(score, n)));
    }

    /**
     * vLLM's {@code DualKeyGumbelWatermarkDetector} p-value: {@code Q(n / v, score / v)}, with
     * Hallmark's regularized incomplete gamma function in place of {@code torch.special.gammaincc}.
     */
    public static double dualKeyPValue(double score, long n, double alpha) {
        if (n <= 0) {
            return 1.0;
        }
        double v = (1 - alpha) * (1 - alpha) + alpha * alpha;
        if (alpha == 0 || alpha == 0.5 || alpha == 1) {
            return gammaSurvivalIntegerShape(score / v, Math.round(n / v));
        }
        double scaled = score / v;
        if (!(scaled > 0)) {
            return 1.0;
        }
        return Math.exp(Tails.lnGammaUpper(scaled, n / v));
    }

    /** vLLM's SBW z-score {@code (W - T gamma) / sqrt(T gamma (1 - gamma))}; NaN when T = 0. */
    public static double sbwZ(double green, long n, double gamma) {
        if (n <= 0) {
            return Double.NaN;
        }
        return (green - n * gamma) / Math.sqrt(n * gamma * (1 - gamma));
    }

    /** vLLM's {@code SBWWatermarkDetector} p-value {@code 0.5 erfc(z / sqrt 2)}; 1 when T = 0. */
    public static double sbwPValue(double green, long n, double gamma) {
        if (n <= 0) {
            return 1.0;
        }
        return 0.5 * Erfc.value(sbwZ(green, n, gamma) / Math.sqrt(2));
    }
}
