package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.embed.VllmGeneration;
import dev.hallmark.embed.VllmSampler;
import dev.hallmark.key.KeyFile;
import dev.hallmark.key.VllmKey;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.text.TextTokenizer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * vLLM's watermarks through the service (issue 16): vLLM keys registered (as {@code key} or as the
 * key file of {@code hallmark keygen --vllm-key}) and sealed, {@code /v1/detect} on vLLM's own
 * golden vectors (vllm-project/vllm tests/watermarking/watermarking_goldens.json at 01c268bc; the
 * whole file with its provenance is in watermark-core/core/src/test/resources/interop) with Holm
 * across keys and vLLM's numbers for admins only, watermark and radioactivity scans of text made by
 * {@link VllmSampler} (toy model: random logits over single-token words), the null side on human
 * text and on unwatermarked word salad with the same keys (fixed seeds), and bad input as 400s
 * naming the value, never echoing a key.
 */
@ExtendWith(VertxExtension.class)
class VllmTest {

    /** A key above 2^63 (vLLM's keys are unsigned 64-bit), as an admin would register it. */
    static final String BIG = "15726070495360670683";
    static final String GUMBEL = "vllm-gumbel:context=4,dedup=true";
    /** Golden gumbel-philox-key42-cw4: 64 tokens, score 296.27295787856264, p 7.128196280874065e-61. */
    static final int[] GUMBEL_42 = {46, 24, 45, 80, 14, 26, 22, 124, 21, 45, 16, 30, 5, 89, 0, 10, 27, 70, 80, 62, 1,
        11, 117, 53, 10, 45, 94, 37, 43, 22, 78, 49, 119, 9, 22, 118, 82, 75, 32, 24, 84, 27, 122, 66, 78, 64, 124, 17,
        91, 12, 51, 15, 75, 64, 127, 45, 112, 15, 83, 114, 121, 109, 24, 77};
    /** Golden sbw-philox-key42-cw4: 64 of 64 green, vLLM's p 6.220960574271819e-16; 59 (seed, token) units. */
    static final int[] SBW_42 = {7, 42, 84, 34, 30, 26, 75, 110, 14, 10, 6, 2, 44, 125, 121, 117, 113, 109, 105, 101, 12,
        93, 89, 0, 127, 123, 34, 115, 65, 107, 57, 14, 49, 45, 41, 90, 33, 75, 25, 21, 116, 13, 69, 5, 1, 89, 85, 127,
        31, 112, 108, 65, 100, 57, 92, 3, 84, 80, 76, 72, 29, 110, 106, 102};
    /** Golden dual-key-gumbel-philox-keymax-cw4-alpha0.4: score 177.98266424643373, vLLM's p 5.9713149418801004e-43. */
    static final int[] DUAL_MAX = {7, 42, 13, 55, 103, 125, 96, 85, 119, 38, 101, 108, 72, 8, 96, 120, 116, 109, 119, 62,
        26, 107, 63, 113, 102, 34, 83, 90, 121, 53, 18, 67, 20, 12, 101, 40, 86, 89, 59, 81, 24, 20, 72, 51, 22, 117,
        14, 88, 116, 44, 100, 118, 75, 7, 10, 70, 91, 5, 33, 22, 4, 71, 31, 121};

