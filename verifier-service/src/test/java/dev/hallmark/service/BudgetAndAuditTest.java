package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analysts' daily budget (documents and tokens, per token and per tenant, stored), what
 * {@code /v1/me} says about the limits, the audit log of detect calls and of probing patterns,
 * the probing metrics, analysts' spans, and short documents that still move a scan's progress and
 * let a delete stop it.
 */
@ExtendWith(VertxExtension.class)
class BudgetAndAuditTest {

    @TempDir
    static Path dir;
    static TestSupport.Env env;
    static TestSupport.Api api;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        Path data = dir.resolve("data");
        // small budgets: 6 documents and 3,000 tokens per token, 8 documents per tenant; 40 ms per scanned document
        env = new TestSupport.Env(data, TestSupport.config(data)
                .withAnalysts(new ServiceConfig.Analysts(64, 0.01, 6, 3_000, 8, 0))
                .withTestDelayMillisPerDocument(40));
        api = new TestSupport.Api(vertx, env.port());
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    static String text(int i) {
        return Corpora.human().get(100 + i).substring(0, 1200);
    }

    @Test
    void meSaysTheLimitsAndWhatIsLeft() {
        JsonObject me = api.get("/v1/me", env.alpha).json();
        JsonObject l = me.getJsonObject("limits");
        assertEquals(64, l.getInteger("min_tokens"), "the analysts' minimum");
        assertTrue(l.getLong("rate_burst") >= l.getLong("max_request_units"), "every allowed request can pass the rate limit");
        assertEquals(env.server.config().maxBatchTexts() + (env.server.config().maxBodyBytes() + 8191) / 8192,
                l.getLong("max_request_units"));
        assertEquals(new JsonArray().add(0.01).add(0.001).add(1e-6).add(1e-12).add(1e-24), l.getJsonArray("alphas"));
        JsonObject b = me.getJsonObject("budget");
        assertEquals(6, b.getLong("documents_per_day"));
        assertTrue(b.getString("resets_at").endsWith("T00:00:00Z"), b.encode());
        JsonObject admin = api.get("/v1/me", env.admin).json();
        assertEquals(16, admin.getJsonObject("limits").getInteger("min_tokens"));
        assertNull(admin.getValue("budget"), "admins have no budget");
        assertNull(admin.getJsonObject("limits").getValue("alphas"));
    }

    @Test
    void theDailyBudgetRefusesByNameAndIsAudited() {
        String t = env.server.tokens().create("budget", dev.hallmark.service.store.ApiTokens.Role.ANALYST, "b1").token();
        // 2 + 2 documents pass; the tokens run out before the documents do
        JsonArray two = new JsonArray().add(text(0)).add(text(1));
        assertEquals(200, api.post("/v1/detect", t, new JsonObject().put("texts", two)).status());
        long used = 3_000 - api.get("/v1/me", t).json().getJsonObject("budget").getJsonObject("remaining").getLong("tokens");
        assertTrue(used > 400 && used < 1_000, "charged the texts' tokens: " + used);
        TestSupport.Resp r = api.post("/v1/detect", t, new JsonObject().put("texts", new JsonArray().add(text(2)).add(text(3))
                .add(text(4)).add(text(5)).add(text(6)).add(text(7)).add(text(8))));
        JsonObject p = r.problem(429, "budget-exhausted", "this API token has 4 of its 6 documents for today (UTC) left; "
                + "this request needs 7. The budget renews at 00:00 UTC");
        assertTrue(p.getLong("retry_after_seconds") > 0 && p.getLong("retry_after_seconds") <= 86_400);
        assertEquals(String.valueOf(p.getLong("retry_after_seconds")), r.headers().get("Retry-After"));
        // other tokens of the same tenant share the tenant's 8 documents
        String u = env.server.tokens().create("budget", dev.hallmark.service.store.ApiTokens.Role.ANALYST, "b2").token();
        assertEquals(200, api.post("/v1/detect", u, new JsonObject().put("texts", new JsonArray().add(text(9)).add(text(10))
                .add(text(11)).add(text(12)).add(text(15)))).status());
        String v = env.server.tokens().create("budget", dev.hallmark.service.store.ApiTokens.Role.ANALYST, "b3").token();
        api.post("/v1/detect", v, new JsonObject().put("texts", new JsonArray().add(text(13)).add(text(16))))
                .problem(429, "budget-exhausted", "tenant 'budget' has 1 of its 8 documents for today (UTC) left; this "
                        + "request needs 2");
        // scans are charged too: their documents at upload
        api.upload("", v, "application/x-ndjson", Buffer.buffer(Corpora.mixedJsonl(List.of(text(14), text(17)), List.of())))
                .problem(429, "budget-exhausted", "tenant 'budget' has 1 of its 8 documents");
        String audit = api.get("/v1/audit", env.admin).body().toString();
        assertTrue(audit.contains("\"action\":\"detect\"") && audit.contains("2 texts, ") && audit.contains("analyst"),
                "every detect call is in the audit log");
    }

