package dev.hallmark.tools.spark;

import dev.hallmark.scheme.KeyedScheme;
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
 * call the single-machine {@link dev.hallmark.detect.CorpusAccumulator} makes. Nothing is
 * de-duplicated here: the shuffle does it (Spark's partial aggregation already drops
 * duplicates inside a partition before anything is written).
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
        }

        @Override
        public boolean hasNext() {
            while (true) {
                if (counterRow >= 0) {
                    return counterRow < COUNTERS;
                }
                if (doc != null && t < doc.length) {
                    return true;
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
            double s = keyed[k].score(doc, t, tuple);
            out.set(k, tuple[0], tuple[1], s);
            if (++k == keyed.length) {
                k = 0;
                t++;
            }
            return out;
        }
    }
}