    @TempDir
    static Path dir;
    static TestSupport.Env env;
    static TestSupport.Api api;
    static String big;
    static String k42;
    static String kmax;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        env = TestSupport.Env.start(dir.resolve("data"));
        api = new TestSupport.Api(vertx, env.port());
        // as "key" (a decimal string)
        TestSupport.Resp r = api.post("/v1/keys", env.admin, new JsonObject().put("kind", "vllm").put("key", BIG)
                .put("scheme", "vllm-gumbel:dedup=true,context=4").put("label", "vLLM served model"));
        assertEquals(201, r.status(), r.body()::toString);
        big = r.json().getString("id");
        assertEquals(VllmKey.parse(BIG).id(), big);
        assertEquals("vllm", r.json().getString("kind"));
        assertEquals(GUMBEL, r.json().getString("scheme"), "canonical");
        assertFalse(r.body().toString().contains(BIG), "the key never comes back");
        // as the key file hallmark keygen --vllm-key 42 writes, with scheme and label added
        JsonObject file = new JsonObject(KeyFile.toJson(VllmKey.of(42), Instant.now()))
                .put("scheme", GUMBEL).put("label", "golden key 42");
        r = api.post("/v1/keys", env.admin, file);
        assertEquals(201, r.status(), r.body()::toString);
        k42 = r.json().getString("id");
        assertEquals(VllmKey.of(42).id(), k42);
        // as a JSON integer beyond 2^63 (kept exactly)
        r = api.raw(HttpMethod.POST, "/v1/keys", env.admin, "application/json", Buffer.buffer("{\"kind\": \"vllm\", "
                + "\"key\": 18446744073709551615, \"scheme\": \"vllm-dual-key-gumbel:context=4,alpha=0.4\", "
                + "\"label\": \"golden max key\"}"));
        assertEquals(201, r.status(), r.body()::toString);
        kmax = r.json().getString("id");
        assertEquals(VllmKey.parse("18446744073709551615").id(), kmax);
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    static JsonArray ids(int[] ids) {
        JsonArray a = new JsonArray();
        for (int i : ids) {
            a.add(i);
        }
        return a;
    }

    static JsonObject result(JsonObject text, String keyId) {
        for (Object o : text.getJsonArray("results")) {
            if (keyId.equals(((JsonObject) o).getString("key_id"))) {
                return (JsonObject) o;
            }
        }
        throw new AssertionError("no result for " + keyId + " in " + text.encode());
    }

