package dev.hallmark.tools.spark;

import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.TupleSet;
import dev.hallmark.text.HfTokenizer;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;

/**
 * The map side of {@code spark-detect}: for each document of a partition, tokenizes it if it is
 * text (the executor's shared tokenizer), then for every scored position t >= h and every key k
 * emits (k, tuple identity, score) exactly as {@link KeyedScheme#score} computes them, the same
 * call the single-machine {@link dev.hallmark.detect.CorpusAccumulator} makes (h is the scheme's
 * {@code contextWidth()}: 0 for vLLM's schemes, which score every position with padded contexts
 * and whose identity is vLLM's independent unit).
 *
 * <p>Map-side de-duplication: a tuple already emitted by this task (same key, same identity) is
 * not emitted again. The task keeps the identities it emitted in a {@link TupleSet} per key,
 * cleared whenever the sets together reach {@link JobSpec#localDedupEntries()} entries (default
 * {@link #LOCAL_DEDUP_LIMIT}) (so memory stays
 * bounded: about 64 bytes per entry); after a clear a tuple may be emitted twice, which the
 * shuffle then merges. This is an exact optimisation, never a filter: the shuffle is what makes
 * the tuples distinct across the corpus; the local set only saves Spark the serialisation,
 * hashing and shipping of rows it would drop anyway (on English text most (context, token)
 * tuples of a partition are repeats for short contexts).
 *
 * <p>After the last document the partition emits its counters as rows with a negative slot
 * {@code -1 - c}, {@code hi} = the partition index (so no two partitions' counter rows merge) and
 * {@code lo} = the value. Counters ride along with the data instead of Spark accumulators because
 * an accumulator updated inside a transformation can count twice when a stage is re-run; a row
 * is replaced, not added, when its task is re-run.
 *
 * <p>Streaming: one document at a time, one reused output bean (Spark serialises each output
 * object into its own row before asking for the next, so reuse is safe and saves an allocation
 * per tuple).
 */
final class TupleScorer implements MapPartitionsFunction<DocBean, TupleBean> {

    private static final long serialVersionUID = 1L;

    static final int DOCUMENTS = 0;
    static final int TOKENS_SEEN = 1;
    static final int SKIPPED_CONTEXT = 2;
    static final int SKIPPED_FILTERED = 3;
    static final int RECORDS_SKIPPED = 4;
    static final int TEXT_CHARS = 5;
    static final int TOKENIZE_NANOS = 6;
    static final int COUNTERS = 7;

    /** Default entries of the task-local de-duplication sets (all keys together) before they are cleared. */
    static final int LOCAL_DEDUP_LIMIT = 1 << 20;

    private final JobSpec spec;
    private final boolean textIsIds;

    TupleScorer(JobSpec spec) {
        this.spec = spec;
        this.textIsIds = spec.format() == JobSpec.Format.IDS;
    }

    @Override
    public Iterator<TupleBean> call(Iterator<DocBean> docs) {
        TaskContext tc = TaskContext.get();
        return new Emitter(docs, spec.keyed(), tc == null ? 0 : tc.partitionId());
    }

    private final class Emitter implements Iterator<TupleBean> {
        private final Iterator<DocBean> docs;
        private final KeyedScheme[] keyed;
        private final int h;
        private final int partition;
        private final long[] tuple = new long[2];
        private final long[] counters = new long[COUNTERS];
        private final TupleBean out = new TupleBean();
        private final TupleSet[] emitted;
        private int emittedSize;
        private HfTokenizer tokenizer;
        private int[] doc;
        private int t;
        private int k;
        private int counterRow = -1; // >= 0 once the documents are exhausted

        Emitter(Iterator<DocBean> docs, List<KeyedScheme> keyed, int partition) {
            this.docs = docs;
            this.keyed = keyed.toArray(new KeyedScheme[0]);
            this.h = this.keyed[0].scheme().contextWidth();
            this.partition = partition;
            this.emitted = new TupleSet[this.keyed.length];
            for (int i = 0; i < emitted.length; i++) {
                emitted[i] = new TupleSet(1 << 12, false);
            }
        }

        @Override
        public boolean hasNext() {
            while (true) {
                if (counterRow >= 0) {
                    return counterRow < COUNTERS;
                }
                if (ready) {
                    return true;
                }
                if (doc != null && t < doc.length) {
                    ready = advance();
                    continue;
                }
                if (!docs.hasNext()) {
                    counterRow = 0;
                    continue;
                }
                nextDocument(docs.next());
            }
        }

        private void nextDocument(DocBean d) {
            int[] ids = d.getIds();
            String text = d.getText();
            doc = null;
            if (text != null && !textIsIds) {
                if (spec.format() == JobSpec.Format.LINES && text.isBlank()) {
                    counters[RECORDS_SKIPPED]++;
                    return;
                }
                if (tokenizer == null) {
                    tokenizer = ExecutorTokenizer.get(spec.tokenizer());
                }
                long t0 = System.nanoTime();
                ids = tokenizer.encode(text);
                counters[TOKENIZE_NANOS] += System.nanoTime() - t0;
                counters[TEXT_CHARS] += text.length();
            } else if (text != null) {
                if (text.isBlank()) {
                    counters[RECORDS_SKIPPED]++;
                    return;
                }
                ids = parseIds(text);
            } else if (ids == null) {
                counters[RECORDS_SKIPPED]++;
                return;
            } else {
                for (int i = 0; i < ids.length; i++) {
                    if (ids[i] < 0) {
                        throw new IllegalArgumentException("a record in partition " + partition + " has a negative token id "
                                + ids[i] + " at ids[" + i + "]");
                    }
                }
            }
            counters[DOCUMENTS]++;
            counters[TOKENS_SEEN] += ids.length;
            counters[SKIPPED_CONTEXT] += Math.min(h, ids.length);
            doc = ids;
            t = h;
            k = 0;
        }

        private int[] parseIds(String line) {
            String[] parts = line.strip().split("[\\s,]+");
            int[] ids = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    ids[i] = Integer.parseInt(parts[i]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("a line in partition " + partition + ": '" + parts[i]
                            + "' is not a token id");
                }
                if (ids[i] < 0) {
                    throw new IllegalArgumentException("a line in partition " + partition + ": negative token id "
                            + ids[i]);
                }
            }
            return ids;
        }

        @Override
        public TupleBean next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            if (counterRow >= 0) {
                int c = counterRow++;
                out.set(-1 - c, partition, counters[c], 0.0);
                return out;
            }
            ready = false;
            out.set(k, tuple[0], tuple[1], score);
            if (++k == keyed.length) {
                k = 0;
                t++;
            }
            return out;
        }

        private double score;
        /** {@code tuple} / {@code score} hold a scored, not yet emitted tuple of (doc, t, k). */
        private boolean ready;

        /**
         * Scores (doc, t, k) and following positions until one is not yet in the local set; leaves
         * it in {@code tuple} / {@code score} for {@link #next()}. False when the document ends.
         */
        private boolean advance() {
            while (t < doc.length) {
                score = keyed[k].score(doc, t, tuple);
                if (emittedSize >= spec.localDedupEntries()) {
                    for (TupleSet e : emitted) {
                        e.clear();
                    }
                    emittedSize = 0;
                }
                if (emitted[k].add(tuple[0], tuple[1])) {
                    emittedSize++;
                    return true;
                }
                if (++k == keyed.length) {
                    k = 0;
                    t++;
                }
            }
            return false;
        }
    }
}
