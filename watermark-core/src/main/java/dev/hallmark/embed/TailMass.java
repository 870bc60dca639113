package dev.hallmark.embed;

/**
 * Rigorous bounds on the softmax mass outside the gathered candidates, without one
 * {@code Math.exp} per vocabulary entry.
 *
 * <p>The exact nucleus needs the total {@code T = sum_j w_j} of the weights
 * {@code w_j = (float) exp((l_j - max) / t)} over the whole vocabulary, summed in index order in
 * double precision. The candidates (logit at least a threshold) have their exact weights; this
 * class bounds the rest, {@code sum_{l_j < thr} w_j}, from a fast approximation whose error is
 * bounded for every float input, and returns an interval that contains the exact value. The caller
 * decides exactly whenever the interval is narrow enough and falls back to the exact pass otherwise.
 *
 * <p>The approximation is e^x = (p(x / 32))^32 for x in [{@link #X_MIN}, 0], p a degree-8
 * polynomial for e^y on [-1, 0] (interpolation at Chebyshev nodes, float coefficients), evaluated
 * with fused multiply-adds, then five squarings. It is written with float arithmetic only (no bit
 * tricks), on chunks copied into small arrays, so that the JIT (C2, JDK 17) vectorises it. Its
 * relative error, checked against {@code Math.exp} for every float x in [-32, 0] by
 * {@code TailMassTest}, is at most (36 + 2.5 |x|) 2^-24: the polynomial's rounding error is
 * doubled by each squaring. Inputs below {@code X_MIN} are clamped; their weights are below e^-32
 * and are covered by a separate term.
 *
 * <p>Error terms of the interval (u = 2^-24): the kernel's (36 + 2.5 |x|) u per term; the float
 * rounding of each exact weight, u; the argument x = (l - max) * (float) (1 / t), computed in
 * float, is within 2.0002 u |x| of the double product the exact weights use (zero when 1 / t is a
 * float, e.g. t = 1), which changes e^x by at most that relative amount; the pairwise float sums
 * (8 levels), 8 u of the sum; elements clamped at {@code X_MIN}, e^-32 each; and the double
 * accumulation.
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

    private final float[] in = new float[CHUNK];
    private final float[] out = new float[CHUNK];
    private final float[] outX = new float[CHUNK];

    /** Lower bound of the mass outside the candidates, after {@link #bound}. */
    double lo;
    /** Upper bound of the mass outside the candidates, after {@link #bound}. */
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

    /**
     * Bounds {@code sum w_j} over the ids j in {@code [0, vocab)} with {@code logits[offset + j] < thr},
     * where {@code gathered} ids have a logit {@code >= thr}. Sets {@link #lo} and {@link #hi}.
     */
    void bound(float[] logits, int offset, int vocab, float max, double invT, float thr, int gathered) {
        float invTf = (float) invT;
        float xt = (thr - max) * invTf;
        double sum = 0;
        double sumX = 0;
        for (int c = 0; c < vocab; c += CHUNK) {
            int len = Math.min(CHUNK, vocab - c);
            // a copy at index 0: C2 (JDK 17) vectorises a loop only when its loads and stores share
            // one index expression, which a row at an arbitrary offset would break
            System.arraycopy(logits, offset + c, in, 0, len);
            kernel(max, invTf, xt, len);
            if (len < CHUNK) {
                java.util.Arrays.fill(out, len, CHUNK, 0f);
                java.util.Arrays.fill(outX, len, CHUNK, 0f);
            }
            sum += pairwiseSum(out);
            sumX -= pairwiseSum(outX); // x <= 0: accumulate sum a_j |x_j|
        }
        // the gathered ids were clamped to xt: remove their copies of exp(xt)
        float xc = Math.max(xt, X_MIN);
        double atThr = exp(xc);
        double a = Math.max(0, sum - gathered * atThr);
        double ax = Math.max(0, sumX - gathered * atThr * -xc);
        boolean exactArg = (double) invTf == invT;
        double err = U * ((36 + 1.0001) * a + (2.5 + (exactArg ? 0 : 2.0002)) * ax + 8 * (sum + sumX))
                + (vocab - gathered) * 2.0001 * Math.exp(X_MIN) + vocab * 0x1p-149;
        err = err * 1.001 + 1e-3 * U * (sum + 1);
        lo = Math.max(0, a - err);
        hi = a + err;
    }

    private void kernel(float max, float invTf, float xt, int len) {
        float[] src = in;
        float[] dst = out;
        float[] dstX = outX;
        for (int i = 0; i < len; i++) {
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
