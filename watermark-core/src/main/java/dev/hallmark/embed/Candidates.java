package dev.hallmark.embed;

import java.util.Arrays;

/**
 * The reusable workspace that turns full-vocabulary logits into the candidate set and its
 * probabilities after temperature, top-k and top-p.
 *
 * <p><b>The law and the tokens.</b> The candidates are the (weight, id)-descending prefix of the
 * weights {@code w_i = (float) exp((l_i - max) / t)} that the exact pass ({@link #computeExact})
 * defines: top-k, then the shortest prefix whose double running sum reaches {@code p * T}
 * ({@code T}: the double sum of all weights in index order), probabilities {@code w / sum}, drawn
 * by the running sums of those probabilities. The fast pass produces the same candidates, the same
 * probabilities (bit for bit) and, for the same uniform, the same token; whenever it cannot prove
 * that, it runs the exact pass.
 *
 * <p><b>The fast pass.</b>
 * <ol>
 *   <li>One pass over the logits finds the maximum and gathers the ids whose logit is at least a
 *       threshold, with no {@code exp}: the threshold starts at a quantile estimated from 512
 *       evenly spaced logits (aiming at about {@link #GATHER_CAP} * 3/4 ids), never below
 *       max - 32 t, and rises when the buffer fills.
 *   <li>Exact weights ({@code Math.exp}) for the gathered ids only. Every other id has a weight at
 *       most {@code wOut}, the weight of the threshold.
 *   <li>Top-k: a quickselect of the k largest keys, then the exact walk over them.
 *       Top-p: the total {@code T} is bracketed: the gathered ids' exact sum plus either the crude
 *       bound {@code (V - gathered) * wOut} or {@link TailMass}'s vectorised bound of the rest. A
 *       weighted quickselect ({@link KeyOrder#selectMass}) finds the boundary for both ends of
 *       {@code p * T}'s interval; if they fall on the same candidate, that candidate ends the
 *       nucleus of the exact pass. Only the boundary region is sorted.
 *   <li>A plain draw ({@link #drawToken}) selects the drawn candidate by the same weighted
 *       quickselect on {@code u * sum}; the nucleus is sorted only for the watermark schemes
 *       ({@link #ensureSorted}), which visit the candidates in order.
 * </ol>
 * Exactness rests on two facts checked at run time: the gathered set contains the whole nucleus
 * (its smallest weight exceeds {@code wOut}), and the double sums over the nucleus are exact in any
 * order (every weight is a multiple of the smallest weight's ulp and every partial sum is below
 * 2^53 such ulps), so the exact pass's running sums are known without its sort. Whenever a bound is
 * too wide to decide, a check fails, or a drawn uniform falls within the rounding margin of a
 * boundary, the exact pass (or the sorted draw) decides.
 */
final class Candidates {

    /** Weights below this fraction of the largest can be gathered in later rounds only (exact pass). */
    private static final double[] THRESHOLDS = {1e-2, 1e-4, 1e-7, 1e-12, 0.0};
    /** Soft size of the gathering buffer; the threshold rises when it fills. */
    static final int GATHER_CAP = 4096;
    /** Logits sampled to estimate the starting threshold. */
    private static final int SAMPLES = 512;
    /** Deeper gathering passes before the exact pass takes over. */
    private static final int MAX_DEEPER = 5;
    private static final int DONE = 0;
    /** The bounds cannot decide, and gathering deeper would not help: the exact pass decides. */
    private static final int AMBIGUOUS = 1;
    /** The candidates may reach below the threshold, or the bounds are too wide: gather deeper. */
    private static final int DEEPER = 2;

    private final int vocab;
    /** Relative error bound of a double sum of up to {@code vocab} positive terms, with slack. */
    private final double gamma;
    /** weights[j]: softmax weight of token liveIds[j] (exact pass). */
    private final float[] weights;
    /** Exact pass: the ids whose logit is not -infinity. Fast pass: the gathered ids. */
    private final int[] liveIds;
    /** Keys (weight bits << 32 | id). */
    private final long[] order;
    final int[] ids;
    final double[] probs;
    /** cdf[j] = probs[0] + ... + probs[j], as {@link #ensureSorted} or {@link #set} left them (before any reweighting). */
    private final double[] cdf;
    int size;
    private final TailMass tail = new TailMass();
    private final KeyOrder select = new KeyOrder();
    private final float[] top = new float[SAMPLES];

