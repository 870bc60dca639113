package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.service.store.KeyStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code radioactivity} scan type (issue 6) through the API: corpus-level de-duplicated test
 * per key with Holm, prompt exclusion, the served-data filter, its report (validated against
 * docs/openapi.yaml) and its errors. The "suspect outputs" that carry the watermark are text
 * sampled with key one (what a student that learned the watermark perfectly would write); the
 * null side is human text.
 */
@ExtendWith(VertxExtension.class)
class RadioactivityScanTest {

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

    /** Suspect-model records: completion (text), prompt (human text), as {@code hallmark generate} writes them. */
    static String suspect(int n, long seed0, boolean watermarked) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String completion = watermarked ? Corpora.watermarkedText(k1, env.server.tokenizer(), 120, seed0 + i)
                    : Corpora.human().get((int) ((seed0 + i) % Corpora.human().size()));
            String prompt = Corpora.human().get(100 + i).substring(0, 120);
            b.append(new JsonObject().put("id", "s" + i).put("prompt", prompt).put("completion", completion).encode())
                    .append('\n');
        }
        return b.toString();
    }

    static JsonObject scan(String query, String token, String jsonl) throws InterruptedException {
        TestSupport.Resp up = api.upload(query, token, "application/x-ndjson", Buffer.buffer(jsonl));
        assertEquals(201, up.status(), up.body()::toString);
        return api.awaitDone(up.json().getString("id"), token);
    }

    static JsonObject key(JsonObject report, String id) {
        for (Object o : report.getJsonArray("keys")) {
            JsonObject k = (JsonObject) o;
            if (id.equals(k.getString("key_id"))) {
                return k;
            }
        }
        throw new AssertionError("no key " + id + " in " + report.encode());
    }

    @Test
    void findsTheKeyInWatermarkedOutputsWithHolmAndPromptExclusion() throws Exception {
        JsonObject s = scan("?scan_type=radioactivity&field=completion&name=suspect", env.admin, suspect(30, 1, true));
        assertEquals("radioactivity", s.getString("scan_type"));
        assertEquals(true, s.getJsonObject("params").getBoolean("prompt_exclusion"));
        JsonObject r = s.getJsonObject("report");
        assertEquals("radioactivity", r.getString("test"));
        assertEquals(30, r.getInteger("documents"));
        assertEquals("none", r.getString("filter"));
        assertEquals("holm", r.getString("correction"));
        assertEquals(30, r.getJsonObject("prompt_exclusion").getInteger("documents_with_prompt"));
        assertEquals("watermarked", r.getString("verdict"));
        assertEquals(List.of(env.key1.id()), r.getJsonArray("detected_key_ids").getList(), "only the key that made it");
        JsonObject a = key(r, env.key1.id());
        assertTrue(a.getDouble("log10_p") < -10, a::encode);
        assertTrue(a.getDouble("log10_p") >= a.getDouble("log10_p_unadjusted"), "Holm never lowers a p-value");
        // each distinct tuple once over the whole corpus: 30 x 119 positions, far fewer distinct bigrams of ~150 words
        assertTrue(a.getLong("tokens_scored") < 30 * 119 && a.getJsonObject("skipped").getLong("repeated") > 0, a::encode);
        assertEquals(a.getJsonObject("skipped").getLong("filtered"),
                a.getLong("skipped_served_filter") + a.getLong("skipped_budget") + a.getLong("skipped_prompt"));
        assertFalse(key(r, env.key2.id()).getBoolean("watermarked"));
    }

    @Test
    void humanTextIsNotRadioactive() throws Exception {
        JsonObject r = scan("?scan_type=radioactivity&field=completion", env.alpha, suspect(60, 0, false))
                .getJsonObject("report");
        assertEquals("no_watermark_detected", r.getString("verdict"));
        assertTrue(r.getJsonArray("detected_key_ids").isEmpty());
        assertTrue(r.getBoolean("quantized"), "analysts get rounded numbers");
        for (Object o : r.getJsonArray("keys")) {
            JsonObject k = (JsonObject) o;
            assertFalse(k.getBoolean("watermarked"), k::encode);
            assertTrue(k.getLong("tokens_scored") > 10_000, k::encode);
        }
    }

    @Test
    void outputsThatCopyTheirPromptScoreNothing() throws Exception {
        // watermarked ids whose prompt is the same ids: every context occurs in the prompt
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            JsonArray ids = new JsonArray();
            for (int id : Corpora.watermarkedWordIds(k1, env.server.tokenizer(), 100, 50 + i)) {
                ids.add(id);
            }
            b.append(new JsonObject().put("prompt_ids", ids).put("completion_ids", ids).encode()).append('\n');
        }
        JsonObject r = scan("?scan_type=radioactivity&field=completion_ids&key_ids=" + env.key1.id(), env.alpha,
                b.toString()).getJsonObject("report");
        JsonObject a = key(r, env.key1.id());
        assertEquals(0, a.getLong("tokens_scored"), a::encode);
        assertEquals(10 * 99, a.getLong("skipped_prompt"));
        assertEquals("none", r.getString("correction"), "one key: nothing to correct");
        assertEquals("no_watermark_detected", r.getString("verdict"));
    }

    @Test
    void servedDataFilterKeepsOnlyServedContexts() throws Exception {
        // the lab's served outputs, uploaded as an ordinary scan (which itself finds the watermark)
        StringBuilder served = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            served.append(new JsonObject().put("text", Corpora.watermarkedText(k1, env.server.tokenizer(), 150, 1000 + i))
                    .encode()).append('\n');
        }
        JsonObject sv = scan("?name=served&key_ids=" + env.key1.id(), env.alpha, served.toString());
        assertEquals("watermarked", sv.getString("verdict"));
        String sid = sv.getString("id");

        JsonObject r = scan("?scan_type=radioactivity&field=completion&filter_scan=" + sid, env.alpha,
                suspect(30, 2000, true)).getJsonObject("report");
        assertEquals("served-contexts", r.getString("filter"));
        JsonObject sd = r.getJsonObject("served_data");
        assertEquals(sid, sd.getString("scan_id"));
        assertEquals(20, sd.getInteger("documents"));
        assertFalse(sd.getBoolean("truncated"));
        assertEquals("watermarked", r.getString("verdict"));
        // key two reads 2-token contexts: some of the suspect's bigram contexts were never served
        assertTrue(key(r, env.key2.id()).getLong("skipped_served_filter") > 0, r::encode);

        // only the 5 most frequent served contexts: still key-independent, fewer tuples
        JsonObject top = scan("?scan_type=radioactivity&field=completion&filter_top=5&filter_scan=" + sid, env.alpha,
                suspect(30, 2000, true)).getJsonObject("report");
        assertEquals(5, top.getJsonObject("served_data").getInteger("top"));
        assertTrue(key(top, env.key1.id()).getLong("tokens_scored") < key(r, env.key1.id()).getLong("tokens_scored"));

        // the null under the filter: human suspect outputs
        JsonObject h = scan("?scan_type=radioactivity&field=completion&filter_scan=" + sid, env.alpha,
                suspect(60, 0, false)).getJsonObject("report");
        assertEquals("no_watermark_detected", h.getString("verdict"), h::encode);

        TestSupport.Resp html = api.get("/v1/scans/" + r.getString("scan_id") + "/report.html", env.alpha);
        assertEquals(200, html.status());
        assertTrue(html.body().toString().contains("Radioactive: the suspect outputs carry the watermark"));
        assertTrue(html.body().toString().contains("Served-data filter"));
    }

    @Test
    void radioactivityErrorsNameTheProblem() throws Exception {
        String one = suspect(1, 0, false);
        api.upload("?scan_type=distillation", env.alpha, "application/x-ndjson", Buffer.buffer(one))
                .problem(400, "invalid-request", "'scan_type' must be 'watermark' or 'radioactivity'");
        api.upload("?filter_scan=scan_x", env.alpha, "application/x-ndjson", Buffer.buffer(one))
                .problem(400, "invalid-request", "parameters of scan_type=radioactivity");
        api.upload("?scan_type=radioactivity&filter_top=-1&filter_scan=scan_x", env.alpha, "application/x-ndjson",
                Buffer.buffer(one)).problem(400, "invalid-request", "'filter_top' must be an integer >= 0");
        api.upload("?scan_type=radioactivity&filter_top=3", env.alpha, "application/x-ndjson", Buffer.buffer(one))
                .problem(400, "invalid-request", "'filter_top' needs 'filter_scan'");
        api.upload("?scan_type=radioactivity&filter_scan=scan_nosuch", env.alpha, "application/x-ndjson",
                Buffer.buffer(one)).problem(422, "unknown-scan", "no scan with id 'scan_nosuch'");
        // another tenant's scan cannot serve as the filter (nor be learned of)
        TestSupport.Resp betas = api.upload("?name=beta-served", env.beta, "application/x-ndjson",
                Buffer.buffer(Corpora.mixedJsonl(Corpora.human().subList(0, 2), List.of())));
        assertEquals(201, betas.status());
        api.upload("?scan_type=radioactivity&field=completion&filter_scan=" + betas.json().getString("id"), env.alpha,
                "application/x-ndjson", Buffer.buffer(one)).problem(422, "unknown-scan", "no scan with id");
        // a context-free scheme has nothing to filter on
        KeyStore.Info uni = env.server.keys().register("unigram", "unigram key", TestSupport.secret("unigram"));
        api.upload("?scan_type=radioactivity&field=completion&key_ids=" + uni.id() + "&filter_scan="
                        + betas.json().getString("id"), env.beta, "application/x-ndjson", Buffer.buffer(one))
                .problem(400, "invalid-request", "has no context (width 0)");
        env.server.keys().retire(uni.id());
        // malformed prompt_ids are refused at upload, naming the line
        String bad = one + new JsonObject().put("completion", "x y z").put("prompt_ids", "not ids").encode() + "\n";
        api.upload("?scan_type=radioactivity&field=completion", env.alpha, "application/x-ndjson", Buffer.buffer(bad))
                .problem(400, "invalid-request", "line 2: field 'prompt_ids' must be an array of token ids");
        // ... but a watermark scan ignores the field
        TestSupport.Resp ok = api.upload("?field=completion", env.alpha, "application/x-ndjson", Buffer.buffer(bad));
        assertEquals(201, ok.status(), ok.body()::toString);
    }
}
