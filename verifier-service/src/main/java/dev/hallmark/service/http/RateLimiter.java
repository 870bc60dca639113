package dev.hallmark.service.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per API token: {@code burst} requests at once, refilled at {@code ratePerSecond}.
 * A request costs one unit per text tested (so a batch of 64 texts costs 64): what limits an
 * oracle attack is the number of texts it can probe, not the number of HTTP requests.
 */
final class RateLimiter {

    private final double rate;
    private final double burst;
    private final LongSupplier nanos;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    RateLimiter(double ratePerSecond, int burst, LongSupplier nanos) {
        this.rate = ratePerSecond;
        this.burst = burst;
        this.nanos = nanos;
    }

    /**
     * Takes {@code cost} units for {@code key}.
     *
     * @return 0 if allowed, else the whole seconds to wait before the same request would be allowed
     */
    long acquire(String key, double cost) {
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, nanos.getAsLong()));
        synchronized (b) {
            long now = nanos.getAsLong();
            b.tokens = Math.min(burst, b.tokens + (now - b.at) / 1e9 * rate);
            b.at = now;
            double c = Math.min(cost, burst);
            if (b.tokens >= c) {
                b.tokens -= c;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((c - b.tokens) / rate));
        }
    }
}
