package dev.hallmark.interop;

/**
 * Reproduces, bit for bit, how the SynthID vector generator turned g-values into its float32
 * {@code mean_g}: first the mean over layers of each row ({@code g.float().mean(-1)}: an exact
 * integer sum divided by the depth, rounded to float32), then the masked mean over rows
 * ({@code (row_mean * mask).sum() / mask.sum()}) where the float32 sum follows PyTorch 1.13's CPU
 * reduction order with AVX2 (8-lane) vectors ({@code SumKernel.cpp}: four vector accumulators over
 * groups of four vectors, leftover vectors into the first accumulator, the accumulators folded,
 * then the scalar tail summed from zero and the 8 lanes added in order).
 *
 * <p>This is test code: it documents where the last float32 bit of the recorded {@code mean_g} comes
 * from. Hallmark itself reports the exact mean {@code ones / (depth * unmasked)}. Only valid for up
 * to 16 vectors of 8 (the cascade levels of longer rows are not modelled): enough for the vectors.
 */
final class TorchFloat32Mean {

    private static final int LANES = 8;
    private static final int ILP = 4;

    private TorchFloat32Mean() {
    }

    static float meanOfRowMeans(byte[] g, int depth, boolean[] mask) {
        int rows = mask.length;
        float[] values = new float[rows];
        int unmasked = 0;
        for (int r = 0; r < rows; r++) {
            int sum = 0;
            for (int l = 0; l < depth; l++) {
                sum += g[r * depth + l];
            }
            float rowMean = (float) sum / (float) depth;
            values[r] = mask[r] ? rowMean : 0.0f;
            if (mask[r]) {
                unmasked++;
            }
        }
        return torchSum(values) / (float) unmasked;
    }

    static float torchSum(float[] v) {
        int vecCount = v.length / LANES;
        if (vecCount >= 16 * ILP) {
            throw new IllegalArgumentException("cascade levels not modelled for " + v.length + " elements");
        }
        int groups = vecCount / ILP;
        float[][] acc = new float[ILP][LANES];
        for (int gidx = 0; gidx < groups; gidx++) {
            for (int k = 0; k < ILP; k++) {
                int base = (gidx * ILP + k) * LANES;
                for (int lane = 0; lane < LANES; lane++) {
                    acc[k][lane] += v[base + lane];
                }
            }
        }
        for (int vec = groups * ILP; vec < vecCount; vec++) {
            for (int lane = 0; lane < LANES; lane++) {
                acc[0][lane] += v[vec * LANES + lane];
            }
        }
        for (int k = 1; k < ILP; k++) {
            for (int lane = 0; lane < LANES; lane++) {
                acc[0][lane] += acc[k][lane];
            }
        }
        float total = 0.0f;
        for (int i = vecCount * LANES; i < v.length; i++) {
            total += v[i];
        }
        for (int lane = 0; lane < LANES; lane++) {
            total += acc[0][lane];
        }
        return total;
    }
}
