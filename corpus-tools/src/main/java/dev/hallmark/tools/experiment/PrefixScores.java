package dev.hallmark.tools.experiment;

import dev.hallmark.scheme.NullModel;

/**
 * Detection on every prefix of one text at once. From the per-position scores of a de-duplicating
 * detector ({@code DetectionResult.tokenScores()}: NaN where a position was not scored: too little
 * context, or a repeated tuple) it accumulates, for each prefix length L = 0..len, the number of
 * scored tuples n(L) and their score sum S(L). De-duplication is prefix-consistent (a tuple is
 * scored at its first occurrence), so (n(L), S(L)) is exactly what the detector reports on the
 * first L tokens.
 */
public final class PrefixScores {

    private final long[] n;
    private final double[] sum;

    private PrefixScores(long[] n, double[] sum) {
        this.n = n;
        this.sum = sum;
    }

    /** Accumulates {@code tokenScores} (NaN = not scored). */
    public static PrefixScores of(double[] tokenScores) {
        long[] n = new long[tokenScores.length + 1];
        double[] s = new double[tokenScores.length + 1];
        for (int t = 0; t < tokenScores.length; t++) {
            double v = tokenScores[t];
            boolean scored = !Double.isNaN(v);
            n[t + 1] = n[t] + (scored ? 1 : 0);
            s[t + 1] = s[t] + (scored ? v : 0);
        }
        return new PrefixScores(n, s);
    }

    /** The text's length in tokens. */
    public int length() {
        return n.length - 1;
    }

    /** Tuples scored in the first L tokens. */
    public long scored(int length) {
        return n[length];
    }

    /** Score sum over the first L tokens. */
    public double sum(int length) {
        return sum[length];
    }

    /** The exact log10 p-value of the first L tokens (0 when nothing is scored). */
    public double log10P(NullModel nullModel, int length) {
        return nullModel.log10PValue(n[length], sum[length]);
    }

    /** Whether each prefix L = 0..length is flagged at the table's alpha. */
    public boolean[] flagged(CriticalValues cv) {
        boolean[] d = new boolean[n.length];
        for (int l = 0; l < n.length; l++) {
            d[l] = n[l] > 0 && cv.flagged(n[l], sum[l]);
        }
        return d;
    }
}
