package dev.hallmark.tools.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.detect.CorpusAccumulator;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.MultiKeyDetector;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.VllmGeneration;
import dev.hallmark.embed.VllmSampler;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.key.KeyFile;
import dev.hallmark.key.VllmKey;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.testing.RandomText;
import dev.hallmark.testing.TestKeys;
import dev.hallmark.text.HfTokenizer;
import dev.hallmark.text.Tokenizers;
import dev.hallmark.tools.Hallmark;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Spark job in local mode (local[2]) against the single-machine {@link CorpusAccumulator} on
 * the same documents: every field of the result must be identical (same tuples scored, same exact
 * score sum, same log10 p), on corpora with repeats inside and across documents, for every
 * scheme family and for fingerprinted (long-context) identities; the null side (an unrelated
 * key) is checked on the same corpora.
 */
class SparkDetectTest {

    private static final int VOCAB = 800;
    private static final double ALPHA = 1e-3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("hallmark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /**
     * Watermarked documents under {@code key}, unwatermarked ones, and repeats of every kind: exact
     * duplicate documents, a shared 30-token preamble (a system prompt), spans copied from other
     * documents, spans repeated inside documents, a document shorter than the context, an empty one.
     */
    static List<int[]> corpus(Scheme s, WatermarkKey key, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> docs = new ArrayList<>();
        int[] preamble = RandomText.generate(WatermarkSampler.plain(SamplingConfig.defaults(), VOCAB), 0, 30, 2.0, r);
        for (int i = 0; i < 30; i++) {
            int[] body = RandomText.generate(WatermarkSampler.watermarked(s, key, SamplingConfig.defaults(), VOCAB),
                    4, 30 + r.nextInt(40), 2.0, r);
            int[] d = i % 3 == 0 ? concat(preamble, body) : body;
            docs.add(RandomText.withRepeatedSpans(d, r));
        }
        for (int i = 0; i < 10; i++) {
            docs.add(RandomText.generate(WatermarkSampler.plain(SamplingConfig.defaults(), VOCAB), 4, 50, 2.0, r));
        }
        for (int i = 0; i < 10; i++) { // spans quoted from earlier documents
            int[] src = docs.get(r.nextInt(docs.size()));
            int from = r.nextInt(src.length / 2);
            int[] quote = Arrays.copyOfRange(src, from, Math.min(src.length, from + 20));
            docs.add(concat(quote, docs.get(r.nextInt(docs.size()))));
        }
        docs.add(docs.get(1).clone());
        docs.add(docs.get(2).clone());
        docs.add(new int[] {5, 6});
        docs.add(new int[0]);
        return docs;
    }

    static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Writes the documents as JSONL {"ids": [...]}, spread over three files (three input partitions at least). */
    static Path writeIdsJsonl(List<int[]> docs, String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        List<StringBuilder> files = List.of(new StringBuilder(), new StringBuilder(), new StringBuilder());
        for (int i = 0; i < docs.size(); i++) {
            StringBuilder sb = files.get(i % 3);
            sb.append("{\"id\":\"d").append(i).append("\",\"ids\":[");
            int[] d = docs.get(i);
            for (int j = 0; j < d.length; j++) {
                sb.append(j == 0 ? "" : ",").append(d[j]);
            }
            sb.append("]}\n");
        }
        for (int f = 0; f < 3; f++) {
            Files.writeString(dir.resolve("part-" + f + ".jsonl"), files.get(f), StandardCharsets.UTF_8);
        }
        return dir;
    }

    /**
     * A job with a tiny bound on the map tasks' local de-duplication sets: they are cleared many
     * times per task and tuples reach the shuffle more than once, which must not change the result
     * (the other tests run with the default bound, where the sets are never cleared).
     */
    static JobSpec spec(Path input, JobSpec.Format format, String scheme, List<WatermarkKey> keys) {
        return new JobSpec(List.of(input.toString()), format, "text", "ids", scheme, JobSpec.Keys.of(keys), null,
                ALPHA, 0, 37);
    }

    static DetectionResult single(Scheme s, WatermarkKey key, List<int[]> docs) {
        CorpusAccumulator acc = new CorpusAccumulator(KeyedScheme.of(s, key));
        docs.forEach(acc::accept);
        return acc.result(ALPHA);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "kgw",
        "kgw:gamma=0.25,delta=2,context=3,seeding=selfhash",
        "gumbel",
        "synthid",
        "kgw:gamma=0.5,delta=2,context=8,seeding=lefthash" // 9-id tuples: fingerprint identities
    })
    void identicalToTheSingleMachineAccumulatorOnBothSides(String spec) throws IOException {
        Scheme s = Scheme.parse(spec);
        WatermarkKey key = TestKeys.key(71);
        WatermarkKey unrelated = TestKeys.key(72);
        List<int[]> docs = corpus(s, key, spec.hashCode());
        Path in = writeIdsJsonl(docs, "ids-" + Integer.toHexString(spec.hashCode()));

        // both sides in one run: the raw (unadjusted) result of each key is computed independently
        SparkDetectJob.Result run = SparkDetectJob.run(spark, spec(in, JobSpec.Format.JSONL, spec,
                List.of(key, unrelated)));
        DetectionResult expected = single(s, key, docs);
        assertTrue(expected.skippedRepeated() > 100, "the corpus must exercise de-duplication: "
                + expected.skippedRepeated());
        assertEquals(expected, run.raw().get(0));
        assertEquals(docs.size(), run.counter(TupleScorer.DOCUMENTS));
        assertTrue(run.inputPartitions() >= 2, "scored in parallel: " + run.inputPartitions());
        assertTrue(expected.watermarked(), "detection side: " + expected);

        // null side: the same corpus under a key that never touched it
        DetectionResult expectedNull = single(s, unrelated, docs);
        assertEquals(expectedNull, run.raw().get(1));
        assertFalse(expectedNull.watermarked(), "null side: " + expectedNull);
    }