    @Test
    void nearDuplicateProbesGetTheFirstAnswerAndAreAuditedAndCounted() {
        String t = env.server.tokens().create("probe", dev.hallmark.service.store.ApiTokens.Role.ANALYST, "p").token();
        String base = Corpora.human().get(3).substring(0, 1500);
        JsonObject first = api.post("/v1/detect", t, new JsonObject().put("text", base + " alpha")).json();
        JsonObject second = api.post("/v1/detect", t, new JsonObject().put("text", base + " omega")).json();
        JsonObject a = first.getJsonArray("results").getJsonObject(0);
        JsonObject b = second.getJsonArray("results").getJsonObject(0);
        assertNull(a.getValue("near_duplicate"));
        assertEquals(true, b.getValue("near_duplicate"));
        assertEquals(a.getJsonArray("results"), b.getJsonArray("results"), "the earlier answer, again");
        assertTrue(b.getJsonArray("spans").isEmpty());
        String audit = api.get("/v1/audit", env.admin).body().toString();
        assertTrue(audit.contains("detect.probing") && audit.contains("were near-duplicates of texts tenant 'probe'"), audit);
        assertTrue(api.get("/metrics", env.admin).body().toString().contains("hallmark_detect_near_duplicates_total"));
        // admins are answered afresh
        JsonObject admin = api.post("/v1/detect", env.admin, new JsonObject().put("text", base + " omega")).json();
        assertNull(admin.getJsonArray("results").getJsonObject(0).getValue("near_duplicate"));
    }

    @Test
    void analystsGetWidenedBucketedSpans() {
        var k1 = env.server.keys().keyed(env.key1);
        String human = Corpora.human().get(7);
        String text = human + Corpora.watermarkedText(k1, env.server.tokenizer(), 200, 4) + " " + Corpora.human().get(8);
        String t = env.server.tokens().create("spans", dev.hallmark.service.store.ApiTokens.Role.ANALYST, "s").token();
        JsonObject admin = api.post("/v1/detect", env.admin, new JsonObject().put("text", text)
                .put("key_ids", new JsonArray().add(env.key1.id()))).json().getJsonArray("results").getJsonObject(0);
        JsonObject analyst = api.post("/v1/detect", t, new JsonObject().put("text", text)
                .put("key_ids", new JsonArray().add(env.key1.id()))).json().getJsonArray("results").getJsonObject(0);
        JsonArray as = admin.getJsonArray("spans");
        JsonArray ns = analyst.getJsonArray("spans");
        assertFalse(as.isEmpty(), admin::encode);
        assertFalse(ns.isEmpty(), analyst::encode);
        assertTrue(ns.size() <= 2, "at most 2 per key");
        for (int i = 0; i < ns.size(); i++) {
            JsonObject s = ns.getJsonObject(i);
            assertEquals(0, s.getInteger("start_token") % 50, s::encode);
            assertTrue(s.getInteger("end_token") % 50 == 0 || s.getInteger("end_token").equals(analyst.getInteger("tokens"))
                    || s.getInteger("end_token") >= admin.getInteger("tokens") - 50, s::encode);
            assertTrue(s.getString("p_bucket").startsWith("p <= 1e-"), s::encode);
            // the widened span covers an admin's span
            boolean covers = false;
            for (int j = 0; j < as.size(); j++) {
                JsonObject x = as.getJsonObject(j);
                covers |= s.getInteger("start_token") <= x.getInteger("start_token") && s.getInteger("end_token") >= x.getInteger("end_token");
            }
            assertTrue(covers, s::encode);
            assertTrue(s.getInteger("start_char") <= s.getInteger("end_char"));
        }
    }

    @Test
    void shortDocumentsStillMoveProgressAndADeleteStopsTheScan() throws Exception {
        List<String> shortDocs = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            shortDocs.add("only a few words " + i);
        }
        TestSupport.Resp up = api.upload("", env.admin, "application/x-ndjson", Buffer.buffer(Corpora.mixedJsonl(shortDocs,
                List.of())));
        assertEquals(201, up.status(), up.body()::toString);
        String id = up.json().getString("id");
        JsonObject running = api.awaitScan(id, env.admin, s -> s.getString("state").equals("running")
                && s.getJsonObject("progress").getLong("documents") >= 20);
        assertTrue(running.getJsonObject("progress").getLong("documents") < 400, "documents under min_tokens count as progress");
        assertEquals(200, api.delete("/v1/scans/" + id, env.admin).status());
        long end = System.nanoTime() + 10_000_000_000L;
        while (api.get("/healthz", null).json().getInteger("scans_running") > 0 && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertEquals(0, api.get("/healthz", null).json().getInteger("scans_running"), "the deleted scan stopped");
        api.get("/v1/scans/" + id, env.admin).problem(404, "not-found", id);
    }
}
