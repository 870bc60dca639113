package dev.hallmark.tools.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.detect.MultiKeyDetector;
import dev.hallmark.scheme.KeyedScheme;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark job behind {@code hallmark spark-detect}: corpus-level detection with exact
 * de-duplication of (context, token) tuples across the whole corpus.
 *
 * <p>Plan (one shuffle):
 * <ol>
 *   <li>read: JSONL / text / ids / Parquet from any Hadoop path into (text, ids) rows;
 *   <li>map ({@link TupleScorer}): tokenize on the executor, then for every position and key emit
 *       (key, tuple identity, score) with the core's {@link KeyedScheme#score};
 *   <li>shuffle: group by (key, identity) keeping min and max of the score: the exact distinct
 *       set, spread over the cluster by hash of the identity (Spark aggregates partially inside
 *       each map task first, so a tuple repeated within a partition is shipped once);
 *   <li>reduce ({@link PartialSums}): per key n = number of distinct identities and the exact sum
 *       S of their scores; counters summed;
 *   <li>driver: per key the exact p-value from the scheme's null model
 *       ({@link Detector#aggregate}), Holm across keys ({@link MultiKeyDetector#adjust}).
 * </ol>
 * The numbers equal those of one {@link dev.hallmark.detect.CorpusAccumulator} fed every document
 * in any order: the same tuples (the identity is exact up to 7 ids below 2^18, else a 127-bit
 * fingerprint), the same scores, the same exact sum.
 *
 * <p><b>vLLM's schemes</b> ({@code vllm-*}): the map side emits, for every position (vLLM scores
 * them all, the first W with -1-padded contexts), vLLM's independent unit with its score: the
 * (padded context, token) tuple for gumbel and dual_key_gumbel, the (seed, token) coin for sbw
 * ({@code KeyedScheme#score} writes it). The shuffle keeps each distinct unit once, and the exact
 * p-value (Gamma, hypoexponential, binomial) is computed on them: {@code tokens_scored} and
 * {@code score_sum} are the distinct units and their exact sum, equal to
 * {@code independent.units} / {@code independent.score_sum} of a single-machine accumulator over the
 * same documents with {@code dedup=false}. Not reported: vLLM's own count
 * ({@code num_scored_tokens}), score and p-value ({@code reference_score}, {@code reference_p_value}).
 * With {@code dedup=false} vLLM counts every position again, and with {@code dedup=true} (its
 * default) it scores only the first token that follows each context in reading order, a choice a
 * distributed job that reads documents in no fixed order cannot reproduce; scoring every distinct
 * unit instead is valid under the null (distinct units are independent) and reads more of the text.
 * The report says so in {@code job.counting}.
 */
final class SparkDetectJob {

    private SparkDetectJob() {}

    /** What a run found. {@code adjusted} equals {@code raw} for one key. */
    record Result(JobSpec spec, List<DetectionResult> raw, List<DetectionResult> adjusted, long[] counters,
            int inputPartitions, String master, String sparkVersion, double seconds) {

        long counter(int c) {
            return counters[c];
        }

        /**
         * The report: for one key the CLI's fields ({@link DetectionJson#toJson}) at top level; for a
         * ring, as {@code hallmark detect --keyring}: correction, keys_tested and one object per key
         * with log10_p_unadjusted. Then {@code corpus} (documents and token counts) and {@code job}.
         */
        ObjectNode toJson() {
            ObjectNode o;
            if (raw.size() == 1) {
                o = DetectionJson.toJson(adjusted.get(0), false);
            } else {
                o = DetectionJson.mapper().createObjectNode();
                o.put("correction", "holm");
                o.put("keys_tested", raw.size());
                ArrayNode a = o.putArray("keys");
                for (int i = 0; i < raw.size(); i++) {
                    ObjectNode k = DetectionJson.toJson(adjusted.get(i), false);
                    k.put("log10_p_unadjusted", raw.get(i).log10P());
                    a.add(k);
                }
                ArrayNode detected = o.putArray("detected_key_ids");
                new MultiKeyDetector.Result(raw, adjusted).detectedKeyIds().forEach(detected::add);
            }
            ObjectNode c = o.putObject("corpus");
            c.put("documents", counter(TupleScorer.DOCUMENTS));
            c.put("records_skipped", counter(TupleScorer.RECORDS_SKIPPED));
            c.put("tokens_seen", counter(TupleScorer.TOKENS_SEEN));
            c.put("skipped_context", counter(TupleScorer.SKIPPED_CONTEXT));
            c.put("skipped_filtered", counter(TupleScorer.SKIPPED_FILTERED));
            c.put("text_chars", counter(TupleScorer.TEXT_CHARS));
            ObjectNode j = o.putObject("job");
            j.put("engine", "spark " + sparkVersion);
            j.put("master", master);
            ArrayNode in = j.putArray("inputs");
            spec.inputs().forEach(in::add);
            j.put("format", spec.format().name().toLowerCase(java.util.Locale.ROOT));
            j.put("input_partitions", inputPartitions);
            j.put("seconds", seconds);
            j.put("tokenize_task_seconds", counter(TupleScorer.TOKENIZE_NANOS) / 1e9);
            if (spec.keys().vllm()) {
                j.put("counting", "vLLM units: each distinct (context, token) unit of the corpus ((seed, token) for "
                        + "vllm-sbw) scored once, every position included; tokens_scored counts units, not vLLM's "
                        + "num_scored_tokens, and vLLM's own score and p-value are not reported (they depend on "
                        + "the reading order)");
            }
            return o;
        }
    }

    /** Runs the job on {@code spark} (not stopped afterwards). */
    static Result run(SparkSession spark, JobSpec spec) {
        long t0 = System.nanoTime();
        List<KeyedScheme> keyed = spec.keyed();
        Dataset<Row> rows = read(spark, spec);
        if (spec.repartition() > 0) {
            rows = rows.repartition(spec.repartition());
        }
        Dataset<DocBean> docs = rows.as(Encoders.bean(DocBean.class));
        int inputPartitions = docs.rdd().getNumPartitions();
        Dataset<TupleBean> tuples = docs.mapPartitions(new TupleScorer(spec), Encoders.bean(TupleBean.class));
        Dataset<Row> distinct = tuples.groupBy("slot", "hi", "lo").agg(min("score"), max("score"));
        PartialSums total = distinct.toJavaRDD()
                .mapPartitions(PartialSums.ofPartition(keyed.size()))
                .reduce(PartialSums::merge);
        if (total.conflicts > 0) {
            throw new IllegalStateException(total.conflicts + " tuple identities arrived with different scores: "
                    + "either two different tuples share a 127-bit fingerprint (probability below n^2 / 2^128) "
                    + "or a scorer is not deterministic; refusing to report");
        }
        long[] c = total.counters;
        long eligible = c[TupleScorer.TOKENS_SEEN] - c[TupleScorer.SKIPPED_CONTEXT] - c[TupleScorer.SKIPPED_FILTERED];
        List<DetectionResult> raw = new ArrayList<>();
        for (int k = 0; k < keyed.size(); k++) {
            long n = total.n[k];
            raw.add(Detector.aggregate(keyed.get(k), c[TupleScorer.TOKENS_SEEN], n, c[TupleScorer.SKIPPED_CONTEXT],
                    eligible - n, c[TupleScorer.SKIPPED_FILTERED], total.sum(k), spec.alpha()));
        }
        List<DetectionResult> adjusted = raw.size() == 1 ? raw : MultiKeyDetector.adjust(raw).adjusted();
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(spec, List.copyOf(raw), List.copyOf(adjusted), Arrays.copyOf(c, c.length),
                inputPartitions, spark.sparkContext().master(), spark.version(), seconds);
    }

    private static final DataType IDS_TYPE = DataTypes.createArrayType(DataTypes.IntegerType, true);

    /** The input as rows (text string, ids array&lt;int&gt;), either possibly null. */
    static Dataset<Row> read(SparkSession spark, JobSpec spec) {
        String[] paths = spec.inputs().toArray(new String[0]);
        Column nullText = lit(null).cast(DataTypes.StringType).as("text");
        Column nullIds = lit(null).cast(IDS_TYPE).as("ids");
        switch (spec.format()) {
            case JSONL: {
                StructType schema = new StructType(new StructField[] {
                    DataTypes.createStructField(spec.textField(), DataTypes.StringType, true),
                    DataTypes.createStructField(spec.idsField(), IDS_TYPE, true)});
                Dataset<Row> df = spark.read().schema(schema).option("mode", "FAILFAST").json(paths);
                return df.select(col(quote(spec.textField())).as("text"), col(quote(spec.idsField())).as("ids"));
            }
            case LINES:
            case IDS:
                return spark.read().text(paths).select(col("value").as("text"), nullIds);
            case TEXT:
                return spark.read().option("wholetext", true).text(paths).select(col("value").as("text"), nullIds);
            case PARQUET: {
                Dataset<Row> df = spark.read().parquet(paths);
                StructType s = df.schema();
                Column text = nullText;
                Column ids = nullIds;
                if (hasField(s, spec.textField())) {
                    DataType t = s.apply(spec.textField()).dataType();
                    if (!t.equals(DataTypes.StringType)) {
                        throw new IllegalArgumentException("parquet column '" + spec.textField() + "' is "
                                + t.simpleString() + ", expected string");
                    }
                    text = col(quote(spec.textField())).as("text");
                }
                if (hasField(s, spec.idsField())) {
                    DataType t = s.apply(spec.idsField()).dataType();
                    if (!(t instanceof ArrayType a && a.elementType() instanceof IntegralType)) {
                        throw new IllegalArgumentException("parquet column '" + spec.idsField() + "' is "
                                + t.simpleString() + ", expected an array of integers");
                    }
                    ids = col(quote(spec.idsField())).cast(IDS_TYPE).as("ids");
                }
                if (text == nullText && ids == nullIds) {
                    throw new IllegalArgumentException("parquet input has neither a string column '" + spec.textField()
                            + "' nor an integer-array column '" + spec.idsField() + "' (columns: "
                            + String.join(", ", s.fieldNames()) + "); choose with --field / --ids-field");
                }
                return df.select(text, ids);
            }
            default:
                throw new IllegalStateException("unhandled format " + spec.format());
        }
    }

    private static boolean hasField(StructType s, String name) {
        return Arrays.asList(s.fieldNames()).contains(name);
    }

    private static String quote(String column) {
        return "`" + column.replace("`", "``") + "`";
    }
}
