package dev.hallmark.embed;

/**
 * Rigorous bounds on the softmax mass outside the gathered candidates, without one
 * {@code Math.exp} per vocabulary entry.
 *
 * <p>The exact nucleus needs the total {@code T = sum_j w_j} of the weights
 * {@code w_j = (float) exp((l_j - max) / t)} over the whole vocabulary, summed in index order in
 * double precision. The candidates have their exact weights; this class bounds the rest from a
 * fast approximation whose error is bounded for every float input, and returns an interval
 * that contains the exact value. The caller decides exactly whenever the interval is narrow
 * enough and otherwise gathers more candidates or falls back to the exact pass.
 *
 * <p>The approximation is e^x = (p(x / 32))^32 for x in [{@link #X_MIN}, 0], p a degree-8
 * polynomial for e^y on [-1, 0] (interpolation at Chebyshev nodes, float coefficients), evaluated
 * with fused multiply-adds, then five squarings. It uses float arithmetic only (no bit tricks) on a
 * chunk held at index 0 of a small array, so that the JIT (C2, JDK 17) vectorises it. Its relative
 * error, checked against {@code Math.exp} for every float x in [-32, 0] by {@code TailMassTest},
 * is at most (36 + 2.5 |x|) 2^-24: the polynomial's rounding error doubles with each squaring.
 * Inputs below {@code X_MIN} are clamped; their weights are below e^-32 and are covered by a
 * separate term.
 *
 * <p>Chunks arrive while the maximum is still being found: each is taken relative to the running
 * maximum {@code m} and the sums are rescaled by e^((m_old - m_new) / t) when it rises, so one pass
 * over the logits gathers the candidates and bounds the rest. Within a chunk, logits at or above
 * the chunk's gathering threshold (the candidates) are clamped to it, and their copies of that
 * value are subtracted at the end.
 *
 * <p>Error terms of the interval (u = 2^-24): the kernel's (36 + 2.5 |x|) u per term; the float
 * rounding of each exact weight, u; the argument x = (l - m) * (float) (1 / t), in float, against
 * the exact pass's (double) (l - max) * (1 / t): identical when m is the final maximum and the
 * scale is a power of two (t = 1), else within 2.0002 u |x| for the float product and 2.0002 u |x|
 * for the two float subtractions of chunks read before the maximum rose (a relative change of e^x
 * by as much); the pairwise float sums (8 levels), 8 u of the sum; logits clamped at
 * {@code X_MIN}, e^-32 each; the rescaling and the double accumulation.
 */
final class TailMass {

    /** Inputs below this are clamped (their weight is below e^-32, about 1.3e-14). */
    static final float X_MIN = -32f;
    static final int CHUNK = 4096;
    private static final double U = 0x1p-24;

    // e^y on [-1, 0]: interpolation at the 9 Chebyshev nodes, coefficients rounded to float
    // (relative error of the polynomial itself about 4e-9)
    private static final float C2 = 4.99999940e-01f;
    private static final float C3 = 1.66666061e-01f;
    private static final float C4 = 4.16635275e-02f;
    private static final float C5 = 8.32411926e-03f;
    private static final float C6 = 1.37285015e-03f;
    private static final float C7 = 1.81835610e-04f;
    private static final float C8 = 1.51372096e-05f;

    private final float[] out = new float[CHUNK];
    private final float[] outX = new float[CHUNK];

    private double invT;
    /** Whether multiplying by (float) (1 / t) is exact (a power of two, e.g. t = 1). */
    private boolean exactScale;
    /** The maximum the sums below are relative to. */
    private float ref;
    /** Sum of the kernel over the chunks read since the maximum last rose, and of kernel * |x|. */
    private double sum;
    private double sumX;
    /** The same over the chunks read before (relative to a smaller maximum, then rescaled). */
    private double shifted;
    private double shiftedX;
    /** The candidates' clamped copies inside the sums. */
    private double clamped;
    private double clampedX;
    private long logits;

    /** Lower bound of the mass outside the candidates, after {@link #finish}. */
    double lo;
    /** Upper bound of the mass outside the candidates, after {@link #finish}. */
    double hi;

    /** The fast e^x for x in [X_MIN, 0] (the scalar form of the vectorised kernel; for tests). */
    static float exp(float x) {
        float y = Math.max(x, X_MIN) * (1f / 32);
        float p = Math.fma(y, Math.fma(y, Math.fma(y, Math.fma(y, Math.fma(y, Math.fma(y, Math.fma(y,
                Math.fma(y, C8, C7), C6), C5), C4), C3), C2), 1f), 1f);
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        return p;
    }

