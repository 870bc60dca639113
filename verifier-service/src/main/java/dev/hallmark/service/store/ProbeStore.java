package dev.hallmark.service.store;

import java.util.List;

/**
 * The analysts' near-duplicate index as every instance on the database sees it (tables
 * {@code probe_answers}, {@code probe_values}, {@code probe_hits}, migration 7): the MinHash
 * signature of each text a tenant's analysts were answered, grouped in clusters (a cluster is
 * named by the id of its first text), the first p-value recorded for each test of a cluster, and
 * each API token's count of near-duplicate answers. The scan package keeps a copy in memory and
 * reads the rows other instances added ({@link #since}).
 */
public interface ProbeStore {

    /**
     * One recorded text.
     *
     * @param id the row's id, increasing in insertion order
     * @param tenant the tenant whose analyst sent it
     * @param cluster the id of the cluster's first text (its own id for a first text)
     * @param signature its MinHash signature
     */
    record Row(long id, String tenant, long cluster, long[] signature) {}

    /** Rows with an id above {@code afterId}, in id order, at most {@code limit}. */
    List<Row> since(long afterId, int limit);

    /**
     * Records a text of {@code tenant}; {@code cluster} 0 starts a new cluster named by the new
     * row's id.
     *
     * @return the new row
     */
    Row insert(String tenant, long cluster, long[] signature);

    /** The first value recorded for {@code test} in {@code cluster}, recording {@code value} if there is none. */
    double putIfAbsent(long cluster, String test, double value);

    /** The value recorded for {@code test} in {@code cluster}, or null. */
    Double get(long cluster, String test);

    /**
     * Adds {@code n} to the near-duplicate answers of API token {@code tokenId}.
     *
     * @return the count before and after
     */
    long[] hit(String tokenId, long n);

    /** Keeps the newest {@code keep} texts of {@code tenant} and drops the rest (and values no text refers to). */
    void prune(String tenant, int keep);
}
