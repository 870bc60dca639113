package dev.hallmark.tools.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.scheme.VllmScheme;
import dev.hallmark.tools.FprOption;
import dev.hallmark.tools.OptionalKeyOptions;
import dev.hallmark.tools.SchemeOption;
import dev.hallmark.tools.VllmKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hallmark spark-detect}: corpus-level detection on Apache Spark, for corpora beyond one
 * machine. Every distinct (context, token) tuple of the whole corpus is scored once (exact
 * de-duplication by a shuffle), and the result is the one a single-machine
 * {@link dev.hallmark.detect.CorpusAccumulator} would give on the same documents.
 *
 * <p>vLLM's schemes ({@code --scheme vllm-*} with a vLLM key file, ring, or {@code key=N}): every
 * distinct unit of vLLM's watermark in the corpus is scored once and tested exactly; see
 * {@link SparkDetectJob} for what is and is not reported.
 *
 * <p>Spark is a {@code provided} dependency: {@code hallmark.jar} does not contain it. Run with
 * {@code spark-submit --class dev.hallmark.tools.spark.SparkDetect hallmark.jar ARGS} on a cluster
 * (or {@code --master local[*]}; {@link SparkDetect} is that entry point), or with Spark's jars on
 * the class path. This class touches no
 * Spark type itself (only {@link SparkDetectJob} and its helpers do), so the {@code hallmark}
 * command line, its help and its other subcommands work without Spark.
 */
@Command(name = "spark-detect", mixinStandardHelpOptions = true,
        description = {"Corpus-level detection on Apache Spark: every distinct (context, token) tuple of the whole "
                + "corpus is scored once (exact de-duplication by a shuffle); exact p-value for one key, or a key ring "
                + "with Holm correction.",
            "Needs Spark on the class path: spark-submit --class dev.hallmark.tools.spark.SparkDetect hallmark.jar ..."})
public final class SparkDetectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;


    @Mixin
    OptionalKeyOptions keys;

    @Mixin
    SchemeOption scheme;

    @Option(names = "--input", required = true, arity = "1..*",
            description = "Input paths or globs, any Hadoop file system (file:, hdfs:, s3a:, ...); .gz is decompressed.")
    List<String> inputs;

    @Option(names = "--format", defaultValue = "jsonl",
            description = "jsonl | lines (a document per line) | text (a document per file) | ids | parquet "
                    + "(default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--field", defaultValue = "text", description = "JSONL field / Parquet column holding the text "
            + "(default: ${DEFAULT-VALUE}).")
    String field;

    @Option(names = "--ids-field", defaultValue = "ids", description = "JSONL field / Parquet column holding token ids, "
            + "used where the text is null (default: ${DEFAULT-VALUE}).")
    String idsField;

    @Option(names = "--tokenizer", description = "tokenizer.json for text input: a path on every executor, or the name "
            + "of a file shipped with spark-submit --files (default: the executors' Hallmark cache).")
    String tokenizer;

    @Mixin
    FprOption fpr;

    @Option(names = "--master", description = "Spark master, e.g. local[2] (default: the one spark-submit sets, else local[*]).")
    String master;

    @Option(names = "--repartition", defaultValue = "0", description = "Redistribute documents over N partitions before "
            + "scoring, e.g. for one big .gz file (default: keep the input's partitions).")
    int repartition;

    @Option(names = "--local-dedup-entries", defaultValue = "1048576", description = "Bound on each map task's "
            + "local de-duplication set (about 64 bytes per entry); the result does not depend on it "
            + "(default: ${DEFAULT-VALUE}).")
    int localDedupEntries;

    @Option(names = "--conf", description = "Extra Spark setting KEY=VALUE (repeatable).")
    List<String> conf = new ArrayList<>();

    @Option(names = "--output", description = "Also write the JSON report to this local file.")
    Path output;

    @Override
    public Integer call() throws Exception {
        Scheme s = scheme.parse();
        JobSpec.Keys ks = s instanceof VllmScheme v ? JobSpec.Keys.ofVllm(VllmKeys.load(v, keys.keyFile(), keys.keyring()))
                : JobSpec.Keys.of(keys.load("scheme " + s));
        JobSpec job = new JobSpec(inputs, JobSpec.Format.parse(format), field, idsField, s.toString(), ks,
                tokenizer, fpr.fpr(), repartition, localDedupEntries);
        for (String c : conf) {
            if (c.indexOf('=') <= 0) {
                throw new IllegalArgumentException("--conf expects KEY=VALUE, got '" + c + "'");
            }
        }
        ObjectNode report;
        try {
            report = SparkRunner.run(job, master, conf);
        } catch (NoClassDefFoundError e) {
            if (e.getMessage() != null && e.getMessage().startsWith("org/apache/spark")) {
                throw new IllegalStateException("Apache Spark is not on the class path: run "
                        + "spark-submit --class dev.hallmark.tools.spark.SparkDetect hallmark.jar ... "
                        + "(hallmark.jar does not bundle Spark)", e);
            }
            throw e;
        }
        String json = DetectionJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report);
        PrintWriter out = spec.commandLine().getOut();
        out.println(json);
        out.flush();
        if (output != null) {
            try {
                Path parent = output.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Files.writeString(output, json + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write report " + output + ": " + e.getMessage(), e);
            }
        }
        return 0;
    }
}
