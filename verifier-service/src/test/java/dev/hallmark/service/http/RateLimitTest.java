package dev.hallmark.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.service.Corpora;
import dev.hallmark.service.PgServer;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.TestSupport;
import dev.hallmark.service.TestSupport.Backend;
import dev.hallmark.service.VerifierServer;
import dev.hallmark.service.store.ApiTokens;
import dev.hallmark.service.store.DatabaseConfig;
import dev.hallmark.service.store.Store;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Per-token rate limits: the bucket arithmetic and scan debits on a fake clock (buckets in either
 * database), a burst that covers the largest request, 429 with Retry-After from a real server
 * (detect charged by texts and tokens), and one bucket per token across two instances sharing a
 * PostgreSQL database.
 */
@ExtendWith(VertxExtension.class)
class RateLimitTest {

    @Test
    void burstMustCoverTheLargestRequest() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> dev.hallmark.service.ServiceConfig.defaults(Path.of("x")).withRate(5, 60));
        assertTrue(e.getMessage().contains("rate burst 60 is below the cost of the largest request the limits allow "
                + "(64 texts + 128 units for up to 1048576 bytes of tokens = 192 units)"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void debtMakesLaterRequestsWait(Backend backend, @TempDir Path dir) throws Exception {
        DatabaseConfig db = backend == Backend.H2 ? DatabaseConfig.EMBEDDED : PgServer.get().newDatabase();
        try (Store store = Store.open(dir, db, new SecureRandom(), "rate/1")) {
            AtomicLong now = new AtomicLong(0);
            RateLimiter l = new RateLimiter(2, 10, now::get, store.rateBuckets());
            l.debit("a", 25);
            assertEquals(5, l.acquire("a", 10), "a debit takes at most one burst: the full bucket is empty, 10 units take 5 s");
            l.debit("a", 25);
            assertEquals(6, l.acquire("a", 1), "a second debit leaves a debt of one burst: 11 units take 5.5 s");
            now.addAndGet(6_000_000_000L);
            assertEquals(0, l.acquire("a", 1));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void bucketArithmetic(Backend backend, @TempDir Path dir) throws Exception {
        DatabaseConfig db = backend == Backend.H2 ? DatabaseConfig.EMBEDDED : PgServer.get().newDatabase();
        try (Store store = Store.open(dir, db, new SecureRandom(), "rate/1")) {
            AtomicLong now = new AtomicLong(1_000_000_000L);
            RateLimiter l = new RateLimiter(2, 5, now::get, store.rateBuckets());
            for (int i = 0; i < 5; i++) {
                assertEquals(0, l.acquire("a", 1), "burst of 5");
            }
            assertEquals(1, l.acquire("a", 1), "empty: one unit needs 0.5 s, rounded up to 1 s");
            assertEquals(0, l.acquire("b", 1), "buckets are per token");
            now.addAndGet(500_000_000L);
            assertEquals(0, l.acquire("a", 1), "refilled at 2 per second");
            assertEquals(2, l.acquire("a", 3), "3 units need 1.5 s, rounded up to 2 s");
            now.addAndGet(10_000_000_000L);
            assertEquals(0, l.acquire("a", 5), "refill is capped at the burst");
            assertEquals(1, l.acquire("a", 1));
            // an instance whose clock is behind the bucket's last update refills nothing
            now.addAndGet(-3_000_000_000L);
            assertEquals(1, l.acquire("a", 1), "no refill for negative time");
        }
    }

    @Test
    void tooManyRequestsWithRetryAfter(Vertx vertx, @TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        // burst 4 = the largest request: 2 texts + 16 KiB of body (at most 16,384 tokens: 2 units)
        try (TestSupport.Env env = new TestSupport.Env(data, TestSupport.config(data).withLimits(16_384, 1 << 20, 1 << 20, 50)
                .withMaxBatchTexts(2).withRate(0.5, 4))) {
            TestSupport.Api api = new TestSupport.Api(vertx, env.port());
            for (int i = 0; i < 4; i++) {
                assertEquals(200, api.get("/v1/me", env.alpha).status(), "within the burst");
            }
            TestSupport.Resp r = api.get("/v1/me", env.alpha);
            JsonObject p = r.problem(429, "rate-limited", "retry after");
            long retry = Long.parseLong(r.headers().get("Retry-After"));
            assertTrue(retry >= 1 && retry <= 2, "Retry-After " + retry);
            assertEquals(retry, p.getLong("retry_after_seconds"));
            assertEquals(200, api.get("/v1/me", env.beta).status(), "another token has its own bucket");
            assertEquals(200, api.get("/healthz", null).status(), "health checks are not limited");

            // a batch costs one unit per text and one per 8,192 tokens: 2 texts on a fresh token with burst 4 leave one unit
            JsonArray texts = new JsonArray().add(Corpora.human().get(0).substring(0, 2000))
                    .add(Corpora.human().get(1).substring(0, 2000));
            String t = env.server.tokens().create("gamma", ApiTokens.Role.ANALYST, "batch").token();
            assertEquals(200, api.post("/v1/detect", t, new JsonObject().put("texts", texts)).status());
            assertEquals(200, api.get("/v1/me", t).status());
            api.get("/v1/me", t).problem(429, "rate-limited", "retry after");
            String metrics = api.get("/metrics", env.admin).body().toString();
            assertTrue(metrics.contains("hallmark_rate_limited_total 2.0"), "429s are counted");
        }
    }

    @Test
    void twoInstancesChargeOneBucketPerToken(Vertx vertx, @TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        // burst 6 covers the largest request: 2 texts + 16 KiB of body (at most 16,384 tokens: 2 units)
        ServiceConfig cfg = TestSupport.config(data, Backend.POSTGRESQL).withLimits(16_384, 1 << 20, 1 << 20, 50)
                .withMaxBatchTexts(2).withRate(0.01, 6);
        try (TestSupport.Env env = new TestSupport.Env(data, cfg);
                VerifierServer second = VerifierServer.start(cfg.withCluster(cfg.cluster().withInstanceName("second")))) {
            TestSupport.Api a = new TestSupport.Api(vertx, env.port());
            TestSupport.Api b = new TestSupport.Api(vertx, second.port());
            for (int i = 0; i < 3; i++) {
                assertEquals(200, a.get("/v1/me", env.alpha).status());
                assertEquals(200, b.get("/v1/me", env.alpha).status());
            }
            // six units spent, three on each instance: the burst is per token, not per instance
            b.get("/v1/me", env.alpha).problem(429, "rate-limited", "retry after");
            a.get("/v1/me", env.alpha).problem(429, "rate-limited", "retry after");
            assertEquals(200, b.get("/v1/me", env.beta).status(), "another token has its own bucket");
            // a token revoked through one instance is refused by the other at once
            String t = env.server.tokens().create("delta", ApiTokens.Role.ANALYST, "short-lived").token();
            assertEquals(200, b.get("/v1/me", t).status());
            String id = b.get("/v1/me", t).json().getString("id");
            assertEquals(200, a.delete("/v1/tokens/" + id, env.admin).status());
            b.get("/v1/me", t).problem(401, "unauthorized", "unknown or revoked API token");
        }
    }
}
