package dev.hallmark.tools.serve;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-account request rate limits: a token bucket per account holding up to {@code burst}
 * requests, refilled at {@code perSecond}. A request that finds the bucket empty is refused
 * with the whole seconds until a request would be allowed ({@code Retry-After}).
 */
final class RateLimits {

    private final double perSecond;
    private final double burst;
    private final LongSupplier nanos;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long last;

        Bucket(double tokens, long last) {
            this.tokens = tokens;
            this.last = last;
        }
    }

    /** @param perSecond requests per second per account; 0 or less disables the limit */
    RateLimits(double perSecond, int burst, LongSupplier nanos) {
        this.perSecond = perSecond;
        this.burst = Math.max(1, burst);
        this.nanos = nanos;
    }

    /**
     * Parses {@code N/s}, {@code N/m} (per minute) or {@code N/h}; {@code none} or {@code 0}
     * disables; returns requests per second.
     */
    static double parse(String spec) {
        String s = spec.strip().toLowerCase(Locale.ROOT);
        if (s.equals("none") || s.equals("0")) {
            return 0;
        }
        int slash = s.indexOf('/');
        String bad = "--rate-limit must be N/s, N/m or N/h (requests per account), or none; got '" + spec + "'";
        if (slash < 0) {
            throw new IllegalArgumentException(bad);
        }
        double n;
        try {
            n = Double.parseDouble(s.substring(0, slash));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(bad);
        }
        if (!(n > 0) || Double.isInfinite(n)) {
            throw new IllegalArgumentException(bad);
        }
        return switch (s.substring(slash + 1)) {
            case "s", "sec", "second" -> n;
            case "m", "min", "minute" -> n / 60;
            case "h", "hour" -> n / 3600;
            default -> throw new IllegalArgumentException(bad);
        };
    }

    /** Takes one request from the account's bucket: 0 if allowed, else seconds to wait (>= 1). */
    long acquire(String account) {
        if (perSecond <= 0) {
            return 0;
        }
        Bucket b = buckets.computeIfAbsent(account, a -> new Bucket(burst, nanos.getAsLong()));
        synchronized (b) {
            long now = nanos.getAsLong();
            b.tokens = Math.min(burst, b.tokens + (now - b.last) / 1e9 * perSecond);
            b.last = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - b.tokens) / perSecond));
        }
    }
}
