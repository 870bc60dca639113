package dev.hallmark.service.store;

import java.util.function.Function;

/**
 * The state of the rate limiter's token buckets, kept in the store so that every instance on the
 * same database charges the same buckets. The policy (refill rate, burst, what a request costs)
 * stays with the caller: this interface only reads and writes a bucket atomically.
 */
public interface RateBuckets {

    /** A bucket: the units left, counted at time {@code atNanos} (epoch nanoseconds, wall clock). */
    record Bucket(double tokens, long atNanos) {}

    /** What an update decided: the bucket to store, and the answer to return. */
    record Update<T>(Bucket next, T answer) {}

    /**
     * Reads bucket {@code key} ({@code fresh} if it has none yet), applies {@code decide}, stores the
     * bucket it returns and returns its answer, all in one transaction that holds the bucket's row
     * lock: concurrent updates of one bucket, from any instance, run one after the other.
     * {@code decide} may run more than once (a retried transaction) and must have no side effects.
     * Not for use inside {@link Store#atomically}: the update commits on its own (on PostgreSQL
     * without waiting for the disk).
     */
    <T> T update(String key, Bucket fresh, Function<Bucket, Update<T>> decide);
}
