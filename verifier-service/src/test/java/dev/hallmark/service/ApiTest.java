package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.service.scan.Disclosure;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Every route's normal behaviour against a real server on localhost; every exchange checked against docs/openapi.yaml. */
@ExtendWith(VertxExtension.class)
class ApiTest {

    @TempDir
    static Path dir;
    static TestSupport.Env env;
    static TestSupport.Api api;
    static KeyedScheme k1;
    static KeyedScheme k2;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        env = TestSupport.Env.start(dir.resolve("data"));
        api = new TestSupport.Api(vertx, env.port());
        k1 = env.server.keys().keyed(env.key1);
        k2 = env.server.keys().keyed(env.key2);
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    static String wm(long seed) {
        return Corpora.watermarkedText(k1, env.server.tokenizer(), 200, seed);
    }

    @Test
    void healthzNeedsNoToken() {
        TestSupport.Resp r = api.get("/healthz", null);
        assertEquals(200, r.status());
        assertEquals("ok", r.json().getString("status"));
        assertEquals(7, r.json().getInteger("schema_version"), "Flyway migrations V1..V7");
        assertEquals(env.server.config().cluster().instanceName(), r.json().getString("instance"));
    }

    @Test
    void readyzChecksTheDatabaseAndTheCorpusStorage() {
        TestSupport.Resp r = api.get("/readyz", null);
        assertEquals(200, r.status(), r.body()::toString);
        JsonObject o = r.json();
        assertEquals("ready", o.getString("status"));
        assertEquals("h2", o.getString("database"));
        assertEquals(new JsonObject().put("instance", "ok").put("database", "ok").put("storage", "ok"),
                o.getJsonObject("checks"));
    }

    @Test
    void meReportsIdentityAndLimits() {
        JsonObject me = api.get("/v1/me", env.alpha).json();
        assertEquals("alpha", me.getString("tenant"));
        assertEquals("analyst", me.getString("role"));
        assertEquals(env.server.config().maxBodyBytes(), me.getJsonObject("limits").getLong("max_body_bytes"));
    }

    @Test
    void watermarkedTextIsDetectedAndHumanTextIsNot() {
        String human = Corpora.human().get(3);
        TestSupport.Resp r = api.post("/v1/detect", env.admin, new JsonObject()
                .put("texts", new JsonArray().add(wm(1)).add(human)));
        assertEquals(200, r.status(), r.body()::toString);
        JsonObject o = r.json();
        assertTrue(o.getJsonArray("keys_tested").contains(env.key1.id()) && o.getJsonArray("keys_tested").contains(env.key2.id()));
        assertFalse(o.getBoolean("quantized"));
        JsonObject w = o.getJsonArray("results").getJsonObject(0);
        JsonObject h = o.getJsonArray("results").getJsonObject(1);
        assertEquals("watermarked", w.getString("verdict"));
        assertEquals(List.of(env.key1.id()), w.getJsonArray("detected_key_ids").getList(), "only the key that made it");
        assertEquals("no_watermark_detected", h.getString("verdict"));
        assertTrue(h.getJsonArray("detected_key_ids").isEmpty());
        JsonObject r1 = w.getJsonArray("results").getJsonObject(0);
        assertEquals(env.key1.id(), r1.getString("key_id"));
        assertEquals("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", r1.getString("scheme"));
        assertTrue(r1.getDouble("log10_p") < -3, r1::encode);
        // Holm over two keys: the adjusted p-value is at least the raw one
        assertTrue(r1.getDouble("log10_p") >= r1.getDouble("log10_p_unadjusted"));
        assertTrue(r1.getLong("tokens_scored") > 50);
        assertNull(r1.getValue("token_scores"), "no per-token scores unless asked");
    }

