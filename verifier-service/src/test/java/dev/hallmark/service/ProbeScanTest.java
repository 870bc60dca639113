package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hallmark.scheme.KeyedScheme;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Probe scans through the API: the service audits OpenAI-compatible endpoints (small real HTTP
 * servers here) on an admin's allowlist, never anything else, keeps the endpoint's API key sealed
 * until the answers are in, and reports the radioactivity test like any scan. Answers sampled with
 * key one must be found (the detection side), answers without a watermark must not (the null side).
 */
@ExtendWith(VertxExtension.class)
class ProbeScanTest {

    static final String API_KEY = "sk-suspect-endpoint-secret-7731";

    @TempDir
    static Path dir;
    static TestSupport.Env env;
    static TestSupport.Api api;
    static KeyedScheme k1;
    static final List<HttpServer> servers = new ArrayList<>();
    static final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    static final Map<String, String> seenAuth = new ConcurrentHashMap<>();

    /** An OpenAI-compatible completions endpoint answering through {@code answer}, counting its calls. */
    interface Answer {
        void answer(HttpExchange ex, String body, int call) throws IOException;
    }

    static String endpoint(String name, Answer a) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        AtomicInteger n = hits.computeIfAbsent(name, k -> new AtomicInteger());
        s.createContext("/", ex -> {
            try {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                seenAuth.put(name, String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
                a.answer(ex, body, n.getAndIncrement());
            } finally {
                ex.close();
            }
        });
        s.start();
        servers.add(s);
        return "http://127.0.0.1:" + s.getAddress().getPort() + "/v1";
    }

