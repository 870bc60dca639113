package dev.hallmark.interop.internal;

import java.util.Locale;

/**
 * SynthID-Text reference scoring of one text.
 *
 * @param rows          n-grams in the text ({@code len - n + 1}, or 0)
 * @param unmasked      rows kept: context not seen before and before the first EOS
 * @param repeatedContext rows masked because their context was in the history (and before EOS)
 * @param afterEos      rows masked because their last token is at or after the first EOS
 * @param depth         layers (keys)
 * @param ones          g-values equal to 1 over the unmasked rows and all layers
 */
public record SynthIdReferenceScore(long rows, long unmasked, long repeatedContext, long afterEos,
                                    int depth, long ones) {

    /** Validates the bookkeeping. */
    public SynthIdReferenceScore {
        if (rows < 0 || unmasked < 0 || repeatedContext < 0 || afterEos < 0
                || unmasked + repeatedContext + afterEos != rows) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "inconsistent row counts: rows=%d unmasked=%d repeated=%d afterEos=%d",
                    rows, unmasked, repeatedContext, afterEos));
        }
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be positive, got " + depth);
        }
        if (ones < 0 || ones > unmasked * depth) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "ones must be in [0, %d], got %d", unmasked * depth, ones));
        }
    }

    /** @return the number of scored g-values, {@code depth * unmasked} (the binomial's n under H0) */
    public long gValuesScored() {
        return unmasked * depth;
    }

    /**
     * The reference Mean score: the mean g-value over layers and unmasked rows, exactly
     * {@code ones / (depth * unmasked)} (the reference computes it in float32; see docs/interop.md).
     *
     * @return the mean, or NaN when nothing was scored
     */
    public double meanG() {
        long n = gValuesScored();
        return n == 0 ? Double.NaN : (double) ones / n;
    }
}