    /** Whether ids/probs/cdf hold the candidates; if not, order[0..size) holds their keys, unsorted. */
    private boolean sorted;
    /** The double sum of the candidates' weights (the exact pass's {@code cum}). */
    private double nucleusMass;

    // the last scan: maximum, gathering threshold, gathered ids in liveIds[0..gathered)
    private float max;
    private float thr;
    private int gathered;
    // the last exact weights: keys in order[0..keys), ids with logit >= thr, their weight sum
    private int keys;
    private int atOrAbove;
    private double keptSum;

    /** Steps decided by the fast pass / by the exact pass; tail bounds computed; rescans (tests, benchmarks). */
    long fastSteps;
    long exactSteps;
    long tailBounds;
    long rescans;
    long sortedDraws;
    /** Exact passes because the bounds could not decide / because the gathering would go past its floor. */
    long ambiguous;
    long exhausted;

    Candidates(int vocab) {
        this.vocab = vocab;
        this.gamma = 2.0 * (vocab + 16) * 0x1p-53;
        this.weights = new float[vocab];
        this.liveIds = new int[vocab];
        this.order = new long[vocab];
        this.ids = new int[vocab];
        this.probs = new double[vocab];
        this.cdf = new double[vocab];
    }

    /** Fills the candidates (and {@link #size}) from {@code logits[offset .. offset + vocab)}. */
    void compute(float[] logits, int offset, SamplingConfig cfg) {
        if (offset < 0 || offset > logits.length || logits.length - offset < vocab) {
            throw new IllegalArgumentException(offset == 0
                    ? "logits has " + logits.length + " entries, the vocabulary has " + vocab
                    : "logits row at offset " + offset + " needs " + vocab + " entries, the array has " + logits.length);
        }
        int k = cfg.topK();
        double p = cfg.topP();
        if (k == 0 && p >= 1) {
            // every positive weight is a candidate: nothing to skip
            exactSteps++;
            computeExact(logits, offset, cfg);
            return;
        }
        double invT = 1.0 / cfg.temperature();
        // top-k needs at least k gathered ids: aim the first pass there
        int target = Math.min(vocab, Math.max(GATHER_CAP - GATHER_CAP / 4, k + k / 2));
        scan(logits, offset, cfg.temperature(), target);
        exactWeights(logits, offset, invT);
        for (int attempt = 0; ; attempt++) {
            float wOut = (float) Math.exp((thr - max) * invT);
            int r = k > 0 ? topK(k, p, wOut) : topP(logits, offset, invT, p, wOut);
            if (r == DONE) {
                fastSteps++;
                return;
            }
            if (r == AMBIGUOUS) {
                ambiguous++;
                break;
            }
            // the candidates may reach below the threshold, or the tail's bound is too wide: gather
            // deeper, 2, 4, 8, ... units of (l - max) / t further, down to the tail bound's floor,
            // then every finite logit
            if (attempt == MAX_DEEPER || !deeper(logits, offset, invT, cfg.temperature(), 2 << attempt)) {
                exhausted++;
                break;
            }
        }
        exactSteps++;
        computeExact(logits, offset, cfg);
    }

    /**
     * The fast pass's first step: the maximum (with the NaN / infinity checks) and the gathered
     * ids, whose logits are at least {@link #thr}, in one pass without {@code exp}.
     */
    private void scan(float[] logits, int offset, double temperature, int target) {
        int[] buf = liveIds;
        float t = startThreshold(logits, offset, target);
        float depth = (float) (-TailMass.X_MIN * temperature);
        float m = Float.NEGATIVE_INFINITY;
        int n = 0;
        int cap = Math.min(Math.max(GATHER_CAP, target + target / 3), vocab);
        int end = offset + vocab;
        for (int i = offset; i < end; i++) {
            float v = logits[i];
            if (v >= t) {
                if (v > m) {
                    m = v;
                    float d = m - depth;
                    if (d > t) {
                        t = d;
                    }
                }
                if (n == cap) {
                    t = raise(logits, offset, n, t);
                    n = compact(logits, offset, n, t);
                    if (n > cap - cap / 4) {
                        cap = Math.min(vocab, 2 * cap); // ties at the threshold: nothing more can go
                    }
                    if (!(v >= t)) {
                        continue;
                    }
                }
                buf[n++] = i - offset;
            } else if (v != v) {
                throw new IllegalArgumentException("logit at index " + (i - offset) + " is NaN");
            }
        }
        if (m == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("every logit is -infinity: nothing can be sampled");
        }
        if (m == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("a logit is +infinity");
        }
        max = m;
        thr = t;
        gathered = n;
    }

