package dev.hallmark.service.http;

import dev.hallmark.service.store.RateBuckets;
import java.util.function.LongSupplier;

/**
 * A token bucket per API token: {@code burst} requests at once, refilled at {@code ratePerSecond}.
 * A request costs one unit per text tested (so a batch of 64 texts costs 64): what limits an
 * oracle attack is the number of texts it can probe, not the number of HTTP requests.
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

    /**
     * Takes {@code cost} units for {@code key}.
     *
     * @return 0 if allowed, else the whole seconds to wait before the same request would be allowed
     */
    long acquire(String key, double cost) {
        long now = nanos.getAsLong();
        return buckets.update(key, new RateBuckets.Bucket(burst, now), b -> {
            // another instance's clock may be slightly ahead: never refill for negative time
            double tokens = Math.min(burst, b.tokens() + Math.max(0, now - b.atNanos()) / 1e9 * rate);
            long at = Math.max(now, b.atNanos());
            double c = Math.min(cost, burst);
            if (tokens >= c) {
                return new RateBuckets.Update<>(new RateBuckets.Bucket(tokens - c, at), 0L);
            }
            return new RateBuckets.Update<>(new RateBuckets.Bucket(tokens, at),
                    Math.max(1, (long) Math.ceil((c - tokens) / rate)));
        });
    }
}
