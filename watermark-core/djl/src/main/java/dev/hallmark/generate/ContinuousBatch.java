package dev.hallmark.generate;

import java.util.Objects;

/**
 * A running batch whose sequences join and leave step by step (continuous batching), for servers:
 * each decoding step runs the model once over every live sequence, however long each one already
 * is, and new requests are added between steps instead of waiting for the whole batch to finish.
 *
 * <p>Protocol, per step of a serving loop:
 * <ol>
 *   <li>{@link #step}: feed the token just sampled for <em>every</em> live sequence (each has
 *       exactly one pending token) and receive each one's next-token logits;
 *   <li>{@link #add}: prefill newly admitted prompts and receive their first next-token logits;
 *   <li>sample all those rows, then {@link #remove} the sequences that finished.
 * </ol>
 * Logits are over the full vocabulary ({@link LanguageModel#vocabularySize()}), as in
 * {@link LanguageModel.Session}. A sequence longer than {@link LanguageModel#maxContext()} keeps
 * its most recent tokens, as a single {@link LanguageModel.Session} of the same model would (for
 * {@link TransformerLm}: the last {@code maxContext/2} tokens are re-encoded when its window is
 * full), so a sequence's logits do not depend on which other sequences share the batch (up to
 * floating-point differences of batched arithmetic).
 *
 * <p>Not thread-safe: one serving thread drives it. Holds native memory: close it.
 */
public interface ContinuousBatch extends AutoCloseable {

    /** Logits per row. */
    int vocabularySize();

    /** Live sequences. */
    int size();

    /**
     * Adds sequences: consumes their prompts (an empty prompt starts from the model's begin
     * token where it has one) and writes each one's next-token logits.
     *
     * @param prompts {@code prompts[0 .. count)}
     * @param handles receives a handle per new sequence, unique among live sequences
     * @param logits {@code logits[i]} receives the logits of {@code prompts[i]}
     */
    void add(int[][] prompts, int count, int[] handles, float[][] logits);

    /**
     * Appends one token to every live sequence and writes their next-token logits.
     *
     * @param handles the live sequences, each exactly once, in any order ({@code count == size()})
     * @param tokens {@code tokens[i]} is appended to {@code handles[i]}
     * @param logits {@code logits[i]} receives the logits of {@code handles[i]}
     */
    void step(int[] handles, int[] tokens, int count, float[][] logits);

    /** Ends a sequence (its memory is released before the next step). */
    void remove(int handle);

    @Override
    void close();

    /**
     * A continuous batch over {@code model}: one batched, key/value-cached forward pass per step
     * for a {@link TransformerLm}; for any other model one {@link LanguageModel.Session} per
     * sequence (correct for every model, batched only as far as its sessions are).
     */
    static ContinuousBatch of(LanguageModel model) {
        Objects.requireNonNull(model, "model");
        if (model instanceof TransformerLm lm) {
            return new TransformerBatch(lm);
        }
        return new SessionBatch(model);
    }
}