    @Test
    void keyRingIsScoredPerKeyAndHolmCorrected() throws IOException {
        // selfhash: the tuple (w*, x) depends on the key, so each key de-duplicates on its own identities
        Scheme s = Scheme.parse("kgw:gamma=0.25,delta=2,context=3,seeding=selfhash");
        List<WatermarkKey> ring = List.of(TestKeys.key(81), TestKeys.key(82), TestKeys.key(83));
        List<int[]> docs = corpus(s, ring.get(2), 9);
        Path in = writeIdsJsonl(docs, "ring");
        JobSpec js = new JobSpec(List.of(in.toString()), JobSpec.Format.JSONL, "text", "ids", s.toString(),
                JobSpec.Keys.of(ring), null, ALPHA, 3);
        SparkDetectJob.Result run = SparkDetectJob.run(spark, js);
        List<DetectionResult> expected = new ArrayList<>();
        for (WatermarkKey k : ring) {
            expected.add(single(s, k, docs));
        }
        assertEquals(expected, run.raw());
        MultiKeyDetector.Result holm = MultiKeyDetector.adjust(expected);
        assertEquals(holm.adjusted(), run.adjusted());
        assertEquals(List.of(ring.get(2).id()), holm.detectedKeyIds(), "only the key that watermarked the corpus");
        // the distinct-tuple count itself depends on the key (de-duplicating on a key-independent
        // window would give every key the same count, and the wrong one)
        assertTrue(expected.get(0).tokensScored() != expected.get(1).tokensScored()
                && expected.get(1).tokensScored() != expected.get(2).tokensScored(),
                expected.stream().map(DetectionResult::tokensScored).toList().toString());
        JsonNode j = run.toJson();
        assertEquals("holm", j.get("correction").asText());
        assertEquals(3, j.get("keys_tested").asInt());
        assertEquals(ring.get(2).id(), j.get("detected_key_ids").get(0).asText());
        assertEquals(expected.get(1).log10P(), j.get("keys").get(1).get("log10_p_unadjusted").asDouble());
    }

