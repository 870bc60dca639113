package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.service.store.ApiTokens;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The authorization matrix: every documented route x {admin, analyst of the owning tenant,
 * analyst of another tenant, no token, unknown token, revoked token}, with the expected status.
 */
@ExtendWith(VertxExtension.class)
class AuthMatrixTest {

    enum Who { ADMIN, OWNER, OTHER_TENANT, NONE, BAD, REVOKED }

    @TempDir
    static Path dir;
    static TestSupport.Env env;
    static TestSupport.Api api;
    static String ownerScan;
    static String ownerKey;
    static final AtomicInteger SEQ = new AtomicInteger();

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        env = TestSupport.Env.start(dir.resolve("data"));
        api = new TestSupport.Api(vertx, env.port());
        ownerScan = newScan(env.alpha);
        api.awaitDone(ownerScan, env.alpha);
        ownerKey = env.server.keys().register("kgw", "alpha's own key", null, "alpha").id();
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    /** Two human texts and (index 2) a watermarked one: flagged, so listed to its owner's analysts too. */
    static String corpus() {
        return Corpora.mixedJsonl(Corpora.human().subList(0, 2), List.of(Corpora.watermarkedText(
                env.server.keys().keyed(env.key1), env.server.tokenizer(), 300, 7)));
    }

    static String newScan(String token) {
        TestSupport.Resp r = api.upload("", token, "application/x-ndjson", Buffer.buffer(corpus()));
        assertEquals(201, r.status(), r.body()::toString);
        return r.json().getString("id");
    }

    static String token(Who w) {
        return switch (w) {
            case ADMIN -> env.admin;
            case OWNER -> env.alpha;
            case OTHER_TENANT -> env.beta;
            case NONE -> null;
            case BAD -> "hm_" + "A".repeat(43);
            case REVOKED -> env.revoked;
        };
    }

    /** A route: method, documented template, a request maker (given who calls), and the expected status per caller. */
    record Route(String method, String template, Function<Who, TestSupport.Resp> call, Map<Who, Integer> expect) {
        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    static Map<Who, Integer> authed(int admin, int owner, int other) {
        return Map.of(Who.ADMIN, admin, Who.OWNER, owner, Who.OTHER_TENANT, other, Who.NONE, 401, Who.BAD, 401,
                Who.REVOKED, 401);
    }

    static String freshKey() {
        return env.server.keys().register("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", "matrix " + SEQ.incrementAndGet(),
                null).id();
    }

