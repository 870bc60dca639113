package dev.hallmark.embed;

import java.util.random.RandomGenerator;

/**
 * Picks the next token of one sequence from the model's logits over the full vocabulary.
 *
 * <p>This is the hook a generation loop calls once per step: the model produces {@code logits}
 * (one float per token id of the tokenizer's vocabulary), the sampler applies temperature, top-k,
 * top-p and, for watermarking samplers, the watermark, and returns the chosen token id. All
 * randomness comes from {@code random}: the same logits, context and random state give the same
 * token.
 *
 * <p>Instances keep per-sequence state (a reusable workspace and, optionally, the contexts already
 * seen in this sequence) and are not thread-safe: use one instance per sequence being generated,
 * and call {@link #reset()} before reusing it for a new sequence.
 */
public interface TokenSampler {

    /**
     * Chooses the next token.
     *
     * @param logits unnormalised log-probabilities, length at least the vocabulary size; not modified
     * @param context the token ids generated so far (prompt included), read from
     *     {@code context[contextOffset .. contextOffset + contextLength)}
     * @param contextOffset first index of the context in {@code context}
     * @param contextLength number of context tokens (may be 0)
     * @param random the random source for this step
     * @return the chosen token id, in {@code [0, vocabularySize)}
     */
    int next(float[] logits, int[] context, int contextOffset, int contextLength, RandomGenerator random);

    /** Forgets per-sequence state, so the instance can sample a new sequence. */
    void reset();

    /** Size of the vocabulary this sampler was built for (the number of logits it reads). */
    int vocabularySize();
}