    void begin(double invTemperature) {
        invT = invTemperature;
        float f = (float) invTemperature;
        exactScale = f == invTemperature && f > Float.MIN_NORMAL && f < 0x1p100f
                && (Float.floatToRawIntBits(f) & 0x7fffff) == 0;
        ref = Float.NEGATIVE_INFINITY;
        sum = 0;
        sumX = 0;
        shifted = 0;
        shiftedX = 0;
        clamped = 0;
        clampedX = 0;
        logits = 0;
    }

    /**
     * Adds a chunk {@code x[0..CHUNK)} (padded with -infinity) relative to the running maximum
     * {@code m} (finite, at least every logit seen so far), of which {@code candidates} logits are
     * at or above the chunk's threshold {@code thr} (so clamped to it).
     */
    void add(float[] x, float m, float thr, int candidates) {
        if (m > ref) {
            if (ref != Float.NEGATIVE_INFINITY) {
                // everything so far was relative to a smaller maximum: scale it down, and every
                // |x| so far grows by (m - ref) / t
                double shift = ((double) m - ref) * invT;
                double scale = Math.exp(-shift);
                shiftedX = scale * (shiftedX + sumX + shift * (shifted + sum));
                shifted = scale * (shifted + sum);
                sum = 0;
                sumX = 0;
                clampedX = scale * (clampedX + shift * clamped);
                clamped *= scale;
            }
            ref = m;
        }
        float invTf = (float) invT;
        float xt = (thr - m) * invTf;
        kernel(x, m, invTf, xt);
        sum += pairwiseSum(out);
        sumX -= pairwiseSum(outX); // x <= 0: accumulate sum a_j |x_j|
        if (candidates > 0) {
            float xc = Math.max(xt, X_MIN);
            double atThr = exp(xc);
            clamped += candidates * atThr;
            clampedX += candidates * atThr * -xc;
        }
        logits += CHUNK;
    }

    /**
     * Counts a chunk whose logits all lie below {@code max + X_MIN * t}, without reading it: its
     * weights are below e^-32 each, which the bound's term for clamped logits covers.
     */
    void skip() {
        logits += CHUNK;
    }

    /** Sets {@link #lo} and {@link #hi} once every chunk has been added. */
    void finish() {
        double total = sum + shifted;
        double a = Math.max(0, total - clamped);
        double ax = Math.max(0, sumX + shiftedX - clampedX);
        // the argument: exact for the chunks read at the final maximum when the scale is exact
        // (then x is the exact pass's (l - max) / t bit for bit); else within 2 u |x| per rounding
        double arg = (exactScale ? 0 : 2.0002) * ax + 2.0002 * (shiftedX + 1e-3 * ax);
        double err = U * ((36 + 1.0001) * a + 2.5 * ax * (1 + 1e-3) + arg + 8 * total)
                + logits * 2.0001 * Math.exp(X_MIN) + logits * 0x1p-149;
        err = err * 1.001 + 1e-3 * U * total;
        lo = Math.max(0, a - err);
        hi = a + err;
    }

    private void kernel(float[] src, float max, float invTf, float xt) {
        float[] dst = out;
        float[] dstX = outX;
        for (int i = 0; i < CHUNK; i++) {
            float x = Math.max(Math.min((src[i] - max) * invTf, xt), X_MIN);
            float y = x * (1f / 32);
            float p = Math.fma(y, Math.fma(y, Math.fma(y, Math.fma(y, Math.fma(y, Math.fma(y, Math.fma(y,
                    Math.fma(y, C8, C7), C6), C5), C4), C3), C2), 1f), 1f);
            p *= p;
            p *= p;
            p *= p;
            p *= p;
            p *= p;
            dst[i] = p;
            dstX[i] = p * x;
        }
    }

    /** Sum of a CHUNK-long array by halving (constant offsets, so each level vectorises); destroys it. */
    private static double pairwiseSum(float[] a) {
        for (int i = 0; i < 2048; i++) {
            a[i] += a[i + 2048];
        }
        for (int i = 0; i < 1024; i++) {
            a[i] += a[i + 1024];
        }
        for (int i = 0; i < 512; i++) {
            a[i] += a[i + 512];
        }
        for (int i = 0; i < 256; i++) {
            a[i] += a[i + 256];
        }
        for (int i = 0; i < 128; i++) {
            a[i] += a[i + 128];
        }
        for (int i = 0; i < 64; i++) {
            a[i] += a[i + 64];
        }
        for (int i = 0; i < 32; i++) {
            a[i] += a[i + 32];
        }
        for (int i = 0; i < 16; i++) {
            a[i] += a[i + 16];
        }
        double s = 0;
        for (int i = 0; i < 16; i++) {
            s += a[i];
        }
        return s;
    }
}
