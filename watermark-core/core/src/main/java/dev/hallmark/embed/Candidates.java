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
 * <p><b>The fast pass</b> (top-k and/or top-p; temperature alone keeps every weight, so the exact
 * pass runs).
 * <ol>
 *   <li>One pass over the logits ({@link LogitScan}), in chunks that stay in the L1 cache: the
 *       maximum, the <em>candidates</em> (ids whose logit reaches a threshold, found through block
 *       maxima, without {@code exp}) and {@link TailMass}'s vectorised, rigorous bound on the mass of
 *       all the other ids. The threshold starts at a quantile estimated from 1,024 evenly spaced
 *       logits, aiming at 1.5 times the recent nucleus sizes (at least k and a half for top-k),
 *       never below max - 32 t.
 *   <li>Exact weights ({@code Math.exp}, as the exact pass computes them) for the candidates only.
 *       Every other id weighs at most {@code wOut}, the weight of the highest threshold.
 *   <li>Top-k: a quickselect of the k largest keys, then the exact pass's walk over them.
 *       Top-p: {@code T} lies between the candidates' exact sum plus the tail's lower bound and the
 *       same plus the smaller of the tail's upper bound and {@code (V - candidates) * wOut}. A
 *       weighted quickselect ({@link KeyOrder#selectMass}) finds the candidate where the running
 *       sum crosses each end of {@code p * T}'s interval; if both ends fall on the same candidate,
 *       it ends the exact pass's nucleus. Only the few keys around the crossing are sorted.
 *   <li>If the nucleus may reach below the threshold, one more band of candidates is gathered
 *       (2, 4, 8, ... units of (l - max) / t deeper, then every finite logit); if the interval
 *       spans several candidates, the band is gathered and the smaller tail bounded again, in one pass.
 *   <li>A plain draw ({@link #drawToken}) finds the drawn candidate by the same weighted
 *       quickselect on {@code u * sum}; the nucleus is sorted only for the watermark schemes
 *       ({@link #ensureSorted}), which visit the candidates in order.
 * </ol>
 * Exactness rests on facts checked at run time: the candidates contain the whole nucleus (its
 * smallest weight exceeds {@code wOut}); the double sums over the nucleus are exact in any order
 * (every weight is a multiple of the smallest weight's ulp and every partial sum is below 2^53 such
 * ulps), so the exact pass's running sums are known without its sort; the exact pass's gathering
 * rounds would not have stopped before reaching the boundary. When the bounds cannot decide after
 * the deeper passes, or a check fails, the exact pass decides; when a drawn uniform lies within the
 * rounding margin of a boundary of the running sums, the sorted draw decides.
 */
final class Candidates {

    /** Weights below this fraction of the largest can be gathered in later rounds only (exact pass). */
    private static final double[] THRESHOLDS = {1e-2, 1e-4, 1e-7, 1e-12, 0.0};
    /** Soft size of the gathering buffer; the threshold rises when it fills. */
    static final int GATHER_CAP = 8192;
    /** Most ids the first gathering aims at (the nucleus of a flat top-p 0.95 step at V = 151,669: 500-3,000). */
    static final int GATHER_TARGET = 6144;
    /** Deeper gathering passes before the exact pass takes over. */
    private static final int MAX_DEEPER = 5;
    private static final int DONE = 0;
    /** The bounds cannot decide, and gathering deeper would not help: the exact pass decides. */
    private static final int AMBIGUOUS = 1;
    /** The candidates may reach below the threshold: gather deeper (the tail's bound stays valid). */
    private static final int SHORT = 2;
    /** The bounds on the total are too wide: gather deeper and bound the (smaller) tail again. */
    private static final int WIDE = 3;

    private final int vocab;
    /** Relative error bound of a double sum of up to {@code vocab} positive terms, with slack. */
    private final double gamma;
    /** Exact pass: weights[j] is the softmax weight of token liveIds[j]. Fast pass: candidates' logits (scratch). */
    private final float[] weights;
    /** Exact pass: the ids whose logit is not -infinity. Fast pass: the gathered ids (scratch). */
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
    private final LogitScan scanner;

    /**
     * A decaying maximum of the recent fast-pass nucleus sizes: the next gathering aims at 1.5
     * times it. Callers that interleave sequences keep one per sequence and set it before each
     * {@link #compute} (it only steers the cost, never the result).
     */
    int recentSize = 2048;
    /** Whether ids/probs/cdf hold the candidates; if not, order[0..size) holds their keys, unsorted. */
    private boolean sorted;
    /** The double sum of the candidates' weights (the exact pass's {@code cum}). */
    private double nucleusMass;

    // the last scan: maximum, and the largest chunk threshold (every non-candidate logit is below it)
    private float max;
    private float thr;
    // the candidates: their keys in order[0..keys) (weight > 0), how many there are (weight 0
    // included), the sum of their weights
    private int keys;
    private int atOrAbove;
    private double keptSum;

    /** Steps decided by the fast pass / by the exact pass; tail bounds recomputed; deeper passes (tests, benchmarks). */
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
        // one spare entry: the gathering stores past its count without a branch
        this.weights = new float[vocab + 1];
        this.liveIds = new int[vocab + 1];
        this.order = new long[vocab];
        this.ids = new int[vocab];
        this.probs = new double[vocab];
        this.cdf = new double[vocab];
        this.scanner = new LogitScan(vocab);
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
        // aim the first pass at 1.5 times the recent nuclei (consecutive steps look alike; a miss costs
        // one more band pass), and top-k at k and a half
        int target = Math.min(vocab, Math.max(Math.min(GATHER_TARGET, recentSize + recentSize / 2 + 256), k + k / 2));
        // one pass: maximum, candidates, and the bound of the rest
        float start = scanner.startThreshold(logits, offset, target);
        float depth = (float) (-TailMass.X_MIN * cfg.temperature());
        int n = scanner.gather(logits, offset, start, depth, Math.max(GATHER_CAP, target + target / 3), liveIds,
                weights, invT, tail);
        max = scanner.max;
        thr = scanner.thr;
        keys = 0;
        atOrAbove = 0;
        keptSum = 0;
        addWeights(n, invT);
        for (int attempt = 0; ; attempt++) {
            float wOut = (float) Math.exp((thr - max) * invT);
            int r = k > 0 ? topK(k, p, wOut) : topP(p, wOut);
            if (r == DONE) {
                fastSteps++;
                // a decaying maximum of the nucleus sizes: rows of a batch, or steps, differ
                recentSize = Math.max(size, recentSize - recentSize / 8);
                return;
            }
            if (r == AMBIGUOUS) {
                ambiguous++;
                break;
            }
            // the candidates may reach below the threshold, or the tail's bound is too wide: gather
            // deeper, 2, 4, 8, ... units of (l - max) / t further, down to the tail bound's floor,
            // then every finite logit
            if (attempt == MAX_DEEPER || !deeper(logits, offset, invT, cfg.temperature(), 2 << attempt, r == WIDE)) {
                exhausted++;
                break;
            }
        }
        exactSteps++;
        computeExact(logits, offset, cfg);
    }

    /**
     * Adds the ids with logits in [thr - units * t, thr) (not below the tail bound's floor; past
     * it, every finite logit) to the candidates, with their exact weights; bounds the smaller tail
     * again in the same pass if {@code rebound}, else takes their mass out of the tail's bound
     * (which stays valid, as wide as it was). False if every finite logit is already a candidate.
     */
    private boolean deeper(float[] logits, int offset, double invT, double temperature, int units, boolean rebound) {
        float floor = (float) (max + TailMass.X_MIN * temperature);
        float t0 = thr;
        if (!(t0 > -Float.MAX_VALUE)) {
            return false;
        }
        rescans++;
        float t = t0 > floor ? Math.max(floor, (float) (t0 - units * temperature)) : -Float.MAX_VALUE;
        if (rebound) {
            tailBounds++;
        }
        int n = scanner.band(logits, offset, t, liveIds, weights, 0, invT, rebound ? tail : null);
        double before = keptSum;
        addWeights(n, invT);
        if (!rebound) {
            double band = keptSum - before;
            tail.lo = Math.max(0, tail.lo - band * (1 + gamma));
            tail.hi = Math.max(0, tail.hi - band * (1 - gamma));
        }
        thr = scanner.thr;
        return true;
    }

    /**
     * Appends keys with exact weights for the candidates {@code liveIds[0..n)} (logits in
     * {@code weights[0..n)}); weight 0 is left out, as in the exact pass.
     */
    private void addWeights(int n, double invT) {
        int[] idBuf = liveIds;
        float[] valBuf = weights;
        long[] keyArr = order;
        float m = max;
        int g = keys;
        double sum = keptSum;
        for (int q = 0; q < n; q++) {
            float w = (float) Math.exp((valBuf[q] - m) * invT);
            if (w > 0) {
                keyArr[g++] = KeyOrder.key(w, idBuf[q]);
                sum += w;
            }
        }
        keys = g;
        atOrAbove += n;
        keptSum = sum;
    }

    private int topK(int k, double p, float wOut) {
        int keep;
        if (keys >= k) {
            select.selectTop(order, 0, keys, k);
            Arrays.sort(order, 0, k);
            if (!(KeyOrder.weight(order[0]) > wOut)) {
                return SHORT; // an id outside the gathered set may rank in the top k
            }
            keep = k;
        } else {
            if (wOut > 0) {
                return SHORT;
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

    /**
     * Top-p: the total is the candidates' exact sum plus the rest, which lies in the tail's
     * bound and below {@code (V - candidates) * wOut}.
     */
    private int topP(double p, float wOut) {
        double rest = Math.min(tail.hi, (double) (vocab - atOrAbove) * wOut);
        return nucleus(p * (keptSum + tail.lo) * (1 - gamma), p * (keptSum + rest) * (1 + gamma), wOut);
    }

    /**
     * Places the top-p boundary when the exact pass's {@code needMass} is known to lie in
     * [needLo, needHi]: DONE (candidates in order[0..size), unsorted), SHORT (the nucleus may reach
     * beyond the candidates), WIDE (the interval spans several candidates) or AMBIGUOUS.
     */
    private int nucleus(double needLo, double needHi, float wOut) {
        if (!(keptSum * (1 - gamma) >= needHi)) {
            return SHORT;
        }
        KeyOrder s = select;
        s.selectMass(order, 0, keys, needHi);
        if (!(s.base < needLo)) {
            return WIDE; // the interval spans several candidates: a smaller tail narrows it
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
            return WIDE; // the two ends fall on different candidates
        }
        float wb = KeyOrder.weight(order[at]);
        if (!(wb > wOut)) {
            return SHORT;
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
