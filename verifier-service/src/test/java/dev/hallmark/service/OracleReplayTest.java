package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.Detector;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.service.scan.Disclosure;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The oracle attacks of issue 19, replayed as an analyst against a real server (fixed keys, fixed
 * texts, no randomness): each must recover no more green bits than guessing. "No more than
 * guessing" is asserted exactly, not statistically: the answers an attack gets for its candidate
 * tokens are identical for every candidate (so they carry zero information about which is green,
 * and no decoder can beat the prior), and the attack's own decoder then scores no better than
 * always answering "red" (the best guess at gamma 0.25). Each attack is also run with the exact
 * numbers an admin sees (or with coarse buckets but without the near-duplicate defence), where it
 * does recover the bits: the replay is a real attack, and the defence is what stops it.
 *
 * <ol>
 *   <li>40 calls of a 16-id text differing only in its last id (the attack): refused, too
 *       short for analysts; the same with an 80-token prefix (the minimum is 64);
 *   <li>the obvious next step: bisect a prefix (mixing watermarked into human tokens) onto a
 *       p-value bucket boundary, then one query per candidate token;
 *   <li>one scan of 1,000 probe documents with alpha = 0.9999 (the attack): refused; the
 *       same at alpha 0.01 with a prefix placed on the 0.01 boundary (known here from the key); its
 *       per-document pages, single documents and CSV / JSON downloads list no candidate either;
 *   <li>the web page's paste box (a pasted text with spans and per-token colours asked for), with
 *       the bisect-then-probe texts.
 * </ol>
 */
@ExtendWith(VertxExtension.class)
class OracleReplayTest {

    static final int CANDIDATES = 40;
    static final int PREFIX = 80;

    @TempDir
    static Path dir;
    static TestSupport.Env env;
    static TestSupport.Api api;
    static KeyedScheme key;
    static int[] candidates;
    static int context;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        env = TestSupport.Env.start(dir.resolve("data"));
        api = new TestSupport.Api(vertx, env.port());
        key = env.server.keys().keyed(env.key1); // kgw gamma 0.25, context width 1
        // 1,000 distinct candidate tokens, ids of common English words and their neighbours
        int[] words = Corpora.wordIds(env.server.tokenizer());
        context = words[0];
        candidates = new int[1000];
        for (int i = 0; i < candidates.length; i++) {
            candidates[i] = 1000 + 37 * i;
        }
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    /** The ground truth: is (context, candidate) green under the key? */
    static boolean green(int candidate) {
        return key.score(new int[] {context, candidate}, 1, new long[2]) > 0.5;
    }

    static int[] text(int[] prefix, int candidate) {
        int[] t = Arrays.copyOf(prefix, prefix.length + 2);
        t[prefix.length] = context;
        t[prefix.length + 1] = candidate;
        return t;
    }

    static JsonArray ids(int[] t) {
        JsonArray a = new JsonArray();
        for (int i : t) {
            a.add(i);
        }
        return a;
    }

    /** One detect call of the candidate texts as {@code token}, key 1 only, no spans; one result per text. */
    static List<JsonObject> ask(String token, List<int[]> texts) {
        List<JsonObject> out = new ArrayList<>();
        for (int[] t : texts) {
            TestSupport.Resp r = api.post("/v1/detect", token, new JsonObject().put("ids", new JsonArray().add(ids(t)))
                    .put("key_ids", new JsonArray().add(env.key1.id())).put("localize", false));
            assertEquals(200, r.status(), r.body()::toString);
            out.add(r.json().getJsonArray("results").getJsonObject(0).getJsonArray("results").getJsonObject(0));
        }
        return out;
    }

    /** What the attacker decodes: "green" where the answer is more significant than the most common answer. */
    static boolean[] decode(List<Double> log10p) {
        List<Double> sorted = new ArrayList<>(log10p);
        sorted.sort(null);
        double mode = sorted.get(sorted.size() / 2);
        boolean[] g = new boolean[log10p.size()];
        for (int i = 0; i < g.length; i++) {
            g[i] = log10p.get(i) < mode;
        }
        return g;
    }

    static int correct(boolean[] guess, int n) {
        int c = 0;
        for (int i = 0; i < n; i++) {
            c += guess[i] == green(candidates[i]) ? 1 : 0;
        }
        return c;
    }

    static int alwaysRed(int n) {
        int c = 0;
        for (int i = 0; i < n; i++) {
            c += green(candidates[i]) ? 0 : 1;
        }
        return c;
    }

