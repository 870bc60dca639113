package dev.hallmark.embed;

import java.util.Arrays;

/**
 * The passes over a row of logits: in one pass, the maximum, the candidate ids (logit at least a
 * threshold) with their logits, and the {@link TailMass} bound of everything else; and, when
 * needed, a pass that gathers one more band of candidates, or bounds the rest again.
 *
 * <p>The row is read in chunks of {@link #CHUNK} logits copied to a small array, so the work on a
 * chunk runs while it sits in the L1 cache and each logit leaves memory once per pass. Per chunk,
 * halving steps of element-wise maxima (which the JIT vectorises) give the maxima of 512 blocks of
 * 8 logits (block j: positions j, j + 512, ..., j + 3584) and of the chunk; only the blocks whose
 * maximum reaches the threshold are read one logit at a time.
 *
 * <p>Thresholds are per chunk: a chunk is gathered at the threshold in force when it is read (it
 * rises with the running maximum, never below {@code max - depth}, and when more candidates than
 * the cap have been gathered), so "candidate" means a logit at least its chunk's threshold, and
 * every other logit is below the largest threshold {@link #thr}.
 */
final class LogitScan {

    static final int CHUNK = TailMass.CHUNK;
    private static final int BLOCKS = 512;
    /** Logits sampled to estimate the starting threshold. */
    private static final int SAMPLES = 1024;

    private final int vocab;
    private final float[] in = new float[CHUNK];
    private final float[] blockMax = new float[CHUNK / 2];
    private final float[] top = new float[SAMPLES];
    private final int[] flagged = new int[BLOCKS];
    /** Per chunk: the gathering threshold, and how many candidates it gave. */
    private final float[] chunkThr;
    private final int[] chunkCount;

    /** After {@link #gather}: the row's maximum. */
    float max;
    /** The largest chunk threshold: every logit below its chunk's threshold is below it. */
    float thr;

    LogitScan(int vocab) {
        this.vocab = vocab;
        int chunks = (vocab + CHUNK - 1) / CHUNK;
        this.chunkThr = new float[chunks];
        this.chunkCount = new int[chunks];
    }

    /**
     * A starting threshold from {@link #SAMPLES} logits in 64 evenly spaced runs of 16 (64 cache
     * lines, not 1,024 scattered reads): the one whose rank among them predicts about
     * {@code target} ids at or above it; {@code -Float.MAX_VALUE} (which only excludes -infinity)
     * for small vocabularies or when the sample says nothing.
     */
    float startThreshold(float[] logits, int offset, int target) {
        if (vocab < 2 * SAMPLES || 4L * target > vocab) {
            return -Float.MAX_VALUE; // small vocabularies: gathering everything costs little
        }
        int rank = Math.max(1, (int) ((long) SAMPLES * target / vocab));
        float[] best = top; // best[0..rank) descending
        Arrays.fill(best, 0, rank, Float.NEGATIVE_INFINITY);
        int runs = SAMPLES / 16;
        long stride = (vocab - 16) / runs;
        for (int g = 0; g < runs; g++) {
            int from = offset + (int) (g * stride + stride / 2);
            for (int i = from; i < from + 16; i++) {
                float v = logits[i];
                if (v > best[rank - 1]) {
                    int j = rank - 1;
                    while (j > 0 && best[j - 1] < v) {
                        best[j] = best[j - 1];
                        j--;
                    }
                    best[j] = v;
                }
            }
        }
        float t = best[rank - 1];
        return t > -Float.MAX_VALUE && t < Float.POSITIVE_INFINITY ? t : -Float.MAX_VALUE;
    }

    /**
     * The first pass: finds the maximum (throwing on NaN, +infinity, or every logit -infinity),
     * writes the candidates into {@code ids} / {@code vals} (id, logit) and returns their number;
     * the thresholds start at {@code start}, stay at least {@code max - depth} and rise (for the
     * chunks after) once more than {@code cap} candidates are gathered. Adds every chunk to
     * {@code tail} (begun and finished here).
     */
    int gather(float[] logits, int offset, float start, float depth, int cap, int[] ids, float[] vals,
            double invT, TailMass tail) {
        float t = start;
        float m = Float.NEGATIVE_INFINITY;
        int n = 0;
        int limit = Math.min(cap, vocab);
        float[] x = in;
        float[] bm = blockMax;
        tail.begin(invT);
        for (int c = 0, chunk = 0; c < vocab; c += CHUNK, chunk++) {
            float cm = load(logits, offset + c, Math.min(CHUNK, vocab - c));
            if (cm != cm) {
                throw new IllegalArgumentException("logit at index " + (c + firstNaN()) + " is NaN");
            }
            if (cm > m) {
                m = cm;
                float d = m - depth;
                if (d > t) {
                    t = d;
                }
            }
            int before = n;
            if (cm >= t) {
                n = collect(c, t, Float.POSITIVE_INFINITY, ids, vals, n);
            }
            chunkThr[chunk] = t;
            chunkCount[chunk] = n - before;
            if (m > Float.NEGATIVE_INFINITY && m < Float.POSITIVE_INFINITY) {
                if (n == before && (cm - m) * invT < TailMass.X_MIN) {
                    tail.skip(); // e.g. the -infinity part of a partial output layer
                } else {
                    tail.add(x, m, t, n - before);
                }
            }
            if (n > limit && n < vocab) {
                t = raise(vals, n, t);
                limit = Math.min(vocab, limit + limit / 2);
            }
        }
        if (m == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("every logit is -infinity: nothing can be sampled");
        }
        if (m == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("a logit is +infinity");
        }
        tail.finish();
        max = m;
        thr = t;
        return n;
    }

