package dev.hallmark.scheme;

import dev.hallmark.stats.Hypoexponential;
import dev.hallmark.stats.Tails;

/**
 * The exact null distribution of a detector's aggregate: the sum S of per-tuple scores over n
 * distinct tuples, when the text is independent of the key.
 */
public sealed interface NullModel permits NullModel.Binomial, NullModel.Gamma, NullModel.WeightedExp {

    /** Each tuple contributes the successes of {@code trialsPerTuple} Bernoulli(p) trials: S ~ Binomial(n t, p). */
    record Binomial(int trialsPerTuple, double p) implements NullModel {
        public Binomial {
            if (trialsPerTuple < 1 || !(p > 0 && p < 1)) {
                throw new IllegalArgumentException("binomial null needs trials >= 1 and 0 < p < 1");
            }
        }

        @Override
        public double mean(long n) {
            return (double) n * trialsPerTuple * p;
        }

        @Override
        public double sd(long n) {
            return Math.sqrt((double) n * trialsPerTuple * p * (1 - p));
        }

        @Override
        public double log10PValue(long n, double sum) {
            return Tails.log10BinomialUpper(Math.round(sum), n * trialsPerTuple, p);
        }

        @Override
        public double statistic(long n, double sum) {
            return n == 0 ? Double.NaN : sum / ((double) n * trialsPerTuple);
        }
    }

    /** Each score is Exp(1): S ~ Gamma(n, 1). */
    record Gamma() implements NullModel {
        @Override
        public double mean(long n) {
            return n;
        }

        @Override
        public double sd(long n) {
            return Math.sqrt(n);
        }

        @Override
        public double log10PValue(long n, double sum) {
            return n == 0 ? 0.0 : Tails.log10GammaUpper(sum, n);
        }

        @Override
        public double statistic(long n, double sum) {
            return n == 0 ? Double.NaN : sum / n;
        }
    }

    /**
     * Each score is {@code (1 - alpha) E + alpha E'} with E, E' independent Exp(1) (vLLM's dual-key
     * Gumbel): S is hypoexponential, with the exact tail of {@link Hypoexponential}.
     *
     * @param alpha the weight of the second key, in [0, 1]
     */
    record WeightedExp(double alpha) implements NullModel {
        public WeightedExp {
            if (!(alpha >= 0 && alpha <= 1)) {
                throw new IllegalArgumentException("weighted-exponential null needs alpha in [0, 1], got " + alpha);
            }
        }

        @Override
        public double mean(long n) {
            return n;
        }

        @Override
        public double sd(long n) {
            return Math.sqrt(n * ((1 - alpha) * (1 - alpha) + alpha * alpha));
        }

        @Override
        public double log10PValue(long n, double sum) {
            return n == 0 ? 0.0 : Hypoexponential.log10Upper(sum, n, alpha);
        }

        @Override
        public double statistic(long n, double sum) {
            return n == 0 ? Double.NaN : sum / n;
        }
    }

    /** E[S] for n tuples. */
    double mean(long n);

    /** sd[S] for n tuples. */
    double sd(long n);

    /** log10 P(S' >= sum) under the null, exact; 0 when n = 0. */
    double log10PValue(long n, double sum);

    /** The reported statistic: the mean score per trial (green fraction, mean g, mean -ln(1-r)). */
    double statistic(long n, double sum);

    /** (sum - mean) / sd, for readers used to z-scores; NaN when n = 0. */
    default double zScore(long n, double sum) {
        return n == 0 ? Double.NaN : (sum - mean(n)) / sd(n);
    }
}