    /** Asserts that the analyst's answers to the candidates are all the same and the decoder is no better than "red". */
    static void assertNoInformation(List<JsonObject> answers, String what) {
        for (JsonObject a : answers) {
            assertEquals(answers.get(0), a, what + ": every candidate gets the same answer");
        }
        boolean[] g = decode(answers.stream().map(a -> a.getDouble("log10_p")).toList());
        int n = answers.size();
        assertTrue(correct(g, n) <= alwaysRed(n), what + ": " + correct(g, n) + " of " + n
                + " right, no better than always answering red (" + alwaysRed(n) + ")");
    }

    static int[] humanIds;
    static int[] watermarkedIds;

    static synchronized int[] human() {
        if (humanIds == null) {
            humanIds = Arrays.copyOf(env.server.tokenizer().encode(Corpora.human().get(11)), PREFIX);
            watermarkedIds = Corpora.watermarkedWordIds(key, env.server.tokenizer(), PREFIX, 5);
        }
        return humanIds.clone();
    }

    /** Prefix k: the first k tokens watermarked (key 1), the rest human; the green count grows with k. */
    static int[] mixed(int k) {
        int[] m = human();
        System.arraycopy(watermarkedIds, 0, m, 0, k);
        return m;
    }

    static double exactLog10p(int[] t) {
        return Detector.of(key).detect(t, DetectOptions.defaults()).log10P();
    }

    @Test
    void theLastIdProbeLearnsNothing() {
        int truthGreen = CANDIDATES - alwaysRed(CANDIDATES);
        assertTrue(truthGreen > 3 && truthGreen < CANDIDATES / 2, "a fair test set: " + truthGreen + " green of 40");
        System.out.println("oracle replay: " + truthGreen + " of " + CANDIDATES + " candidates are green; always red is right "
                + alwaysRed(CANDIDATES) + " times");
        // the attack: a 16-id text, the last id varied
        int[] sixteen = Arrays.copyOf(human(), 14);
        for (int i = 0; i < CANDIDATES; i++) {
            api.post("/v1/detect", env.alpha, new JsonObject().put("ids", new JsonArray().add(ids(text(sixteen, candidates[i])))))
                    .problem(422, "text-too-short", "ids 0 has 16 tokens; at least 64 are needed (the minimum for analyst tokens");
        }
        // the same above the minimum length
        List<int[]> texts = new ArrayList<>();
        for (int i = 0; i < CANDIDATES; i++) {
            texts.add(text(human(), candidates[i]));
        }
        List<JsonObject> analyst = ask(env.beta, texts);
        assertNoInformation(analyst, "last-id probe, 82 tokens");
        // control: with an admin's exact numbers the same 40 calls give every bit
        List<JsonObject> admin = ask(env.admin, texts);
        boolean[] g = new boolean[CANDIDATES];
        double base = admin.stream().mapToDouble(a -> a.getDouble("score_sum")).min().orElseThrow();
        for (int i = 0; i < CANDIDATES; i++) {
            g[i] = admin.get(i).getDouble("score_sum") > base;
        }
        assertEquals(CANDIDATES, correct(g, CANDIDATES), "the exact score sum gives the green bit of every candidate");
    }