    /**
     * A later pass: appends to {@code ids} / {@code vals} from index {@code n} the ids whose logit
     * lies in [lo, its chunk's threshold), lowers every chunk's threshold to at most {@code lo},
     * and returns the new count. With a {@code tail}, bounds the mass below the new thresholds
     * again in the same pass.
     */
    int band(float[] logits, int offset, float lo, int[] ids, float[] vals, int n, double invT, TailMass tail) {
        float newThr = Float.NEGATIVE_INFINITY;
        if (tail != null) {
            tail.begin(invT);
        }
        for (int c = 0, chunk = 0; c < vocab; c += CHUNK, chunk++) {
            float hi = chunkThr[chunk];
            int before = n;
            float cm = Float.NEGATIVE_INFINITY;
            if (lo < hi || tail != null) {
                cm = load(logits, offset + c, Math.min(CHUNK, vocab - c));
                if (lo < hi) {
                    if (cm >= lo) {
                        n = collect(c, lo, hi, ids, vals, n);
                    }
                    chunkThr[chunk] = lo;
                }
            }
            chunkCount[chunk] += n - before;
            if (tail != null) {
                if (chunkCount[chunk] == 0 && (cm - max) * invT < TailMass.X_MIN) {
                    tail.skip();
                } else {
                    tail.add(in, max, chunkThr[chunk], chunkCount[chunk]);
                }
            }
            newThr = Math.max(newThr, chunkThr[chunk]);
        }
        if (tail != null) {
            tail.finish();
        }
        thr = newThr;
        return n;
    }

    /**
     * Appends the ids (chunk start + position) of the loaded chunk's logits in [lo, hi): the
     * blocks whose maximum reaches lo, then their logits, both without branches on the data (the
     * stores past the count are overwritten; the arrays have one spare entry).
     */
    private int collect(int c, float lo, float hi, int[] ids, float[] vals, int n) {
        float[] x = in;
        float[] bm = blockMax;
        int[] fl = flagged;
        int nb = 0;
        for (int j = 0; j < BLOCKS; j++) {
            fl[nb] = j;
            nb += bm[j] >= lo ? 1 : 0;
        }
        if (hi == Float.POSITIVE_INFINITY) {
            for (int b = 0; b < nb; b++) {
                for (int q = fl[b]; q < CHUNK; q += BLOCKS) {
                    float v = x[q];
                    ids[n] = c + q;
                    vals[n] = v;
                    n += v >= lo ? 1 : 0;
                }
            }
        } else {
            for (int b = 0; b < nb; b++) {
                for (int q = fl[b]; q < CHUNK; q += BLOCKS) {
                    float v = x[q];
                    ids[n] = c + q;
                    vals[n] = v;
                    n += (v >= lo ? 1 : 0) & (v < hi ? 1 : 0);
                }
            }
        }
        return n;
    }

    /**
     * Copies a chunk (padding with -infinity), computes its block maxima and returns its maximum
     * (NaN if it holds a NaN).
     */
    private float load(float[] logits, int from, int len) {
        float[] x = in;
        float[] bm = blockMax;
        System.arraycopy(logits, from, x, 0, len);
        if (len < CHUNK) {
            Arrays.fill(x, len, CHUNK, Float.NEGATIVE_INFINITY);
        }
        for (int i = 0; i < 2048; i++) {
            bm[i] = Math.max(x[i], x[i + 2048]);
        }
        for (int i = 0; i < 1024; i++) {
            bm[i] = Math.max(bm[i], bm[i + 1024]);
        }
        for (int i = 0; i < 512; i++) {
            bm[i] = Math.max(bm[i], bm[i + 512]);
        }
        // the chunk maximum from the block maxima, in the upper half of bm (kept intact below 512)
        for (int i = 0; i < 256; i++) {
            bm[1024 + i] = Math.max(bm[i], bm[i + 256]);
        }
        for (int i = 0; i < 128; i++) {
            bm[1024 + i] = Math.max(bm[1024 + i], bm[1024 + i + 128]);
        }
        for (int i = 0; i < 64; i++) {
            bm[1024 + i] = Math.max(bm[1024 + i], bm[1024 + i + 64]);
        }
        float cm = bm[1024];
        for (int i = 1; i < 64; i++) {
            cm = Math.max(cm, bm[1024 + i]);
        }
        return cm;
    }

    private int firstNaN() {
        for (int q = 0; q < CHUNK; q++) {
            if (in[q] != in[q]) {
                return q;
            }
        }
        throw new IllegalStateException("no NaN in the chunk");
    }

    /** A higher threshold for the chunks still to come: about the lower third of a sample of the candidates' logits. */
    private float raise(float[] vals, int n, float t) {
        float[] s = top;
        int count = 63;
        for (int q = 0; q < count; q++) {
            s[q] = vals[(int) ((long) q * n / count)];
        }
        Arrays.sort(s, 0, count);
        float nt = s[count / 3];
        return nt > t ? nt : t;
    }
}
