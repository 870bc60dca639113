package dev.hallmark.tools.bench;

import dev.hallmark.embed.SamplingConfig;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The plain sampling step as {@code WatermarkSampler.plain(...).next(...)} computed it before the
 * fast pass (commit 0727d74, {@code Candidates.compute} and the binary-search draw), kept here
 * unchanged as the same-run baseline of {@link PlainStepBench}: exp over every live logit, gathering
 * rounds, a sort of the gathered set, the walk to top-p, the draw.
 */
final class BaselineSampler {

    private static final double[] THRESHOLDS = {1e-2, 1e-4, 1e-7, 1e-12, 0.0};

    private final int vocab;
    private final SamplingConfig cfg;
    private final float[] weights;
    private final int[] liveIds;
    private final long[] order;
    private final int[] ids;
    private final double[] probs;
    private final double[] cdf;
    private int size;

    BaselineSampler(SamplingConfig cfg, int vocab) {
        this.cfg = cfg;
        this.vocab = vocab;
        this.weights = new float[vocab];
        this.liveIds = new int[vocab];
        this.order = new long[vocab];
        this.ids = new int[vocab];
        this.probs = new double[vocab];
        this.cdf = new double[vocab];
    }

    int next(float[] logits, int offset, RandomGenerator random) {
        compute(logits, offset);
        return ids[drawUnweighted(random.nextDouble())];
    }

    private void compute(float[] logits, int offset) {
        float max = Float.NEGATIVE_INFINITY;
        int live = 0;
        for (int i = 0; i < vocab; i++) {
            float l = logits[offset + i];
            if (l > max) {
                max = l;
            } else if (l != l) {
                throw new IllegalArgumentException("logit at index " + i + " is NaN");
            }
            liveIds[live] = i;
            live += l != Float.NEGATIVE_INFINITY ? 1 : 0;
        }
        if (max == Float.NEGATIVE_INFINITY || max == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("bad logits");
        }
        double invT = 1.0 / cfg.temperature();
        int k = cfg.topK();
        double p = cfg.topP();
        float first = (float) THRESHOLDS[0];
        double total = 0;
        double mass = 0;
        int n = 0;
        for (int j = 0; j < live; j++) {
            int i = liveIds[j];
            float w = (float) Math.exp((logits[offset + i] - max) * invT);
            weights[j] = w;
            total += w;
            if (w > 0 && w >= first) {
                order[n++] = ((long) Float.floatToRawIntBits(w) << 32) | i;
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
                    order[n++] = ((long) Float.floatToRawIntBits(w) << 32) | liveIds[j];
                    mass += w;
                }
            }
        }
        Arrays.sort(order, 0, n);
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

    private int drawUnweighted(double u) {
        int lo = 0;
        int hi = size - 1;
        if (!(u < cdf[hi])) {
            for (int j = size - 1; j >= 0; j--) {
                if (probs[j] > 0) {
                    return j;
                }
            }
            return 0;
        }
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
}
