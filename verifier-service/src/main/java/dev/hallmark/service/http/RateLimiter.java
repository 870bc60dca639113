package dev.hallmark.service.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per API token: {@code burst} units at once, refilled at {@code ratePerSecond}.
 * A request costs one unit; a detect request one per text and one per
 * {@value dev.hallmark.service.ServiceConfig#TOKENS_PER_UNIT} tokens (so what limits an oracle
 * attack is the number of texts and tokens it can probe, not the number of HTTP requests); an
 * analyst's scan upload is debited its documents and tokens the same way, up to one burst
 * ({@link #debit}), so a large probe corpus leaves the token waiting as a burst of texts would.
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
            if (b.tokens >= cost) {
                b.tokens -= cost;
                return 0;
            }
            // a cost above the burst can never be met: the configuration check rules it out for detect
            return Math.max(1, (long) Math.ceil((Math.min(cost, burst) - b.tokens) / rate));
        }
    }

    /** Takes {@code cost} units (at most one burst) whether or not they are there: later requests wait for the debt. */
    void debit(String key, double cost) {
        Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, nanos.getAsLong()));
        synchronized (b) {
            long now = nanos.getAsLong();
            b.tokens = Math.min(burst, b.tokens + (now - b.at) / 1e9 * rate);
            b.at = now;
            b.tokens = Math.max(-burst, b.tokens - Math.min(cost, burst));
        }
    }
}
