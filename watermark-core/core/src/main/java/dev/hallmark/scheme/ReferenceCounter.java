package dev.hallmark.scheme;

/**
 * How a third-party reference detector counts the positions of one document, so that Hallmark can
 * report {@code tokens_scored} exactly as the reference does (see {@link ReferenceKeyed}).
 *
 * <p>Protocol: {@link #begin} once per document, then {@link #classify} for every position
 * {@code t} from {@code scheme().contextWidth()} to {@code len - 1}, in increasing order and without
 * gaps (some references keep state across positions, e.g. SynthID's context history), before any
 * Hallmark filter is applied. Mutable and not thread-safe: one per thread.
 */
public interface ReferenceCounter {

    /** The reference's treatment of one position. */
    enum Decision {
        /**
         * Counted unless an equal tuple (written to {@code tupleOut}) was already counted: the
         * reference de-duplicates (lm-watermarking's {@code ignore_repeated_ngrams=True}).
         */
        COUNT_IF_NEW,
        /** Counted. */
        COUNT,
        /** Not counted: the reference masks it as a repetition (SynthID's context history). */
        SKIP_REPEATED,
        /** Not counted: the reference masks it for another reason (SynthID's EOS mask). */
        SKIP_MASKED
    }

    /**
     * Starts a document {@code ids[0 .. len)}.
     *
     * @param ids the document's token ids (kept by reference until the next {@code begin})
     * @param len its length
     */
    void begin(int[] ids, int len);

    /**
     * Classifies position {@code t}.
     *
     * @param t        the position, {@code contextWidth <= t < len}
     * @param tupleOut receives the reference's tuple identity when the answer is {@link Decision#COUNT_IF_NEW}
     * @return the decision
     */
    Decision classify(int t, long[] tupleOut);
}
