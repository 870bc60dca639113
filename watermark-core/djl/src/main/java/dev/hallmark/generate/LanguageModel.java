package dev.hallmark.generate;

/**
 * A causal language model that a {@link Generator} can drive token by token.
 *
 * <p>Logits are always over the tokenizer's full vocabulary ({@link #vocabularySize()} floats per
 * sequence): a model whose output layer covers only part of the vocabulary writes
 * {@code Float.NEGATIVE_INFINITY} for the other ids, so samplers and watermarks see real token ids.
 *
 * <p>Generation is incremental: {@link #newSession(int)} opens a state for a batch of sequences;
 * {@link Session#start} consumes the prompts, {@link Session#append} one new token per sequence.
 * Models with a key/value cache make each {@code append} cost independent of the prefix length.
 */
public interface LanguageModel extends AutoCloseable {

    /** Number of logits per position: the tokenizer's vocabulary size. */
    int vocabularySize();

    /** Longest context the model attends to; longer histories are cut to their most recent tokens. */
    int maxContext();

    /** A short human-readable name (written into generation records). */
    String name();

    /**
     * Opens an incremental generation state for {@code batchSize} sequences. The session holds
     * native memory: close it.
     */
    Session newSession(int batchSize);

    @Override
    void close();

    /** Incremental state for a batch of sequences; not thread-safe. */
    interface Session extends AutoCloseable {

        /** Number of sequences. */
        int batchSize();

        /**
         * Feeds the prompts (one per sequence, may differ in length, may be empty) and writes the
         * next-token logits of sequence {@code b} into {@code logits[b][0 .. vocabularySize)}.
         * Resets any previous state of this session.
         */
        void start(int[][] prompts, float[][] logits);

        /**
         * Appends {@code tokens[b]} to sequence {@code b} and writes the next-token logits. Every
         * sequence advances (a finished one may be fed any token; its logits are then ignored).
         */
        void append(int[] tokens, float[][] logits);

        @Override
        void close();
    }
}
