package dev.hallmark.service.scan;

import dev.hallmark.service.store.ProbeStore;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

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
 * {@value #PER_TENANT} answers, oldest evicted first. With a {@link ProbeStore} (the server's), the
 * index is shared by every instance on the database: texts, the first p-value of each test of a
 * cluster and the per-token hit counts live in the database, and each instance keeps the
 * signatures in memory, reading the rows other instances added before each lookup. Without one
 * (unit tests), it lives in memory only. Thread-safe.
 */
public final class ProbeIndex {

    /** Entries kept per tenant. */
    public static final int PER_TENANT = 16_384;
    /** The similarity from which a text counts as a near-duplicate of an earlier one. */
    public static final double THRESHOLD = 0.5;
    /** Rows re-read below the newest id seen, for inserts of other instances that committed late. */
    static final int LATE_WINDOW = 256;
    /** Inserts of this instance between two prunings of a tenant's rows in the database. */
    static final int PRUNE_EVERY = 1024;

    /**
     * An earlier answer: per test id (key id, or a keyless scheme's spec), the unadjusted log10 p
     * of the cluster's first text. Shared through the store when the index has one.
     */
    public static final class Answer {
        private final Map<String, Double> log10p = new HashMap<>();
        private final ProbeStore store;
        private final long cluster;

        Answer(ProbeStore store, long cluster) {
            this.store = store;
            this.cluster = cluster;
        }

        /** The earlier text's unadjusted log10 p for a test, or null if that test was not asked then. */
        public synchronized Double get(String testId) {
            Double v = log10p.get(testId);
            if (v == null && store != null) {
                v = store.get(cluster, testId);
                if (v != null) {
                    log10p.put(testId, v);
                }
            }
            return v;
        }

        /** Records a test's unadjusted log10 p (the first value recorded for a test, by any instance, stays). */
        public synchronized double putIfAbsent(String testId, double v) {
            Double known = log10p.get(testId);
            if (known != null) {
                return known;
            }
            double first = store == null ? v : store.putIfAbsent(cluster, testId, v);
            log10p.put(testId, first);
            return first;
        }
    }

    private static final class Ring {
        final long[][] sigs = new long[PER_TENANT][];
        final Answer[] answers = new Answer[PER_TENANT];
        int next;
        int inserted;
    }

    private final ProbeStore store;
    private final Map<String, Ring> tenants = new HashMap<>();
    private final Map<String, Long> hits = new HashMap<>();
    /** Clusters seen, by id (bounded; an evicted one is re-read from the store when met again). */
    private final Map<Long, Answer> clusters = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Answer> e) {
            return size() > 4 * PER_TENANT;
        }
    };
    /** Ids of rows already taken in, at or above {@code newest - LATE_WINDOW}. */
    private final TreeSet<Long> seen = new TreeSet<>();
    private long newest;
    private long nextCluster = -1; // memory-only clusters are named by negative ids

    /** An index in memory only (one process). */
    public ProbeIndex() {
        this(null);
    }

    /** An index shared through {@code store} by every instance on its database (null: memory only). */
    public ProbeIndex(ProbeStore store) {
        this.store = store;
    }

    /**
     * Counts one near-duplicate answer (or withheld scanned document) of an API token.
     *
     * @return whether this count is one to write to the audit log: the 1st, 10th, 100th, ... of
     *     the token (across instances when shared)
     */
    public synchronized boolean hit(String tokenId, long n) {
        long before;
        long after;
        if (store != null) {
            long[] ba = store.hit(tokenId, n);
            before = ba[0];
            after = ba[1];
        } else {
            before = hits.getOrDefault(tokenId, 0L);
            after = before + n;
        }
        hits.put(tokenId, after);
        for (long p = 1; p > 0 && p <= after; p *= 10) {
            if (before < p) {
                return true;
            }
        }
        return false;
    }

    /** The near-duplicate answers of an API token (as of its last hit seen here). */
    public synchronized long hits(String tokenId) {
        return hits.getOrDefault(tokenId, 0L);
    }

    /**
     * The most similar earlier answer of {@code tenant} at or above the threshold, or null.
     *
     * @param sig the text's {@link MinHash#signature}
     */
    public synchronized Answer find(String tenant, long[] sig) {
        sync();
        Ring r = tenants.get(tenant);
        if (r == null) {
            return null;
        }
        Answer best = null;
        double bestSim = THRESHOLD;
        for (int i = 0; i < PER_TENANT; i++) {
            long[] s = r.sigs[i];
            if (s == null) {
                continue;
            }
            double sim = MinHash.similarity(s, sig);
            if (sim >= bestSim) {
                best = r.answers[i];
                bestSim = sim;
                if (sim == 1.0) {
                    break;
                }
            }
        }
        return best;
    }

    /** Records a new answer for {@code tenant} (evicting its oldest when full) and returns it. */
    public synchronized Answer add(String tenant, long[] sig) {
        if (store == null) {
            Answer a = new Answer(null, nextCluster--);
            put(tenant, sig, a);
            return a;
        }
        ProbeStore.Row row = store.insert(tenant, 0, sig);
        Answer a = cluster(row.cluster());
        taken(row.id());
        put(tenant, sig, a);
        pruneSometimes(tenant);
        return a;
    }

    /**
     * Records {@code sig} as one more text of an earlier answer's cluster: a text near-identical to
     * it (but no longer to the first text, after a chain of small edits) still gets that answer.
     */
    public synchronized Answer alias(String tenant, long[] sig, Answer a) {
        if (store != null) {
            ProbeStore.Row row = store.insert(tenant, a.cluster, sig);
            taken(row.id());
            pruneSometimes(tenant);
        }
        put(tenant, sig, a);
        return a;
    }

    private void put(String tenant, long[] sig, Answer a) {
        Ring r = tenants.computeIfAbsent(tenant, t -> new Ring());
        r.sigs[r.next] = sig;
        r.answers[r.next] = a;
        r.next = (r.next + 1) % PER_TENANT;
    }

    private Answer cluster(long id) {
        return clusters.computeIfAbsent(id, c -> new Answer(store, c));
    }

    /** Takes in the rows other instances added since the last look (and late commits just below). */
    private void sync() {
        if (store == null) {
            return;
        }
        while (true) {
            long from = Math.max(0, newest - LATE_WINDOW);
            java.util.List<ProbeStore.Row> rows = store.since(from, 4096);
            int fresh = 0;
            for (ProbeStore.Row row : rows) {
                if (!seen.contains(row.id())) {
                    taken(row.id());
                    put(row.tenant(), row.signature(), cluster(row.cluster()));
                    fresh++;
                }
            }
            if (rows.size() < 4096 || fresh == 0) {
                return;
            }
        }
    }

    private void taken(long id) {
        seen.add(id);
        newest = Math.max(newest, id);
        seen.headSet(newest - LATE_WINDOW).clear();
    }

    private void pruneSometimes(String tenant) {
        Ring r = tenants.get(tenant);
        if (++r.inserted % PRUNE_EVERY == 0) {
            store.prune(tenant, PER_TENANT);
        }
    }
}
