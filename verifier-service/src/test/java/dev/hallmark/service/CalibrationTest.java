package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's p-values are honest on both sides, measured through the scan API:
 * <ul>
 *   <li>null: the 240 human documents of datasets/human-text, which no key made: the number of
 *       documents flagged at alpha = 0.05 (Holm over two keys) stays within the 99.9% upper
 *       binomial bound of Binomial(240, 0.05), and so does each key's count of raw p <= 0.05; the
 *       corpus-level test does not fire at 1e-3;
 *   <li>power: 30 watermarked documents of 200 tokens made with key one are all flagged, and
 *       key two, which did not make them, stays within its null bound on them.
 * </ul>
 * Alpha and bounds are fixed before the run; keys have fixed secrets, so the run is reproducible.
 */
@ExtendWith(VertxExtension.class)
class CalibrationTest {

    static final double ALPHA = 0.05;

    static int upper(int n) {
        return BinomialDistribution.of(n, ALPHA).inverseSurvivalProbability(0.001);
    }

    @Test
    void humanTextStaysWithinTheNullAndWatermarkedTextIsFound(Vertx vertx, @TempDir Path dir) throws Exception {
        try (TestSupport.Env env = TestSupport.Env.start(dir.resolve("data"))) {
            TestSupport.Api api = new TestSupport.Api(vertx, env.port());
            List<String> human = Corpora.human();
            assertEquals(240, human.size());
            TestSupport.Resp h = api.upload("?alpha=" + ALPHA, env.admin, "application/x-ndjson",
                    Buffer.buffer(Corpora.mixedJsonl(human, List.of())));
            JsonObject hr = api.awaitDone(h.json().getString("id"), env.admin).getJsonObject("report");
            assertEquals(240, hr.getJsonObject("documents").getLong("tested"), "every human document is long enough");
            int bound = upper(240);
            long flagged = hr.getJsonObject("documents").getLong("flagged");
            assertTrue(flagged <= bound, "human documents flagged: " + flagged + " > bound " + bound);
            for (Object o : hr.getJsonArray("keys")) {
                JsonObject k = (JsonObject) o;
                JsonArray hist = hr.getJsonObject("histogram").getJsonObject("counts").getJsonArray(k.getString("key_id"));
                long firstBin = hist.getLong(0); // raw p in [0, 0.05)
                assertTrue(firstBin <= bound, k.getString("key_id") + ": raw p < 0.05 for " + firstBin + " > " + bound);
                assertTrue(k.getDouble("log10_p") > -3, "corpus-level test on human text: " + k.encode());
            }

            var k1 = env.server.keys().keyed(env.key1);
            List<String> wm = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                wm.add(Corpora.watermarkedText(k1, env.server.tokenizer(), 200, 5000 + i));
            }
            TestSupport.Resp w = api.upload("?alpha=" + ALPHA, env.admin, "application/x-ndjson",
                    Buffer.buffer(Corpora.mixedJsonl(List.of(), wm)));
            JsonObject wr = api.awaitDone(w.json().getString("id"), env.admin).getJsonObject("report");
            JsonObject key1 = wr.getJsonArray("keys").getJsonObject(0);
            JsonObject key2 = wr.getJsonArray("keys").getJsonObject(1);
            assertEquals(env.key1.id(), key1.getString("key_id"));
            assertEquals(30, key1.getLong("documents_flagged"), "every watermarked document found");
            assertTrue(key1.getDouble("log10_p") < -20, key1::encode);
            assertTrue(key2.getLong("documents_flagged") <= upper(30), "the other key is not accused: " + key2.encode());
            assertTrue(key2.getDouble("log10_p") > -3, key2::encode);
        }
    }
}
