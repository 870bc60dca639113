package dev.hallmark.generate;

import dev.hallmark.embed.TokenSampler;
import java.util.random.RandomGenerator;

/**
 * Test-only plain sampler: softmax at a temperature by inverse CDF, or argmax at temperature 0.
 * (The project's real samplers live in the embed package.)
 */
final class SoftmaxTestSampler implements TokenSampler {
    private final int vocab;
    private final double temperature;

    SoftmaxTestSampler(int vocab, double temperature) {
        this.vocab = vocab;
        this.temperature = temperature;
    }

    @Override
    public int next(float[] logits, int[] context, int contextOffset, int contextLength, RandomGenerator random) {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        if (temperature == 0) {
            return best;
        }
        double max = logits[best];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp((logits[i] - max) / temperature);
        }
        double u = random.nextDouble() * sum;
        double acc = 0;
        for (int i = 0; i < vocab; i++) {
            acc += Math.exp((logits[i] - max) / temperature);
            if (acc > u) {
                return i;
            }
        }
        return best;
    }

    @Override
    public void reset() {
    }

    @Override
    public int vocabularySize() {
        return vocab;
    }
}
