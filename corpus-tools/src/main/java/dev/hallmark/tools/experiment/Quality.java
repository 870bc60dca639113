package dev.hallmark.tools.experiment;

import java.util.HashSet;
import java.util.Set;

/** Text-quality metrics. Pure functions. */
public final class Quality {

    private Quality() {
    }

    /**
     * Perplexity exp(-(1/n) sum_t ln p(x_t | x_{<t})) from the natural-log probabilities of the
     * scored tokens under the oracle model.
     *
     * @return NaN for no tokens
     */
    public static double perplexity(double[] logProbs) {
        if (logProbs.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double lp : logProbs) {
            s += lp;
        }
        return Math.exp(-s / logProbs.length);
    }

    /**
     * distinct-n (Li et al. 2016): the number of distinct n-grams divided by the number of n-grams
     * (length - n + 1) in one text; NaN when the text has no n-gram.
     */
    public static double distinctN(int[] ids, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        int total = ids.length - n + 1;
        if (total <= 0) {
            return Double.NaN;
        }
        Set<NGram> seen = new HashSet<>();
        for (int i = 0; i < total; i++) {
            seen.add(new NGram(ids, i, n));
        }
        return (double) seen.size() / total;
    }

    private static final class NGram {
        final int[] a;
        final int off;
        final int n;
        final int hash;

        NGram(int[] a, int off, int n) {
            this.a = a;
            this.off = off;
            this.n = n;
            int h = 1;
            for (int i = 0; i < n; i++) {
                h = 31 * h + a[off + i];
            }
            this.hash = h;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof NGram g) || g.n != n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (a[off + i] != g.a[g.off + i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * The modulus z of the spike entropy in Kirchenbauer et al. 2023 (Theorem 4.2):
     * z = (1 - gamma)(e^delta - 1) / (1 + (e^delta - 1) gamma).
     */
    public static double spikeModulus(double gamma, double delta) {
        if (!(gamma > 0 && gamma < 1) || !(delta > 0)) {
            throw new IllegalArgumentException("need 0 < gamma < 1 and delta > 0, got " + gamma + ", " + delta);
        }
        double a = Math.expm1(delta);
        return (1 - gamma) * a / (1 + a * gamma);
    }

    /**
     * Spike entropy S(p, z) = sum_k p_k / (1 + z p_k) (Kirchenbauer et al. 2023, Definition 4.1) of
     * the distribution {@code probs[0..size)}: between 1/(1 + z) (one token certain) and
     * 1/(1 + z/V) (uniform over V tokens); the green-fraction bound of their Theorem 4.2 grows with it.
     */
    public static double spikeEntropy(double[] probs, int size, double modulus) {
        double s = 0;
        for (int i = 0; i < size; i++) {
            double p = probs[i];
            s += p / (1 + modulus * p);
        }
        return s;
    }

    /**
     * Spike entropy of softmax(logits / temperature) over {@code logits[0..vocab)} (entries of
     * -infinity have probability 0), with the max-shift for stability. One pass finds the maximum
     * and the indices of finite logits (into {@code finite}, length >= vocab), so the exponentials
     * are taken only there: a model whose output layer covers a few thousand ids of a large
     * vocabulary costs a few thousand exps per step. {@code scratch} (length >= vocab) holds the
     * weights; no allocation.
     */
    public static double spikeEntropyOfLogits(float[] logits, int vocab, double temperature, double modulus,
            double[] scratch, int[] finite) {
        float max = Float.NEGATIVE_INFINITY;
        int m = 0;
        for (int i = 0; i < vocab; i++) {
            float l = logits[i];
            if (l != Float.NEGATIVE_INFINITY) {
                finite[m++] = i;
                if (l > max) {
                    max = l;
                }
            }
        }
        double total = 0;
        double inv = 1 / temperature;
        for (int j = 0; j < m; j++) {
            double w = Math.exp((logits[finite[j]] - max) * inv);
            scratch[j] = w;
            total += w;
        }
        double s = 0;
        for (int j = 0; j < m; j++) {
            double p = scratch[j] / total;
            s += p / (1 + modulus * p);
        }
        return s;
    }

    /** {@link #spikeEntropyOfLogits(float[], int, double, double, double[], int[])} with its own buffers. */
    public static double spikeEntropyOfLogits(float[] logits, int vocab, double temperature, double modulus) {
        return spikeEntropyOfLogits(logits, vocab, temperature, modulus, new double[vocab], new int[vocab]);
    }

    /** Mean of the finite values (NaN when there are none). */
    public static double mean(double[] v) {
        double s = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** Median of the non-NaN values (NaN when there are none). */
    public static double median(double[] v) {
        double[] a = java.util.Arrays.stream(v).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (a.length == 0) {
            return Double.NaN;
        }
        int m = a.length / 2;
        return a.length % 2 == 1 ? a[m] : (a[m - 1] + a[m]) / 2;
    }
}
