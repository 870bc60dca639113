package dev.hallmark.service.store;

import java.util.List;

/**
 * The probing defence's near-duplicate index, kept in the store so that every instance on the
 * same database answers a tenant's near-duplicate texts alike: per tenant, the MinHash signature of
 * each text an analyst was answered, numbered 1, 2, ... within the tenant, with the number of the
 * first text of its near-duplicate cluster; the first answer (unadjusted log10 p) of each cluster
 * per test; and each API token's count of near-duplicate answers. The policy (what counts as a
 * near-duplicate, which cluster a text joins) stays with the caller, which keeps the texts in memory
 * as a cache and catches up through {@link #record}. Every call blocks.
 */
public interface ProbeRecords {

    /** A recorded text: its number within the tenant, its cluster (the number of the cluster's first text), its signature. */
    record Text(long seq, long cluster, long[] signature) {}

    /** How {@link #record} decides, given what the store holds. */
    @FunctionalInterface
    interface Decision {
        /**
         * @param last the number of the tenant's last text (below the caller's {@code since} when
         *     the store went back, e.g. restored from a backup: then {@code newer} holds every text
         *     the store keeps, and a cache should start over)
         * @param newer the tenant's texts numbered after {@code since} (or all, see above), oldest first
         * @return {@link #NOTHING}, {@link #NEW_CLUSTER}, or the cluster to add the text to
         */
        long decide(long last, List<Text> newer);
    }

    /** What a {@link #record} decision returns to record nothing. */
    long NOTHING = -1;
    /** What a {@link #record} decision returns to record the text as the first of a new cluster. */
    long NEW_CLUSTER = 0;

    /**
     * In one transaction that holds the tenant's row lock (so that concurrent records of one
     * tenant, from any instance, run one after the other): reads the tenant's texts numbered after
     * {@code since}, oldest first, and applies {@code decide} to them. Unless it returns
     * {@link #NOTHING}, the text is then numbered and
     * inserted, and the tenant's texts older than the newest {@code keep} deleted (with the first
     * answers of clusters none of whose texts are left, from time to time). {@code decide} may
     * run more than once (a retried transaction): it may update a cache of the texts it is given,
     * but must not act on its decision before this method returns.
     *
     * @return the text inserted, or null if {@code decide} returned {@link #NOTHING}
     */
    Text record(String tenant, long since, long[] signature, int keep, Decision decide);

    /** A cluster's first answer for a test, or null if none was recorded. */
    Double firstAnswer(String tenant, long cluster, String testId);

    /**
     * Records a cluster's answer for a test unless one is recorded already (by any instance), and
     * returns the one that stands.
     */
    double firstAnswer(String tenant, long cluster, String testId, double log10p);

    /** Adds {@code n} near-duplicate answers to an API token's count and returns the new count. */
    long addHits(String tokenId, long n);

    /** An API token's count of near-duplicate answers (0 if none). */
    long hits(String tokenId);
}
