package dev.hallmark.tools.distill;

import dev.hallmark.generate.LanguageModel;
import java.util.Arrays;
import java.util.Objects;

/**
 * An {@link NgramModel} behind the {@link LanguageModel} interface, so that the generation loop
 * and the watermark sampler treat it like the neural teacher: logits are ln P(x | history) over
 * the full vocabulary (-infinity where P = 0). Each step costs O(vocabulary). Used as a cheap
 * teacher in the miniature pipeline and for quick runs.
 */
public final class NgramLanguageModel implements LanguageModel {

    private final NgramModel model;
    private final String name;

    public NgramLanguageModel(NgramModel model, String name) {
        this.model = Objects.requireNonNull(model, "model");
        this.name = Objects.requireNonNull(name, "name");
    }

    /** The n-gram model behind this adapter. */
    public NgramModel model() {
        return model;
    }

    @Override
    public int vocabularySize() {
        return model.vocabularySize();
    }

    @Override
    public int maxContext() {
        return Math.max(1, model.order() - 1);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Session newSession(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        return new Session() {
            private final int[][] hist = new int[batchSize][16];
            private final int[] len = new int[batchSize];
            private final double[] probs = new double[model.vocabularySize()];

            @Override
            public int batchSize() {
                return batchSize;
            }

            @Override
            public void start(int[][] prompts, float[][] logits) {
                for (int b = 0; b < batchSize; b++) {
                    hist[b] = Arrays.copyOf(prompts[b], Math.max(16, prompts[b].length * 2));
                    len[b] = prompts[b].length;
                    fill(b, logits[b]);
                }
            }

            @Override
            public void append(int[] tokens, float[][] logits) {
                for (int b = 0; b < batchSize; b++) {
                    if (len[b] == hist[b].length) {
                        hist[b] = Arrays.copyOf(hist[b], hist[b].length * 2);
                    }
                    hist[b][len[b]++] = tokens[b];
                    fill(b, logits[b]);
                }
            }

            private void fill(int b, float[] out) {
                model.distribution(hist[b], len[b], probs);
                for (int x = 0; x < probs.length; x++) {
                    out[x] = probs[x] > 0 ? (float) Math.log(probs[x]) : Float.NEGATIVE_INFINITY;
                }
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void close() {
    }
}
