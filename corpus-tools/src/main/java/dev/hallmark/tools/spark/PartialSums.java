package dev.hallmark.tools.spark;

import dev.hallmark.detect.ExactSum;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

/**
 * The reduce side of {@code spark-detect}: per key, the number n of distinct tuples and their
 * exact score sum S (as {@link ExactSum} state, so the merge order cannot change a bit), plus the
 * corpus counters; mergeable. {@link #ofPartition} folds one partition of the de-duplicated
 * tuples {@code (slot, hi, lo, min_score, max_score)}.
 */
final class PartialSums implements Serializable {

    private static final long serialVersionUID = 1L;

    final long[] n;
    final long[][] sums;
    final long[] counters = new long[TupleScorer.COUNTERS];
    /** Distinct identities that arrived with different scores (impossible for exact identities). */
    long conflicts;

    PartialSums(int keys) {
        n = new long[keys];
        sums = new long[keys][];
    }

    /** Folds partitions of the de-duplicated rows into one PartialSums each. */
    static FlatMapFunction<Iterator<Row>, PartialSums> ofPartition(int keys) {
        return rows -> {
            PartialSums p = new PartialSums(keys);
            ExactSum[] s = new ExactSum[keys];
            for (int i = 0; i < keys; i++) {
                s[i] = new ExactSum();
            }
            while (rows.hasNext()) {
                Row r = rows.next();
                int slot = r.getInt(0);
                if (slot < 0) {
                    p.counters[-1 - slot] += r.getLong(2);
                    continue;
                }
                double min = r.getDouble(3);
                if (min != r.getDouble(4)) {
                    p.conflicts++;
                }
                p.n[slot]++;
                s[slot].add(min);
            }
            for (int i = 0; i < keys; i++) {
                p.sums[i] = s[i].state();
            }
            return List.of(p).iterator();
        };
    }

    /** Merges {@code o} into this and returns this. */
    PartialSums merge(PartialSums o) {
        for (int i = 0; i < n.length; i++) {
            n[i] += o.n[i];
            ExactSum a = ExactSum.ofState(sums[i]);
            a.add(ExactSum.ofState(o.sums[i]));
            sums[i] = a.state();
        }
        for (int c = 0; c < counters.length; c++) {
            counters[c] += o.counters[c];
        }
        conflicts += o.conflicts;
        return this;
    }

    double sum(int key) {
        return ExactSum.ofState(sums[key]).doubleValue();
    }
}
