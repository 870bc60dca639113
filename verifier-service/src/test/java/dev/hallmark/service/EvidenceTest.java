package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.service.scan.Disclosure;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evidence of a scan: every flagged document with its localised spans (character offsets that
 * fall on the watermarked part of mixed documents, each span's own corrected p-value), all flagged
 * documents page by page, one document with its text, CSV and JSON downloads, the analyst's view
 * through {@link Disclosure} (only the documents the policy lists, p-values as conservative buckets
 * never below the exact ones, spans widened to the grid and at most two per key), the HTML report's
 * highlighted spans, cancel.
 */
@ExtendWith(VertxExtension.class)
class EvidenceTest {

    static final int MIXED = 12;
    static final int HUMAN = 30;

    @TempDir
    static Path dir;
    static TestSupport.Env env;
    static TestSupport.Api api;
    static String scanId;
    /** Per mixed document: [start, end) of its watermarked middle, in characters. */
    static final List<int[]> MIDDLES = new ArrayList<>();

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        env = TestSupport.Env.start(dir.resolve("data"));
        api = new TestSupport.Api(vertx, env.port());
        KeyedScheme k1 = env.server.keys().keyed(env.key1);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < HUMAN; i++) {
            b.append(new JsonObject().put("id", "human-" + i).put("text", Corpora.human().get(i)).encode()).append('\n');
        }
        for (int i = 0; i < MIXED; i++) {
            // human text, then 300 watermarked tokens, then human text: the spans must find the middle
            String pre = Corpora.human().get(100 + i).substring(0, 600);
            String wm = Corpora.watermarkedText(k1, env.server.tokenizer(), 300, 500 + i);
            String post = Corpora.human().get(150 + i).substring(0, 600);
            String text = pre + wm + " " + post;
            MIDDLES.add(new int[] {pre.length(), pre.length() + wm.length()});
            b.append(new JsonObject().put("id", "mixed-" + i).put("text", text).encode()).append('\n');
        }
        TestSupport.Resp up = api.upload("?name=evidence", env.alpha, "application/x-ndjson", Buffer.buffer(b.toString()));
        assertEquals(201, up.status(), up.body()::toString);
        scanId = up.json().getString("id");
        api.awaitDone(scanId, env.alpha);
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @Test
    void everyFlaggedDocumentHasSpansOnTheWatermarkedPart() {
        JsonObject r = api.get("/v1/scans/" + scanId + "/report", env.admin).json();
        long flagged = r.getJsonObject("documents").getLong("flagged");
        assertTrue(flagged >= MIXED - 1, "the mixed documents are flagged: " + flagged);
        assertTrue(flagged <= MIXED + 1, "human documents are not (alpha 1e-3 over 30): " + flagged);
        JsonArray listed = r.getJsonObject("flagged_documents").getJsonArray("documents");
        assertEquals(flagged, listed.size());
        int checked = 0;
        for (Object o : listed) {
            JsonObject d = (JsonObject) o;
            if (!d.getString("doc_id").startsWith("mixed-")) {
                continue;
            }
            JsonArray spans = d.getJsonArray("spans");
            assertFalse(spans.isEmpty(), "a flagged mixed document has spans: " + d);
            JsonObject one = api.get("/v1/scans/" + scanId + "/documents/" + d.getLong("index"), env.admin).json();
            String text = one.getString("text");
            int[] mid = MIDDLES.get(Integer.parseInt(d.getString("doc_id").substring(6)));
            for (Object so : one.getJsonArray("spans")) {
                JsonObject s = (JsonObject) so;
                int a = s.getInteger("start_char");
                int e = s.getInteger("end_char");
                assertTrue(0 <= a && a < e && e <= text.length());
                assertTrue(s.getDouble("log10_p") <= Math.log10(1e-3), "a span is significant on its own: " + s);
                assertEquals(Math.pow(10, s.getDouble("log10_p")), s.getDouble("p_value"), 1e-300);
                int overlap = Math.max(0, Math.min(e, mid[1]) - Math.max(a, mid[0]));
                assertTrue(overlap >= 0.6 * (e - a), "the span lies mostly on the watermarked middle: span [" + a + ", "
                        + e + "), middle [" + mid[0] + ", " + mid[1] + ")");
                assertEquals(env.key1.id(), s.getString("key_id"));
                checked++;
            }
        }
        assertTrue(checked >= MIXED - 1, "spans checked: " + checked);
    }

    @Test
    void allFlaggedDocumentsPageByPage() {
        long flagged = api.get("/v1/scans/" + scanId + "/report", env.alpha).json().getJsonObject("documents").getLong("flagged");
        List<Long> seen = new ArrayList<>();
        for (int off = 0; off < 100; off += 5) {
            JsonObject p = api.get("/v1/scans/" + scanId + "/documents?flagged=true&offset=" + off + "&limit=5", env.alpha).json();
            assertEquals(flagged, p.getLong("total"));
            p.getJsonArray("documents").forEach(d -> {
                assertTrue(((JsonObject) d).getBoolean("flagged"));
                assertFalse(((JsonObject) d).containsKey("text"), "pages carry no texts");
                seen.add(((JsonObject) d).getLong("index"));
            });
            if (p.getJsonArray("documents").size() < 5) {
                break;
            }
        }
        assertEquals(flagged, seen.size());
        assertEquals(seen.stream().sorted().toList(), seen, "in corpus order");
        JsonObject all = api.get("/v1/scans/" + scanId + "/documents?limit=500", env.admin).json();
        assertEquals(HUMAN + MIXED, all.getLong("total"), "admins see every document");
        JsonObject listed = api.get("/v1/scans/" + scanId + "/documents?limit=500", env.alpha).json();
        assertEquals(flagged, listed.getLong("total"), "analysts see the listed (flagged) documents only");
        assertEquals(HUMAN + MIXED - flagged, listed.getLong("withheld"));
        for (Object d : all.getJsonArray("documents")) {
            JsonObject e = (JsonObject) d;
            if (!e.getBoolean("flagged")) {
                api.get("/v1/scans/" + scanId + "/documents/" + e.getLong("index"), env.alpha)
                        .problem(404, "not-found", "not listed to analyst tokens");
            }
        }
        api.get("/v1/scans/" + scanId + "/documents?limit=0", env.alpha).problem(400, "invalid-request", "'limit'");
        api.get("/v1/scans/" + scanId + "/documents/999", env.alpha).problem(404, "not-found", "no document with index 999");
        api.get("/v1/scans/" + scanId + "/documents/x", env.alpha).problem(400, "invalid-request", "index");
    }

    @Test
    void analystsSeeBucketsNeverBelowTheExactPValuesAndWidenedSpans() {
        JsonArray exact = api.get("/v1/scans/" + scanId + "/documents?limit=500", env.admin).json().getJsonArray("documents");
        JsonArray coarse = api.get("/v1/scans/" + scanId + "/documents?limit=500", env.alpha).json().getJsonArray("documents");
        Map<Long, JsonObject> byIndex = new java.util.HashMap<>();
        exact.forEach(o -> byIndex.put(((JsonObject) o).getLong("index"), (JsonObject) o));
        int compared = 0;
        for (Object o : coarse) {
            JsonObject c = (JsonObject) o;
            JsonObject e = byIndex.get(c.getLong("index"));
            assertTrue(e.getBoolean("flagged"), "only flagged documents are listed to analysts");
            double le = e.getDouble("log10_p");
            assertEquals(Disclosure.bucketLog10(le), c.getDouble("log10_p"), "the bucket's bound");
            assertTrue(c.getDouble("log10_p") >= le && c.getDouble("p_value") >= e.getDouble("p_value"), "never below");
            assertEquals(Disclosure.bucketLabel(le), c.getString("p_bucket"));
            assertFalse(c.containsKey("near_duplicate") || c.containsKey(Disclosure.GRID_FIELD), c::encode);
            JsonObject one = api.get("/v1/scans/" + scanId + "/documents/" + c.getLong("index"), env.alpha).json();
            JsonObject oneExact = api.get("/v1/scans/" + scanId + "/documents/" + c.getLong("index"), env.admin).json();
            JsonArray spans = one.getJsonArray("spans");
            assertTrue(spans.size() <= Disclosure.ANALYST_SPANS_PER_KEY, "at most two spans per key: " + spans);
            double bestExact = 0;
            for (Object x : oneExact.getJsonArray("spans")) {
                bestExact = Math.min(bestExact, ((JsonObject) x).getDouble("log10_p"));
            }
            for (Object so : spans) {
                JsonObject sp = (JsonObject) so;
                int st = sp.getInteger("start_token");
                int en = sp.getInteger("end_token");
                assertEquals(0, st % Disclosure.SPAN_GRID, "widened to the grid: " + sp);
                assertTrue(en % Disclosure.SPAN_GRID == 0 || en == one.getInteger("tokens"), "widened to the grid: " + sp);
                assertTrue(sp.getDouble("log10_p") >= bestExact, "a span's bucket is never below its exact p");
                assertEquals((double) Disclosure.bucketLog10(sp.getDouble("log10_p")), sp.getDouble("log10_p"));
                assertEquals(Math.pow(10, sp.getDouble("log10_p")), sp.getDouble("p_value"),
                        "the span's p_value is its bucket's bound too, never the exact value: " + sp);
                assertTrue(sp.getInteger("start_char") < sp.getInteger("end_char")
                        && sp.getInteger("end_char") <= one.getString("text").length() + 1, sp::encode);
            }
            compared++;
        }
        assertTrue(compared >= MIXED - 1, "compared " + compared);
        // the report's corpus-level numbers too
        JsonObject ka = api.get("/v1/scans/" + scanId + "/report", env.alpha).json().getJsonArray("keys").getJsonObject(0);
        JsonObject kx = api.get("/v1/scans/" + scanId + "/report", env.admin).json().getJsonArray("keys").getJsonObject(0);
        assertTrue(ka.getDouble("p_value") >= kx.getDouble("p_value"));
        assertTrue(ka.getDouble("log10_p") >= kx.getDouble("log10_p"));
        assertFalse(ka.containsKey("score_sum") || ka.containsKey("statistic"));
    }

    @Test
    void csvAndJsonDownloads() {
        TestSupport.Resp csv = api.get("/v1/scans/" + scanId + "/documents.csv", env.admin);
        assertEquals(200, csv.status());
        assertEquals("text/csv", csv.contentType());
        assertTrue(csv.headers().get("Content-Disposition").contains(scanId + "-documents.csv"));
        String[] lines = csv.body().toString().split("\n");
        assertEquals("index,record,line,turn,doc_id,tokens,tested,key_id,log10_p,p_value,flagged,spans", lines[0]);
        assertEquals(HUMAN + MIXED + 1, lines.length);
        assertTrue(lines[HUMAN + 1].startsWith(HUMAN + "," + (HUMAN + 1) + "," + (HUMAN + 1) + ",,mixed-0,"), lines[HUMAN + 1]);
        assertTrue(lines[HUMAN + 1].contains(",true,"), lines[HUMAN + 1]);
        TestSupport.Resp json = api.get("/v1/scans/" + scanId + "/documents.json", env.admin);
        JsonArray a = new JsonArray(json.body());
        assertEquals(HUMAN + MIXED, a.size());
        assertEquals("human-0", a.getJsonObject(0).getString("doc_id"));
        // analysts download what they may see: the listed documents, with buckets
        long listed = api.get("/v1/scans/" + scanId + "/documents?flagged=true", env.alpha).json().getLong("total");
        String[] mine = api.get("/v1/scans/" + scanId + "/documents.csv", env.alpha).body().toString().split("\n");
        assertEquals(listed + 1, mine.length);
        for (int i = 1; i < mine.length; i++) {
            assertTrue(mine[i].contains(",true,"), mine[i]);
        }
        JsonArray mineJson = new JsonArray(api.get("/v1/scans/" + scanId + "/documents.json", env.alpha).body());
        assertEquals(listed, mineJson.size());
        for (int i = 0; i < mineJson.size(); i++) {
            JsonObject d = mineJson.getJsonObject(i);
            assertEquals((double) Disclosure.bucketLog10(d.getDouble("log10_p")), d.getDouble("log10_p"), d::encode);
            assertTrue(d.containsKey("p_bucket"));
        }
    }

    @Test
    void htmlReportHighlightsSpansAndLabelsHolm() {
        String html = api.get("/v1/scans/" + scanId + "/report.html", env.alpha).body().toString();
        assertTrue(html.contains("<mark class=\"span\""), "spans highlighted");
        assertTrue(html.contains("p (Holm-adjusted)") && html.contains("p (unadjusted)"));
        assertTrue(html.contains("flagged</b> on their own"));
        assertTrue(html.contains("per-document p-value (unadjusted)") && html.contains("Holm-adjusted over keys"),
                "axis titles");
        assertFalse(java.util.regex.Pattern.compile("\\b1 (documents|keys|tokens|spans)\\b").matcher(html).find(), "singular");
    }

    @Test
    void cancelARunningScan(@TempDir Path other) throws Exception {
        try (TestSupport.Env slow = new TestSupport.Env(other.resolve("data"),
                TestSupport.config(other.resolve("data")).withTestDelay(200))) {
            TestSupport.Api a = new TestSupport.Api(Vertx.vertx(), slow.port());
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 60; i++) {
                b.append(new JsonObject().put("text", Corpora.human().get(i)).encode()).append('\n');
            }
            String id = a.upload("", slow.alpha, "application/x-ndjson", Buffer.buffer(b.toString())).json().getString("id");
            a.awaitScan(id, slow.alpha, s -> s.getString("state").equals("running")
                    && s.getJsonObject("progress").getLong("documents") > 0);
            JsonObject c = a.call(HttpMethod.POST, "/v1/scans/" + id + "/cancel", slow.alpha, null, null, Map.of(), true).json();
            assertEquals(id, c.getString("id"));
            JsonObject done = a.awaitScan(id, slow.alpha, s -> s.getString("state").equals("failed"));
            assertTrue(done.getString("error").startsWith("cancelled by its owner after"), done.getString("error"));
            assertTrue(done.getJsonObject("progress").getLong("documents") < 60);
            a.call(HttpMethod.POST, "/v1/scans/" + id + "/cancel", slow.alpha, null, null, Map.of(), true)
                    .problem(409, "conflict", "only queued or running scans can be cancelled");
        }
    }
}