    @Test
    void analystsGetConservativeBucketsAndNoScoreParts() {
        JsonObject o = api.post("/v1/detect", env.alpha, new JsonObject().put("text", wm(2))).json();
        assertTrue(o.getBoolean("quantized"));
        assertEquals("analyst", o.getString("disclosure"));
        JsonObject t = o.getJsonArray("results").getJsonObject(0);
        JsonObject r1 = t.getJsonArray("results").getJsonObject(0);
        for (String f : List.of("score_sum", "statistic", "z_score", "skipped", "independent", "token_scores")) {
            assertNull(r1.getValue(f), f + " is for admins only: " + r1.encode());
        }
        JsonObject a = api.post("/v1/detect", env.admin, new JsonObject().put("text", wm(2))).json();
        assertEquals("admin", a.getString("disclosure"));
        JsonObject a1 = a.getJsonArray("results").getJsonObject(0).getJsonArray("results").getJsonObject(0);
        double exact = a1.getDouble("log10_p");
        assertEquals(Disclosure.bucketLog10(exact), r1.getDouble("log10_p"), "the analyst gets the bucket's bound");
        assertTrue(r1.getDouble("log10_p") >= exact, "a conservative bound");
        assertEquals(Math.pow(10, r1.getDouble("log10_p")), r1.getDouble("p_value"));
        assertEquals(Disclosure.bucketLabel(exact), r1.getString("p_bucket"));
        assertEquals(Disclosure.coarse(a1.getLong("tokens_scored")), r1.getLong("tokens_scored"));
        assertEquals(a1.getBoolean("watermarked"), r1.getBoolean("watermarked"), "the verdict is the same at a ladder alpha");
        assertEquals(Disclosure.coarse(a.getJsonArray("results").getJsonObject(0).getInteger("tokens")),
                (long) t.getInteger("tokens"));
        assertTrue(a1.containsKey("score_sum") && a1.containsKey("skipped"), "admins keep every number");
    }

    @Test
    void adminsMayAskForTokenScores() {
        JsonObject o = api.post("/v1/detect", env.admin, new JsonObject().put("text", wm(3))
                .put("include_token_scores", true).put("key_ids", new JsonArray().add(env.key1.id()))).json();
        JsonObject r1 = o.getJsonArray("results").getJsonObject(0).getJsonArray("results").getJsonObject(0);
        JsonArray scores = r1.getJsonArray("token_scores");
        assertEquals(o.getJsonArray("results").getJsonObject(0).getInteger("tokens"), scores.size());
        assertNull(scores.getValue(0), "the first token has no context");
    }

    @Test
    void tokenIdsAndKeySubset() {
        int[] ids = Corpora.watermarkedWordIds(k2, env.server.tokenizer(), 150, 9);
        JsonArray row = new JsonArray();
        for (int i : ids) {
            row.add(i);
        }
        JsonObject o = api.post("/v1/detect", env.admin, new JsonObject().put("ids", new JsonArray().add(row))
                .put("key_ids", new JsonArray().add(env.key2.id())).put("alpha", 0.01)).json();
        assertEquals(List.of(env.key2.id()), o.getJsonArray("keys_tested").getList());
        assertEquals(0.01, o.getDouble("alpha"));
        JsonObject res = o.getJsonArray("results").getJsonObject(0);
        assertEquals(150, res.getInteger("tokens"));
        assertEquals("watermarked", res.getString("verdict"));
    }

    @Test
    void spansLocaliseAWatermarkedStretchInHumanText() {
        String human = Corpora.human().get(7);
        String text = human + wm(4) + " " + Corpora.human().get(8);
        JsonObject o = api.post("/v1/detect", env.admin, new JsonObject().put("text", text)
                .put("key_ids", new JsonArray().add(env.key1.id()))).json();
        JsonObject res = o.getJsonArray("results").getJsonObject(0);
        JsonArray spans = res.getJsonArray("spans");
        assertFalse(spans.isEmpty(), res::encode);
        int start = human.length();
        int end = start + wm(4).length();
        for (int i = 0; i < spans.size(); i++) {
            JsonObject s = spans.getJsonObject(i);
            // every reported span overlaps the watermarked stretch (no false span in the human parts)
            assertTrue(s.getInteger("start_char") < end && s.getInteger("end_char") > start, s::encode);
        }
        JsonObject plain = api.post("/v1/detect", env.admin, new JsonObject().put("text", human + " " + Corpora.human().get(8))
                .put("key_ids", new JsonArray().add(env.key1.id()))).json();
        assertTrue(plain.getJsonArray("results").getJsonObject(0).getJsonArray("spans").isEmpty(), "no span in human text");
    }