    /** The human-text corpus of the repository, tokenized on the executors, against the accumulator. */
    @Test
    void textIsTokenizedOnTheExecutorsOnceAndScoredIdentically() throws IOException {
        Path human = Path.of(System.getProperty("hallmark.repo", "..")).resolve("datasets/human-text/human-text.jsonl.gz");
        List<String> texts = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(human)), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null && texts.size() < 60) {
                texts.add(JSON.readTree(line).get("text").asText());
            }
        }
        Scheme s = Scheme.parse("gumbel");
        WatermarkKey key = TestKeys.key(91);
        // the first 60 texts as one .gz file: one partition, which --repartition spreads over both cores
        Path gz = tmp.resolve("human-60.jsonl.gz");
        try (var w = new java.io.OutputStreamWriter(new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz)),
                StandardCharsets.UTF_8)) {
            for (String t : texts) {
                w.write(JSON.createObjectNode().put("text", t).toString() + "\n");
            }
        }
        JobSpec js = new JobSpec(List.of(gz.toString()), JobSpec.Format.JSONL, "text", "ids", "gumbel",
                JobSpec.Keys.of(List.of(key)), null, ALPHA, 4);
        SparkDetectJob.Result run = SparkDetectJob.run(spark, js);
        // expected: the same tokenizer.json through the same adapter (in local mode the executors
        // share this JVM, so this is the very instance they used)
        HfTokenizer tok = ExecutorTokenizer.get(null);
        assertEquals(Tokenizers.locate(System::getProperty, System::getenv).path(), tok.path());
        List<int[]> ids = texts.stream().map(tok::encode).toList();
        DetectionResult expected = single(s, key, ids);
        assertEquals(expected, run.raw().get(0));
        assertFalse(expected.watermarked(), "human text is not watermarked (null side)");
        assertTrue(expected.skippedRepeated() > 0);
        assertEquals(texts.size(), run.counter(TupleScorer.DOCUMENTS));
        assertEquals(texts.stream().mapToLong(String::length).sum(), run.counter(TupleScorer.TEXT_CHARS));

        // lines: one document per line (blank lines are not documents)
        Path lines = tmp.resolve("lines.txt");
        Files.writeString(lines, String.join("\n\n", texts.subList(0, 20)) + "\n");
        List<String> lineDocs = Files.readAllLines(lines).stream().filter(l -> !l.isBlank()).toList();
        SparkDetectJob.Result lr = SparkDetectJob.run(spark, new JobSpec(List.of(lines.toString()),
                JobSpec.Format.LINES, "text", "ids", "gumbel", JobSpec.Keys.of(List.of(key)), null, ALPHA, 2));
        assertEquals(single(s, key, lineDocs.stream().map(tok::encode).toList()), lr.raw().get(0));
        assertEquals(lineDocs.size(), lr.counter(TupleScorer.DOCUMENTS));
        assertTrue(lr.counter(TupleScorer.RECORDS_SKIPPED) > 0, "the blank lines");
        assertEquals(1, ExecutorTokenizer.loads(), "the tokenizer is loaded once per executor JVM, not per task");
    }

    @Test
    void parquetIdsGiveTheSameResultAsJsonl() throws IOException {
        Scheme s = Scheme.parse("synthid");
        WatermarkKey key = TestKeys.key(101);
        List<int[]> docs = corpus(s, key, 11);
        List<Row> rows = new ArrayList<>();
        for (int[] d : docs) {
            Long[] l = new Long[d.length];
            for (int i = 0; i < d.length; i++) {
                l[i] = (long) d[i];
            }
            rows.add(RowFactory.create(Arrays.asList(l)));
        }
        StructType schema = new StructType().add("tokens", DataTypes.createArrayType(DataTypes.LongType));
        Path pq = tmp.resolve("corpus.parquet");
        spark.createDataFrame(rows, schema).repartition(3).write().parquet(pq.toString());
        JobSpec js = new JobSpec(List.of(pq.toString()), JobSpec.Format.PARQUET, "text", "tokens", "synthid",
                JobSpec.Keys.of(List.of(key)), null, ALPHA, 0);
        assertEquals(single(s, key, docs), SparkDetectJob.run(spark, js).raw().get(0));

        JobSpec wrong = new JobSpec(List.of(pq.toString()), JobSpec.Format.PARQUET, "text", "ids", "synthid",
                JobSpec.Keys.of(List.of(key)), null, ALPHA, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkDetectJob.run(spark, wrong));
        assertEquals("parquet input has neither a string column 'text' nor an integer-array column 'ids' "
                + "(columns: tokens); choose with --field / --ids-field", e.getMessage());
    }

    @Test
    void commandLineReportsTheCliFieldsAndCorpusStats() throws Exception {
        Scheme s = Scheme.parse("kgw");
        WatermarkKey key = TestKeys.key(111);
        List<int[]> docs = corpus(s, key, 13);
        Path in = writeIdsJsonl(docs, "cli");
        Path keyFile = tmp.resolve("k.json");
        KeyFile.write(keyFile, key, true);
        Path report = tmp.resolve("out/report.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Hallmark.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("spark-detect", "--key", keyFile.toString(), "--scheme", "kgw", "--input",
                in.resolve("part-*.jsonl").toString(), "--output", report.toString());
        assertEquals(0, code, err.toString());
        JsonNode j = JSON.readTree(out.toString());
        DetectionResult expected = single(s, key, docs);
        assertEquals(expected.scheme(), j.get("scheme").asText());
        assertEquals(key.id(), j.get("key_id").asText());
        assertEquals(expected.tokensScored(), j.get("tokens_scored").asLong());
        assertEquals(expected.skippedRepeated(), j.get("skipped").get("repeated").asLong());
        assertEquals(expected.log10P(), j.get("log10_p").asDouble());
        assertEquals(expected.scoreSum(), j.get("score_sum").asDouble());
        assertTrue(j.get("watermarked").asBoolean());
        assertEquals(docs.size(), j.get("corpus").get("documents").asLong());
        assertEquals(expected.tokensSeen(), j.get("corpus").get("tokens_seen").asLong());
        assertEquals(j, JSON.readTree(Files.readString(report)));
        assertTrue(spark.sparkContext().isStopped() == false, "a session the command did not start is left running");
    }

    @Test
    void badInputGivesClearErrors() throws Exception {
        WatermarkKey key = TestKeys.key(1);
        Path keyFile = tmp.resolve("k1.json");
        KeyFile.write(keyFile, key, true);
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"ids\":[1,2,3,4,5,6]}\n{\"ids\":[3,-7,9]}\n");
        String err = runExpectingFailure("spark-detect", "--key", keyFile.toString(), "--scheme", "kgw", "--input",
                bad.toString());
        assertTrue(err.contains("has a negative token id -7 at ids[1]"), err);
        err = runExpectingFailure("spark-detect", "--key", keyFile.toString(), "--scheme", "kgw", "--input",
                bad.toString(), "--format", "csv");
        assertTrue(err.contains("unknown input format 'csv' (use jsonl, lines, text, ids or parquet)"), err);
        err = runExpectingFailure("spark-detect", "--key", keyFile.toString(), "--scheme", "kgw", "--input",
                tmp.resolve("missing-dir").toString());
        assertTrue(err.contains("missing-dir") && err.contains("does not exist"), err);
        Path text = tmp.resolve("t.txt");
        Files.writeString(text, "some text\n");
        err = runExpectingFailure("spark-detect", "--key", keyFile.toString(), "--scheme", "kgw", "--input",
                text.toString(), "--format", "lines", "--tokenizer", "/nonexistent/tok.json");
        assertTrue(err.contains("tokenizer /nonexistent/tok.json not found on this executor"), err);
    }

    /**
     * vLLM-watermarked completions ({@link VllmSampler}: vLLM's own contexts, the prompt left out),
     * unwatermarked ones, and the repeats of {@link #corpus}: copied spans, quotes, duplicates, a
     * 2-token and an empty document.
     */
    static List<int[]> vllmCorpus(Scheme s, VllmKey key, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> docs = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            int[] g = RandomText.generate(VllmSampler.of(s, key, VllmGeneration.defaults(), VOCAB), 4,
                    30 + r.nextInt(40), 2.0, r);
            docs.add(RandomText.withRepeatedSpans(Arrays.copyOfRange(g, 4, g.length), r));
        }
        for (int i = 0; i < 10; i++) {
            docs.add(RandomText.generate(WatermarkSampler.plain(SamplingConfig.defaults(), VOCAB), 0, 50, 2.0, r));
        }
        for (int i = 0; i < 10; i++) {
            int[] src = docs.get(r.nextInt(docs.size()));
            int from = r.nextInt(src.length / 2);
            docs.add(concat(Arrays.copyOfRange(src, from, Math.min(src.length, from + 20)),
                    docs.get(r.nextInt(docs.size()))));
        }
        docs.add(docs.get(1).clone());
        docs.add(docs.get(2).clone());
        docs.add(new int[] {5, 6});
        docs.add(new int[0]);
        return docs;
    }

    /** The single-machine result counting every position (vLLM's dedup=false): its units are what Spark scores. */
    static DetectionResult everyPosition(Scheme s, VllmKey key, List<int[]> docs) {
        Scheme all = Scheme.parse(s.toString().replace("dedup=true", "dedup=false"));
        CorpusAccumulator acc = new CorpusAccumulator(KeyedScheme.of(all, key));
        docs.forEach(acc::accept);
        return acc.result(ALPHA);
    }

    static void assertSameUnits(DetectionResult expected, DetectionResult spark) {
        assertEquals(expected.independent().count(), spark.tokensScored(), "distinct units");
        assertEquals(expected.independent().scoreSum(), spark.scoreSum(), "their exact score sum");
        assertEquals(expected.log10P(), spark.log10P(), "the exact p-value on them");
        assertEquals(expected.tokensSeen(), spark.tokensSeen());
        assertEquals(expected.watermarked(), spark.watermarked());
        assertEquals(0, spark.skippedContext(), "vLLM scores every position");
        assertNull(spark.reference(), "vLLM's own count needs the reading order: not reported");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "vllm-gumbel:context=4",
        "vllm-dual-key-gumbel:context=2,alpha=0.35",
        "vllm-sbw:scheme=selfhash,context=4",
        "vllm-sbw:scheme=lefthash,context=1,gamma=0.25",
        "vllm-gumbel:context=8,dedup=false" // 9-id units: fingerprint identities
    })
    void vllmUnitsAreScoredOnceWithExactPValuesOnBothSides(String spec) throws IOException {
        Scheme s = Scheme.parse(spec);
        VllmKey key = VllmKey.of(0x51ED270B27F04E2DL * spec.length());
        VllmKey unrelated = VllmKey.parse("18446744073709551615");
        List<int[]> docs = vllmCorpus(s, key, spec.hashCode());
        Path in = writeIdsJsonl(docs, "vllm-" + Integer.toHexString(spec.hashCode()));
        SparkDetectJob.Result run = SparkDetectJob.run(spark, new JobSpec(List.of(in.toString()), JobSpec.Format.JSONL,
                "text", "ids", spec, JobSpec.Keys.ofVllm(List.of(key, unrelated)), null, ALPHA, 0, 37));
        DetectionResult expected = everyPosition(s, key, docs);
        assertTrue(expected.tokensScored() - expected.independent().count() > 100,
                "the corpus repeats units: " + expected);
        assertSameUnits(expected, run.raw().get(0));
        assertEquals(s.toString(), run.raw().get(0).scheme());
        assertEquals(key.id(), run.raw().get(0).keyId());
        assertTrue(expected.watermarked(), "detection side: " + expected);
        DetectionResult expectedNull = everyPosition(s, unrelated, docs);
        assertSameUnits(expectedNull, run.raw().get(1));
        assertFalse(expectedNull.watermarked(), "null side: " + expectedNull);
        assertEquals(MultiKeyDetector.adjust(run.raw()).adjusted(), run.adjusted(), "Holm across the keys");
        assertEquals(List.of(key.id()), MultiKeyDetector.adjust(run.raw()).detectedKeyIds());
        JsonNode j = run.toJson();
        assertTrue(j.get("job").get("counting").asText().contains("vLLM units"), j.toString());
        assertFalse(j.get("keys").get(0).has("reference_p_value"), j.toString());
    }

    @Test
    void vllmOnTheCommandLineWithAKeyFileOrAnInlineKey() throws Exception {
        Scheme s = Scheme.parse("vllm-gumbel:context=4");
        VllmKey key = VllmKey.parse("15726070495360670683");
        List<int[]> docs = vllmCorpus(s, key, 17);
        Path in = writeIdsJsonl(docs, "vllm-cli");
        Path keyFile = tmp.resolve("vk.json");
        KeyFile.writeVllm(keyFile, key, true);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Hallmark.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertEquals(0, cl.execute("spark-detect", "--key", keyFile.toString(), "--scheme", "vllm-gumbel",
                "--input", in.resolve("part-*.jsonl").toString()), err.toString());
        JsonNode j = JSON.readTree(out.toString());
        DetectionResult expected = everyPosition(s, key, docs);
        assertEquals("vllm-gumbel:context=4,dedup=true", j.get("scheme").asText());
        assertEquals(key.id(), j.get("key_id").asText());
        assertEquals(expected.independent().count(), j.get("tokens_scored").asLong());
        assertEquals(expected.log10P(), j.get("log10_p").asDouble());
        assertTrue(j.get("watermarked").asBoolean());
        assertFalse(out.toString().contains("15726070495360670683") || err.toString().contains("15726070495360670683"));

        StringWriter out2 = new StringWriter();
        cl = Hallmark.commandLine();
        cl.setOut(new PrintWriter(out2));
        cl.setErr(new PrintWriter(new StringWriter()));
        assertEquals(0, cl.execute("spark-detect", "--scheme", "vllm-gumbel:key=15726070495360670683", "--input",
                in.resolve("part-*.jsonl").toString()));
        assertEquals(j.get("log10_p"), JSON.readTree(out2.toString()).get("log10_p"));
        assertFalse(out2.toString().contains("15726070495360670683"), "an inline key never reaches the report");

        String e = runExpectingFailure("spark-detect", "--scheme", "vllm-gumbel", "--input", in.toString());
        assertTrue(e.contains("needs vLLM's 64-bit key"), e);
        Path hallmarkKey = tmp.resolve("hk.json");
        KeyFile.write(hallmarkKey, TestKeys.key(5), true);
        e = runExpectingFailure("spark-detect", "--scheme", "vllm-gumbel", "--key", hallmarkKey.toString(), "--input",
                in.toString());
        assertTrue(e.contains("holds a Hallmark key, not a vLLM key"), e);
        e = runExpectingFailure("spark-detect", "--scheme", "gumbel", "--key", keyFile.toString(), "--input",
                in.toString());
        assertTrue(e.contains("holds a vLLM key (type \"vllm\"), not a Hallmark key"), e);
        e = runExpectingFailure("spark-detect", "--scheme", "vllm-sbw:scheme=treehash,key=1", "--input", in.toString());
        assertTrue(e.contains("'treehash' is not an SBW seeding scheme"), e);
        assertThrows(IllegalArgumentException.class, () -> new JobSpec(List.of(in.toString()), JobSpec.Format.JSONL,
                "text", "ids", "gumbel", JobSpec.Keys.ofVllm(List.of(key)), null, ALPHA, 0));
    }

    private static String runExpectingFailure(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Hallmark.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        assertTrue(code != 0, "expected a failure, got output " + out);
        return err.toString();
    }
}