    /**
     * vLLM-watermarked word salad: {@link VllmSampler} (vLLM's single_turn de-duplication, softmax
     * draws) over single-token common words with random logits, as the other scans' tests make
     * Hallmark text; {@code key == null}: the same model without a watermark.
     */
    static int[] vllmWords(String spec, VllmKey key, int tokens, long seed) {
        TextTokenizer tok = env.server.tokenizer();
        int[] words = Corpora.wordIds(tok);
        int vocab = Arrays.stream(words).max().orElseThrow() + 1;
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] logits = new float[vocab];
        int[] ids = new int[tokens];
        VllmSampler s = key == null ? null : VllmSampler.of(Scheme.parse(spec), key, VllmGeneration.defaults(), vocab);
        for (int t = 0; t < tokens; t++) {
            Arrays.fill(logits, Float.NEGATIVE_INFINITY);
            for (int w : words) {
                logits[w] = (float) (3 * rnd.nextDouble());
            }
            if (s != null) {
                ids[t] = s.next(logits, ids, 0, t, rnd);
            } else {
                ids[t] = plainDraw(logits, words, rnd);
            }
        }
        return ids;
    }

    private static int plainDraw(float[] logits, int[] words, SplittableRandom rnd) {
        double z = 0;
        for (int w : words) {
            z += Math.exp(logits[w]);
        }
        double u = rnd.nextDouble() * z;
        for (int w : words) {
            u -= Math.exp(logits[w]);
            if (u <= 0) {
                return w;
            }
        }
        return words[words.length - 1];
    }

    static String text(int[] ids) {
        return env.server.tokenizer().decode(ids);
    }

    @Test
    void detectReproducesVllmsGoldensWithHolmAcrossKeysAndVllmsNumbersForAdminsOnly() {
        // localize false: the whole-text tests alone, plain Holm across the keys (with localize the
        // windows join the family and the whole-text tests get half of alpha: DocumentFamily)
        JsonObject body = new JsonObject().put("ids", new JsonArray().add(ids(GUMBEL_42)))
                .put("key_ids", new JsonArray().add(k42).add(big)).put("localize", false);
        TestSupport.Resp r = api.post("/v1/detect", env.admin, body);
        assertEquals(200, r.status(), r.body()::toString);
        JsonObject t = r.json().getJsonArray("results").getJsonObject(0);
        assertEquals("watermarked", t.getString("verdict"));
        assertEquals(List.of(k42), t.getJsonArray("detected_key_ids").getList(), "only the key that made it");
        JsonObject a = result(t, k42);
        assertEquals(GUMBEL, a.getString("scheme"));
        assertEquals(64, a.getLong("tokens_scored"), "vLLM's num_scored_tokens");
        assertEquals(296.27295787856264, a.getDouble("reference_score"), 1e-9 * 296.3);
        assertEquals(7.128196280874065e-61, a.getDouble("reference_p_value"), 1e-9 * 7.13e-61);
        // Holm over the two keys: the smallest p-value times 2; vLLM's own p-value is never adjusted
        assertEquals(Math.log10(7.128196280874065e-61), a.getDouble("log10_p_unadjusted"), 1e-9 * 60.2);
        assertEquals(a.getDouble("log10_p_unadjusted") + Math.log10(2), a.getDouble("log10_p"), 1e-9);
        assertFalse(result(t, big).getBoolean("watermarked"), "null side: another key on the same ids");

        // analysts: p-value buckets, and neither vLLM's score nor its p-value
        JsonObject an = result(api.post("/v1/detect", env.alpha, body).json().getJsonArray("results").getJsonObject(0),
                k42);
        assertNull(an.getValue("reference_score"));
        assertNull(an.getValue("reference_p_value"));
        assertTrue(an.getDouble("log10_p") >= a.getDouble("log10_p"), "a conservative bucket");

        // the same registered key under another vllm-* spec: vLLM's sbw golden with key 42
        JsonObject s = api.post("/v1/detect", env.admin, new JsonObject().put("ids", new JsonArray().add(ids(SBW_42)))
                .put("scheme", "vllm-sbw:gamma=0.5,scheme=selfhash,context=4").put("key_ids", new JsonArray().add(k42))
                .put("localize", false))
                .json();
        assertEquals(List.of("vllm-sbw:scheme=selfhash,context=4,gamma=0.5,dedup=true"),
                s.getJsonArray("schemes_tested").getList());
        JsonObject sr = s.getJsonArray("results").getJsonObject(0).getJsonArray("results").getJsonObject(0);
        assertEquals(6.220960574271819e-16, sr.getDouble("reference_p_value"), 1e-9 * 6.2e-16);
        assertEquals(59, sr.getJsonObject("independent").getLong("units"), "exact p-value on (seed, token) units");
        assertEquals(59 * Math.log10(1073741823 / 2147483648.0), sr.getDouble("log10_p"), 1e-12);

        // every active key with its registered scheme: Hallmark keys and vLLM keys together, Holm over all
        JsonObject all = api.post("/v1/detect", env.admin, new JsonObject().put("ids",
                new JsonArray().add(ids(DUAL_MAX)))).json();
        JsonObject at = all.getJsonArray("results").getJsonObject(0);
        assertTrue(all.getJsonArray("keys_tested").getList().containsAll(List.of(env.key1.id(), big, k42, kmax)));
        assertEquals(List.of(kmax), at.getJsonArray("detected_key_ids").getList());
        JsonObject d = result(at, kmax);
        assertEquals("vllm-dual-key-gumbel:context=4,alpha=0.4,dedup=true", d.getString("scheme"));
        assertEquals(177.98266424643373, d.getDouble("reference_score"), 1e-9 * 178);
        assertEquals(5.9713149418801004e-43, d.getDouble("reference_p_value"), 1e-9 * 5.98e-43);
        assertNull(result(at, env.key1.id()).getValue("reference_p_value"), "Hallmark keys have no reference");
    }

    @Test
    void textAndWatermarkScansFindVllmTextAndNotHumanText() throws Exception {
        String wm = text(vllmWords(GUMBEL, VllmKey.parse(BIG), 120, 1));
        JsonObject o = api.post("/v1/detect", env.alpha, new JsonObject().put("texts", new JsonArray().add(wm)
                .add(Corpora.human().get(3))).put("key_ids", new JsonArray().add(big).add(k42))).json();
        assertEquals("watermarked", o.getJsonArray("results").getJsonObject(0).getString("verdict"));
        assertEquals(List.of(big), o.getJsonArray("results").getJsonObject(0).getJsonArray("detected_key_ids").getList());
        assertEquals("no_watermark_detected", o.getJsonArray("results").getJsonObject(1).getString("verdict"));

        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            jsonl.append(new JsonObject().put("id", "wm" + i).put("text", text(vllmWords(GUMBEL, VllmKey.parse(BIG),
                    120, 100 + i))).encode()).append('\n');
        }
        for (int i = 0; i < 16; i++) {
            jsonl.append(new JsonObject().put("id", "h" + i).put("text", Corpora.human().get(20 + i)).encode())
                    .append('\n');
        }
        TestSupport.Resp up = api.upload("?key_ids=" + big + "," + k42, env.alpha, "application/x-ndjson",
                Buffer.buffer(jsonl.toString()));
        assertEquals(201, up.status(), up.body()::toString);
        String id = up.json().getString("id");
        JsonObject rep = api.awaitDone(id, env.alpha).getJsonObject("report");
        assertEquals("watermarked", rep.getString("verdict"));
        assertEquals(List.of(big), rep.getJsonArray("detected_key_ids").getList());
        assertEquals(8, rep.getJsonObject("flagged_documents").getInteger("count"), rep::encode);
        for (Object f : rep.getJsonObject("flagged_documents").getJsonArray("documents")) {
            assertTrue(((JsonObject) f).getString("doc_id").startsWith("wm"), f::toString);
        }
        assertTrue(rep.getBoolean("quantized"));
        assertNull(keyOf(rep, big).getValue("reference_p_value"), "analysts do not see vLLM's numbers");
        assertNull(keyOf(rep, big).getValue("reference_score"));
        assertFalse(keyOf(rep, k42).getBoolean("watermarked"), "null side: the other key on the same corpus");
        JsonObject exact = api.get("/v1/scans/" + id, env.admin).json().getJsonObject("report");
        JsonObject kb = keyOf(exact, big);
        assertTrue(kb.getDouble("reference_p_value") >= 0, "admins see vLLM's numbers");
        assertEquals(kb.getDouble("score_sum"), kb.getDouble("reference_score"));
        assertTrue(kb.getDouble("log10_p") < -20, kb::encode);
    }

    /** Suspect-model records: a human prompt and a completion (vLLM text under {@code key}, or unwatermarked). */
    static String suspect(int n, long seed0, VllmKey key) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String prompt = Corpora.human().get(100 + i).substring(0, 120);
            b.append(new JsonObject().put("id", "s" + i).put("prompt", prompt)
                    .put("completion", text(vllmWords(GUMBEL, key, 120, seed0 + i))).encode()).append('\n');
        }
        return b.toString();
    }

    static JsonObject scan(String query, String token, String jsonl) throws InterruptedException {
        TestSupport.Resp up = api.upload(query, token, "application/x-ndjson", Buffer.buffer(jsonl));
        assertEquals(201, up.status(), up.body()::toString);
        return api.awaitDone(up.json().getString("id"), token);
    }

    @Test
    void radioactivityFindsVllmWatermarkedOutputsAndNotIndependentText() throws Exception {
        String q = "?scan_type=radioactivity&field=completion&key_ids=" + big + "," + k42;
        JsonObject r = scan(q, env.admin, suspect(30, 1, VllmKey.parse(BIG))).getJsonObject("report");
        assertEquals("watermarked", r.getString("verdict"), r::encode);
        assertEquals(List.of(big), r.getJsonArray("detected_key_ids").getList());
        JsonObject a = keyOf(r, big);
        assertTrue(a.getDouble("log10_p") < -10, a::encode);
        assertEquals(0, a.getJsonObject("skipped").getLong("context"), "vLLM scores every position, padded");
        // position 0 of every record has a prompt: its padded context is excluded; more where the prompt holds the word
        assertTrue(a.getLong("skipped_prompt") >= 30, a::encode);
        assertEquals(a.getJsonObject("skipped").getLong("filtered"),
                a.getLong("skipped_served_filter") + a.getLong("skipped_budget") + a.getLong("skipped_prompt"));
        assertTrue(a.getJsonObject("skipped").getLong("repeated") > 0, "de-duplicated across the corpus: " + a);
        assertTrue(a.getDouble("reference_p_value") >= 0);
        assertFalse(keyOf(r, k42).getBoolean("watermarked"));

        // null side, same keys, fixed seeds: unwatermarked output of the same model, and human text
        JsonObject n = scan(q, env.alpha, suspect(30, 1, null)).getJsonObject("report");
        assertEquals("no_watermark_detected", n.getString("verdict"), n::encode);
        assertTrue(keyOf(n, big).getLong("tokens_scored") > 1000, n::encode);
        StringBuilder human = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            human.append(new JsonObject().put("prompt", Corpora.human().get(150 + i).substring(0, 100))
                    .put("completion", Corpora.human().get(i)).encode()).append('\n');
        }
        JsonObject h = scan(q, env.alpha, human.toString()).getJsonObject("report");
        assertEquals("no_watermark_detected", h.getString("verdict"), h::encode);
        assertTrue(keyOf(h, big).getLong("tokens_scored") > 10_000, h::encode);
    }

    @Test
    void vllmOutputsThatCopyTheirPromptScoreNothingPaddedPositionsIncluded() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            JsonArray ids = ids(vllmWords(GUMBEL, VllmKey.parse(BIG), 100, 50 + i));
            b.append(new JsonObject().put("prompt_ids", ids).put("completion_ids", ids).encode()).append('\n');
        }
        JsonObject r = scan("?scan_type=radioactivity&field=completion_ids&key_ids=" + big, env.alpha, b.toString())
                .getJsonObject("report");
        JsonObject a = keyOf(r, big);
        assertEquals(0, a.getLong("tokens_scored"), a::encode);
        assertEquals(10 * 100, a.getLong("skipped_prompt"), "all 100 positions, the 4 padded ones included");
        assertEquals("no_watermark_detected", r.getString("verdict"));
    }

    @Test
    void servedDataFilterUsesVllmsContextWidth() throws Exception {
        StringBuilder served = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            served.append(new JsonObject().put("text", text(vllmWords(GUMBEL, VllmKey.parse(BIG), 150, 1000 + i)))
                    .encode()).append('\n');
        }
        JsonObject sv = scan("?name=served&key_ids=" + big, env.alpha, served.toString());
        assertEquals("watermarked", sv.getString("verdict"));
        JsonObject r = scan("?scan_type=radioactivity&field=completion&key_ids=" + big + "&filter_scan="
                + sv.getString("id"), env.alpha, suspect(30, 1000, VllmKey.parse(BIG))).getJsonObject("report");
        assertEquals("served-contexts", r.getString("filter"));
        assertEquals("watermarked", r.getString("verdict"), r::encode);
        JsonObject a = keyOf(r, big);
        // the suspect repeats some served completions' openings (the same seeds) and not others
        assertTrue(a.getLong("skipped_served_filter") > 0 && a.getLong("tokens_scored") > 0, a::encode);
        JsonObject h = scan("?scan_type=radioactivity&field=completion&key_ids=" + big + "&filter_scan="
                + sv.getString("id"), env.alpha, suspect(30, 1000, null)).getJsonObject("report");
        assertEquals("no_watermark_detected", h.getString("verdict"), h::encode);
    }

    static TestSupport.Resp postKey(String json) {
        return api.raw(HttpMethod.POST, "/v1/keys", env.admin, "application/json", Buffer.buffer(json));
    }

    static TestSupport.Resp detect(String scheme, JsonArray idRows) {
        JsonObject b = new JsonObject().put("ids", idRows).put("key_ids", new JsonArray().add(k42));
        if (scheme != null) {
            b.put("scheme", scheme);
        }
        return api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json", b.toBuffer());
    }

    @Test
    void badKeysAreRefusedNamingTheValue() {
        String label = ", \"scheme\": \"vllm-gumbel\", \"label\": \"x\"}";
        postKey("{\"kind\": \"vllm\", \"key\": \"-1\"" + label).problem(400, "invalid-request", "vLLM key -1 is negative");
        postKey("{\"kind\": \"vllm\", \"key\": \"18446744073709551616\"" + label)
                .problem(400, "invalid-request", "vLLM key 18446744073709551616 is 2^64 or more");
        postKey("{\"kind\": \"vllm\", \"key\": \"x42\"" + label)
                .problem(400, "invalid-request", "vLLM key 'x42' is not a decimal integer");
        postKey("{\"kind\": \"vllm\", \"key\": -5" + label).problem(400, "invalid-request", "vLLM key -5 is negative");
        postKey("{\"kind\": \"vllm\", \"key\": 99999999999999999999" + label)
                .problem(400, "invalid-request", "vLLM key 99999999999999999999 is 2^64 or more");
        postKey("{\"kind\": \"vllm\", \"key\": 4.5" + label)
                .problem(400, "invalid-request", "'key' must be vLLM's key as a decimal string");
        postKey("{\"kind\": \"vllm\"" + label).problem(400, "invalid-request", "'key' is required for kind vllm");
        postKey("{\"kind\": \"vllm\", \"key\": \"7\", \"label\": \"x\"}")
                .problem(400, "invalid-request", "'scheme' is required for a vLLM key");
        postKey("{\"kind\": \"vllm\", \"key\": \"7\", \"scheme\": \"kgw\", \"label\": \"x\"}")
                .problem(400, "invalid-request", "is used with a vllm-* scheme");
        postKey("{\"kind\": \"vllm\", \"key\": \"7\", \"secret\": \"AAAA\"" + label)
                .problem(400, "invalid-request", "given as 'key'");
        postKey("{\"key\": \"7\", \"scheme\": \"kgw\", \"label\": \"x\"}")
                .problem(400, "invalid-request", "'key' is vLLM's key");
        postKey("{\"scheme\": \"vllm-gumbel\", \"label\": \"x\"}")
                .problem(400, "invalid-request", "verifies with vLLM's 64-bit key, not a Hallmark key");
        // the scheme's own parameters
        postKey("{\"kind\": \"vllm\", \"key\": \"7\", \"scheme\": \"vllm-dual-key-gumbel:alpha=1.2\", \"label\": \"x\"}")
                .problem(400, "invalid-request", "alpha must be in [0, 1] (the weight of key B), got 1.2");
        postKey("{\"kind\": \"vllm\", \"key\": \"7\", \"scheme\": \"vllm-gumbel:context=0\", \"label\": \"x\"}")
                .problem(400, "invalid-request", "context must be in [1, 1024] (vLLM's context_width), got 0");
        // a key in the spec is refused, and never repeated
        TestSupport.Resp inline = postKey("{\"kind\": \"vllm\", \"key\": \"7\", \"scheme\": \"vllm-gumbel:key="
                + BIG + "\", \"label\": \"x\"}");
        inline.problem(400, "invalid-request", "with key=... is not accepted here");
        assertFalse(inline.body().toString().contains(BIG), inline.body()::toString);
        // registered once
        postKey("{\"kind\": \"vllm\", \"key\": \"" + BIG + "\"" + label).problem(409, "conflict", "already registered");
        // key files: edited id, a bad key inside, a Hallmark kind on a vLLM file
        JsonObject file = new JsonObject(KeyFile.toJson(VllmKey.of(9), Instant.now())).put("scheme", GUMBEL)
                .put("label", "file");
        api.post("/v1/keys", env.admin, file.copy().put("key_id", "vk-0000000000000000"))
                .problem(400, "invalid-request", "key id mismatch");
        api.post("/v1/keys", env.admin, file.copy().put("vllm_key", "-3"))
                .problem(400, "invalid-request", "'vllm_key' is not a valid vLLM key (vLLM key -3 is negative");
        api.post("/v1/keys", env.admin, file.copy().put("kind", "hallmark"))
                .problem(400, "invalid-request", "'kind' must be absent or 'vllm'");
        api.post("/v1/keys", env.admin, file.copy().put("scheme", "gumbel"))
                .problem(400, "invalid-request", "is used with a vllm-* scheme");
        // derive is for Hallmark keys
        api.raw(HttpMethod.POST, "/v1/keys/" + big + "/derive", env.admin, "application/json",
                new JsonObject().put("path", "account/1").toBuffer())
                .problem(400, "invalid-request", "is a vLLM key: only Hallmark keys derive");
        // the key never appears in the list, a key's view or the audit log
        for (String path : List.of("/v1/keys", "/v1/keys/" + big, "/v1/audit")) {
            TestSupport.Resp r = api.get(path, env.admin);
            assertEquals(200, r.status(), path);
            assertFalse(r.body().toString().contains(BIG), path + " shows the key");
        }
    }

    @Test
    void badDetectionsAndScansAreRefusedNamingTheValue() {
        JsonArray golden = new JsonArray().add(ids(GUMBEL_42));
        detect("vllm-dual-key-gumbel:alpha=1.2", golden)
                .problem(400, "invalid-request", "alpha must be in [0, 1] (the weight of key B), got 1.2");
        detect("vllm-dual-key-gumbel:alpha=-0.1", golden)
                .problem(400, "invalid-request", "got -0.1");
        detect("vllm-gumbel:context=0", golden)
                .problem(400, "invalid-request", "context must be in [1, 1024] (vLLM's context_width), got 0");
        detect("vllm:algorithm=red_green", golden)
                .problem(400, "invalid-request", "algorithm 'red_green' is not a vLLM watermarking algorithm");
        detect("vllm-sbw:scheme=treehash", golden)
                .problem(400, "invalid-request", "scheme 'treehash' is not an SBW seeding scheme");
        TestSupport.Resp inline = detect("vllm-gumbel:key=" + BIG, golden);
        inline.problem(400, "invalid-request", "with key=... is not accepted here");
        assertFalse(inline.body().toString().contains(BIG));
        // a malformed spec that also carries a key: the message quotes the spec with the key redacted
        TestSupport.Resp both = detect("vllm-gumbel:key=" + BIG + ",context=x", golden);
        both.problem(400, "invalid-request", "context=x is not an integer");
        assertFalse(both.body().toString().contains(BIG), both.body()::toString);
        // ids outside the vocabulary: the tokenizer's, or the spec's vocab=
        int[] over = GUMBEL_42.clone();
        over[3] = 151669;
        detect(null, new JsonArray().add(ids(over)))
                .problem(400, "invalid-request", "token id 151669 at position 3 is outside the tokenizer vocabulary [0, 151669)");
        detect("vllm-gumbel:vocab=100", golden).problem(400, "invalid-request",
                "token id 124 at position 7 is outside the vocab of scheme vllm-gumbel:context=4,dedup=true,vocab=100 [0, 100)");
        int[] negative = GUMBEL_42.clone();
        negative[0] = -1;
        detect(null, new JsonArray().add(ids(negative))).problem(400, "invalid-request", "token id -1 at position 0");
        // ... and text, which the service tokenizes, under a vocab below the tokenizer's
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json", new JsonObject()
                        .put("text", Corpora.human().get(0)).put("scheme", "vllm-gumbel:vocab=50000").toBuffer())
                .problem(400, "vocab-mismatch", "vocab=50000 is below the service's tokenizer vocabulary (151669)");
        // a vLLM spec naming a Hallmark key
        api.raw(HttpMethod.POST, "/v1/detect", env.alpha, "application/json", new JsonObject().put("ids", golden)
                        .put("scheme", GUMBEL).put("key_ids", new JsonArray().add(env.key1.id())).toBuffer())
                .problem(400, "keys-required", "is a Hallmark key; scheme vllm-gumbel tests vLLM's 64-bit keys");
        // scans: the same checks before any byte is stored
        api.upload("?scheme=" + URLEncoder.encode("vllm-gumbel:key=" + BIG, StandardCharsets.UTF_8), env.alpha,
                "application/x-ndjson", Buffer.buffer(Corpora.idsLine(GUMBEL_42) + "\n"))
                .problem(400, "invalid-request", "with key=... is not accepted here");
        api.upload("?scheme=" + URLEncoder.encode("vllm-sbw:scheme=treehash", StandardCharsets.UTF_8), env.alpha,
                "application/x-ndjson", Buffer.buffer(Corpora.idsLine(GUMBEL_42) + "\n"))
                .problem(400, "invalid-request", "'treehash' is not an SBW seeding scheme");
        api.upload("?field=ids&key_ids=" + big, env.alpha, "application/x-ndjson",
                Buffer.buffer(new JsonObject().put("ids", ids(over)).encode() + "\n"))
                .problem(400, "invalid-request", "token id 151669 is outside the tokenizer vocabulary [0, 151669)");
    }

    @Test
    void vllmSchemesWithoutAnyRegisteredVllmKeyAreRefused(Vertx vertx) throws Exception {
        try (TestSupport.Env fresh = TestSupport.Env.start(dir.resolve("fresh"))) {
            TestSupport.Api a = new TestSupport.Api(vertx, fresh.port());
            a.post("/v1/detect", fresh.alpha, new JsonObject().put("ids", new JsonArray().add(ids(GUMBEL_42)))
                    .put("scheme", GUMBEL)).problem(400, "keys-required", "needs vLLM's 64-bit keys and none is registered");
        }
    }

    static JsonObject keyOf(JsonObject report, String id) {
        for (Object o : report.getJsonArray("keys")) {
            if (id.equals(((JsonObject) o).getString("key_id"))) {
                return (JsonObject) o;
            }
        }
        throw new AssertionError("no key " + id + " in " + report.encode());
    }
}
