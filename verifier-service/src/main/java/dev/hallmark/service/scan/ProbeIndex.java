package dev.hallmark.service.scan;

import dev.hallmark.service.store.ProbeRecords;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each tenant's analysts were told recently, by text: the MinHash signature of every text an
 * analyst tested and of every scanned document listed to one, with the exact per-test p-values
 * that answer was computed from. A new text that is a near-duplicate (estimated Jaccard similarity
 * of 4-gram shingles at least {@value #THRESHOLD}) of one already answered gets the earlier
 * answer's p-values again ({@code DetectionEngine}), and a scanned document that is one is not
 * listed on its own ({@link Disclosure}): an oracle attack needs many near-identical probes (one
 * token changed at a time, or a prefix bisected onto a rounding boundary and then one candidate
 * token per query), and every such probe now gets the answer of the first one, which says nothing
 * about the token that changed.
 *
 * <p>Per tenant (so several tokens of one tenant do not get fresh answers either), the latest
 * {@value #PER_TENANT} texts, oldest evicted first; the texts of one near-duplicate cluster share
 * its first answer.
 *
 * <p><b>Shared</b> ({@link #ProbeIndex(ProbeRecords)}, what the server uses): the texts, the
 * clusters' first answers and the per-token hit counts live in the store ({@link ProbeRecords}), so
 * every instance on one database answers a near-duplicate with the answer any of them gave first,
 * and a restart forgets nothing. Each instance keeps the tenant's texts in memory as a cache and,
 * when it looks a text up, first reads the texts other instances recorded since the last one it
 * saw (an indexed {@code seq > ?} read) under the tenant's row lock, so the look-up and the record
 * of the new text are one step for all instances; two instances that compute a cluster's answer at
 * once store the first and both return it. <b>Memory only</b> ({@link #ProbeIndex()}): the same,
 * for one process, forgotten at a restart. Thread-safe.
 */
public final class ProbeIndex {

    /** Texts kept per tenant. */
    public static final int PER_TENANT = 16_384;
    /** The similarity from which a text counts as a near-duplicate of an earlier one. */
    public static final double THRESHOLD = 0.5;

    /**
     * The answer to a cluster of near-identical texts: per test id (key id, or a keyless scheme's
     * spec), the unadjusted log10 p of the first text answered (in the shared index, the first
     * value any instance recorded).
     */
    public static final class Answer {
        private final String tenant;
        private final long cluster;
        private final ProbeRecords shared;
        private final Map<String, Double> log10p = new HashMap<>();
        // texts of the tenant's ring that belong to this cluster (guarded by the tenant's lock)
        private int refs;

        private Answer(String tenant, long cluster, ProbeRecords shared) {
            this.tenant = tenant;
            this.cluster = cluster;
            this.shared = shared;
        }

        /** The cluster's number: that of its first text within the tenant. */
        public long cluster() {
            return cluster;
        }

        /** The earlier text's unadjusted log10 p for a test, or null if that test was not asked then. */
        public Double get(String testId) {
            synchronized (this) {
                Double v = log10p.get(testId);
                if (v != null || shared == null) {
                    return v;
                }
            }
            Double v = shared.firstAnswer(tenant, cluster, testId);
            if (v == null) {
                return null;
            }
            synchronized (this) {
                return log10p.computeIfAbsent(testId, k -> v);
            }
        }

        /**
         * Records a test's unadjusted log10 p unless one is recorded already, and returns the one
         * that stands (the first value recorded for a test stays).
         */
        public double putIfAbsent(String testId, double v) {
            synchronized (this) {
                Double have = log10p.get(testId);
                if (have != null) {
                    return have;
                }
                if (shared == null) {
                    log10p.put(testId, v);
                    return v;
                }
            }
            // a first answer never changes once stored: the local copy is a cache
            double stands = shared.firstAnswer(tenant, cluster, testId, v);
            synchronized (this) {
                return log10p.computeIfAbsent(testId, k -> stands);
            }
        }
    }

    /**
     * What a look-up found: the answer of the text's cluster, and whether that is an earlier
     * text's (a near-duplicate) or the text's own new cluster.
     */
    public record Match(Answer answer, boolean nearDuplicate) {}

    /** One tenant's recent texts (the ring mirrors the store's newest {@value #PER_TENANT}, slot = number mod size). */
    private static final class Tenant {
        final long[][] sigs = new long[PER_TENANT][];
        final Answer[] answers = new Answer[PER_TENANT];
        final Map<Long, Answer> clusters = new HashMap<>();
        long seen;

        void clear() {
            Arrays.fill(sigs, null);
            Arrays.fill(answers, null);
            clusters.clear();
            seen = 0;
        }
    }

    private final ProbeRecords shared;
    private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();
    private final Map<String, Long> hits = new HashMap<>();

    /** An index in this process's memory only (one instance; a restart forgets it). */
    public ProbeIndex() {
        this(null);
    }

    /** An index kept in the store, shared by every instance on the same database, with a cache here. */
    public ProbeIndex(ProbeRecords shared) {
        this.shared = shared;
    }

    /** Whether the index lives in the store (shared by instances) rather than in this process only. */
    public boolean shared() {
        return shared != null;
    }

    /**
     * Counts near-duplicate answers (or withheld scanned documents) of an API token.
     *
     * @return whether this count is one to write to the audit log: it reaches the 1st, 10th,
     *     100th, ... of the token (a probing pattern, without flooding the log); in the shared
     *     index the count is the token's on every instance, kept across restarts
     */
    public boolean hit(String tokenId, long n) {
        long after;
        if (shared != null) {
            after = shared.addHits(tokenId, n);
        } else {
            synchronized (hits) {
                after = hits.merge(tokenId, n, Long::sum);
            }
        }
        long before = after - n;
        for (long p = 1; p > 0 && p <= after; p *= 10) {
            if (before < p) {
                return true;
            }
        }
        return false;
    }

    /** The near-duplicate answers of an API token so far. */
    public long hits(String tokenId) {
        if (shared != null) {
            return shared.hits(tokenId);
        }
        synchronized (hits) {
            return hits.getOrDefault(tokenId, 0L);
        }
    }

    /**
     * Looks a text up among the tenant's earlier texts and records it: a near-duplicate joins the
     * most similar earlier text's cluster (if {@code aliasNearDuplicates}: a text near-identical to
     * it, but no longer to the first text after a chain of small edits, still gets that answer),
     * any other text starts a cluster of its own.
     *
     * @param sig the text's {@link MinHash#signature}
     * @param aliasNearDuplicates whether a near-duplicate is recorded too (else only new texts are)
     */
    public Match record(String tenant, long[] sig, boolean aliasNearDuplicates) {
        Tenant t = tenants.computeIfAbsent(tenant, k -> new Tenant());
        // one look-up per tenant at a time in this process (the store's row lock orders the instances)
        synchronized (t) {
            Answer[] found = new Answer[1];
            if (shared == null) {
                found[0] = find(t, sig);
                if (found[0] != null && !aliasNearDuplicates) {
                    return new Match(found[0], true);
                }
                long seq = t.seen + 1;
                return new Match(put(t, tenant, seq, found[0] != null ? found[0].cluster : seq, sig), found[0] != null);
            }
            ProbeRecords.Text added = shared.record(tenant, t.seen, sig, PER_TENANT, (last, newer) -> {
                if (last < t.seen) {
                    t.clear(); // the store went back (a restored backup): start over from what it holds
                }
                for (ProbeRecords.Text x : newer) {
                    put(t, tenant, x.seq(), x.cluster(), x.signature());
                }
                found[0] = find(t, sig);
                return found[0] == null ? ProbeRecords.NEW_CLUSTER
                        : aliasNearDuplicates ? found[0].cluster : ProbeRecords.NOTHING;
            });
            if (added == null) {
                return new Match(found[0], true);
            }
            return new Match(put(t, tenant, added.seq(), added.cluster(), added.signature()), found[0] != null);
        }
    }

    private static Answer find(Tenant t, long[] sig) {
        Answer best = null;
        double bestSim = THRESHOLD;
        for (int i = 0; i < PER_TENANT; i++) {
            long[] s = t.sigs[i];
            if (s == null) {
                continue;
            }
            double sim = MinHash.similarity(s, sig);
            if (sim >= bestSim) {
                best = t.answers[i];
                bestSim = sim;
                if (sim == 1.0) {
                    break;
                }
            }
        }
        return best;
    }

    /** Puts text {@code seq} of cluster {@code cluster} into the ring (evicting the one PER_TENANT older); its answer. */
    private Answer put(Tenant t, String tenant, long seq, long cluster, long[] sig) {
        int slot = (int) Math.floorMod(seq, (long) PER_TENANT);
        if (seq <= t.seen) {
            return t.answers[slot]; // already here (a retried read)
        }
        Answer old = t.answers[slot];
        if (old != null && --old.refs == 0) {
            t.clusters.remove(old.cluster);
        }
        Answer a = t.clusters.computeIfAbsent(cluster, c -> new Answer(tenant, c, shared));
        a.refs++;
        t.sigs[slot] = sig;
        t.answers[slot] = a;
        t.seen = seq;
        return a;
    }
}
