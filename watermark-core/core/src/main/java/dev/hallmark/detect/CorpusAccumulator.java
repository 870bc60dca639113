package dev.hallmark.detect;

import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.ReferenceCounter;
import dev.hallmark.scheme.ReferenceKeyed;
import dev.hallmark.scheme.TupleSet;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
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
 * <p>Portable: {@link #writeState} / {@link #readState} save and restore the whole state (e.g. a
 * checkpoint of a long scan, resumed in another process); the restored accumulator continues
 * exactly as the saved one would have.
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

    /** The first four bytes of a saved state ("HMCA"), then {@link #STATE_VERSION}. */
    public static final int STATE_MAGIC = 0x484D4341;
    /** The version of the state format {@link #writeState} writes. */
    public static final int STATE_VERSION = 1;

    /**
     * Writes the whole state: a header (magic, version, the scheme spec and key id it belongs to),
     * the counts, the exact score sum and every distinct tuple with its score (for interop schemes
     * also the reference's count). The filter is not part of the state: a filter that counts
     * (e.g. a token budget) is the caller's to save.
     */
    public void writeState(DataOutput out) throws IOException {
        out.writeInt(STATE_MAGIC);
        out.writeInt(STATE_VERSION);
        out.writeUTF(keyed.scheme().toString());
        out.writeUTF(keyed.keyId() == null ? "" : keyed.keyId());
        out.writeLong(documents);
        out.writeLong(tokensSeen);
        out.writeLong(skippedContext);
        out.writeLong(skippedRepeated);
        out.writeLong(skippedFiltered);
        out.writeLong(scored);
        long[] digits = sum.state();
        out.writeInt(digits.length);
        for (long d : digits) {
            out.writeLong(d);
        }
        writeTuples(out, tuples);
        out.writeBoolean(ref != null);
        if (ref != null) {
            out.writeDouble(refTupleSum);
            out.writeLong(refCounted);
            out.writeDouble(refCountedSum);
            writeTuples(out, refTuples);
        }
    }

    private static void writeTuples(DataOutput out, TupleSet set) throws IOException {
        out.writeInt(set.size());
        IOException[] failed = {null};
        set.forEach((h, l, v) -> {
            if (failed[0] != null) {
                return;
            }
            try {
                out.writeLong(h);
                out.writeLong(l);
                out.writeDouble(v);
            } catch (IOException e) {
                failed[0] = e;
            }
        });
        if (failed[0] != null) {
            throw failed[0];
        }
    }

    private static void readTuples(DataInput in, TupleSet set) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt accumulator state: negative tuple count");
        }
        for (int i = 0; i < n; i++) {
            long h = in.readLong();
            long l = in.readLong();
            double v = in.readDouble();
            if ((h == 0 && l == 0) || !set.addWithValue(h, l, v)) {
                throw new IOException("corrupt accumulator state: empty or repeated tuple identity");
            }
        }
    }

    /**
     * Restores an accumulator saved by {@link #writeState} for the same scheme and key.
     *
     * @param keyed the scheme and key the state was saved for
     * @param filter the accumulator's filter (as it was constructed with)
     * @throws IOException if the state is not one of this format version, belongs to another scheme
     *     or key, or is inconsistent
     */
    public static CorpusAccumulator readState(KeyedScheme keyed, PositionFilter filter, DataInput in)
            throws IOException {
        if (in.readInt() != STATE_MAGIC) {
            throw new IOException("not a corpus accumulator state (bad magic)");
        }
        int version = in.readInt();
        if (version != STATE_VERSION) {
            throw new IOException("corpus accumulator state version " + version + " is not supported (this build reads "
                    + STATE_VERSION + ")");
        }
        String scheme = in.readUTF();
        String keyId = in.readUTF();
        if (!scheme.equals(keyed.scheme().toString())
                || !keyId.equals(keyed.keyId() == null ? "" : keyed.keyId())) {
            throw new IOException("the state belongs to " + scheme + (keyId.isEmpty() ? "" : " with key " + keyId)
                    + ", not to " + keyed.scheme() + (keyed.keyId() == null ? "" : " with key " + keyed.keyId()));
        }
        CorpusAccumulator a = new CorpusAccumulator(keyed, filter);
        a.documents = in.readLong();
        a.tokensSeen = in.readLong();
        a.skippedContext = in.readLong();
        a.skippedRepeated = in.readLong();
        a.skippedFiltered = in.readLong();
        a.scored = in.readLong();
        int digits = in.readInt();
        if (digits < 0 || digits > 1024) {
            throw new IOException("corrupt accumulator state: " + digits + " sum digits");
        }
        long[] state = new long[digits];
        for (int i = 0; i < digits; i++) {
            state[i] = in.readLong();
        }
        try {
            a.sum.add(ExactSum.ofState(state));
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt accumulator state: " + e.getMessage(), e);
        }
        readTuples(in, a.tuples);
        boolean hasRef = in.readBoolean();
        if (hasRef != (a.ref != null)) {
            throw new IOException("corrupt accumulator state: reference counting does not match the scheme");
        }
        if (hasRef) {
            a.refTupleSum = in.readDouble();
            a.refCounted = in.readLong();
            a.refCountedSum = in.readDouble();
            readTuples(in, a.refTuples);
        }
        if (a.tuples.size() != a.scored || a.sum.count() != a.scored) {
            throw new IOException("corrupt accumulator state: " + a.tuples.size() + " tuples but " + a.scored + " scored");
        }
        return a;
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
