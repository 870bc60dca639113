package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.corpus.ParquetFixtures;
import dev.hallmark.scheme.KeyedScheme;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check: a ShareGPT chat JSONL whose assistant turns are watermarked and whose user
 * turns are human text, uploaded with no format parameter, is scored on assistant tokens only and
 * the watermark is found; the null side (watermarked user turns, human assistant turns) is not
 * flagged; the same data as Parquet gives the same numbers; other chat dialects, CSV and zstd go
 * through the same path, and bad chat records are refused at upload naming the record.
 */
@ExtendWith(VertxExtension.class)
class ChatCorpusTest {

    static final int RECORDS = 24;

    @TempDir
    static Path dir;
    static TestSupport.Env env;
    static TestSupport.Api api;
    static KeyedScheme k1;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        env = TestSupport.Env.start(dir.resolve("data"));
        api = new TestSupport.Api(vertx, env.port());
        k1 = env.server.keys().keyed(env.key1);
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    /** Human text of about {@code chars} characters (user turns, or the null side's assistant turns). */
    static String human(int i, int chars) {
        String h = Corpora.human().get(i);
        return h.length() > chars ? h.substring(0, chars) : h;
    }

    /** {@code [user, assistant]} pairs: watermarked assistant turns (or, swapped, watermarked user turns). */
    static List<String[]> pairs(boolean swapped) {
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            String wm = Corpora.watermarkedText(k1, env.server.tokenizer(), 200, 9000 + i);
            String hu = human(i, 900);
            out.add(swapped ? new String[] {wm, hu} : new String[] {hu, wm});
        }
        return out;
    }

    static String sharegptJsonl(List<String[]> pairs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < pairs.size(); i++) {
            b.append(new JsonObject().put("id", "conv-" + i).put("conversations", new JsonArray()
                    .add(new JsonObject().put("from", "human").put("value", pairs.get(i)[0]))
                    .add(new JsonObject().put("from", "gpt").put("value", pairs.get(i)[1]))).encode()).append('\n');
        }
        return b.toString();
    }

    static JsonObject scan(String query, String contentType, Buffer body) throws InterruptedException {
        TestSupport.Resp up = api.upload(query, env.admin, contentType, body);
        assertEquals(201, up.status(), () -> up.body().toString());
        return api.awaitDone(up.json().getString("id"), env.admin).getJsonObject("report");
    }

    static long tokens(List<String> texts) {
        long n = 0;
        for (String t : texts) {
            n += env.server.tokenizer().encode(t).length;
        }
        return n;
    }

    @Test
    void shareGptJsonlWithoutFormatScoresOnlyAssistantTurnsAndParquetAgrees() throws Exception {
        List<String[]> pairs = pairs(false);
        JsonObject r = scan("", "application/octet-stream", Buffer.buffer(sharegptJsonl(pairs)));
        JsonObject in = r.getJsonObject("input");
        assertEquals("chat", in.getString("format"));
        assertEquals("sharegpt", in.getString("chat"));
        assertEquals("all", in.getString("turns"));
        assertEquals("conversations", in.getString("field"));
        long assistantTokens = tokens(pairs.stream().map(p -> p[1]).toList());
        JsonObject rec = r.getJsonObject("records");
        assertEquals(RECORDS, rec.getLong("count"));
        assertEquals(RECORDS, rec.getJsonObject("turns").getLong("user"));
        assertEquals(RECORDS, rec.getJsonObject("turns").getLong("assistant"));
        assertEquals(RECORDS, rec.getJsonObject("document_turns").getLong("assistant"));
        assertEquals(0, rec.getJsonObject("document_turns").getLong("user"));
        assertEquals(assistantTokens, rec.getJsonObject("tokens_by_role").getLong("assistant"));
        assertEquals(0, rec.getJsonObject("tokens_by_role").getLong("user"), "user turns are never scored");
        assertEquals(assistantTokens, r.getJsonObject("tokens").getLong("seen"), "only assistant tokens reach the tests");
        assertEquals("watermarked", r.getString("verdict"));
        JsonObject key1 = keyResult(r, env.key1.id());
        assertTrue(key1.getBoolean("watermarked"));
        assertTrue(key1.getLong("tokens_scored") <= assistantTokens);
        assertTrue(key1.getDouble("log10_p") < -20, key1.toString());
        assertEquals(false, keyResult(r, env.key2.id()).getBoolean("watermarked"), "the other key stays silent");
        assertEquals(RECORDS, r.getJsonObject("documents").getLong("total"));
        JsonObject first = r.getJsonObject("flagged_documents").getJsonArray("documents").getJsonObject(0);
        assertEquals(1, first.getInteger("turn"));
        assertEquals("conv-0", first.getString("doc_id"));
        assertEquals(1, first.getLong("line"));

        // the same data as Parquet (snappy, what Spark and pyarrow write by default), again without a format
        Path pq = ParquetFixtures.write(dir.resolve("chat.parquet"), ParquetFixtures.SHAREGPT, RECORDS, (i, g) -> {
            g.append("id", "conv-" + i);
            ParquetFixtures.sharegpt(g, List.of(new String[] {"human", pairs.get(i)[0]}, new String[] {"gpt", pairs.get(i)[1]}));
        }, CompressionCodecName.SNAPPY, ParquetProperties.WriterVersion.PARQUET_1_0, 64 << 10);
        JsonObject p = scan("", "application/octet-stream", Buffer.buffer(Files.readAllBytes(pq)));
        assertEquals("parquet", p.getJsonObject("input").getString("format"));
        assertEquals("sharegpt", p.getJsonObject("input").getString("chat"));
        assertEquals(r.getJsonArray("keys"), p.getJsonArray("keys"), "the same corpus-level numbers");
        assertEquals(r.getJsonObject("documents"), p.getJsonObject("documents"));
        assertEquals(r.getJsonObject("tokens"), p.getJsonObject("tokens"));
        assertEquals(r.getJsonObject("records"), p.getJsonObject("records"));
        assertEquals(r.getJsonObject("histogram"), p.getJsonObject("histogram"));
        assertEquals(r.getJsonObject("flagged_documents").getLong("count"),
                p.getJsonObject("flagged_documents").getLong("count"));
    }

    @Test
    void watermarkedUserTurnsAreNotScored() throws Exception {
        List<String[]> pairs = pairs(true);
        JsonObject r = scan("", "application/x-ndjson", Buffer.buffer(sharegptJsonl(pairs)));
        assertEquals("no_watermark_detected", r.getString("verdict"), "the watermark sits in user turns only");
        assertEquals(tokens(pairs.stream().map(p -> p[1]).toList()), r.getJsonObject("tokens").getLong("seen"));
        assertEquals(0, r.getJsonObject("documents").getLong("flagged"));
        // read as plain JSONL with the user turn's path, the same file shows it (the watermark is really there)
        JsonObject asField = scan("?format=jsonl&field=conversations.0.value", "application/x-ndjson",
                Buffer.buffer(sharegptJsonl(pairs)));
        assertEquals("watermarked", asField.getString("verdict"));
    }

    @Test
    void radioactivityExcludesThePromptTurns() throws Exception {
        List<String[]> pairs = pairs(false);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < RECORDS; i++) {
            // the assistant repeats its user turn after its own answer: those contexts are the prompt's
            b.append(new JsonObject().put("messages", new JsonArray()
                    .add(new JsonObject().put("role", "system").put("content", "Answer."))
                    .add(new JsonObject().put("role", "user").put("content", pairs.get(i)[1]))
                    .add(new JsonObject().put("role", "assistant").put("content", new JsonArray()
                            .add(new JsonObject().put("type", "text").put("text", pairs.get(i)[1]))))).encode()).append('\n');
        }
        JsonObject r = scan("?scan_type=radioactivity&turns=last", "application/x-ndjson", Buffer.buffer(b.toString()));
        assertEquals("openai", r.getJsonObject("input").getString("chat"));
        assertEquals("last", r.getJsonObject("input").getString("turns"));
        assertEquals(RECORDS, r.getJsonObject("prompt_exclusion").getLong("documents_with_prompt"));
        JsonObject k = keyResult(r, env.key1.id());
        assertTrue(k.getLong("skipped_prompt") > 0, k.toString());
        assertEquals("no_watermark_detected", r.getString("verdict"),
                "an assistant that copies its (watermarked) prompt is not radioactive: " + k);
    }

    @Test
    void otherDialectsCsvAndZstd() throws Exception {
        List<String[]> pairs = pairs(false);
        StringBuilder alpaca = new StringBuilder();
        StringBuilder csv = new StringBuilder("id,prompt,completion\n");
        for (int i = 0; i < RECORDS; i++) {
            alpaca.append(new JsonObject().put("instruction", pairs.get(i)[0]).put("input", "").put("output", pairs.get(i)[1])
                    .encode()).append('\n');
            csv.append(i).append(",\"").append(pairs.get(i)[0].replace("\"", "\"\"")).append("\",\"")
                    .append(pairs.get(i)[1].replace("\"", "\"\"")).append("\"\n");
        }
        JsonObject a = scan("", "application/x-ndjson", Buffer.buffer(alpaca.toString()));
        assertEquals("alpaca", a.getJsonObject("input").getString("chat"));
        assertEquals("watermarked", a.getString("verdict"));
        JsonObject c = scan("?field=completion", "text/csv", Buffer.buffer(csv.toString()));
        assertEquals("csv", c.getJsonObject("input").getString("format"));
        assertEquals(a.getJsonArray("keys"), c.getJsonArray("keys"), "the same documents, the same numbers");
        ByteArrayOutputStreamHolder z = new ByteArrayOutputStreamHolder();
        try (var o = new io.airlift.compress.zstd.ZstdOutputStream(z.out)) {
            o.write(sharegptJsonl(pairs).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        JsonObject zr = scan("", "application/zstd", Buffer.buffer(z.out.toByteArray()));
        assertEquals("zstd", zr.getJsonObject("input").getString("compression"));
        assertEquals(a.getJsonArray("keys"), zr.getJsonArray("keys"));
    }

    @Test
    void badChatRecordsAreRefusedNamingTheRecord() throws IOException {
        String ok = sharegptJsonl(List.<String[]>of(new String[] {"hi", "hello"}));
        api.upload("", env.alpha, "application/x-ndjson", Buffer.buffer(ok
                + "{\"conversations\": [{\"from\": \"human\", \"value\": \"alone\"}]}\n"))
                .problem(400, "invalid-request", "line 2: a chat record without an assistant turn");
        api.upload("", env.alpha, "application/x-ndjson", Buffer.buffer(ok
                + "{\"conversations\": [{\"from\": \"narrator\", \"value\": \"x\"}, {\"from\": \"gpt\", \"value\": \"y\"}]}\n"))
                .problem(400, "invalid-request", "line 2: turn 1 has role 'narrator', which is not known");
        api.upload("", env.alpha, "text/csv", Buffer.buffer("id,text\n1,a\n2,b,c\n"))
                .problem(400, "invalid-request", "line 3: row 2 has 3 columns, the header has 2");
        Path pq = ParquetFixtures.write(dir.resolve("nocol.parquet"), ParquetFixtures.TEXT, 3,
                (i, g) -> g.append("id", "r" + i).append("text", "t"));
        api.upload("?field=response", env.alpha, "application/vnd.apache.parquet", Buffer.buffer(Files.readAllBytes(pq)))
                .problem(400, "invalid-request", "the Parquet file has no column 'response' (columns: id, text)");
        byte[] z = zstdBytes(ok.repeat(200));
        z[z.length / 2] ^= 0x5a;
        api.upload("", env.alpha, "application/zstd", Buffer.buffer(z))
                .problem(400, "invalid-request", "corrupt or truncated zstd data");
        api.upload("?turns=first", env.alpha, "application/x-ndjson", Buffer.buffer(ok))
                .problem(400, "invalid-request", "'turns' must be 'last' or 'all'");
        assertEquals(0, env.server.scans().list("alpha", 100).size(), "nothing half-read was stored");
    }

    static JsonObject keyResult(JsonObject report, String keyId) {
        for (Object o : report.getJsonArray("keys")) {
            JsonObject k = (JsonObject) o;
            if (keyId.equals(k.getString("key_id"))) {
                return k;
            }
        }
        throw new AssertionError("no key " + keyId + " in " + report.getJsonArray("keys"));
    }

    static byte[] zstdBytes(String s) throws IOException {
        ByteArrayOutputStreamHolder z = new ByteArrayOutputStreamHolder();
        try (var o = new io.airlift.compress.zstd.ZstdOutputStream(z.out)) {
            o.write(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return z.out.toByteArray();
    }

    private static final class ByteArrayOutputStreamHolder {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    }
}
