package dev.hallmark.tools.spark;

import dev.hallmark.corpus.Turns;
import dev.hallmark.tools.Defaults;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.CorpusAccumulator;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.TokenizerEngine;
import dev.hallmark.text.Tokenizers;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Throughput of the Spark job on this machine: local[1] vs local[2] (or any masters given),
 * tokenization included (JSONL text, with the fast engine and with HF) and excluded (Parquet token
 * ids of the same corpus), plus the single-machine {@link CorpusAccumulator} on the same ids as a
 * baseline measured in the same run. Per master: one warm-up run of each input, then
 * {@code repeats} rounds that run every input once, in an order rotated from round to round (so
 * that the engines are compared under the same load); the median is reported. The driver checks
 * that both engines give the same ids, and every run's result against the accumulator's. Not a
 * test (no wall-clock assertions anywhere); see docs/spark.md.
 *
 * <pre>
 * java -cp hallmark.jar:SPARK_JARS dev.hallmark.tools.spark.SparkBench CORPUS.jsonl.gz WORKDIR [repeats] [scheme] [masters...]
 * </pre>
 *
 * <p>The ids input holds the tokenized corpus {@value #ID_REPLICAS} times, each copy with its ids
 * shifted (id + 7919 r mod 151669), so the copies share no tuple: the same repetition structure
 * as the text, 4x the tokens, so that per-job fixed costs weigh less in the per-token numbers.
 */
public final class SparkBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int ID_REPLICAS = 4;

    private SparkBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: SparkBench CORPUS.jsonl.gz WORKDIR [repeats] [scheme] [master ...]");
            System.exit(2);
        }
        Path corpus = Path.of(args[0]);
        Path work = Files.createDirectories(Path.of(args[1]));
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String scheme = args.length > 3 ? args[3] : "kgw";
        List<String> masters = args.length > 4 ? Arrays.asList(args).subList(4, args.length)
                : List.of("local[1]", "local[2]");
        int parts = 8;

        // inputs: the texts as 8 uncompressed JSONL files (splittable, one partition or more each),
        // and the same corpus tokenized once, as Parquet ids
        List<String> texts = readTexts(corpus);
        Path textDir = work.resolve("text");
        List<int[]> ids = new ArrayList<>();
        try (TextTokenizer hf = Defaults.openTokenizer(null, TokenizerEngine.HF);
                TextTokenizer fast = Defaults.openTokenizer(null, TokenizerEngine.FAST)) {
            for (String t : texts) {
                int[] a = hf.encode(t);
                if (!Arrays.equals(a, fast.encode(t))) {
                    throw new IllegalStateException("the engines disagree on document " + ids.size());
                }
                ids.add(a);
            }
        }
        writeTextParts(texts, textDir, parts);
        long tokens = ids.stream().mapToLong(a -> a.length).sum();
        List<int[]> idsCorpus = new ArrayList<>();
        for (int r = 0; r < ID_REPLICAS; r++) {
            for (int[] d : ids) {
                int[] c = new int[d.length];
                for (int i = 0; i < d.length; i++) {
                    c[i] = (int) ((d[i] + 7919L * r) % Tokenizers.QWEN3_VOCABULARY_SIZE);
                }
                idsCorpus.add(c);
            }
        }
        long chars = texts.stream().mapToLong(String::length).sum();
        WatermarkKey key = WatermarkKey.fromSecret(seedBytes(7));
        Scheme s = Scheme.parse(scheme);

        // baseline: one thread, CorpusAccumulator, ids in memory
        double[] accSeconds = new double[repeats + 1];
        double[] accCpu = new double[repeats + 1];
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        DetectionResult baseline = null;
        DetectionResult baselineIds = null;
        for (int i = 0; i <= repeats; i++) {
            long t0 = System.nanoTime();
            long c0 = threads.getCurrentThreadCpuTime();
            CorpusAccumulator acc = new CorpusAccumulator(KeyedScheme.of(s, key));
            ids.forEach(acc::accept);
            baseline = acc.result(1e-3);
            if (i == 0) {
                CorpusAccumulator big = new CorpusAccumulator(KeyedScheme.of(s, key));
                idsCorpus.forEach(big::accept);
                baselineIds = big.result(1e-3);
            }
            accSeconds[i] = (System.nanoTime() - t0) / 1e9;
            accCpu[i] = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
        }

        ObjectNode report = JSON.createObjectNode();
        report.put("corpus", corpus.toString());
        report.put("documents", texts.size());
        report.put("tokens", tokens);
        report.put("chars", chars);
        report.put("scheme", s.toString());
        report.put("processors", Runtime.getRuntime().availableProcessors());
        report.put("repeats", repeats);
        report.put("load_average_before", loadAverage());
        double accMedian = median(Arrays.copyOfRange(accSeconds, 1, accSeconds.length));
        report.put("single_thread_accumulator_seconds", accMedian);
        report.put("single_thread_accumulator_tokens_per_second", tokens / accMedian);
        double accCpuMedian = median(Arrays.copyOfRange(accCpu, 1, accCpu.length));
        report.put("single_thread_accumulator_tokens_per_cpu_second", tokens / accCpuMedian);
        report.put("tokens_scored", baseline.tokensScored());
        var runs = report.putArray("runs");
        Path pq = work.resolve("ids.parquet");
        for (String master : masters) {
            SparkSession spark = SparkSession.builder().master(master).appName("hallmark spark bench")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .getOrCreate();
            StageMetrics metrics = new StageMetrics();
            spark.sparkContext().addSparkListener(metrics);
            try {
                if (!Files.exists(pq)) {
                    writeParquet(spark, idsCorpus, pq, parts);
                }
                List<String> modes = List.of("text-fast", "text-hf", "ids");
                Mode[] acc = new Mode[modes.size()];
                for (int m = 0; m < acc.length; m++) {
                    String mode = modes.get(m);
                    boolean text = mode.startsWith("text");
                    acc[m] = new Mode(mode, new JobSpec(List.of(text ? textDir.toString() : pq.toString()),
                            text ? JobSpec.Format.JSONL : JobSpec.Format.PARQUET, "text", "ids",
                            s.toString(), JobSpec.Keys.of(List.of(key)), null,
                            mode.equals("text-hf") ? TokenizerEngine.HF : TokenizerEngine.FAST, 1e-3, 0,
                            TupleScorer.LOCAL_DEDUP_LIMIT, Turns.ALL),
                            text ? baseline : baselineIds, text ? tokens : tokens * ID_REPLICAS,
                            text ? texts.size() : (long) texts.size() * ID_REPLICAS, repeats);
                }
                for (int round = -1; round < repeats; round++) {
                    for (int j = 0; j < acc.length; j++) {
                        Mode md = acc[Math.floorMod(j + round, acc.length)];
                        metrics.drain();
                        metrics.snapshotAndReset();
                        long c0 = processCpuNanos();
                        SparkDetectJob.Result r = SparkDetectJob.run(spark, md.spec);
                        long c1 = processCpuNanos();
                        if (!r.raw().get(0).equals(md.want)) {
                            throw new IllegalStateException("Spark result (" + md.name + ") differs from the "
                                    + "accumulator: " + r.raw().get(0) + " vs " + md.want);
                        }
                        metrics.drain();
                        if (round >= 0) {
                            addStages(md.stageSums, metrics.snapshotAndReset());
                            md.sec[round] = r.seconds();
                            md.cpu[round] = (c1 - c0) / 1e9;
                            md.tok[round] = r.counter(TupleScorer.TOKENIZE_NANOS) / 1e9;
                        }
                        md.last = r;
                    }
                }
                for (Mode md : acc) {
                    double m = median(md.sec);
                    ObjectNode o = runs.addObject();
                    o.put("master", master);
                    o.put("input", md.name.equals("ids") ? "parquet ids (tokenization excluded)"
                            : "jsonl text (tokenization included, " + md.spec.tokenizerEngine().id() + " engine)");
                    o.put("tokenizer_engine", md.name.equals("ids") ? null : md.spec.tokenizerEngine().id());
                    o.put("input_partitions", md.last.inputPartitions());
                    o.put("documents", md.docs);
                    o.put("tokens", md.tokens);
                    o.put("tokens_scored", md.want.tokensScored());
                    o.put("seconds_median", m);
                    o.put("seconds_all", Arrays.toString(md.sec));
                    o.put("tokens_per_second", md.tokens / m);
                    o.put("docs_per_second", md.docs / m);
                    o.put("tokenize_task_seconds_median", median(md.tok));
                    double mc = median(md.cpu);
                    o.put("process_cpu_seconds_median", mc);
                    o.put("tokens_per_cpu_second", md.tokens / mc);
                    o.put("docs_per_cpu_second", md.docs / mc);
                    ObjectNode st = o.putObject("stages_mean_per_run");
                    double[] stageSums = md.stageSums;
                    st.put("map_task_cpu_seconds", stageSums[0] / repeats);
                    st.put("map_task_run_seconds", stageSums[1] / repeats);
                    st.put("reduce_task_cpu_seconds", stageSums[2] / repeats);
                    st.put("reduce_task_run_seconds", stageSums[3] / repeats);
                    st.put("shuffle_write_bytes", stageSums[4] / repeats);
                    st.put("shuffle_write_records", stageSums[5] / repeats);
                    st.put("shuffle_bytes_per_token", stageSums[4] / repeats / md.tokens);
                    st.put("shuffle_records_per_token", stageSums[5] / repeats / md.tokens);
                    st.put("map_task_tokens_per_cpu_second", md.tokens / (stageSums[0] / repeats));
                    st.put("gc_seconds", stageSums[6] / repeats);
                    o.put("load_average_after", loadAverage());
                    System.err.println(String.format(Locale.ROOT,
                            "%-9s %-50s %6.2f s  %,10.0f tokens/s  %,8.0f docs/s | cpu %6.2f s  %,10.0f tokens/cpu-s",
                            master, o.get("input").asText(), m, md.tokens / m, md.docs / m, mc, md.tokens / mc));
                }
            } finally {
                spark.stop();
            }
        }
        String out = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report);
        Files.writeString(work.resolve("spark-bench.json"), out + "\n");
        System.out.println(out);
    }

    /** One input of the bench (text with an engine, or ids) and its measurements over the rounds. */
    private static final class Mode {
        final String name;
        final JobSpec spec;
        final DetectionResult want;
        final long tokens;
        final long docs;
        final double[] sec;
        final double[] cpu;
        final double[] tok;
        final double[] stageSums = new double[8];
        SparkDetectJob.Result last;

        Mode(String name, JobSpec spec, DetectionResult want, long tokens, long docs, int repeats) {
            this.name = name;
            this.spec = spec;
            this.want = want;
            this.tokens = tokens;
            this.docs = docs;
            this.sec = new double[repeats];
            this.cpu = new double[repeats];
            this.tok = new double[repeats];
        }
    }

    /**
     * Adds one run's stages: [0,1] CPU and run time of the stages that write the shuffle (read,
     * tokenize, score), [2,3] of those that read it (de-duplicate, sum), [4,5] shuffle bytes and
     * records written, [6] GC seconds.
     */
    private static void addStages(double[] sums, java.util.Map<Integer, StageMetrics.Stage> stages) {
        for (StageMetrics.Stage s : stages.values()) {
            boolean reduce = s.shuffleReadRecords > 0;
            sums[reduce ? 2 : 0] += s.cpuNanos / 1e9;
            sums[reduce ? 3 : 1] += s.runNanos / 1e9;
            sums[4] += s.shuffleWriteBytes;
            sums[5] += s.shuffleWriteRecords;
            sums[6] += s.gcMillis / 1e3;
        }
    }

    /**
     * CPU time of this whole JVM (driver and, in local mode, the executors' task threads, GC and
     * JIT included): unlike wall-clock time it does not grow when other processes take the cores.
     */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean s ? s.getProcessCpuTime() : -1;
    }

    /** The 1-minute load average (other processes compete for the same cores: read the numbers with it). */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static byte[] seedBytes(long seed) {
        byte[] b = new byte[WatermarkKey.SECRET_BYTES];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static double median(double[] a) {
        double[] c = a.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    private static List<String> readTexts(Path corpus) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : dev.hallmark.tools.Jsonl.readRecords(corpus)) {
            if (n.hasNonNull("text")) {
                out.add(n.get("text").asText());
            }
        }
        return out;
    }

    private static void writeTextParts(List<String> texts, Path dir, int parts) throws IOException {
        Files.createDirectories(dir);
        BufferedWriter[] w = new BufferedWriter[parts];
        for (int p = 0; p < parts; p++) {
            w[p] = Files.newBufferedWriter(dir.resolve(String.format(Locale.ROOT, "part-%02d.jsonl", p)));
        }
        for (int i = 0; i < texts.size(); i++) {
            w[i % parts].write(JSON.createObjectNode().put("text", texts.get(i)).toString());
            w[i % parts].write('\n');
        }
        for (BufferedWriter b : w) {
            b.close();
        }
    }

    private static void writeParquet(SparkSession spark, List<int[]> ids, Path pq, int parts) {
        List<Row> rows = new ArrayList<>(ids.size());
        for (int[] d : ids) {
            Integer[] boxed = new Integer[d.length];
            for (int i = 0; i < d.length; i++) {
                boxed[i] = d[i];
            }
            rows.add(RowFactory.create(Arrays.asList(boxed)));
        }
        StructType schema = new StructType().add("ids", DataTypes.createArrayType(DataTypes.IntegerType));
        spark.createDataFrame(rows, schema).repartition(parts).write().parquet(pq.toString());
    }
}
