package dev.hallmark.testing;

import dev.hallmark.embed.TokenSampler;
import java.util.SplittableRandom;

/** Synthetic inputs: random logits for generation, Zipf-distributed token ids for null tests. */
public final class RandomText {
    private RandomText() {}

    /** Gaussian logits with standard deviation {@code sd}: high entropy for sd around 1-2. */
    public static void gaussianLogits(float[] logits, double sd, SplittableRandom r) {
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (sd * gaussian(r));
        }
    }

    public static double gaussian(SplittableRandom r) {
        double u = r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }

    /**
     * Generates {@code length} tokens after a random prompt of {@code promptLength} with fresh random
     * logits per step; returns prompt + completion.
     */
    public static int[] generate(TokenSampler sampler, int promptLength, int length, double sd, SplittableRandom r) {
        int vocab = sampler.vocabularySize();
        int[] ids = new int[promptLength + length];
        for (int i = 0; i < promptLength; i++) {
            ids[i] = r.nextInt(vocab);
        }
        float[] logits = new float[vocab];
        sampler.reset();
        for (int t = promptLength; t < ids.length; t++) {
            gaussianLogits(logits, sd, r);
            ids[t] = sampler.next(logits, ids, 0, t, r);
        }
        return ids;
    }

    /** Zipf(s=1.1) token ids over a vocabulary: natural-looking repetition, so de-duplication matters. */
    public static int[] zipf(int length, int vocab, SplittableRandom r, double[] cdfCache) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            double u = r.nextDouble();
            int lo = 0;
            int hi = vocab - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cdfCache[mid] < u) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            ids[i] = lo;
        }
        return ids;
    }

    /**
     * Copies earlier spans of 8-15 tokens forward a few times, in place, as quoted or boilerplate
     * text does: repeated (context, token) tuples for every context width.
     */
    public static int[] withRepeatedSpans(int[] ids, SplittableRandom r) {
        int copies = ids.length / 40;
        for (int c = 0; c < copies; c++) {
            int len = 8 + r.nextInt(8);
            if (ids.length < 2 * len + 1) {
                break;
            }
            int src = r.nextInt(ids.length - 2 * len);
            int dst = src + len + r.nextInt(ids.length - src - 2 * len + 1);
            System.arraycopy(ids, src, ids, dst, len);
        }
        return ids;
    }

    public static double[] zipfCdf(int vocab, double s) {
        double[] c = new double[vocab];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += 1 / Math.pow(i + 1, s);
            c[i] = sum;
        }
        for (int i = 0; i < vocab; i++) {
            c[i] /= sum;
        }
        return c;
    }
}
