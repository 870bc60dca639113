package dev.hallmark.tools.experiment;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.hallmark.stats.BinomialInterval;
import dev.hallmark.tools.JsonNumbers;

/**
 * A count of successes out of n trials with its exact (Clopper-Pearson) confidence interval. In
 * the results JSON: {@code count}, {@code n}, {@code rate} (null when n = 0), {@code lower},
 * {@code upper}.
 *
 * @param count successes k
 * @param n trials
 * @param rate k / n (NaN when n = 0)
 * @param lower lower end of the Clopper-Pearson interval at {@code confidence}
 * @param upper upper end
 * @param confidence the interval's confidence level, e.g. 0.95
 */
public record Rate(long count, long n, @JsonSerialize(using = JsonNumbers.NanAsNull.class) double rate,
        @JsonSerialize(using = JsonNumbers.NanAsNull.class) double lower,
        @JsonSerialize(using = JsonNumbers.NanAsNull.class) double upper, @JsonIgnore double confidence) {

    public Rate {
        if (n < 0 || count < 0 || count > n) {
            throw new IllegalArgumentException("need 0 <= count <= n, got " + count + " of " + n);
        }
    }

    /** k of n with a 95% Clopper-Pearson interval (the interval is [0, 1] when n = 0). */
    public static Rate of(long count, long n) {
        return of(count, n, 0.95);
    }

    public static Rate of(long count, long n, double confidence) {
        if (n == 0) {
            return new Rate(0, 0, Double.NaN, 0, 1, confidence);
        }
        BinomialInterval ci = BinomialInterval.clopperPearson(count, n, confidence);
        return new Rate(count, n, (double) count / n, ci.lower(), ci.upper(), confidence);
    }
}