    static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    static String completion(String text) {
        return new JsonObject().put("id", "cmpl-1").put("object", "text_completion").put("model", "suspect")
                .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("text", text)
                        .put("finish_reason", "length"))).encode();
    }

    static String watermarked;
    static String plain;
    static String other;
    static String denied;
    static String redirecting;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        env = TestSupport.Env.start(dir.resolve("data"));
        api = new TestSupport.Api(vertx, env.port());
        k1 = env.server.keys().keyed(env.key1);
        watermarked = endpoint("watermarked", (ex, body, call) -> send(ex, 200,
                completion(Corpora.watermarkedText(k1, env.server.tokenizer(), 120, 1000 + call))));
        plain = endpoint("plain", (ex, body, call) -> send(ex, 200,
                completion(Corpora.watermarkedText(null, env.server.tokenizer(), 120, 2000 + call))));
        other = endpoint("other", (ex, body, call) -> send(ex, 200, completion("never asked")));
        denied = endpoint("denied", (ex, body, call) -> send(ex, 401,
                "{\"error\": {\"message\": \"Incorrect API key provided: " + API_KEY + "\"}}"));
        redirecting = endpoint("redirecting", (ex, body, call) -> {
            ex.getResponseHeaders().set("Location", other + "/completions");
            ex.sendResponseHeaders(307, -1);
        });
        TestSupport.Resp r = api.call(HttpMethod.PUT, "/v1/probe-allowlist", env.admin, "application/json",
                new JsonObject().put("endpoints", new JsonArray().add(watermarked + "/").add(plain).add(denied)
                        .add(redirecting)).toBuffer(), Map.of(), true);
        assertEquals(200, r.status(), r.body()::toString);
    }

    @AfterAll
    static void stop() {
        servers.forEach(s -> s.stop(0));
        env.close();
    }

    static JsonObject probe(String endpoint, int prompts) {
        JsonArray ps = new JsonArray();
        for (int i = 0; i < prompts; i++) {
            ps.add("Probe prompt number " + i + " about the sea");
        }
        return new JsonObject().put("endpoint", endpoint).put("api_key", API_KEY).put("model", "suspect")
                .put("prompts", ps).put("max_tokens", 120).put("key_ids", new JsonArray().add(env.key1.id()));
    }

    @Test
    void findsTheWatermarkInAnAllowlistedEndpointsAnswers() throws Exception {
        TestSupport.Resp r = api.post("/v1/probe-scans", env.alpha, probe(watermarked, 25).put("name", "suspect A"));
        assertEquals(201, r.status(), r.body()::toString);
        assertFalse(r.body().toString().contains(API_KEY), "the key is never returned");
        String id = r.json().getString("id");
        assertEquals("probe", r.json().getString("scan_type"));
        JsonObject done = api.awaitDone(id, env.alpha);
        JsonObject rep = done.getJsonObject("report");
        assertEquals("watermarked", rep.getString("verdict"), rep::encode);
        assertEquals(25, rep.getJsonObject("probe").getInteger("answers"));
        assertEquals(watermarked, rep.getJsonObject("probe").getString("endpoint"));
        assertEquals(List.of(env.key1.id()), rep.getJsonArray("detected_key_ids").getList());
        assertEquals("Bearer " + API_KEY, seenAuth.get("watermarked"));
        // sealed while needed, then gone; nowhere in the data directory, the audit log or the scan view
        try (Stream<Path> files = Files.walk(env.dataDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(f.getFileName().toString().equals("api-key.sealed"), "sealed key kept after the scan: " + f);
                byte[] b = Files.readAllBytes(f);
                assertFalse(new String(b, StandardCharsets.ISO_8859_1).contains(API_KEY), "plain key in " + f);
            }
        }
        assertFalse(api.get("/v1/audit", env.admin).body().toString().contains(API_KEY));
        assertFalse(api.get("/v1/scans/" + id, env.alpha).body().toString().contains(API_KEY));
        assertEquals(0, hits.getOrDefault("other", new AtomicInteger()).get());
    }

    @Test
    void unwatermarkedAnswersAreNotDetected() throws Exception {
        TestSupport.Resp r = api.post("/v1/probe-scans", env.alpha, probe(plain, 25));
        assertEquals(201, r.status(), r.body()::toString);
        JsonObject rep = api.awaitDone(r.json().getString("id"), env.alpha).getJsonObject("report");
        assertEquals("no_watermark_detected", rep.getString("verdict"), rep::encode);
        assertEquals(25, rep.getJsonObject("probe").getInteger("answers"));
    }

    @Test
    void onlyAllowlistedEndpointsAreContacted() throws Exception {
        api.post("/v1/probe-scans", env.alpha, probe(other, 3))
                .problem(403, "forbidden", "is not on the service's probe allowlist");
        api.post("/v1/probe-scans", env.alpha, probe("http://127.0.0.1:1/v1?x=1", 3))
                .problem(400, "invalid-request", "must not carry user info, a query or a fragment");
        // a listed endpoint that redirects elsewhere: not followed, the scan fails, the target is never asked
        TestSupport.Resp r = api.post("/v1/probe-scans", env.alpha, probe(redirecting, 3));
        assertEquals(201, r.status(), r.body()::toString);
        JsonObject s = api.awaitScan(r.json().getString("id"), env.alpha, x -> x.getString("state").equals("failed"));
        assertTrue(s.getString("error").contains("HTTP 307"), s.encode());
        assertEquals(0, hits.getOrDefault("other", new AtomicInteger()).get());
        // analysts neither read nor change the allowlist
        api.get("/v1/probe-allowlist", env.alpha).problem(403, "forbidden", "admin");
        assertTrue(api.get("/v1/probe-allowlist", env.admin).json().getJsonArray("endpoints").contains(watermarked));
    }

    @Test
    void aRejectedKeyFailsTheScanWithoutShowingTheKey() throws Exception {
        TestSupport.Resp r = api.post("/v1/probe-scans", env.alpha, probe(denied, 3));
        assertEquals(201, r.status(), r.body()::toString);
        JsonObject s = api.awaitScan(r.json().getString("id"), env.alpha, x -> x.getString("state").equals("failed"));
        assertTrue(s.getString("error").contains("HTTP 401") && s.getString("error").contains("API key was rejected"),
                s.encode());
        assertFalse(s.encode().contains(API_KEY), "an echoed key is redacted: " + s.encode());
        assertEquals(1, hits.get("denied").get(), "401 is not retried");
    }

    @Test
    void badProbeRequests() {
        api.raw(HttpMethod.POST, "/v1/probe-scans", env.alpha, "application/json",
                probe(watermarked, 2).put("max_tokens", 0).toBuffer()).problem(400, "invalid-request", "'max_tokens' must be an integer in [1, 4096]");
        api.raw(HttpMethod.POST, "/v1/probe-scans", env.alpha, "application/json", probe(watermarked, 0).toBuffer())
                .problem(400, "invalid-request", "'prompts' must be an array of 1 to 10000 strings");
        api.raw(HttpMethod.POST, "/v1/probe-scans", env.alpha, "application/json",
                probe(watermarked, 2).put("api_key", 5).toBuffer())
                .problem(400, "invalid-request", "'api_key'");
        api.raw(HttpMethod.PUT, "/v1/probe-allowlist", env.admin, "application/json",
                new JsonObject().put("endpoints", new JsonArray().add("ftp://x")).toBuffer())
                .problem(400, "invalid-request", "must be an http(s) URL");
    }
}
