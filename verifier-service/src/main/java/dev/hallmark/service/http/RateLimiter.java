package dev.hallmark.service.http;

import dev.hallmark.service.store.RateBuckets;
import java.util.function.LongSupplier;

/**
 * A token bucket per API token: {@code burst} units at once, refilled at {@code ratePerSecond}.
 * A request costs one unit; a detect request one per text and one per
 * {@value dev.hallmark.service.ServiceConfig#TOKENS_PER_UNIT} tokens (so what limits an oracle
 * attack is the number of texts and tokens it can probe, not the number of HTTP requests); an
 * analyst's scan upload is debited its documents and tokens the same way, up to one burst
 * ({@link #debit}), so a large probe corpus leaves the token waiting as a burst of texts would.
 * The configuration makes the burst at least the cost of the largest request the limits allow
 * ({@code ServiceConfig.maxRequestUnits}), so every allowed request can pass.
 *
 * <p>The buckets live in the store ({@link RateBuckets}), so instances sharing a database share
 * them: a token gets its burst once, not once per instance. Time is the wall clock in epoch
 * nanoseconds (instances agree on it to within their clock skew; a bucket never refills
 * backwards). Blocking: call from a worker thread.
 */
final class RateLimiter {

    private final double rate;
    private final double burst;
    private final LongSupplier nanos;
    private final RateBuckets buckets;

    RateLimiter(double ratePerSecond, int burst, LongSupplier nanos, RateBuckets buckets) {
        this.rate = ratePerSecond;
        this.burst = burst;
        this.nanos = nanos;
        this.buckets = buckets;
    }

    /** The wall clock in epoch nanoseconds (microsecond resolution). */
    static long wallNanos() {
        java.time.Instant t = java.time.Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** The bucket's units refilled up to {@code now} (never for negative time: another instance's clock may be ahead). */
    private double refilled(RateBuckets.Bucket b, long now) {
        return Math.min(burst, b.tokens() + Math.max(0, now - b.atNanos()) / 1e9 * rate);
    }

    /**
     * Takes {@code cost} units for {@code key}.
     *
     * @return 0 if allowed, else the whole seconds to wait before the same request would be allowed
     *     (a cost above the burst can never be met: the configuration check rules it out for detect)
     */
    long acquire(String key, double cost) {
        long now = nanos.getAsLong();
        return buckets.update(key, new RateBuckets.Bucket(burst, now), b -> {
            double tokens = refilled(b, now);
            long at = Math.max(now, b.atNanos());
            if (tokens >= cost) {
                return new RateBuckets.Update<>(new RateBuckets.Bucket(tokens - cost, at), 0L);
            }
            return new RateBuckets.Update<>(new RateBuckets.Bucket(tokens, at),
                    Math.max(1, (long) Math.ceil((Math.min(cost, burst) - tokens) / rate)));
        });
    }

    /**
     * Takes {@code cost} units (at most one burst) whether or not they are there: later requests
     * wait for the debt (the bucket goes down to minus one burst at most).
     */
    void debit(String key, double cost) {
        long now = nanos.getAsLong();
        buckets.update(key, new RateBuckets.Bucket(burst, now), b -> {
            double tokens = refilled(b, now);
            long at = Math.max(now, b.atNanos());
            return new RateBuckets.Update<>(new RateBuckets.Bucket(Math.max(-burst, tokens - Math.min(cost, burst)), at),
                    null);
        });
    }
}