    /**
     * A starting threshold from {@link #SAMPLES} evenly spaced logits: the one whose rank among
     * them predicts about {@code target} ids at or above it (-Float.MAX_VALUE, which only
     * excludes -infinity, for small vocabularies).
     */
    private float startThreshold(float[] logits, int offset, int target) {
        if (vocab < 4 * GATHER_CAP || 4L * target > vocab) {
            return -Float.MAX_VALUE;
        }
        int rank = Math.max(1, (int) ((long) SAMPLES * target / vocab));
        float[] best = top; // best[0..rank) descending
        Arrays.fill(best, 0, rank, Float.NEGATIVE_INFINITY);
        long stride = vocab / SAMPLES;
        for (int s = 0; s < SAMPLES; s++) {
            float v = logits[offset + (int) (s * stride + stride / 2)];
            if (v > best[rank - 1]) {
                int j = rank - 1;
                while (j > 0 && best[j - 1] < v) {
                    best[j] = best[j - 1];
                    j--;
                }
                best[j] = v;
            }
        }
        float t = best[rank - 1];
        return t > -Float.MAX_VALUE && t < Float.POSITIVE_INFINITY ? t : -Float.MAX_VALUE;
    }

    /** A higher threshold: about the lower third of a sample of the buffered logits drops out. */
    private float raise(float[] logits, int offset, int n, float t) {
        float[] s = top;
        int count = 63;
        for (int q = 0; q < count; q++) {
            s[q] = logits[offset + liveIds[(int) ((long) q * n / count)]];
        }
        Arrays.sort(s, 0, count);
        float nt = s[count / 3];
        return nt > t ? nt : t;
    }

    private int compact(float[] logits, int offset, int n, float t) {
        int[] buf = liveIds;
        int kept = 0;
        for (int q = 0; q < n; q++) {
            int j = buf[q];
            buf[kept] = j;
            kept += logits[offset + j] >= t ? 1 : 0;
        }
        return kept;
    }

    /**
     * Adds the ids with logits in [thr - units * t, thr) (not below the tail bound's floor; past
     * it, every finite logit) to the keys, with their exact weights; false if every finite logit
     * is already gathered.
     */
    private boolean deeper(float[] logits, int offset, double invT, double temperature, int units) {
        float floor = (float) (max + TailMass.X_MIN * temperature);
        float t0 = thr;
        if (!(t0 > -Float.MAX_VALUE)) {
            return false;
        }
        rescans++;
        float t = t0 > floor ? Math.max(floor, (float) (t0 - units * temperature)) : -Float.MAX_VALUE;
        long[] keyArr = order;
        float m = max;
        int g = keys;
        int all = atOrAbove;
        double sum = keptSum;
        int end = offset + vocab;
        for (int i = offset; i < end; i++) {
            float l = logits[i];
            if (l >= t && l < t0) {
                all++;
                float w = (float) Math.exp((l - m) * invT);
                if (w > 0) {
                    keyArr[g++] = KeyOrder.key(w, i - offset);
                    sum += w;
                }
            }
        }
        thr = t;
        keys = g;
        atOrAbove = all;
        keptSum = sum;
        return true;
    }

    /** Keys with exact weights for the gathered ids at or above the threshold (weight 0 excluded, as in the exact pass). */
    private void exactWeights(float[] logits, int offset, double invT) {
        int[] buf = liveIds;
        long[] keyArr = order;
        float m = max;
        float t = thr;
        int g = 0;
        int all = 0;
        double sum = 0;
        for (int q = 0; q < gathered; q++) {
            int j = buf[q];
            float l = logits[offset + j];
            if (l >= t) {
                all++;
                float w = (float) Math.exp((l - m) * invT);
                if (w > 0) {
                    keyArr[g++] = KeyOrder.key(w, j);
                    sum += w;
                }
            }
        }
        keys = g;
        atOrAbove = all;
        keptSum = sum;
    }

