package dev.hallmark.interop.internal;

import java.util.Locale;
import org.apache.commons.numbers.gamma.Erfc;

/**
 * What the reference KGW detector counts for one text, and its z-score.
 *
 * <p>{@code z = (green - gamma * T) / sqrt(T * gamma * (1 - gamma))}, evaluated in the reference's
 * operation order ({@code (T * gamma) * (1 - gamma)} under the root), so it is bit-identical to the
 * Python value: every step is a correctly rounded IEEE operation.
 *
 * @param tokensScored T: distinct n-grams (with repeated-n-gram removal) or all n-grams (without)
 * @param greenTokens  green n-grams among those counted
 * @param gamma        the green-list fraction the z-score is computed with (the reference uses the
 *                     nominal gamma, not {@code int(V * gamma) / V})
 */
public record KgwReferenceCounts(long tokensScored, long greenTokens, double gamma) {

    /** Validates. */
    public KgwReferenceCounts {
        if (tokensScored < 1) {
            throw new IllegalArgumentException("tokens scored must be positive, got " + tokensScored);
        }
        if (greenTokens < 0 || greenTokens > tokensScored) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "green tokens must be in [0, %d], got %d", tokensScored, greenTokens));
        }
        if (!(gamma > 0 && gamma < 1)) {
            throw new IllegalArgumentException("gamma must be in (0, 1), got " + gamma);
        }
    }

    /** @return the reference z-score (lm-watermarking {@code _compute_z_score}; transformers computes the same) */
    public double zScore() {
        double numer = greenTokens - gamma * tokensScored;
        double denom = Math.sqrt(tokensScored * gamma * (1 - gamma));
        return numer / denom;
    }

    /**
     * lm-watermarking's p-value, {@code scipy.stats.norm.sf(z)}: the one-sided normal approximation
     * (not an exact tail; Hallmark reports the exact binomial tail separately). Computed as
     * {@code erfc(z / sqrt 2) / 2}, agreeing with scipy to about 1e-15 relative.
     *
     * @return the reference p-value
     */
    public double referencePValue() {
        return normalSurvival(zScore());
    }

    /**
     * The p-value transformers' {@code WatermarkDetector} prints:
     * {@code 1 - 0.5 * (1 + sign(z) * (1 - exp(-2 z^2 / pi)))}. This is not the normal tail (the
     * approximation it comes from has a square root over {@code 1 - exp(...)}): at z = 5 it gives
     * 6.1e-8 where the normal tail is 2.9e-7. Reproduced only so that reports can show why
     * transformers' numbers differ.
     *
     * @return transformers' p-value
     */
    public double transformersPValue() {
        double z = zScore();
        return 1 - (0.5 * (1 + Math.signum(z) * (1 - Math.exp(-2 * (z * z) / Math.PI))));
    }

    /** {@code P(Z > z)} for a standard normal Z, without cancellation for large z. */
    static double normalSurvival(double z) {
        return 0.5 * Erfc.value(z / Math.sqrt(2));
    }
}
