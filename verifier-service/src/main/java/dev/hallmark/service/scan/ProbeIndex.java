package dev.hallmark.service.scan;

import java.util.HashMap;
import java.util.Map;

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
 * {@value #PER_TENANT} answers, oldest evicted first. In memory only: a restart forgets it (see
 * docs/threat-model.md). Thread-safe.
 */
public final class ProbeIndex {

    /** Entries kept per tenant. */
    public static final int PER_TENANT = 16_384;
    /** The similarity from which a text counts as a near-duplicate of an earlier one. */
    public static final double THRESHOLD = 0.5;

    /** An earlier answer: per test id (key id, or a keyless scheme's spec), the unadjusted log10 p. */
    public static final class Answer {
        private final Map<String, Double> log10p = new HashMap<>();

        /** The earlier text's unadjusted log10 p for a test, or null if that test was not asked then. */
        public synchronized Double get(String testId) {
            return log10p.get(testId);
        }

        /** Records a test's unadjusted log10 p (the first value recorded for a test stays). */
        public synchronized double putIfAbsent(String testId, double v) {
            return log10p.computeIfAbsent(testId, k -> v);
        }
    }

    private static final class Ring {
        final long[][] sigs = new long[PER_TENANT][];
        final Answer[] answers = new Answer[PER_TENANT];
        int next;
    }

    private final Map<String, Ring> tenants = new HashMap<>();
    private final Map<String, Long> hits = new HashMap<>();

    /**
     * Counts one near-duplicate answer (or withheld scanned document) of an API token.
     *
     * @return whether this count is one to write to the audit log: the 1st, 10th, 100th, ... of
     *     the token since the start (a probing pattern, without flooding the log)
     */
    public synchronized boolean hit(String tokenId, long n) {
        long before = hits.getOrDefault(tokenId, 0L);
        long after = before + n;
        hits.put(tokenId, after);
        for (long p = 1; p > 0 && p <= after; p *= 10) {
            if (before < p) {
                return true;
            }
        }
        return false;
    }

    /** The near-duplicate answers of an API token since the start. */
    public synchronized long hits(String tokenId) {
        return hits.getOrDefault(tokenId, 0L);
    }

    /**
     * The most similar earlier answer of {@code tenant} at or above the threshold, or null.
     *
     * @param sig the text's {@link MinHash#signature}
     */
    public synchronized Answer find(String tenant, long[] sig) {
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
        return alias(tenant, sig, new Answer());
    }

    /**
     * Records {@code sig} as one more text of an earlier answer's cluster: a text near-identical to
     * it (but no longer to the first text, after a chain of small edits) still gets that answer.
     */
    public synchronized Answer alias(String tenant, long[] sig, Answer a) {
        Ring r = tenants.computeIfAbsent(tenant, t -> new Ring());
        r.sigs[r.next] = sig;
        r.answers[r.next] = a;
        r.next = (r.next + 1) % PER_TENANT;
        return a;
    }
}