    @Test
    void bisectingOntoABucketBoundaryThenProbingLearnsNothing() {
        // the attacker's search: binary search for the first k whose bucket is more significant than k = 0's
        String token = env.server.tokens().create("delta", dev.hallmark.service.store.ApiTokens.Role.ANALYST, "bisect").token();
        int lo = 0;
        int hi = PREFIX;
        double start = ask(token, List.of(text(mixed(0), candidates[0]))).get(0).getDouble("log10_p");
        while (hi - lo > 1) {
            int mid = (lo + hi) / 2;
            double b = ask(token, List.of(text(mixed(mid), candidates[0]))).get(0).getDouble("log10_p");
            if (b < start) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        List<int[]> texts = new ArrayList<>();
        for (int i = 0; i < CANDIDATES; i++) {
            texts.add(text(mixed(hi), candidates[i]));
        }
        assertNoInformation(ask(token, texts), "bisect, then one query per candidate");

        // control: the same search on coarse buckets but without the near-duplicate defence (the exact
        // p-values an admin gets, put into the analysts' buckets here) finds a boundary and reads the bits
        int boundary = -1;
        for (int k = 0; k <= PREFIX && boundary < 0; k++) {
            List<Integer> buckets = new ArrayList<>();
            for (int i = 0; i < CANDIDATES; i++) {
                buckets.add(Disclosure.bucketLog10(exactLog10p(text(mixed(k), candidates[i]))));
            }
            if (buckets.stream().distinct().count() > 1) {
                boundary = k;
                boolean[] g = decode(buckets.stream().map(Integer::doubleValue).toList());
                assertTrue(correct(g, CANDIDATES) > alwaysRed(CANDIDATES), "without the defence a boundary prefix reads "
                        + correct(g, CANDIDATES) + " of 40 right, more than always red (" + alwaysRed(CANDIDATES) + ")");
                System.out.println("oracle replay, control without the near-duplicate rule: prefix " + k + " reads "
                        + correct(g, CANDIDATES) + " of 40 right (always red: " + alwaysRed(CANDIDATES) + ")");
            }
        }
        assertTrue(boundary > 0, "the control found a boundary");
    }

    @Test
    void aProbeScanListsNothingThatTellsCandidatesApart() throws Exception {
        String corpusAt = "?key_ids=" + env.key1.id();
        // the attack: alpha 0.9999 would flag every document
        api.upload(corpusAt + "&alpha=0.9999", env.alpha, "application/x-ndjson", Buffer.buffer(Corpora.idsLine(human()) + "\n"))
                .problem(400, "invalid-request", "'alpha' for analyst tokens must be one of 1e-2, 1e-3, 1e-6, 1e-12, 1e-24, got 0.9999");
        // the strongest form at the largest alpha analysts get: a prefix on the 0.01 boundary (known here
        // from the key, which an attacker does not have), then one document per candidate
        int k = -1;
        for (int j = 0; j <= PREFIX && k < 0; j++) {
            int[] p = mixed(j);
            long below = Arrays.stream(candidates).filter(c -> exactLog10p(text(p, c)) <= -2).count();
            if (below > 0 && below < candidates.length) {
                k = j;
            }
        }
        assertTrue(k >= 0, "a prefix on the boundary exists");
        int[] prefix = mixed(k);
        StringBuilder corpus = new StringBuilder();
        int truth = 0;
        for (int c : candidates) {
            corpus.append(Corpora.idsLine(text(prefix, c))).append('\n');
            truth += exactLog10p(text(prefix, c)) <= -2 ? 1 : 0;
        }
        TestSupport.Resp up = api.upload(corpusAt + "&alpha=0.01", env.alpha, "application/x-ndjson", Buffer.buffer(corpus.toString()));
        assertEquals(201, up.status(), up.body()::toString);
        String id = up.json().getString("id");
        JsonObject report = api.awaitDone(id, env.alpha).getJsonObject("report");
        JsonObject flagged = report.getJsonObject("flagged_documents");
        assertEquals(truth, flagged.getLong("count"), "the count is an aggregate: it says how many, not which");
        System.out.println("oracle replay, probe scan: " + truth + " of 1000 probes flagged, " + flagged.getJsonArray("documents")
                .size() + " listed to the analyst, always red right " + alwaysRed(candidates.length) + " times");
        assertTrue(flagged.getJsonArray("documents").isEmpty(), () -> "no flagged probe is listed: " + flagged.encode());
        assertEquals(truth, flagged.getLong("withheld"));
        assertTrue(report.getJsonArray("top_documents").isEmpty(), "no top document either");
        // so the attacker's best per-candidate guess is the prior: no document is told apart from another
        boolean[] listed = new boolean[candidates.length];
        assertTrue(correct(listed, candidates.length) <= alwaysRed(candidates.length));
        // control: the admin's view of the same report lists exactly the flagged candidates (all near-duplicates)
        JsonObject admin = api.get("/v1/scans/" + id + "/report", env.admin).json();
        JsonArray all = admin.getJsonObject("flagged_documents").getJsonArray("documents");
        assertEquals(truth, all.size());
        for (int i = 0; i < all.size(); i++) {
            assertTrue(all.getJsonObject(i).getBoolean("near_duplicate"), "marked as a near-duplicate probe");
        }
        assertFalse(admin.getJsonObject("documents").getLong("near_duplicates_listed") == 0);
        assertTrue(api.get("/v1/audit", env.admin).body().toString().contains("scan.near_duplicates"), "audited");

        // the per-document routes of the same scan tell no more than the report: no page entry, no
        // single document, no download row for any candidate
        String docs = "/v1/scans/" + id + "/documents";
        for (String q : List.of("?limit=500", "?flagged=true&limit=500", "?offset=500&limit=500")) {
            JsonObject page = api.get(docs + q, env.alpha).json();
            assertEquals(0, page.getLong("total"), () -> q + ": nothing listed: " + page.encode());
            assertTrue(page.getJsonArray("documents").isEmpty(), q);
            assertEquals(q.contains("flagged") ? truth : candidates.length, page.getLong("withheld"), q);
        }
        for (int i = 0; i < all.size(); i++) {
            long index = all.getJsonObject(i).getLong("index");
            api.get(docs + "/" + index, env.alpha).problem(404, "not-found", "not listed to analyst tokens");
        }
        JsonArray adminPage = api.get(docs + "?limit=500", env.admin).json().getJsonArray("documents");
        for (int i = 0; i < 20; i++) { // unflagged candidates too (20 of them: each is a request)
            long index = adminPage.getJsonObject(i).getLong("index");
            if (!adminPage.getJsonObject(i).getBoolean("flagged")) {
                api.get(docs + "/" + index, env.alpha).problem(404, "not-found", "not listed to analyst tokens");
            }
        }
        String[] csv = api.get(docs + ".csv", env.alpha).body().toString().split("\n");
        assertEquals(1, csv.length, () -> "the CSV has its header only: " + String.join("\n", csv));
        assertTrue(new JsonArray(api.get(docs + ".json", env.alpha).body()).isEmpty(), "the JSON download is empty");
        // control: the admin's per-document results tell the flagged candidates from the others
        JsonArray adminJson = new JsonArray(api.get(docs + ".json", env.admin).body());
        assertEquals(candidates.length, adminJson.size());
        boolean[] fromAdmin = new boolean[candidates.length];
        for (int i = 0; i < adminJson.size(); i++) {
            JsonObject d = adminJson.getJsonObject(i);
            fromAdmin[(int) d.getLong("index").longValue()] = d.getBoolean("flagged", false);
        }
        int known = 0;
        for (int i = 0; i < candidates.length; i++) {
            known += fromAdmin[i] == (exactLog10p(text(prefix, candidates[i])) <= -2) ? 1 : 0;
        }
        assertEquals(candidates.length, known, "the exact per-document view gives every candidate's side of the boundary");
    }

    /**
     * The web page's paste box: {@code POST /v1/detect} with a pasted text and spans, as the page
     * sends it (per-token colours only for admins: an analyst asking for them is refused). Replayed
     * with the bisect-then-probe texts as decoded text: analysts get the same results for every
     * candidate, no token scores or offsets, and after the first text near-duplicates without spans.
     */
    @Test
    void thePasteBoxLearnsNothing() {
        String token = env.server.tokens().create("paste", dev.hallmark.service.store.ApiTokens.Role.ANALYST, "paste box").token();
        int[] prefix = mixed(PREFIX / 2);
        List<JsonObject> answers = new ArrayList<>();
        List<JsonObject> exact = new ArrayList<>();
        for (int i = 0; i < CANDIDATES; i++) {
            // as the page sends it: token colours are asked for by admins only (an analyst asking is refused)
            JsonObject body = new JsonObject().put("text", env.server.tokenizer().decode(text(prefix, candidates[i])))
                    .put("localize", true).put("include_token_scores", false);
            if (i == 0) {
                api.post("/v1/detect", token, body.copy().put("include_token_scores", true))
                        .problem(403, "forbidden", "per-token scores are returned to admin tokens only");
            }
            TestSupport.Resp r = api.post("/v1/detect", token, body);
            assertEquals(200, r.status(), r.body()::toString);
            answers.add(r.json().getJsonArray("results").getJsonObject(0));
            TestSupport.Resp x = api.post("/v1/detect", env.admin, body.copy().put("include_token_scores", true));
            assertEquals(200, x.status(), x.body()::toString);
            exact.add(x.json().getJsonArray("results").getJsonObject(0));
        }
        for (int i = 0; i < CANDIDATES; i++) {
            JsonObject a = answers.get(i);
            assertEquals(answers.get(0).getJsonArray("results"), a.getJsonArray("results"), "every candidate: the same results");
            assertEquals(answers.get(0).getString("verdict"), a.getString("verdict"));
            assertFalse(a.containsKey("token_offsets"), "no token offsets for analysts");
            a.getJsonArray("results").forEach(o -> assertFalse(((JsonObject) o).containsKey("token_scores")
                    || ((JsonObject) o).containsKey("score_sum"), "no per-token scores or sums for analysts"));
            if (i > 0) {
                assertTrue(a.getBoolean("near_duplicate", false), "a near-duplicate of the first paste: " + a.encode());
                assertTrue(a.getJsonArray("spans").isEmpty(), "near-duplicates get no spans");
            }
        }
        assertNoInformation(answers.stream().map(a -> a.getJsonArray("results").getJsonObject(0)).toList(), "paste box");
        // control: the admin's exact answers to the same pastes differ between candidates
        assertTrue(exact.stream().map(a -> a.getJsonArray("results").getJsonObject(0).getDouble("score_sum")).distinct().count() > 1,
                "the exact score sums tell candidates apart");
        assertTrue(exact.get(0).containsKey("token_offsets"), "admins get the per-token view the page colours");
    }
}
