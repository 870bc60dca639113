package dev.hallmark.tools.experiment;

import dev.hallmark.embed.TokenSampler;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Wraps the sampler of one sequence for an experiment: bans some ids (sets their logits to
 * -infinity in the caller's buffer, which generation loops rewrite every step), and records the
 * spike entropy (Kirchenbauer et al. 2023, Definition 4.1) of the model's distribution at the
 * sampling temperature, softmax(logits / T) before top-k/top-p and before the watermark, at every
 * step.
 */
final class ProbedSampler implements TokenSampler {

    private final TokenSampler inner;
    private final int[] banned;
    private final double temperature;
    private final double modulus;
    private final double[] scratch;
    private final int[] finite;
    private double[] spikes = new double[64];
    private int steps;

    ProbedSampler(TokenSampler inner, int[] banned, double temperature, double modulus) {
        this.inner = inner;
        this.banned = banned.clone();
        this.temperature = temperature;
        this.modulus = modulus;
        this.scratch = new double[inner.vocabularySize()];
        this.finite = new int[inner.vocabularySize()];
    }

    @Override
    public int next(float[] logits, int[] context, int contextOffset, int contextLength, RandomGenerator random) {
        for (int id : banned) {
            if (id < logits.length) {
                logits[id] = Float.NEGATIVE_INFINITY;
            }
        }
        if (steps == spikes.length) {
            spikes = Arrays.copyOf(spikes, 2 * steps);
        }
        spikes[steps++] = Quality.spikeEntropyOfLogits(logits, inner.vocabularySize(), temperature, modulus, scratch,
                finite);
        return inner.next(logits, context, contextOffset, contextLength, random);
    }

    @Override
    public void reset() {
        inner.reset();
        steps = 0;
    }

    @Override
    public int vocabularySize() {
        return inner.vocabularySize();
    }

    /** Spike entropies of the steps so far. */
    double[] spikes() {
        return Arrays.copyOf(spikes, steps);
    }
}
