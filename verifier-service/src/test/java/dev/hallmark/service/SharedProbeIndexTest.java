package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.Detector;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.service.TestSupport.Backend;
import dev.hallmark.service.scan.Disclosure;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probing defence across instances (issue 18): two servers on one PostgreSQL database share
 * the near-duplicate index. An analyst sends a text to instance A and a near-duplicate of it (one
 * token changed) to instance B, chosen so that the two texts' own answers fall into different
 * p-value buckets: B answers with A's answer (the same p-values, {@code near_duplicate: true}),
 * where B alone would have told the changed token's green bit. The controls, on B: an admin and an
 * analyst of another tenant get the second text's own answer.
 */
@ExtendWith(VertxExtension.class)
class SharedProbeIndexTest {

    static final int PREFIX = 80;

    @Test
    void aNearDuplicateSentToTheOtherInstanceGetsTheFirstInstancesAnswer(Vertx vertx, @TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        ServiceConfig cfg = TestSupport.config(data, Backend.POSTGRESQL);
        try (TestSupport.Env env = new TestSupport.Env(data, cfg);
                VerifierServer second = VerifierServer.start(cfg.withCluster(cfg.cluster().withInstanceName("second")))) {
            TestSupport.Api a = new TestSupport.Api(vertx, env.port());
            TestSupport.Api b = new TestSupport.Api(vertx, second.port());
            KeyedScheme key = env.server.keys().keyed(env.key1);
            int context = Corpora.wordIds(env.server.tokenizer())[0];
            int[] human = Arrays.copyOf(env.server.tokenizer().encode(Corpora.human().get(11)), PREFIX);
            int[] marked = Corpora.watermarkedWordIds(key, env.server.tokenizer(), PREFIX, 5);
            // a prefix (the first k tokens watermarked) and two last tokens whose texts fall into different buckets
            int[] first = null;
            int[] near = null;
            for (int k = 0; k <= PREFIX && first == null; k++) {
                int[] p = human.clone();
                System.arraycopy(marked, 0, p, 0, k);
                int[] t0 = text(p, context, 1000);
                int b0 = Disclosure.bucketLog10(exact(key, t0));
                for (int c = 1; c < 200 && first == null; c++) {
                    int[] t1 = text(p, context, 1000 + 37 * c);
                    if (Disclosure.bucketLog10(exact(key, t1)) != b0) {
                        first = t0;
                        near = t1;
                    }
                }
            }
            assertTrue(first != null, "a pair of texts on a bucket boundary");
            assertNotEquals(Disclosure.bucketLog10(exact(key, first)), Disclosure.bucketLog10(exact(key, near)));

            JsonObject onA = ask(a, env.alpha, first, env.key1.id());
            assertNull(onA.getValue("near_duplicate"), "the first text is answered afresh");
            assertEquals((double) Disclosure.bucketLog10(exact(key, first)), key1(onA).getDouble("log10_p"));

            JsonObject onB = ask(b, env.alpha, near, env.key1.id());
            assertEquals(true, onB.getValue("near_duplicate"), "instance B knows the text instance A answered: " + onB);
            assertEquals(onA.getJsonArray("results"), onB.getJsonArray("results"), "A's answer, p-values and all");
            assertEquals(onA.getString("verdict"), onB.getString("verdict"));

            // controls on B: an admin, and an analyst of another tenant, are answered afresh (a different bucket)
            JsonObject admin = ask(b, env.admin, near, env.key1.id());
            assertNull(admin.getValue("near_duplicate"));
            assertEquals(exact(key, near), key1(admin).getDouble("log10_p"), 1e-9);
            JsonObject beta = ask(b, env.beta, near, env.key1.id());
            assertNull(beta.getValue("near_duplicate"), "tenants are apart");
            assertEquals((double) Disclosure.bucketLog10(exact(key, near)), key1(beta).getDouble("log10_p"));
            assertNotEquals(key1(onB).getDouble("log10_p"), key1(beta).getDouble("log10_p"));

            // a third edit back on A: still the first answer; the token's probing count is shared
            int[] third = near.clone();
            third[3] = third[3] + 1;
            JsonObject again = ask(a, env.alpha, third, env.key1.id());
            assertEquals(true, again.getValue("near_duplicate"));
            assertEquals(onA.getJsonArray("results"), again.getJsonArray("results"));
            String tokenId = b.get("/v1/me", env.alpha).json().getString("id");
            assertEquals(2, second.store().probes().hits(tokenId), "two near-duplicates, one on each instance");
            String audit = a.get("/v1/audit", env.admin).body().toString();
            assertEquals(1, audit.split("\"detect.probing\"", -1).length - 1, "audited at the 1st, not the 2nd: " + audit);
        }
    }

    static int[] text(int[] prefix, int context, int last) {
        int[] t = Arrays.copyOf(prefix, prefix.length + 2);
        t[prefix.length] = context;
        t[prefix.length + 1] = last;
        return t;
    }

    static double exact(KeyedScheme key, int[] ids) {
        return Detector.of(key).detect(ids, DetectOptions.defaults()).log10P();
    }

    /** One text, key 1 only, no spans: the text's result. */
    static JsonObject ask(TestSupport.Api api, String token, int[] ids, String keyId) {
        JsonArray a = new JsonArray();
        Arrays.stream(ids).forEach(a::add);
        TestSupport.Resp r = api.post("/v1/detect", token, new JsonObject().put("ids", new JsonArray().add(a))
                .put("key_ids", new JsonArray().add(keyId)).put("localize", false));
        assertEquals(200, r.status(), r.body()::toString);
        return r.json().getJsonArray("results").getJsonObject(0);
    }

    static JsonObject key1(JsonObject text) {
        return text.getJsonArray("results").getJsonObject(0);
    }
}