    static List<Route> routes() {
        JsonObject detect = new JsonObject().put("text", Corpora.human().get(1));
        List<Route> r = new ArrayList<>();
        r.add(new Route("GET", "/healthz", w -> api.get("/healthz", token(w)),
                Map.of(Who.ADMIN, 200, Who.OWNER, 200, Who.OTHER_TENANT, 200, Who.NONE, 200, Who.BAD, 200, Who.REVOKED, 200)));
        r.add(new Route("GET", "/readyz", w -> api.get("/readyz", token(w)),
                Map.of(Who.ADMIN, 200, Who.OWNER, 200, Who.OTHER_TENANT, 200, Who.NONE, 200, Who.BAD, 200, Who.REVOKED, 200)));
        r.add(new Route("GET", "/metrics", w -> api.get("/metrics", token(w)), authed(200, 403, 403)));
        r.add(new Route("GET", "/v1/me", w -> api.get("/v1/me", token(w)), authed(200, 200, 200)));
        r.add(new Route("POST", "/v1/detect", w -> api.post("/v1/detect", token(w), detect), authed(200, 200, 200)));
        JsonObject calibrate = new JsonObject().put("ids", new io.vertx.core.json.JsonArray().add(
                new io.vertx.core.json.JsonArray().add(1).add(2).add(3))).put("scheme", "kgw").put("keys", 2);
        r.add(new Route("POST", "/v1/calibrate", w -> api.post("/v1/calibrate", token(w), calibrate),
                authed(200, 403, 403)));
        r.add(new Route("POST", "/v1/scans", w -> api.upload("", token(w), "application/x-ndjson", Buffer.buffer(corpus())),
                authed(201, 201, 201)));
        r.add(new Route("GET", "/v1/scans", w -> api.get("/v1/scans", token(w)), authed(200, 200, 200)));
        r.add(new Route("GET", "/v1/scans/{id}", w -> api.get("/v1/scans/" + ownerScan, token(w)), authed(200, 200, 404)));
        r.add(new Route("GET", "/v1/scans/{id}/report", w -> api.get("/v1/scans/" + ownerScan + "/report", token(w)),
                authed(200, 200, 404)));
        r.add(new Route("GET", "/v1/scans/{id}/report.html", w -> api.get("/v1/scans/" + ownerScan + "/report.html", token(w)),
                authed(200, 200, 404)));
        r.add(new Route("DELETE", "/v1/scans/{id}", w -> {
            String id = newScan(env.alpha);
            TestSupport.Resp resp = api.delete("/v1/scans/" + id, token(w));
            if (resp.status() != 200) {
                assertEquals(200, api.get("/v1/scans/" + id, env.alpha).status(), "a refused delete leaves the scan");
            }
            return resp;
        }, authed(200, 200, 404)));
        r.add(new Route("POST", "/v1/scans/{id}/cancel", w -> api.call(HttpMethod.POST, "/v1/scans/" + ownerScan + "/cancel",
                token(w), null, null, Map.of(), true), Map.of(Who.ADMIN, 409, Who.OWNER, 409, Who.OTHER_TENANT, 404,
                Who.NONE, 401, Who.BAD, 401, Who.REVOKED, 401)));
        r.add(new Route("GET", "/v1/scans/{id}/documents", w -> api.get("/v1/scans/" + ownerScan + "/documents", token(w)),
                authed(200, 200, 404)));
        r.add(new Route("GET", "/v1/scans/{id}/documents/{index}", w -> api.get("/v1/scans/" + ownerScan + "/documents/2",
                token(w)), authed(200, 200, 404)));
        r.add(new Route("GET", "/v1/scans/{id}/documents.csv", w -> api.get("/v1/scans/" + ownerScan + "/documents.csv",
                token(w)), authed(200, 200, 404)));
        r.add(new Route("GET", "/v1/scans/{id}/documents.json", w -> api.get("/v1/scans/" + ownerScan + "/documents.json",
                token(w)), authed(200, 200, 404)));
        // analysts list the keys they test (their tenant's and the shared ones); a key of another tenant is not found
        r.add(new Route("GET", "/v1/keys", w -> api.get("/v1/keys", token(w)), authed(200, 200, 200)));
        r.add(new Route("POST", "/v1/keys", w -> api.post("/v1/keys", token(w), new JsonObject()
                .put("scheme", "gumbel:context=1").put("label", "m" + SEQ.incrementAndGet())), authed(201, 403, 403)));
        r.add(new Route("GET", "/v1/keys/{id}", w -> api.get("/v1/keys/" + ownerKey, token(w)), authed(200, 200, 404)));
        r.add(new Route("PATCH", "/v1/keys/{id}", w -> api.call(HttpMethod.PATCH, "/v1/keys/" + ownerKey, token(w),
                "application/json", new JsonObject().put("tenant", "alpha").toBuffer(), Map.of(), true), authed(200, 403, 403)));
        r.add(new Route("POST", "/v1/keys/{id}/derive", w -> api.post("/v1/keys/" + env.key1.id() + "/derive", token(w),
                new JsonObject().put("path", "account/" + SEQ.incrementAndGet())), authed(201, 403, 403)));
        r.add(new Route("DELETE", "/v1/keys/{id}", w -> api.delete("/v1/keys/" + freshKey(), token(w)), authed(200, 403, 403)));
        r.add(new Route("GET", "/v1/tokens", w -> api.get("/v1/tokens", token(w)), authed(200, 403, 403)));
        r.add(new Route("POST", "/v1/tokens", w -> api.post("/v1/tokens", token(w), new JsonObject().put("tenant", "delta")),
                authed(201, 403, 403)));
        r.add(new Route("DELETE", "/v1/tokens/{id}", w -> api.delete("/v1/tokens/"
                + env.server.tokens().create("delta", ApiTokens.Role.ANALYST, "to revoke").principal().tokenId(), token(w)),
                authed(200, 403, 403)));
        // probe scans: the allowlist is the admin's; any authenticated caller may ask for a probe scan (this one
        // names no prompts, so it is refused with 400 after authentication, and nothing is contacted)
        JsonObject probe = new JsonObject().put("endpoint", "http://127.0.0.1:9/v1").put("api_key", "sk-matrix")
                .put("model", "m").put("prompts", new io.vertx.core.json.JsonArray());
        r.add(new Route("POST", "/v1/probe-scans", w -> api.raw(io.vertx.core.http.HttpMethod.POST, "/v1/probe-scans",
                token(w), "application/json", probe.toBuffer()), authed(400, 400, 400)));
        r.add(new Route("GET", "/v1/probe-allowlist", w -> api.get("/v1/probe-allowlist", token(w)),
                authed(200, 403, 403)));
        r.add(new Route("PUT", "/v1/probe-allowlist", w -> api.call(io.vertx.core.http.HttpMethod.PUT,
                "/v1/probe-allowlist", token(w), "application/json",
                new JsonObject().put("endpoints", new io.vertx.core.json.JsonArray()).toBuffer(), Map.of(), true),
                authed(200, 403, 403)));
        r.add(new Route("GET", "/v1/audit", w -> api.get("/v1/audit", token(w)), authed(200, 403, 403)));
        return r;
    }