    private int topK(int k, double p, float wOut) {
        int keep;
        if (keys >= k) {
            select.selectTop(order, 0, keys, k);
            Arrays.sort(order, 0, k);
            if (!(KeyOrder.weight(order[0]) > wOut)) {
                return DEEPER; // an id outside the gathered set may rank in the top k
            }
            keep = k;
        } else {
            if (wOut > 0) {
                return DEEPER;
            }
            Arrays.sort(order, 0, keys); // every positive weight is gathered: all of them are kept
            keep = keys;
        }
        double limit = Double.POSITIVE_INFINITY;
        if (p < 1) {
            double keptMass = 0;
            for (int j = 0; j < keep; j++) {
                keptMass += KeyOrder.weight(order[keep - 1 - j]);
            }
            limit = p * keptMass;
        }
        walkSorted(keep, limit);
        return DONE;
    }

    private int topP(float[] logits, int offset, double invT, double p, float wOut) {
        double crude = (double) (vocab - atOrAbove) * wOut;
        if (p * crude < (1 - p) * keptSum) { // else the crude bound cannot place the boundary inside
            int r = nucleus(p * keptSum * (1 - gamma), p * (keptSum + crude) * (1 + gamma), wOut);
            if (r == DONE) {
                return DONE;
            }
        }
        tailBounds++;
        tail.bound(logits, offset, vocab, max, invT, thr, atOrAbove);
        return nucleus(p * (keptSum + tail.lo) * (1 - gamma), p * (keptSum + tail.hi) * (1 + gamma), wOut);
    }

    /**
     * Places the top-p boundary when the exact pass's {@code needMass} is known to lie in
     * [needLo, needHi]: DONE (candidates in order[0..size), unsorted), AMBIGUOUS, or DEEPER
     * (the nucleus may reach beyond the gathered ids).
     */
    private int nucleus(double needLo, double needHi, float wOut) {
        if (!(keptSum * (1 - gamma) >= needHi)) {
            return DEEPER;
        }
        KeyOrder s = select;
        s.selectMass(order, 0, keys, needHi);
        if (!(s.base < needLo)) {
            return DEEPER; // the interval spans several candidates: a smaller tail narrows it
        }
        double cum = s.base;
        double before = 0;
        int at = -1;
        for (int j = s.hi - 1; j >= s.lo; j--) {
            before = cum;
            cum += KeyOrder.weight(order[j]);
            if (cum >= needLo) {
                at = j;
                break;
            }
        }
        if (at < 0) {
            return AMBIGUOUS; // rounding misled the selection
        }
        if (!(cum >= needHi)) {
            return DEEPER; // the two ends fall on different candidates
        }
        float wb = KeyOrder.weight(order[at]);
        if (!(wb > wOut)) {
            return DEEPER;
        }
        // the sums above are exact (so equal to the exact pass's sorted running sums) when every
        // weight is a multiple of ulp(wb) and every partial sum stays below 2^53 ulp(wb)
        if (wb < Float.MIN_NORMAL || Math.getExponent(cum) - Math.getExponent(wb) > 29) {
            return AMBIGUOUS;
        }
        // the exact pass's rounds must not stop before their threshold reaches wb (their mass is
        // then a sum of weights above wb, i.e. at most `before` up to rounding)
        if (!(before * (1 + gamma) < needLo)) {
            return AMBIGUOUS;
        }
        int m = s.lo + (s.hi - at);
        System.arraycopy(order, at, order, s.lo, s.hi - at);
        size = m;
        nucleusMass = cum;
        sorted = false;
        return DONE;
    }

    /** The exact pass's walk over order[0..keep) sorted ascending (most likely last), up to {@code limit}. */
    private void walkSorted(int keep, double limit) {
        double cum = 0;
        int m = 0;
        for (int j = 0; j < keep; j++) {
            long e = order[keep - 1 - j];
            float w = KeyOrder.weight(e);
            ids[m] = KeyOrder.id(e);
            probs[m] = w;
            m++;
            cum += w;
            if (cum >= limit) {
                break;
            }
        }
        normalise(m, cum);
    }

    private void normalise(int m, double cum) {
        double c = 0;
        for (int j = 0; j < m; j++) {
            probs[j] /= cum;
            c += probs[j];
            cdf[j] = c;
        }
        size = m;
        nucleusMass = cum;
        sorted = true;
    }

