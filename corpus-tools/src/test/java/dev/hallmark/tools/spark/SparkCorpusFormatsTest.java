package dev.hallmark.tools.spark;

import dev.hallmark.text.TokenizerEngine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.corpus.CorpusOptions;
import dev.hallmark.corpus.CorpusReader;
import dev.hallmark.corpus.Document;
import dev.hallmark.corpus.Turns;
import dev.hallmark.detect.CorpusAccumulator;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.key.KeyFile;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.testing.TestKeys;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.tools.ChatFixtures;
import dev.hallmark.tools.Hallmark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spark-detect} on chat JSONL, Parquet with a messages column and Alpaca CSV, read by
 * hallmark-corpus on the executors: the documents are the ones the verifier service and
 * {@code hallmark detect} read (the assistant turns; user turns never scored), so the result equals
 * a single-machine {@link CorpusAccumulator} over the documents {@link CorpusReader} gives, with
 * the same counts of records and turns by role; the null side (an unrelated key, and human
 * assistant turns) is checked on the same files.
 */
class SparkCorpusFormatsTest {

    static final double ALPHA = 1e-3;
    static final int RECORDS = 10;

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static TextTokenizer tok;
    static WatermarkKey key = TestKeys.key(131);
    static WatermarkKey unrelated = TestKeys.key(132);
    static Scheme scheme = Scheme.parse("kgw");
    static List<ChatFixtures.Chat> chats = new ArrayList<>();

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("hallmark-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
        tok = ExecutorTokenizer.get(null, TokenizerEngine.FAST);
        List<String> human = ChatFixtures.human(RECORDS, 600);
        for (int i = 0; i < RECORDS; i++) {
            chats.add(new ChatFixtures.Chat("c" + i, human.get(i),
                    ChatFixtures.watermarked(KeyedScheme.of(scheme, key), tok, 150, 300 + i)));
        }
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** What the service reads from {@code file}: its documents' ids, through the same library. */
    static List<int[]> serviceDocuments(Path file, Turns turns) throws IOException {
        List<int[]> out = new ArrayList<>();
        try (CorpusReader r = CorpusReader.open(file, CorpusOptions.defaults().withTurns(turns))) {
            for (Document d = r.next(); d != null; d = r.next()) {
                out.add(d.ids() != null ? d.ids() : tok.encode(d.text()));
            }
        }
        return out;
    }

    static DetectionResult single(WatermarkKey k, List<int[]> docs) {
        CorpusAccumulator acc = new CorpusAccumulator(KeyedScheme.of(scheme, k));
        docs.forEach(acc::accept);
        return acc.result(ALPHA);
    }

    static SparkDetectJob.Result run(String input, JobSpec.Format format) {
        return SparkDetectJob.run(spark, new JobSpec(List.of(input), format, null, "ids", scheme.toString(),
                JobSpec.Keys.of(List.of(key, unrelated)), null, ALPHA, 0));
    }

    @Test
    void chatJsonlParquetAndCsvGiveTheServicesDocumentsAndCounts() throws Exception {
        // two JSONL files (two tasks), the same records as one Parquet file and as Alpaca CSV
        Path dir = Files.createDirectories(tmp.resolve("jsonl"));
        ChatFixtures.sharegptJsonl(dir.resolve("part-0.jsonl"), chats.subList(0, RECORDS / 2));
        ChatFixtures.sharegptJsonl(dir.resolve("part-1.jsonl"), chats.subList(RECORDS / 2, RECORDS));
        Path parquet = ChatFixtures.sharegptParquet(tmp.resolve("chat.parquet"), chats);
        Path csv = ChatFixtures.alpacaCsv(tmp.resolve("chat.csv"), chats);
        List<int[]> docs = serviceDocuments(parquet, Turns.ALL);
        assertEquals(RECORDS, docs.size());
        long assistantTokens = docs.stream().mapToLong(d -> d.length).sum();
        DetectionResult expected = single(key, docs);
        DetectionResult expectedNull = single(unrelated, docs);
        assertTrue(expected.watermarked(), expected.toString());
        assertFalse(expectedNull.watermarked(), expectedNull.toString());
        assertEquals(docs.size(), serviceDocuments(csv, Turns.ALL).size());

        for (Object[] c : new Object[][] {{dir.toString(), JobSpec.Format.AUTO, "auto"},
            {dir.resolve("part-*.jsonl").toString(), JobSpec.Format.CHAT, "chat"},
            {parquet.toString(), JobSpec.Format.AUTO, "parquet"}, {parquet.toString(), JobSpec.Format.PARQUET, "parquet"},
            {csv.toString(), JobSpec.Format.AUTO, "auto"}, {csv.toString(), JobSpec.Format.CSV, "csv"}}) {
            SparkDetectJob.Result r = run((String) c[0], (JobSpec.Format) c[1]);
            String what = c[0] + " as " + c[1];
            assertEquals(expected, r.raw().get(0), what);
            assertEquals(expectedNull, r.raw().get(1), what);
            assertEquals(c[2], r.input().format(), what);
            assertTrue(r.input().corpus(), what);
            JsonNode rec = r.toJson().get("records");
            assertEquals(RECORDS, rec.get("count").asLong(), what);
            assertEquals(RECORDS, rec.get("documents").asLong(), what);
            assertEquals(RECORDS, rec.get("turns").get("user").asLong(), what);
            assertEquals(RECORDS, rec.get("turns").get("assistant").asLong(), what);
            assertEquals(RECORDS, rec.get("document_turns").get("assistant").asLong(), what);
            assertEquals(assistantTokens, rec.get("tokens_by_role").get("assistant").asLong(), what);
            assertEquals(0, rec.get("tokens_by_role").get("user").asLong(), what);
        }

        // the null side on the data: watermarked user turns, human answers
        List<ChatFixtures.Chat> swapped = chats.stream()
                .map(c -> new ChatFixtures.Chat(c.id(), c.assistant(), c.user())).toList();
        Path nul = ChatFixtures.sharegptParquet(tmp.resolve("swapped.parquet"), swapped);
        SparkDetectJob.Result n = run(nul.toString(), JobSpec.Format.AUTO);
        assertEquals(single(key, serviceDocuments(nul, Turns.ALL)), n.raw().get(0));
        assertFalse(n.raw().get(0).watermarked(), n.raw().get(0).toString());
    }

    @Test
    void commandLineReadsChatsWithoutFlagsAndNamesABadRecord() throws Exception {
        Path k = tmp.resolve("k.json");
        KeyFile.write(k, key, "kgw", true);
        Path parquet = ChatFixtures.sharegptParquet(tmp.resolve("cli.parquet"), chats);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Hallmark.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        // no --format, no --scheme: detected, and the key file's default scheme
        int code = cl.execute("spark-detect", "--key", k.toString(), "--input", parquet.toString(), "--turns", "last");
        assertEquals(0, code, err.toString());
        JsonNode j = ChatFixtures.JSON.readTree(out.toString());
        assertEquals(single(key, serviceDocuments(parquet, Turns.LAST)).log10P(), j.get("log10_p").asDouble());
        assertEquals(RECORDS, j.get("records").get("document_turns").get("assistant").asLong());
        assertEquals("hallmark-corpus (one task per file)", j.get("job").get("reader").asText());

        Path bad = Files.writeString(tmp.resolve("bad-chat.jsonl"), "{\"messages\": [{\"role\": \"user\", \"content\": "
                + "\"hi\"}, {\"role\": \"assistant\", \"content\": \"hello\"}]}\n{\"messages\": [{\"role\": \"user\", "
                + "\"content\": \"nobody answers\"}]}\n");
        StringWriter e2 = new StringWriter();
        var cl2 = Hallmark.commandLine();
        cl2.setOut(new PrintWriter(new StringWriter()));
        cl2.setErr(new PrintWriter(e2));
        int c2 = cl2.execute("spark-detect", "--key", k.toString(), "--input", bad.toString());
        assertNotEquals(0, c2);
        assertTrue(e2.toString().contains("line 2: a chat record without an assistant turn (turns: user)")
                && e2.toString().contains("bad-chat.jsonl"), e2.toString());
    }
}