    static Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        for (Route r : routes()) {
            for (Who w : Who.values()) {
                out.add(Arguments.of(r, w));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("matrix")
    void status(Route route, Who who) {
        TestSupport.Resp r = route.call().apply(who);
        int want = route.expect().get(who);
        assertEquals(want, r.status(), () -> route + " as " + who + ": " + r.body());
        if (want == 401) {
            r.problem(401, "unauthorized", who == Who.NONE ? "missing 'Authorization: Bearer" : "unknown or revoked API token");
            assertTrue(r.headers().get("WWW-Authenticate").startsWith("Bearer"));
        } else if (want == 403) {
            r.problem(403, "forbidden", "needs an admin API token");
        } else if (want == 404) {
            r.problem(404, "not-found", route.template().startsWith("/v1/keys") ? "no key with id" : "no scan with id");
        } else if (want == 409) {
            r.problem(409, "conflict", "only queued or running scans can be cancelled");
        }
    }

    @Test
    void matrixCoversEveryDocumentedOperation() {
        Set<String> covered = new TreeSet<>();
        for (Route r : routes()) {
            covered.add(r.method() + " " + r.template());
        }
        assertEquals(OpenApi.get().operations(), covered);
    }

    @Test
    void tenantsListOnlyTheirOwnScans() {
        JsonArray mine = api.get("/v1/scans", env.alpha).json().getJsonArray("scans");
        JsonArray theirs = api.get("/v1/scans", env.beta).json().getJsonArray("scans");
        JsonArray all = api.get("/v1/scans", env.admin).json().getJsonArray("scans");
        assertTrue(mine.stream().allMatch(s -> "alpha".equals(((JsonObject) s).getString("tenant"))));
        assertTrue(mine.stream().anyMatch(s -> ownerScan.equals(((JsonObject) s).getString("id"))));
        assertTrue(theirs.stream().allMatch(s -> "beta".equals(((JsonObject) s).getString("tenant"))));
        assertFalse(theirs.stream().anyMatch(s -> ownerScan.equals(((JsonObject) s).getString("id"))));
        assertTrue(all.stream().anyMatch(s -> ownerScan.equals(((JsonObject) s).getString("id"))), "admins see every tenant");
    }

    @Test
    void malformedAuthorizationHeaders() {
        api.call(HttpMethod.GET, "/v1/me", null, null, null, Map.of("Authorization", "Basic dXNlcjpwYXNz"), false)
                .problem(401, "unauthorized", "must use the Bearer scheme");
        api.call(HttpMethod.GET, "/v1/me", null, null, null, Map.of("Authorization", "Bearer " + "x".repeat(500)), false)
                .problem(401, "unauthorized", "unknown or revoked");
    }

    @Test
    void tokenScoresAreAdminOnly() {
        api.post("/v1/detect", env.alpha, new JsonObject().put("text", Corpora.human().get(2)).put("include_token_scores", true))
                .problem(403, "forbidden", "per-token scores are returned to admin tokens only");
    }
}
