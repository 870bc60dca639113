package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.service.TestSupport.Backend;
import dev.hallmark.service.store.ProbeStore;
import dev.hallmark.service.store.Store;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The analysts' near-duplicate index is shared by every instance on the database (issue 18:
 * probing detection holds across instances): a text answered by one instance and a near-identical
 * text sent to the other get the same answer, the second marked {@code near_duplicate}; admins are
 * answered afresh. And the store's contract on both databases.
 */
@ExtendWith(VertxExtension.class)
class SharedProbeIndexTest {

    @Test
    void aNearDuplicateSentToTheOtherInstanceGetsTheFirstAnswer(Vertx vertx, @TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        ServiceConfig cfg = TestSupport.config(data, Backend.POSTGRESQL);
        try (TestSupport.Env env = new TestSupport.Env(data, cfg);
                VerifierServer second = VerifierServer.start(cfg.withCluster(cfg.cluster().withInstanceName("second")))) {
            TestSupport.Api a = new TestSupport.Api(vertx, env.port());
            TestSupport.Api b = new TestSupport.Api(vertx, second.port());
            String text = Corpora.human().get(3).substring(0, 1500);
            // one word changed near the end: a near-duplicate (4-gram shingles almost all shared)
            int cut = text.lastIndexOf(' ', text.length() - 40);
            String edited = text.substring(0, cut) + " lighthouse" + text.substring(text.indexOf(' ', cut + 1));
            assertNotEquals(text, edited);

            JsonObject first = detect(a, env.alpha, text);
            assertFalse(first.getBoolean("near_duplicate", false), "the first text is answered afresh");
            JsonObject onB = detect(b, env.alpha, edited);
            assertTrue(onB.getBoolean("near_duplicate", false), "the other instance knows the first answer: "
                    + onB.encode());
            assertEquals(first.getJsonArray("results"), onB.getJsonArray("results"), "the first answer, again");
            assertTrue(onB.getJsonArray("spans").isEmpty(), "near-duplicates get no spans");

            // and back on the first instance, a text near the edited one (registered by the second) too
            String edited2 = edited.replace(" lighthouse", " harbour");
            JsonObject onA = detect(a, env.alpha, edited2);
            assertTrue(onA.getBoolean("near_duplicate", false), onA.encode());
            assertEquals(first.getJsonArray("results"), onA.getJsonArray("results"));

            // admins are always answered afresh
            JsonObject admin = detect(b, env.admin, edited);
            assertFalse(admin.getBoolean("near_duplicate", false));
            // the other tenant's analysts have their own index
            JsonObject beta = detect(b, env.beta, edited);
            assertFalse(beta.getBoolean("near_duplicate", false), "tenants do not share answers");

            // the probing audit counts across instances: two near-duplicate answers, the first one audited
            String audit = a.get("/v1/audit", env.admin).body().toString();
            assertTrue(audit.contains("detect.probing"), audit);
        }
    }

    static JsonObject detect(TestSupport.Api api, String token, String text) {
        TestSupport.Resp r = api.post("/v1/detect", token, new JsonObject().put("text", text).put("localize", true));
        assertEquals(200, r.status(), r.body()::toString);
        return r.json().getJsonArray("results").getJsonObject(0);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theStoreRecordsTextsFirstValuesAndHits(Backend backend, @TempDir Path dir) throws Exception {
        ServiceConfig cfg = TestSupport.config(dir.resolve("data"), backend);
        try (Store s = Store.open(cfg.dataDir(), cfg.cluster().database(), new SecureRandom(), "test")) {
            ProbeStore p = s.probes();
            long[] sig = {1, -2, Long.MAX_VALUE, Long.MIN_VALUE};
            ProbeStore.Row first = p.insert("alpha", 0, sig);
            assertEquals(first.id(), first.cluster(), "a new cluster is named by its first text");
            ProbeStore.Row alias = p.insert("alpha", first.cluster(), new long[] {5, 6, 7, 8});
            assertEquals(first.cluster(), alias.cluster());
            List<ProbeStore.Row> rows = p.since(0, 10);
            assertEquals(2, rows.size());
            assertArrayEquals(sig, rows.get(0).signature());
            assertEquals("alpha", rows.get(1).tenant());
            assertEquals(1, p.since(first.id(), 10).size());

            assertNull(p.get(first.cluster(), "hk-1"));
            assertEquals(-3.5, p.putIfAbsent(first.cluster(), "hk-1", -3.5));
            assertEquals(-3.5, p.putIfAbsent(first.cluster(), "hk-1", -9.0), "the first value stays");
            assertEquals(-3.5, p.get(first.cluster(), "hk-1"));

            assertArrayEquals(new long[] {0, 1}, p.hit("tok-1", 1));
            assertArrayEquals(new long[] {1, 4}, p.hit("tok-1", 3));
            assertArrayEquals(new long[] {0, 2}, p.hit("tok-2", 2));

            for (int i = 0; i < 5; i++) {
                p.insert("beta", 0, new long[] {i});
            }
            p.prune("beta", 2);
            assertEquals(2, p.since(0, 100).stream().filter(r -> r.tenant().equals("beta")).count(), "newest two kept");
            p.prune("alpha", 1);
            assertEquals(1, p.since(0, 100).stream().filter(r -> r.tenant().equals("alpha")).count());
            assertEquals(-3.5, p.get(first.cluster(), "hk-1"), "a value stays while a text of its cluster does");
            p.prune("alpha", 0);
            assertNull(p.get(first.cluster(), "hk-1"), "values of clusters without texts are dropped");
        }
    }
}
