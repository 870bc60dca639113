package dev.hallmark.tools.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Synthetic full-vocabulary logits for the sampling benchmarks (fixed seeds). */
final class Logits {

    private Logits() {
    }

    /**
     * Fills {@code rows} rows of {@code vocab} logits into one array. Shapes: {@code flat} = 4 z
     * (z standard normal: a high-entropy step, top-p 0.95 nuclei of hundreds to thousands of
     * tokens), {@code peaked} = 8 z (nuclei of a few to a few dozen tokens), {@code sparse} = 4 z on
     * 8,192 random ids and -infinity elsewhere (a model whose output layer covers part of the
     * vocabulary, like the project's default model).
     */
    static float[] rows(String shape, int vocab, int rows, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[rows * vocab];
        for (int row = 0; row < rows; row++) {
            int off = row * vocab;
            switch (shape) {
                case "flat" -> gaussian(out, off, vocab, 4, r);
                case "peaked" -> gaussian(out, off, vocab, 8, r);
                case "sparse" -> {
                    Arrays.fill(out, off, off + vocab, Float.NEGATIVE_INFINITY);
                    for (int i = 0; i < Math.min(8192, vocab); i++) {
                        out[off + r.nextInt(vocab)] = (float) (4 * gauss(r));
                    }
                }
                default -> throw new IllegalArgumentException("unknown logits shape " + shape);
            }
        }
        return out;
    }

    private static void gaussian(float[] a, int off, int n, double scale, SplittableRandom r) {
        for (int i = 0; i < n; i++) {
            a[off + i] = (float) (scale * gauss(r));
        }
    }

    private static double gauss(SplittableRandom r) {
        double u = r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }
}