    static String mixedCorpus() {
        List<String> h = Corpora.human().subList(0, 30);
        List<String> w = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            w.add(wm(100 + i));
        }
        return Corpora.mixedJsonl(h, w);
    }

    @Test
    void jsonlScanLifecycle() throws Exception {
        TestSupport.Resp up = api.upload("?name=mixed&field=text", env.alpha, "application/x-ndjson",
                Buffer.buffer(mixedCorpus()));
        assertEquals(201, up.status(), up.body()::toString);
        JsonObject scan = up.json();
        String id = scan.getString("id");
        assertEquals("/v1/scans/" + id, up.headers().get("Location"));
        assertEquals("watermark", scan.getString("scan_type"));
        assertEquals("alpha", scan.getString("tenant"));
        JsonObject done = api.awaitDone(id, env.alpha);
        assertEquals(36, done.getJsonObject("progress").getLong("documents"));
        assertEquals(done.getJsonObject("progress").getLong("total_bytes"), done.getJsonObject("progress").getLong("bytes"));
        JsonObject analystView = done.getJsonObject("report");
        // the exact numbers are the admin's; the analyst's view is checked below
        JsonObject rep = api.get("/v1/scans/" + id + "/report", env.admin).json();
        assertEquals("watermarked", rep.getString("verdict"));
        assertEquals("watermarked", done.getString("verdict"), "the verdict is on the scan row too");
        assertEquals(List.of(env.key1.id()), rep.getJsonArray("detected_key_ids").getList());
        assertEquals(36, rep.getJsonObject("documents").getLong("total"));
        JsonObject kr1 = rep.getJsonArray("keys").getJsonObject(0);
        JsonObject kr2 = rep.getJsonArray("keys").getJsonObject(1);
        assertTrue(kr1.getBoolean("watermarked"));
        assertFalse(kr2.getBoolean("watermarked"), "a key that made nothing is not accused");
        assertEquals(rep.getJsonObject("tokens").getLong("seen"), kr1.getLong("tokens_seen"));
        JsonObject sk = kr1.getJsonObject("skipped");
        assertEquals(kr1.getLong("tokens_seen"), kr1.getLong("tokens_scored") + sk.getLong("context")
                + sk.getLong("repeated") + sk.getLong("filtered"), "every token is scored or skipped for a reason");
        assertEquals(36, sk.getLong("context"), "context width 1: one per document");
        long histTotal = 0;
        for (Object c : rep.getJsonObject("histogram").getJsonObject("counts").getJsonArray(env.key1.id())) {
            histTotal += ((Number) c).longValue();
        }
        assertEquals(rep.getJsonObject("documents").getLong("tested"), histTotal);
        JsonArray top = rep.getJsonArray("top_documents");
        for (int i = 0; i < 6; i++) {
            // the six watermarked documents (lines 31..36) lead the top list
            long line = top.getJsonObject(i).getLong("line");
            assertTrue(line > 30, "top document " + i + " is line " + line);
            assertTrue(top.getJsonObject(i).getBoolean("watermarked"));
        }
        assertFalse(rep.getBoolean("quantized"));
        assertTrue(analystView.getBoolean("quantized"), "analyst view");
        assertEquals("analyst", analystView.getString("disclosure"));
        assertEquals(rep.getString("verdict"), analystView.getString("verdict"));
        JsonObject ak = analystView.getJsonArray("keys").getJsonObject(0);
        assertNull(ak.getValue("score_sum"));
        assertEquals(Disclosure.bucketLog10(kr1.getDouble("log10_p")), ak.getDouble("log10_p"));
        JsonArray atop = analystView.getJsonArray("top_documents");
        assertEquals(6, atop.size(), "analysts see the top documents below alpha only: the six watermarked ones");
        for (int i = 0; i < atop.size(); i++) {
            JsonObject d = atop.getJsonObject(i);
            assertTrue(d.getLong("line") > 30 && d.getBoolean("watermarked") && d.getValue("near_duplicate") == null, d::encode);
            assertEquals(d.getDouble("log10_p"), (double) Disclosure.bucketLog10(d.getDouble("log10_p")), "a bucket bound");
        }
        assertEquals(rep.getJsonObject("flagged_documents").getLong("count"),
                analystView.getJsonObject("flagged_documents").getLong("count"));
        assertNotNull(rep.getJsonObject("versions").getString("tokenizer"));

        TestSupport.Resp list = api.get("/v1/scans", env.alpha);
        assertTrue(list.json().getJsonArray("scans").stream().anyMatch(s -> ((JsonObject) s).getString("id").equals(id)));
        TestSupport.Resp report = api.get("/v1/scans/" + id + "/report", env.alpha);
        assertEquals(analystView, report.json());
        TestSupport.Resp html = api.get("/v1/scans/" + id + "/report.html", env.alpha);
        assertEquals("text/html", html.contentType());
        String page = html.body().toString();
        assertTrue(page.contains("id=\"pvalue-histogram\"") && page.contains("id=\"key-chart\""), "charts");
        assertTrue(page.contains("Watermark detected"));
        assertTrue(html.headers().get("Content-Security-Policy").contains("default-src 'none'"));

        TestSupport.Resp adminView = api.get("/v1/scans/" + id + "/report", env.admin);
        assertFalse(adminView.json().getBoolean("quantized"));

        Path scanDir = env.dataDir.resolve("scans").resolve(id);
        assertTrue(Files.isDirectory(scanDir));
        TestSupport.Resp del = api.delete("/v1/scans/" + id, env.alpha);
        assertEquals(200, del.status());
        assertFalse(Files.exists(scanDir), "upload removed");
        api.get("/v1/scans/" + id, env.alpha).problem(404, "not-found", id);
    }

    static byte[] gzip(String s) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
            g.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return bo.toByteArray();
    }

    @Test
    void plainTextAndGzipUploads() throws Exception {
        String text = String.join("\n\n", Corpora.human().subList(40, 45)) + "\n\n" + wm(7) + "\n";
        TestSupport.Resp t = api.upload("", env.beta, "text/plain; charset=utf-8", Buffer.buffer(text));
        assertEquals(201, t.status(), t.body()::toString);
        JsonObject rt = api.awaitDone(t.json().getString("id"), env.beta).getJsonObject("report");
        assertEquals(6, rt.getJsonObject("documents").getLong("total"), "documents split at blank lines");
        // one watermarked paragraph among long human ones: flagged on its own (the corpus-level test
        // may be diluted by the human tokens, which is what it should do)
        assertEquals(1, rt.getJsonArray("keys").getJsonObject(0).getLong("documents_flagged"));
        JsonObject top = rt.getJsonArray("top_documents").getJsonObject(0);
        assertEquals(5, top.getLong("index"));
        assertTrue(top.getBoolean("watermarked"));
        assertEquals("text", rt.getJsonObject("input").getString("format"));

        TestSupport.Resp g = api.upload("?format=text&split=line", env.beta, "application/gzip",
                Buffer.buffer(gzip("first line document with a few words in it for the test\nsecond line document\n")));
        assertEquals(201, g.status(), g.body()::toString);
        JsonObject sg = api.awaitDone(g.json().getString("id"), env.beta);
        assertEquals("gzip", sg.getString("compression"));
        assertEquals(2, sg.getJsonObject("report").getJsonObject("documents").getLong("total"));
        assertEquals(2, sg.getJsonObject("report").getJsonObject("documents").getLong("too_short"));

        TestSupport.Resp ce = api.call(HttpMethod.POST, "/v1/scans", env.beta, "application/x-ndjson",
                Buffer.buffer(gzip(mixedCorpus())), Map.of("Content-Encoding", "gzip"), false);
        assertEquals(201, ce.status(), ce.body()::toString);
        assertEquals("watermarked", api.awaitDone(ce.json().getString("id"), env.beta).getJsonObject("report")
                .getString("verdict"));
    }

    @Test
    void jsonlWithTokenIds() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            b.append(Corpora.idsLine(Corpora.watermarkedWordIds(k2, env.server.tokenizer(), 120, 50 + i))).append('\n');
        }
        TestSupport.Resp up = api.upload("?key_ids=" + env.key2.id(), env.alpha, "application/x-ndjson",
                Buffer.buffer(b.toString()));
        assertEquals(201, up.status(), up.body()::toString);
        JsonObject s = api.awaitDone(up.json().getString("id"), env.alpha);
        assertEquals(List.of(env.key2.id()), s.getJsonArray("key_ids").getList());
        JsonObject rep = s.getJsonObject("report");
        assertEquals(1, rep.getJsonArray("keys").size());
        assertEquals("watermarked", rep.getString("verdict"));
        assertEquals("(120 token ids)", rep.getJsonArray("top_documents").getJsonObject(0).getString("preview"));
    }

    @Test
    void keysRegisterImportDeriveListRetire() {
        TestSupport.Resp gen = api.post("/v1/keys", env.admin, new JsonObject()
                .put("scheme", "gumbel:context=2").put("label", "generated"));
        assertEquals(201, gen.status(), gen.body()::toString);
        String genId = gen.json().getString("id");
        assertEquals("/v1/keys/" + genId, gen.headers().get("Location"));
        assertEquals("active", gen.json().getString("status"));

        byte[] secret = TestSupport.secret("imported key");
        TestSupport.Resp imp = api.post("/v1/keys", env.admin, new JsonObject()
                .put("scheme", "kgw:gamma=0.5,delta=1,context=1,seeding=lefthash").put("label", "imported")
                .put("secret", TestSupport.b64(secret)));
        assertEquals(201, imp.status(), imp.body()::toString);
        String impId = imp.json().getString("id");
        assertEquals(WatermarkKey.fromSecret(secret).id(), impId, "the id is the core key's fingerprint");
        assertFalse(imp.body().toString().contains(TestSupport.b64(secret)), "the secret is never echoed");

        TestSupport.Resp der = api.post("/v1/keys/" + impId + "/derive", env.admin, new JsonObject()
                .put("path", "account/42"));
        assertEquals(201, der.status(), der.body()::toString);
        JsonObject child = der.json();
        assertEquals(WatermarkKey.fromSecret(secret).derive("account/42").id(), child.getString("id"),
                "same child as the core derivation");
        assertEquals(impId, child.getString("parent_id"));
        assertEquals("account/42", child.getString("derivation_path"));
        assertEquals(imp.json().getString("scheme"), child.getString("scheme"), "inherits the parent's scheme");

        JsonObject one = api.get("/v1/keys/" + child.getString("id"), env.admin).json();
        assertEquals(child, one);
        String listed = api.get("/v1/keys", env.admin).body().toString();
        for (String id : List.of(genId, impId, child.getString("id"))) {
            assertTrue(listed.contains(id));
        }
        assertFalse(listed.contains(TestSupport.b64(secret)));

        for (String id : List.of(genId, impId, child.getString("id"))) {
            TestSupport.Resp ret = api.delete("/v1/keys/" + id, env.admin);
            assertEquals("retired", ret.json().getString("status"));
        }
        JsonObject d = api.post("/v1/detect", env.admin, new JsonObject().put("text", wm(11))).json();
        for (String id : List.of(genId, impId, child.getString("id"))) {
            assertFalse(d.getJsonArray("keys_tested").contains(id), "retired keys are no longer tested");
        }
    }

    @Test
    void tokensCreateListRevoke() {
        TestSupport.Resp c = api.post("/v1/tokens", env.admin, new JsonObject().put("tenant", "gamma")
                .put("label", "gamma analyst"));
        assertEquals(201, c.status(), c.body()::toString);
        String tok = c.json().getString("token");
        assertEquals("analyst", c.json().getString("role"));
        assertEquals("gamma", api.get("/v1/me", tok).json().getString("tenant"));
        String listed = api.get("/v1/tokens", env.admin).body().toString();
        assertTrue(listed.contains(c.json().getString("id")));
        assertFalse(listed.contains(tok), "token values are never listed");
        TestSupport.Resp rev = api.delete("/v1/tokens/" + c.json().getString("id"), env.admin);
        assertNotNull(rev.json().getString("revoked_at"));
        api.get("/v1/me", tok).problem(401, "unauthorized", "unknown or revoked");
    }

    @Test
    void auditLogRecordsAdministrativeActionsWithoutSecrets() {
        byte[] secret = TestSupport.secret("audited key");
        String id = api.post("/v1/keys", env.admin, new JsonObject().put("scheme", "unigram:gamma=0.25,delta=2")
                .put("label", "audited").put("secret", TestSupport.b64(secret))).json().getString("id");
        TestSupport.Resp a = api.get("/v1/audit", env.admin);
        String body = a.body().toString();
        assertTrue(a.json().getJsonArray("entries").stream().anyMatch(e -> id.equals(((JsonObject) e).getString("target"))
                && "key.import".equals(((JsonObject) e).getString("action"))), body);
        assertFalse(body.contains(TestSupport.b64(secret)));
        api.delete("/v1/keys/" + id, env.admin);
    }

    @Test
    void metricsInPrometheusFormat() {
        api.post("/v1/detect", env.alpha, new JsonObject().put("text", wm(12)));
        TestSupport.Resp m = api.get("/metrics", env.admin);
        assertEquals(200, m.status());
        assertEquals("text/plain", m.contentType());
        String t = m.body().toString();
        assertTrue(t.contains("# TYPE hallmark_detect_texts_total counter"), "service counters");
        assertTrue(t.contains("hallmark_keys_active"), "gauges");
        assertTrue(t.contains("vertx_http_server_requests_total"), "Vert.x HTTP server metrics via Micrometer");
    }

    @Test
    void webPageIsServedWithAStrictPolicy() {
        TestSupport.Resp root = api.raw(HttpMethod.GET, "/", null, null, null);
        assertEquals(302, root.status());
        assertEquals("/ui/", root.headers().get("Location"));
        TestSupport.Resp page = api.raw(HttpMethod.GET, "/ui/", null, null, null);
        assertEquals(200, page.status());
        assertTrue(page.body().toString().contains("Hallmark verifier"));
        assertTrue(page.headers().get("Content-Security-Policy").contains("script-src 'self'"));
        assertEquals(200, api.raw(HttpMethod.GET, "/ui/app.js", null, null, null).status());
    }

    @Test
    void keyFileFromKeygenIsAcceptedAsItIs() throws IOException {
        String file = Files.readString(TestSupport.repo().resolve("datasets/demo/demo-key.json"));
        JsonObject body = new JsonObject(file).put("scheme", "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash")
                .put("label", "demo key from its file");
        TestSupport.Resp r = api.post("/v1/keys", env.admin, body);
        assertEquals(201, r.status(), r.body()::toString);
        assertEquals("hk-66774a8bb3e8f4cbdaf9", r.json().getString("id"));
        assertFalse(r.body().toString().contains(new JsonObject(file).getString("secret")), "the secret never comes back");
        api.post("/v1/keys", env.admin, body).problem(409, "conflict", "already registered");
        JsonObject edited = body.copy().put("key_id", "hk-00000000000000000000");
        api.post("/v1/keys", env.admin, edited).problem(400, "invalid-request", "key id mismatch");
        api.delete("/v1/keys/hk-66774a8bb3e8f4cbdaf9", env.admin);
    }
}