    /** Puts the candidates, most likely first, into {@link #ids} / {@link #probs} (the watermark schemes read them). */
    void ensureSorted() {
        if (sorted) {
            return;
        }
        int m = size;
        Arrays.sort(order, 0, m);
        for (int j = 0; j < m; j++) {
            long e = order[m - 1 - j];
            ids[j] = KeyOrder.id(e);
            probs[j] = KeyOrder.weight(e);
        }
        normalise(m, nucleusMass);
    }

    /**
     * The token an unweighted draw with uniform {@code u} gives: {@code ids[drawUnweighted(u)]}
     * after {@link #ensureSorted}. Unsorted candidates are searched by a weighted quickselect on
     * {@code u * sum}; when {@code u} lies within the rounding margin of a boundary, the sorted draw decides.
     */
    int drawToken(double u) {
        if (!sorted) {
            int m = size;
            double sum = nucleusMass;
            KeyOrder s = select;
            s.selectMass(order, 0, m, u * sum);
            double cum = s.base;
            for (int j = s.hi - 1; j >= s.lo; j--) {
                double before = cum;
                cum += KeyOrder.weight(order[j]);
                if (cum > u * sum) {
                    // the exact pass's cdf differs from these exact sums / sum by at most (m + 4) 2^-53
                    double margin = (4.0 * m + 16) * 0x1p-53;
                    if (u >= before / sum + margin && u < cum / sum - margin) {
                        return KeyOrder.id(order[j]);
                    }
                    break;
                }
            }
            sortedDraws++;
            ensureSorted();
        }
        return ids[drawUnweighted(u)];
    }

    /** The exact pass: every live weight, the total in index order, gathering rounds, a sort. */
    private void computeExact(float[] logits, int offset, SamplingConfig cfg) {
        float m = Float.NEGATIVE_INFINITY;
        int live = 0;
        for (int i = 0; i < vocab; i++) {
            float l = logits[offset + i];
            if (l > m) {
                m = l;
            } else if (l != l) {
                throw new IllegalArgumentException("logit at index " + i + " is NaN");
            }
            liveIds[live] = i;
            live += l != Float.NEGATIVE_INFINITY ? 1 : 0;
        }
        if (m == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("every logit is -infinity: nothing can be sampled");
        }
        if (m == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("a logit is +infinity");
        }
        double invT = 1.0 / cfg.temperature();
        int k = cfg.topK();
        double p = cfg.topP();
        // the first gathering round is fused with the softmax pass; later rounds rescan with lower
        // thresholds until the gathered set provably holds the top-k / top-p set
        float first = (float) THRESHOLDS[0];
        double total = 0;
        double mass = 0;
        int n = 0;
        for (int j = 0; j < live; j++) {
            int i = liveIds[j];
            float w = (float) Math.exp((logits[offset + i] - m) * invT);
            weights[j] = w;
            total += w;
            if (w > 0 && w >= first) {
                order[n++] = KeyOrder.key(w, i);
                mass += w;
            }
        }
        double needMass = p < 1 ? p * total : Double.POSITIVE_INFINITY;
        for (int round = 1; round < THRESHOLDS.length && !(k > 0 ? n >= k : mass >= needMass); round++) {
            n = 0;
            mass = 0;
            float t = (float) THRESHOLDS[round];
            for (int j = 0; j < live; j++) {
                float w = weights[j];
                if (w > 0 && w >= t) {
                    order[n++] = KeyOrder.key(w, liveIds[j]);
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
                keptMass += KeyOrder.weight(order[n - 1 - j]);
            }
            limit = p * keptMass;
        }
        // walkSorted reads order[0..keep) from its end: move the top `keep` there
        System.arraycopy(order, n - keep, order, 0, keep);
        walkSorted(keep, limit);
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
        sorted = true;
    }

    /**
     * Draws an index from the sorted candidates' probabilities as {@link #ensureSorted} left them,
     * by binary search of their running sums: the same index {@link #draw(double, double)} would
     * return for {@code sum = 1} (same sums, same comparisons) in O(log size).
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

    /** Draws an index into the sorted candidates from {@code probs[0..size)} (which must sum to {@code sum}). */
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
