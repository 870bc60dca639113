package dev.hallmark.detect;

import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.ReferenceCounter;
import dev.hallmark.scheme.ReferenceKeyed;
import dev.hallmark.scheme.TupleSet;
import java.util.Objects;

/**
 * Corpus-level detection: tuples are de-duplicated across all documents, so each distinct
 * (context, token) tuple of the whole corpus is scored once and the aggregate keeps its exact
 * null distribution. Mergeable: accumulate partitions separately (threads, Spark tasks) and
 * {@link #combine} them; the result equals that of one accumulator over all documents.
 *
 * <p>Interop schemes ({@link ReferenceKeyed}): the reference's counting is applied per document
 * (its masks) and its de-duplication, where it has one, across the corpus; {@code tokens_scored}
 * follows it, and the exact p-value is computed on the distinct independent units across the
 * corpus (see {@link DetectionResult#independent()}).
 *
 * <p>The score sum is kept exactly ({@link ExactSum}), so the result does not depend on the order
 * in which documents arrive or on how they were split between accumulators: a distributed run
 * (e.g. the Spark job) reproduces it bit for bit.
 *
 * <p>Memory: one entry (two longs and the score) per distinct tuple (interop schemes with
 * reference de-duplication: two). Not thread-safe.
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
    private final ExactSum sum = new ExactSum();
    // interop schemes only: the reference's count (a set where it de-duplicates, plain counts otherwise)
    private final ReferenceKeyed ref;
    private final ReferenceCounter counter;
    private final TupleSet refTuples;
    private final long[] refTuple = new long[2];
    private double refTupleSum;
    private long refCounted;
    private double refCountedSum;

    public CorpusAccumulator(KeyedScheme keyed) {
        this(keyed, PositionFilter.ALL);
    }

    public CorpusAccumulator(KeyedScheme keyed, PositionFilter filter) {
        this.keyed = Objects.requireNonNull(keyed, "keyed");
        this.filter = Objects.requireNonNull(filter, "filter");
        this.tuples = new TupleSet(1 << 12, true);
        this.ref = keyed instanceof ReferenceKeyed r ? r : null;
        this.counter = ref == null ? null : ref.newCounter();
        this.refTuples = ref == null ? null : new TupleSet(1 << 12, true);
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
        if (ref != null) {
            acceptReference(a, len, h, documentFilter);
            return;
        }
        for (int t = h; t < len; t++) {
            if (!filter.accept(a, t) || !documentFilter.accept(a, t)) {
                skippedFiltered++;
                continue;
            }
            double s = keyed.score(a, t, tuple);
            if (tuples.addWithValue(tuple[0], tuple[1], s)) {
                scored++;
                sum.add(s);
            } else {
                skippedRepeated++;
            }
        }
    }

    private void acceptReference(int[] a, int len, int h, PositionFilter documentFilter) {
        if (len <= h) {
            return;
        }
        counter.begin(a, len);
        for (int t = h; t < len; t++) {
            // The reference's own state (e.g. SynthID's context history) sees every position.
            ReferenceCounter.Decision d = counter.classify(t, refTuple);
            if (d == ReferenceCounter.Decision.SKIP_REPEATED) {
                skippedRepeated++;
                continue;
            }
            if (d == ReferenceCounter.Decision.SKIP_MASKED || !filter.accept(a, t) || !documentFilter.accept(a, t)) {
                skippedFiltered++;
                continue;
            }
            if (d == ReferenceCounter.Decision.COUNT_IF_NEW && refTuples.contains(refTuple[0], refTuple[1])) {
                skippedRepeated++;
                continue;
            }
            double s = ref.score(a, t, tuple);
            if (d == ReferenceCounter.Decision.COUNT_IF_NEW) {
                refTuples.addWithValue(refTuple[0], refTuple[1], s);
                refTupleSum += s;
            } else {
                refCounted++;
                refCountedSum += s;
            }
            if (tuples.addWithValue(tuple[0], tuple[1], s)) {
                scored++;
                sum.add(s);
            }
        }
    }

    /** Merges {@code other} (same scheme and key) into this accumulator and returns this. */
    public CorpusAccumulator combine(CorpusAccumulator other) {
        if (!other.keyed.scheme().equals(keyed.scheme()) || !Objects.equals(other.keyed.keyId(), keyed.keyId())) {
            throw new IllegalArgumentException("cannot combine accumulators of different schemes or keys");
        }
        documents += other.documents;
        tokensSeen += other.tokensSeen;
        skippedContext += other.skippedContext;
        skippedFiltered += other.skippedFiltered;
        skippedRepeated += other.skippedRepeated;
        if (ref != null) {
            refCounted += other.refCounted;
            refCountedSum += other.refCountedSum;
            other.refTuples.forEach((h, l, v) -> {
                if (refTuples.addWithValue(h, l, v)) {
                    refTupleSum += v;
                } else {
                    skippedRepeated++;
                }
            });
            other.tuples.forEach((h, l, v) -> {
                if (tuples.addWithValue(h, l, v)) {
                    scored++;
                    sum.add(v);
                }
            });
            return this;
        }
        other.tuples.forEach((h, l, v) -> {
            if (tuples.addWithValue(h, l, v)) {
                scored++;
                sum.add(v);
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

    /** Tuples scored: distinct tuples, or for interop schemes the reference's count. */
    public long tokensScored() {
        return ref == null ? scored : refTuples.size() + refCounted;
    }

    public KeyedScheme keyedScheme() {
        return keyed;
    }

    /** The corpus-level result at false-positive rate {@code alpha}. */
    public DetectionResult result(double alpha) {
        if (ref != null) {
            return Detector.referenceResult(ref, tokensSeen, skippedContext, refTuples.size() + refCounted,
                    skippedRepeated, skippedFiltered, refTupleSum + refCountedSum, scored, sum.doubleValue(), alpha, null);
        }
        return Detector.result(keyed, tokensSeen, scored, skippedContext, skippedRepeated, skippedFiltered,
                sum.doubleValue(), alpha, null);
    }
}
