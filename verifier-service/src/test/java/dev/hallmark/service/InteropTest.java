package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop schemes through the service (issues 8, 9): {@code hf-kgw} without a key and
 * {@code synthid-ref} with a registered SynthID key set, on token ids produced by the reference
 * implementations themselves (watermark-core's golden vectors, see
 * watermark-core/core/src/test/resources/interop/README.md), and on human text for the null side.
 */
@ExtendWith(VertxExtension.class)
class InteropTest {

    static final String VECTORS = "watermark-core/core/src/test/resources/interop/";
    /** The lm-watermarking free-form additive PRF, h=2, at the Qwen3 vocabulary (reference vectors). */
    static final String HF_KGW = "hf-kgw:gamma=0.25,scheme=ff-additive_prf-2-False-15485863,vocab=151669,"
            + "ignore_repeated_ngrams=true";
    static final String SYNTHID = "synthid-ref:ngram_len=5,context_history=1024";

    @TempDir
    static Path dir;
    static TestSupport.Env env;
    static TestSupport.Api api;
    static JsonNode sampled;
    static String synthIdKeyId;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        env = TestSupport.Env.start(dir.resolve("data"));
        api = new TestSupport.Api(vertx, env.port());
        sampled = rows("synthid-text.jsonl", n -> n.path("kind").asText().equals("sampled")
                && n.path("vocab").asInt() == 151669).get(0);
        TestSupport.Resp r = api.post("/v1/keys", env.admin, new JsonObject().put("kind", "synthid")
                .put("keys", new JsonArray(sampled.path("keys").toString())).put("label", "reference generator keys"));
        assertEquals(201, r.status(), r.body()::toString);
        synthIdKeyId = r.json().getString("id");
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    static List<JsonNode> rows(String file, Predicate<JsonNode> keep) {
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(TestSupport.repo().resolve(VECTORS + file), StandardCharsets.UTF_8)) {
                JsonNode n = m.readTree(line);
                if (keep.test(n)) {
                    out.add(n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The reference detector's rows for HF_KGW's seeding at vocab 151,669, 122 tokens, deduplicating. */
    static List<JsonNode> kgwRows(String mode) {
        return rows("lm-watermarking-kgw.jsonl", n -> n.path("kind").asText().equals("detect")
                && n.path("scheme").asText().equals("ff-additive_prf-2-False-15485863") && n.path("vocab").asInt() == 151669
                && n.path("tokens").size() == 122 && n.path("ignore_repeated_ngrams").asBoolean()
                && n.path("mode").asText().equals(mode));
    }

    static JsonArray ids(JsonNode tokens) {
        return new JsonArray(tokens.toString());
    }

    @Test
    void hfKgwNeedsNoKeyAndFindsReferenceWatermarkedIds() {
        JsonNode wm = kgwRows("watermarked").get(0);
        JsonNode plain = kgwRows("unwatermarked").get(0);
        TestSupport.Resp r = api.post("/v1/detect", env.admin, new JsonObject().put("scheme", HF_KGW)
                .put("ids", new JsonArray().add(ids(wm.path("tokens"))).add(ids(plain.path("tokens")))));
        assertEquals(200, r.status(), r.body()::toString);
        JsonObject o = r.json();
        assertTrue(o.getJsonArray("keys_tested").isEmpty(), "no registered key is involved");
        assertEquals(List.of(HF_KGW), o.getJsonArray("schemes_tested").getList());
        JsonObject w = o.getJsonArray("results").getJsonObject(0);
        assertEquals("watermarked", w.getString("verdict"));
        assertTrue(w.getJsonArray("detected_key_ids").isEmpty());
        JsonObject wr = w.getJsonArray("results").getJsonObject(0);
        assertNull(wr.getValue("key_id"), "keyless");
        assertEquals(HF_KGW, wr.getString("scheme"));
        // counted and z-scored exactly as the reference detector did
        assertEquals(wm.path("num_tokens_scored").asLong(), wr.getLong("tokens_scored"));
        assertEquals(wm.path("z_score").asDouble(), wr.getDouble("z_score"), 1e-9);
        assertTrue(wr.getDouble("log10_p") < -20, wr::encode);
        JsonObject p = o.getJsonArray("results").getJsonObject(1);
        assertEquals("no_watermark_detected", p.getString("verdict"));
        assertEquals(plain.path("z_score").asDouble(),
                p.getJsonArray("results").getJsonObject(0).getDouble("z_score"), 1e-9);
    }

    @Test
    void hfKgwOnHumanTextFindsNothing() {
        JsonArray texts = new JsonArray();
        for (String h : Corpora.human().subList(0, 20)) {
            texts.add(h);
        }
        JsonObject o = api.post("/v1/detect", env.alpha, new JsonObject().put("scheme", HF_KGW).put("texts", texts)
                .put("localize", false)).json();
        int flagged = 0;
        for (int i = 0; i < texts.size(); i++) {
            if (o.getJsonArray("results").getJsonObject(i).getString("verdict").equals("watermarked")) {
                flagged++;
            }
        }
        // 20 human texts at alpha 1e-3: P(2 or more false positives) < 2e-4
        assertTrue(flagged <= 1, "human texts flagged: " + flagged);
    }

    @Test
    void synthIdRefWithRegisteredKeysFindsReferenceSampledIds() {
        TestSupport.Resp r = api.post("/v1/detect", env.admin, new JsonObject().put("scheme", SYNTHID)
                .put("ids", new JsonArray().add(ids(sampled.path("tokens")))));
        assertEquals(200, r.status(), r.body()::toString);
        JsonObject o = r.json();
        assertEquals(List.of(synthIdKeyId), o.getJsonArray("keys_tested").getList());
        JsonObject res = o.getJsonArray("results").getJsonObject(0);
        assertEquals("watermarked", res.getString("verdict"));
        assertEquals(List.of(synthIdKeyId), res.getJsonArray("detected_key_ids").getList());
        JsonObject k = res.getJsonArray("results").getJsonObject(0);
        assertEquals(synthIdKeyId, k.getString("key_id"));
        // the reference's Mean score (float32 in the reference) over the unmasked positions
        assertEquals(sampled.path("mean_g").asDouble(), k.getDouble("statistic"), 1e-6);
        assertTrue(k.getDouble("log10_p") < -10, k::encode);

        // a registered key set is also tested under its own scheme when named by id, without 'scheme'
        JsonObject byId = api.post("/v1/detect", env.admin, new JsonObject()
                .put("key_ids", new JsonArray().add(synthIdKeyId))
                .put("ids", new JsonArray().add(ids(sampled.path("tokens"))))).json();
        assertEquals("watermarked", byId.getJsonArray("results").getJsonObject(0).getString("verdict"));

        // null side: human text under the same keys
        JsonArray texts = new JsonArray();
        for (String h : Corpora.human().subList(20, 40)) {
            texts.add(h);
        }
        JsonObject n = api.post("/v1/detect", env.alpha, new JsonObject().put("scheme", SYNTHID).put("texts", texts)
                .put("localize", false)).json();
        int flagged = 0;
        for (int i = 0; i < texts.size(); i++) {
            if (n.getJsonArray("results").getJsonObject(i).getString("verdict").equals("watermarked")) {
                flagged++;
            }
        }
        assertTrue(flagged <= 1, "human texts flagged: " + flagged);
    }

    @Test
    void synthIdKeySetsAreListedWithoutTheirKeys() {
        TestSupport.Resp r = api.get("/v1/keys/" + synthIdKeyId, env.admin);
        assertEquals(200, r.status());
        assertEquals("synthid", r.json().getString("kind"));
        assertEquals(SYNTHID, r.json().getString("scheme"));
        String list = api.get("/v1/keys", env.admin).body().toString();
        for (JsonNode k : sampled.path("keys")) {
            assertFalse(list.contains(k.asText()), "a SynthID key appears in the key list");
        }
        api.raw(io.vertx.core.http.HttpMethod.POST, "/v1/keys/" + synthIdKeyId + "/derive", env.admin,
                "application/json", new JsonObject().put("path", "account/1").toBuffer())
                .problem(400, "invalid-request", "only Hallmark keys derive");
        // registering the same set again is a conflict
        api.post("/v1/keys", env.admin, new JsonObject().put("kind", "synthid")
                .put("keys", new JsonArray(sampled.path("keys").toString())).put("label", "again"))
                .problem(409, "conflict", "already registered");
    }

    @Test
    void scansWithInteropSchemes() throws Exception {
        JsonNode wm = kgwRows("watermarked").get(1);
        StringBuilder jsonl = new StringBuilder();
        jsonl.append(new JsonObject().put("id", "ref-wm").put("ids", ids(wm.path("tokens"))).encode()).append('\n');
        for (JsonNode p : kgwRows("unwatermarked")) {
            jsonl.append(new JsonObject().put("id", "ref-plain").put("ids", ids(p.path("tokens"))).encode()).append('\n');
        }
        TestSupport.Resp up = api.upload("?field=ids&scheme=" + java.net.URLEncoder.encode(HF_KGW, StandardCharsets.UTF_8),
                env.alpha, "application/x-ndjson", Buffer.buffer(jsonl.toString()));
        assertEquals(201, up.status(), up.body()::toString);
        assertEquals(HF_KGW, up.json().getString("scheme"));
        JsonObject done = api.awaitDone(up.json().getString("id"), env.alpha);
        JsonObject rep = done.getJsonObject("report");
        assertEquals("watermarked", rep.getString("verdict"));
        JsonObject k = rep.getJsonArray("keys").getJsonObject(0);
        assertNull(k.getValue("key_id"));
        assertTrue(k.getString("label").startsWith("hf-kgw"), k::encode);
        assertTrue(rep.getJsonArray("detected_key_ids").isEmpty());
        assertEquals(1, rep.getJsonObject("flagged_documents").getInteger("count"), rep::encode);
        assertEquals("ref-wm", rep.getJsonObject("flagged_documents").getJsonArray("documents").getJsonObject(0)
                .getString("doc_id"));

        // synthid-ref over registered key sets; human text only: nothing found
        StringBuilder human = new StringBuilder();
        for (String h : Corpora.human().subList(40, 60)) {
            human.append(new JsonObject().put("text", h).encode()).append('\n');
        }
        TestSupport.Resp up2 = api.upload("?scheme=" + java.net.URLEncoder.encode(SYNTHID, StandardCharsets.UTF_8),
                env.alpha, "application/x-ndjson", Buffer.buffer(human.toString()));
        assertEquals(201, up2.status(), up2.body()::toString);
        JsonObject rep2 = api.awaitDone(up2.json().getString("id"), env.alpha).getJsonObject("report");
        assertEquals("no_watermark_detected", rep2.getString("verdict"));
        assertEquals(synthIdKeyId, rep2.getJsonArray("keys").getJsonObject(0).getString("key_id"));
        assertEquals(List.of(SYNTHID), rep2.getJsonArray("schemes").getList());
    }

    @Test
    void interopErrorsNameTheProblem() {
        // hf-kgw text whose vocab cannot be the service tokenizer's
        api.post("/v1/detect", env.alpha, new JsonObject().put("text", Corpora.human().get(0))
                        .put("scheme", "hf-kgw:gamma=0.25,scheme=lefthash,vocab=50257,ignore_repeated_ngrams=true"))
                .problem(400, "vocab-mismatch", "vocab=50257 does not fit the service's tokenizer (vocabulary 151669");
        // ids beyond the spec's vocab
        api.post("/v1/detect", env.alpha, new JsonObject()
                        .put("ids", new JsonArray().add(new JsonArray(List.of(5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 40000))))
                        .put("scheme", "hf-kgw:gamma=0.25,scheme=lefthash,vocab=32000,ignore_repeated_ngrams=true"))
                .problem(400, "vocab-mismatch", "token id 40000 at position 18 is outside the scheme's vocab [0, 32000)");
        // unknown seeding scheme
        api.post("/v1/detect", env.alpha, new JsonObject().put("text", Corpora.human().get(0))
                        .put("scheme", "hf-kgw:gamma=0.25,scheme=nosuchhash,vocab=151669"))
                .problem(400, "invalid-request", "nosuchhash");
        // vocab missing
        api.post("/v1/detect", env.alpha, new JsonObject().put("text", Corpora.human().get(0))
                        .put("scheme", "hf-kgw:gamma=0.25,scheme=lefthash"))
                .problem(400, "invalid-request", "vocab");
        // hf-kgw with key ids
        api.post("/v1/detect", env.alpha, new JsonObject().put("text", Corpora.human().get(0)).put("scheme", HF_KGW)
                        .put("key_ids", new JsonArray().add(env.key1.id())))
                .problem(400, "invalid-request", "needs no key");
        // synthid-ref naming a Hallmark key
        api.post("/v1/detect", env.alpha, new JsonObject().put("text", Corpora.human().get(0)).put("scheme", SYNTHID)
                        .put("key_ids", new JsonArray().add(env.key1.id())))
                .problem(400, "keys-required", "is a Hallmark key");
        // a Hallmark scheme in 'scheme'
        api.post("/v1/detect", env.alpha, new JsonObject().put("text", Corpora.human().get(0)).put("scheme", "kgw"))
                .problem(400, "invalid-request", "Hallmark keys are tested with the scheme they were registered with");
        // malformed key sets
        api.raw(io.vertx.core.http.HttpMethod.POST, "/v1/keys", env.admin, "application/json",
                        Buffer.buffer("{\"kind\": \"synthid\", \"keys\": [1, 2, 1], \"label\": \"dup\"}"))
                .problem(400, "malformed-key-set", "key 2 repeats key 0");
        api.raw(io.vertx.core.http.HttpMethod.POST, "/v1/keys", env.admin, "application/json",
                        Buffer.buffer("{\"kind\": \"synthid\", \"keys\": [1, \"two\"], \"label\": \"str\"}"))
                .problem(400, "malformed-key-set", "element 1 is the string \"two\", not an integer");
        api.raw(io.vertx.core.http.HttpMethod.POST, "/v1/keys", env.admin, "application/json",
                        Buffer.buffer("{\"kind\": \"synthid\", \"keys\": [1, 99999999999999999999], \"label\": \"big\"}"))
                .problem(400, "malformed-key-set", "outside the int64 range");
        api.post("/v1/keys", env.admin, new JsonObject().put("kind", "synthid").put("label", "none"))
                .problem(400, "malformed-key-set", "'keys' is required");
        api.post("/v1/keys", env.admin, new JsonObject().put("kind", "synthid").put("keys", new JsonArray().add(1))
                        .put("scheme", "kgw").put("label", "wrong scheme"))
                .problem(400, "invalid-request", "used with the synthid-ref scheme");
        // interop schemes are not Hallmark keys
        api.post("/v1/keys", env.admin, new JsonObject().put("scheme", HF_KGW).put("label", "x"))
                .problem(400, "invalid-request", "needs no key");
        api.post("/v1/keys", env.admin, new JsonObject().put("scheme", SYNTHID).put("label", "x"))
                .problem(400, "invalid-request", "register them as {\"kind\": \"synthid\"");
        // scans: the same checks before any byte is stored
        api.upload("?format=text&scheme=" + java.net.URLEncoder.encode(
                        "hf-kgw:gamma=0.25,scheme=lefthash,vocab=50257", StandardCharsets.UTF_8), env.alpha, "text/plain",
                        Buffer.buffer(Corpora.human().get(0)))
                .problem(400, "vocab-mismatch", "vocab=50257");
    }

    @Test
    void synthIdRefWithoutAnyRegisteredKeySetIsRefused(Vertx vertx) throws Exception {
        try (TestSupport.Env fresh = TestSupport.Env.start(dir.resolve("fresh"))) {
            TestSupport.Api a = new TestSupport.Api(vertx, fresh.port());
            a.post("/v1/detect", fresh.alpha, new JsonObject().put("text", Corpora.human().get(0)).put("scheme", SYNTHID))
                    .problem(400, "keys-required", "needs the generator's SynthID key sets and none is registered");
        }
    }
}
