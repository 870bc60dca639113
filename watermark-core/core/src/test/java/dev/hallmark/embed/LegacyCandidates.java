package dev.hallmark.embed;

import java.util.Arrays;

/**
 * Frozen copy of {@code Candidates} as of commit 0727d74 (before the fast pass): the reference
 * that {@link FastPathEqualityTest} compares the new sampler against, token for token.
 */
final class LegacyCandidates {

    /** Weights below this fraction of the largest can be gathered in later rounds only. */
    private static final double[] THRESHOLDS = {1e-2, 1e-4, 1e-7, 1e-12, 0.0};

    private final int vocab;
    /** weights[j]: softmax weight of token liveIds[j] (the ids whose logit is not -infinity). */
    private final float[] weights;
    private final int[] liveIds;
    private final long[] order;
    final int[] ids;
    final double[] probs;
    /** cdf[j] = probs[0] + ... + probs[j], as {@link #compute} or {@link #set} left them (before any reweighting). */
    private final double[] cdf;
    int size;

    LegacyCandidates(int vocab) {
        this.vocab = vocab;
        this.weights = new float[vocab];
        this.liveIds = new int[vocab];
        this.order = new long[vocab];
        this.ids = new int[vocab];
        this.probs = new double[vocab];
        this.cdf = new double[vocab];
    }

    /** Fills {@link #ids}, {@link #probs} (normalised) and {@link #size} from the logits. */
    void compute(float[] logits, SamplingConfig cfg) {
        if (logits.length < vocab) {
            throw new IllegalArgumentException("logits has " + logits.length + " entries, the vocabulary has " + vocab);
        }
        // one pass over the vocabulary: the maximum, NaN check, and the ids whose logit is not
        // -infinity (models with a partial output layer write -infinity for most of the
        // vocabulary, e.g. 143,477 of 151,669 ids): every later pass reads only those
        float max = Float.NEGATIVE_INFINITY;
        int live = 0;
        for (int i = 0; i < vocab; i++) {
            float l = logits[i];
            if (l > max) {
                max = l;
            } else if (l != l) {
                throw new IllegalArgumentException("logit at index " + i + " is NaN");
            }
            liveIds[live] = i;
            live += l != Float.NEGATIVE_INFINITY ? 1 : 0;
        }
        if (max == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("every logit is -infinity: nothing can be sampled");
        }
        if (max == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("a logit is +infinity");
        }
        double invT = 1.0 / cfg.temperature();
        int k = cfg.topK();
        double p = cfg.topP();
        // the first gathering round is fused with the softmax pass (one pass over the vocabulary
        // instead of two in the common case); later rounds rescan with lower thresholds
        float first = (float) THRESHOLDS[0];
        double total = 0;
        double mass = 0;
        int n = 0;
        // (skipped -infinity entries have weight 0: leaving them out changes no sum)
        for (int j = 0; j < live; j++) {
            int i = liveIds[j];
            float w = (float) Math.exp((logits[i] - max) * invT);
            weights[j] = w;
            total += w;
            if (w > 0 && w >= first) {
                // weights are positive floats: their bit patterns sort like their values
                order[n++] = ((long) Float.floatToRawIntBits(w) << 32) | i;
                mass += w;
            }
        }
        double needMass = p < 1 ? p * total : Double.POSITIVE_INFINITY;
        // top-k needs the whole top-k set (top-p then applies to its renormalised mass);
        // top-p alone needs a prefix holding p of the total mass
        for (int round = 1; round < THRESHOLDS.length && !(k > 0 ? n >= k : mass >= needMass); round++) {
            n = 0;
            mass = 0;
            float t = (float) THRESHOLDS[round];
            for (int j = 0; j < live; j++) {
                float w = weights[j];
                if (w > 0 && w >= t) {
                    order[n++] = ((long) Float.floatToRawIntBits(w) << 32) | liveIds[j];
                    mass += w;
                }
            }
        }
        Arrays.sort(order, 0, n);
        // order is ascending: walk it from the end (most likely first)
        int keep = k > 0 ? Math.min(k, n) : n;
        double limit = needMass;
        if (k > 0 && p < 1) {
            double keptMass = 0;
            for (int j = 0; j < keep; j++) {
                keptMass += Float.intBitsToFloat((int) (order[n - 1 - j] >>> 32));
            }
            limit = p * keptMass;
        }
        double cum = 0;
        int m = 0;
        for (int j = 0; j < keep; j++) {
            long e = order[n - 1 - j];
            float w = Float.intBitsToFloat((int) (e >>> 32));
            ids[m] = (int) e;
            probs[m] = w;
            m++;
            cum += w;
            if (cum >= limit) {
                break;
            }
        }
        double c = 0;
        for (int j = 0; j < m; j++) {
            probs[j] /= cum;
            c += probs[j];
            cdf[j] = c;
        }
        size = m;
    }

    /** Takes a caller's candidate set (ids in the vocabulary, probabilities >= 0, normalised here). */
    void set(int[] candIds, double[] candProbs, int n) {
        if (n < 1 || n > vocab || n > candIds.length || n > candProbs.length) {
            throw new IllegalArgumentException("candidate count " + n + " is not in [1, " + vocab
                    + "] or exceeds the arrays given");
        }
        double total = 0;
        for (int j = 0; j < n; j++) {
            int id = candIds[j];
            double p = candProbs[j];
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("candidate id " + id + " is outside the vocabulary [0, " + vocab + ")");
            }
            if (!(p >= 0) || p == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("candidate probability " + p + " at index " + j + " is not a finite number >= 0");
            }
            ids[j] = id;
            total += p;
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("candidate probabilities are all 0");
        }
        double c = 0;
        for (int j = 0; j < n; j++) {
            probs[j] = candProbs[j] / total;
            c += probs[j];
            cdf[j] = c;
        }
        size = n;
    }

    /**
     * Draws an index from the candidates' probabilities as {@link #compute} left them, by binary
     * search of their running sums: the same index {@link #draw(double, double)} would return
     * for {@code sum = 1} (same sums, same comparisons) in O(log size).
     */
    int drawUnweighted(double u) {
        int lo = 0;
        int hi = size - 1;
        if (!(u < cdf[hi])) {
            return lastPositive();
        }
        // the first j with u < cdf[j]
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (u < cdf[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private int lastPositive() {
        for (int j = size - 1; j >= 0; j--) {
            if (probs[j] > 0) {
                return j;
            }
        }
        return 0;
    }

    /** Draws an index into the candidates from {@code probs[0..size)} (which must sum to {@code sum}). */
    int draw(double u, double sum) {
        double target = u * sum;
        double cum = 0;
        for (int j = 0; j < size; j++) {
            cum += probs[j];
            if (target < cum) {
                return j;
            }
        }
        // rounding: fall back to the last candidate with positive probability
        return lastPositive();
    }
}
