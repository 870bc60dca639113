package dev.hallmark.tools.distill;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * An interpolated Witten-Bell n-gram language model over token ids (order 1 to 3), fitted by
 * counting and sampled exactly: the fast "student" of the distillation experiment.
 *
 * <p>Model. With c(h) the count of context h, u(h) its number of distinct continuations and
 * lambda(h) = c(h) / (c(h) + u(h)) (Witten and Bell 1991; Chen and Goodman 1998, sec. 2.5):
 * <pre>
 *   P_1(x)        = c(x) / N                                   (maximum likelihood unigram)
 *   P_k(x | h_k)  = lambda(h_k) c(h_k x) / c(h_k) + (1 - lambda(h_k)) P_{k-1}(x | h_{k-1})
 * </pre>
 * where h_k is the last k-1 tokens; an unseen context has lambda = 0. Every document is padded
 * on the left with order-1 begin symbols, so document starts have their own contexts.
 *
 * <p>Sampling draws from exactly that mixture: at the highest order, with probability lambda(h)
 * draw from the context's continuation counts, otherwise back off one order; the unigram level
 * ends the chain. Each draw is a binary search over cumulative counts: O(order * log n).
 *
 * <p>Storage: per order, the (context, next) pairs packed into longs (20 bits per id), sorted
 * and run-length encoded into rows (context -> continuation ids and cumulative counts). Token ids
 * must be in [0, 2^20 - 1). Immutable and thread-safe after {@link #fit}.
 */
public final class NgramModel {

    /** Bits per packed id. */
    static final int BITS = 20;
    private static final long MASK = (1L << BITS) - 1;

    private final int order;
    private final int vocab;
    private final int begin;
    private final long tokens;
    private final int[] uniIds;
    private final long[] uniCum;
    private final Level[] levels;

    /** One order k >= 2: rows of continuations for each distinct (k-1)-token context. */
    private record Level(long[] contexts, int[] start, int[] next, long[] cum) {
        int row(long ctx) {
            return Arrays.binarySearch(contexts, ctx);
        }
    }

    private NgramModel(int order, int vocab, long tokens, int[] uniIds, long[] uniCum, Level[] levels) {
        this.order = order;
        this.vocab = vocab;
        this.begin = vocab; // the begin symbol: one past the last real id
        this.tokens = tokens;
        this.uniIds = uniIds;
        this.uniCum = uniCum;
        this.levels = levels;
    }

    /**
     * Fits the model.
     *
     * @param docs token id sequences; each is a separate document
     * @param vocab vocabulary size: every id must be in [0, vocab), vocab < 2^20 - 1
     * @param order 1 (unigram), 2 (bigram) or 3 (trigram)
     * @throws IllegalArgumentException on an id out of range, an invalid order, or no tokens
     */
    public static NgramModel fit(List<int[]> docs, int vocab, int order) {
        Objects.requireNonNull(docs, "docs");
        if (order < 1 || order > 3) {
            throw new IllegalArgumentException("n-gram order must be 1, 2 or 3, got " + order);
        }
        if (vocab < 1 || vocab >= (1 << BITS) - 1) {
            throw new IllegalArgumentException("vocabulary size must be in [1, " + ((1 << BITS) - 2) + "], got " + vocab);
        }
        long n = 0;
        long[] uni = new long[vocab];
        for (int[] d : docs) {
            for (int x : d) {
                if (x < 0 || x >= vocab) {
                    throw new IllegalArgumentException("token id " + x + " outside the vocabulary [0, " + vocab + ")");
                }
                uni[x]++;
            }
            n += d.length;
        }
        if (n == 0) {
            throw new IllegalArgumentException("cannot fit an n-gram model on no tokens");
        }
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("too many tokens for one n-gram model: " + n);
        }
        int seen = 0;
        for (long c : uni) {
            seen += c > 0 ? 1 : 0;
        }
        int[] uniIds = new int[seen];
        long[] uniCum = new long[seen];
        long cum = 0;
        for (int x = 0, j = 0; x < vocab; x++) {
            if (uni[x] > 0) {
                cum += uni[x];
                uniIds[j] = x;
                uniCum[j++] = cum;
            }
        }
        Level[] levels = new Level[order - 1];
        for (int k = 2; k <= order; k++) {
            levels[k - 2] = level(docs, vocab, order, k, (int) n);
        }
        return new NgramModel(order, vocab, n, uniIds, uniCum, levels);
    }

    private static Level level(List<int[]> docs, int vocab, int order, int k, int n) {
        long[] keys = new long[n];
        int p = 0;
        for (int[] d : docs) {
            for (int t = 0; t < d.length; t++) {
                keys[p++] = (context(d, t, k - 1, vocab) << BITS) | d[t];
            }
        }
        Arrays.sort(keys);
        // rows: distinct contexts; within a row, distinct continuations with cumulative counts
        int distinctPairs = 0;
        int distinctContexts = 0;
        for (int i = 0; i < n; i++) {
            if (i == 0 || keys[i] != keys[i - 1]) {
                distinctPairs++;
                if (i == 0 || (keys[i] >>> BITS) != (keys[i - 1] >>> BITS)) {
                    distinctContexts++;
                }
            }
        }
        long[] contexts = new long[distinctContexts];
        int[] start = new int[distinctContexts + 1];
        int[] next = new int[distinctPairs];
        long[] cum = new long[distinctPairs];
        int row = -1;
        int pair = -1;
        long rowCum = 0;
        for (int i = 0; i < n; i++) {
            long ctx = keys[i] >>> BITS;
            if (row < 0 || ctx != contexts[row]) {
                row++;
                contexts[row] = ctx;
                start[row] = pair + 1;
                rowCum = 0;
            }
            if (i == 0 || keys[i] != keys[i - 1]) {
                pair++;
                next[pair] = (int) (keys[i] & MASK);
            }
            rowCum++;
            cum[pair] = rowCum;
        }
        start[distinctContexts] = distinctPairs;
        return new Level(contexts, start, next, cum);
    }

    /** The packed context of the {@code len} ids before position {@code t} (begin symbols before 0). */
    private static long context(int[] ids, int t, int len, int begin) {
        long c = 0;
        for (int j = t - len; j < t; j++) {
            c = (c << BITS) | (j < 0 ? begin : ids[j]);
        }
        return c;
    }

    public int order() {
        return order;
    }

    public int vocabularySize() {
        return vocab;
    }

    /** Training tokens. */
    public long tokens() {
        return tokens;
    }

    /** Distinct contexts of order k (2 <= k <= order). */
    public int contexts(int k) {
        return levels[k - 2].contexts.length;
    }

    /**
     * Samples the token following {@code history[0..len)} (the last order-1 ids are used; missing
     * ones are begin symbols, as at a document start).
     */
    public int next(int[] history, int len, RandomGenerator random) {
        for (int k = order; k >= 2; k--) {
            Level lv = levels[k - 2];
            int r = lv.row(context(history, len, k - 1, begin));
            if (r < 0) {
                continue;
            }
            int from = lv.start[r];
            int to = lv.start[r + 1];
            long c = lv.cum[to - 1];
            int u = to - from;
            // lambda = c / (c + u): continue at this order with that probability
            if (random.nextLong(c + u) < c) {
                return lv.next[drawRow(lv.cum, from, to, random.nextLong(c))];
            }
        }
        return uniIds[drawRow(uniCum, 0, uniCum.length, random.nextLong(uniCum[uniCum.length - 1]))];
    }

    /** The first index j in [from, to) with cum[j] > target (cum is strictly increasing there). */
    private static int drawRow(long[] cum, int from, int to, long target) {
        int lo = from;
        int hi = to - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cum[mid] > target) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * Generates {@code count} tokens after {@code prompt} (used only as context).
     *
     * @return the new tokens only
     */
    public int[] generate(int[] prompt, int count, RandomGenerator random) {
        int[] buf = Arrays.copyOf(prompt, prompt.length + count);
        for (int t = prompt.length; t < buf.length; t++) {
            buf[t] = next(buf, t, random);
        }
        return Arrays.copyOfRange(buf, prompt.length, buf.length);
    }

    /**
     * The model's full next-token distribution after {@code history[0..len)}, written into
     * {@code probs[0..vocab)}: O(vocab + row lengths). For the n-gram teacher adapter and tests.
     */
    public void distribution(int[] history, int len, double[] probs) {
        if (probs.length < vocab) {
            throw new IllegalArgumentException("probability buffer " + probs.length + " < vocabulary " + vocab);
        }
        Arrays.fill(probs, 0, vocab, 0.0);
        double total = uniCum[uniCum.length - 1];
        long prev = 0;
        for (int j = 0; j < uniIds.length; j++) {
            probs[uniIds[j]] = (uniCum[j] - prev) / total;
            prev = uniCum[j];
        }
        for (int k = 2; k <= order; k++) {
            Level lv = levels[k - 2];
            int r = lv.row(context(history, len, k - 1, begin));
            if (r < 0) {
                continue;
            }
            int from = lv.start[r];
            int to = lv.start[r + 1];
            double c = lv.cum[to - 1];
            double lambda = c / (c + (to - from));
            for (int x = 0; x < vocab; x++) {
                probs[x] *= 1 - lambda;
            }
            long before = 0;
            for (int j = from; j < to; j++) {
                probs[lv.next[j]] += lambda * (lv.cum[j] - before) / c;
                before = lv.cum[j];
            }
        }
    }

    /**
     * {@code P(x | history[0..len))}, the same number as {@code distribution(...)[x]}, in
     * O(order log row) without touching the vocabulary (rows are sorted by next id).
     */
    public double prob(int[] history, int len, int x) {
        if (x < 0 || x >= vocab) {
            return 0;
        }
        double total = uniCum[uniCum.length - 1];
        int u = Arrays.binarySearch(uniIds, x);
        double p = u < 0 ? 0 : (uniCum[u] - (u == 0 ? 0 : uniCum[u - 1])) / total;
        for (int k = 2; k <= order; k++) {
            Level lv = levels[k - 2];
            int r = lv.row(context(history, len, k - 1, begin));
            if (r < 0) {
                continue;
            }
            int from = lv.start[r];
            int to = lv.start[r + 1];
            double c = lv.cum[to - 1];
            double lambda = c / (c + (to - from));
            int j = Arrays.binarySearch(lv.next, from, to, x);
            double row = j < 0 ? 0 : (lv.cum[j] - (j == from ? 0 : lv.cum[j - 1])) / c;
            p = (1 - lambda) * p + lambda * row;
        }
        return p;
    }

    /**
     * The top-p nucleus of {@link #distribution} without touching the whole vocabulary: the
     * smallest set of most likely ids whose probability reaches {@code topP} (all of them for
     * {@code topP >= 1}), most likely first, written to {@code ids}/{@code probs} (unnormalised: the
     * model's own probabilities). Ids outside every row of the history have probability
     * {@code c * P_uni(x)} for one constant c, so their order is the unigram order, fixed in advance;
     * the nucleus is a merge of the (few) row ids with that list: O(nucleus + rows), not O(vocab).
     * Not thread-safe: one {@link Nucleus} per thread.
     *
     * @return the number of ids written
     */
    public int nucleus(int[] history, int len, double topP, Nucleus scratch, int[] ids, double[] probs) {
        double total = uniCum[uniCum.length - 1];
        double uniCoef = 1;
        int touched = 0;
        for (int k = 2; k <= order; k++) {
            Level lv = levels[k - 2];
            int r = lv.row(context(history, len, k - 1, begin));
            if (r < 0) {
                continue;
            }
            int from = lv.start[r];
            int to = lv.start[r + 1];
            double c = lv.cum[to - 1];
            double lambda = c / (c + (to - from));
            // everything so far is scaled by (1 - lambda), then this row is added with weight lambda
            uniCoef *= 1 - lambda;
            for (int j = 0; j < touched; j++) {
                scratch.acc[scratch.touched[j]] *= 1 - lambda;
            }
            long before = 0;
            for (int j = from; j < to; j++) {
                int x = lv.next[j];
                if (!scratch.mark[x]) {
                    scratch.mark[x] = true;
                    scratch.acc[x] = 0;
                    scratch.touched[touched++] = x;
                }
                scratch.acc[x] += lambda * (lv.cum[j] - before) / c;
                before = lv.cum[j];
            }
        }
        long[] order = scratch.order;
        for (int j = 0; j < touched; j++) {
            int x = scratch.touched[j];
            double p = scratch.acc[x] + uniCoef * scratch.uni[x] / total;
            scratch.acc[x] = p;
            order[j] = ((long) Float.floatToRawIntBits((float) p) << 32) | x;
        }
        Arrays.sort(order, 0, touched);
        int a = touched - 1;
        int b = 0;
        double cum = 0;
        int m = 0;
        int[] byFreq = scratch.byFreq;
        while (a >= 0 || b < byFreq.length) {
            while (b < byFreq.length && scratch.mark[byFreq[b]]) {
                b++;
            }
            double pa = a >= 0 ? scratch.acc[(int) order[a]] : -1;
            double pb = b < byFreq.length ? uniCoef * scratch.uni[byFreq[b]] / total : -1;
            if (pa < 0 && pb < 0) {
                break;
            }
            int x;
            double p;
            if (pa >= pb) {
                x = (int) order[a--];
                p = pa;
            } else {
                x = byFreq[b++];
                p = pb;
            }
            if (p <= 0) {
                break;
            }
            ids[m] = x;
            probs[m++] = p;
            cum += p;
            if (cum >= topP) {
                break;
            }
        }
        for (int j = 0; j < touched; j++) {
            scratch.mark[scratch.touched[j]] = false;
        }
        return m;
    }

    /** Scratch buffers of {@link #nucleus} (one per thread), and the output arrays' needed size. */
    public Nucleus newNucleus() {
        return new Nucleus();
    }

    /** Per-thread buffers for {@link #nucleus}. */
    public final class Nucleus {
        final double[] acc = new double[vocab];
        final boolean[] mark = new boolean[vocab];
        final int[] touched = new int[vocab];
        final long[] order = new long[vocab];
        final long[] uni = new long[vocab];
        final int[] byFreq;

        private Nucleus() {
            long prev = 0;
            for (int j = 0; j < uniIds.length; j++) {
                uni[uniIds[j]] = uniCum[j] - prev;
                prev = uniCum[j];
            }
            Integer[] o = new Integer[uniIds.length];
            for (int j = 0; j < o.length; j++) {
                o[j] = uniIds[j];
            }
            // most frequent first; ties by id (any order gives the same law)
            Arrays.sort(o, (x, y) -> uni[x] != uni[y] ? Long.compare(uni[y], uni[x]) : Integer.compare(x, y));
            byFreq = new int[o.length];
            for (int j = 0; j < o.length; j++) {
                byFreq[j] = o[j];
            }
        }

        /** The largest nucleus: every id the model can emit. */
        public int capacity() {
            return byFreq.length;
        }
    }
}
