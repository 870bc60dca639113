package dev.hallmark.detect;

import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.TupleSet;
import java.util.Objects;

/**
 * Corpus-level detection: tuples are de-duplicated across all documents, so each distinct
 * (context, token) tuple of the whole corpus is scored once and the aggregate keeps its exact
 * null distribution. Mergeable: accumulate partitions separately (threads, Spark tasks) and
 * {@link #combine} them; the result equals that of one accumulator over all documents.
 *
 * <p>Memory: one entry (two longs and the score) per distinct tuple. Not thread-safe.
 */
public final class CorpusAccumulator {

    private final KeyedScheme keyed;
    private final PositionFilter filter;
    private final TupleSet tuples;
    private final long[] tuple = new long[2];
    private long documents;
    private long tokensSeen;
    private long skippedContext;
    private long skippedRepeated;
    private long skippedFiltered;
    private long scored;
    private double sum;

    public CorpusAccumulator(KeyedScheme keyed) {
        this(keyed, PositionFilter.ALL);
    }

    public CorpusAccumulator(KeyedScheme keyed, PositionFilter filter) {
        this.keyed = Objects.requireNonNull(keyed, "keyed");
        this.filter = Objects.requireNonNull(filter, "filter");
        this.tuples = new TupleSet(1 << 12, true);
    }

    /** Adds one document. Documents shorter than the context contribute only skipped tokens. */
    public void accept(int[] ids) {
        accept(ids, 0, ids.length);
    }

    public void accept(int[] ids, int off, int len) {
        accept(ids, off, len, PositionFilter.ALL);
    }

    /**
     * Adds one document with an extra per-document filter (e.g. dropping contexts that occur in
     * this document's prompt), applied together with the accumulator's own filter.
     */
    public void accept(int[] ids, int off, int len, PositionFilter documentFilter) {
        int[] a = off == 0 ? ids : java.util.Arrays.copyOfRange(ids, off, off + len);
        int h = keyed.scheme().contextWidth();
        documents++;
        tokensSeen += len;
        skippedContext += Math.min(h, len);
        for (int t = h; t < len; t++) {
            if (!filter.accept(a, t) || !documentFilter.accept(a, t)) {
                skippedFiltered++;
                continue;
            }
            double s = keyed.score(a, t, tuple);
            if (tuples.addWithValue(tuple[0], tuple[1], s)) {
                scored++;
                sum += s;
            } else {
                skippedRepeated++;
            }
        }
    }

    /** Merges {@code other} (same scheme and key) into this accumulator and returns this. */
    public CorpusAccumulator combine(CorpusAccumulator other) {
        if (!other.keyed.scheme().equals(keyed.scheme()) || !other.keyed.keyId().equals(keyed.keyId())) {
            throw new IllegalArgumentException("cannot combine accumulators of different schemes or keys");
        }
        documents += other.documents;
        tokensSeen += other.tokensSeen;
        skippedContext += other.skippedContext;
        skippedFiltered += other.skippedFiltered;
        skippedRepeated += other.skippedRepeated;
        other.tuples.forEach((h, l, v) -> {
            if (tuples.addWithValue(h, l, v)) {
                scored++;
                sum += v;
            } else {
                skippedRepeated++;
            }
        });
        return this;
    }

    public long documents() {
        return documents;
    }

    public long tokensSeen() {
        return tokensSeen;
    }

    public long tokensScored() {
        return scored;
    }

    public KeyedScheme keyedScheme() {
        return keyed;
    }

    /** The corpus-level result at false-positive rate {@code alpha}. */
    public DetectionResult result(double alpha) {
        return Detector.result(keyed, tokensSeen, scored, skippedContext, skippedRepeated, skippedFiltered, sum,
                alpha, null);
    }
}
