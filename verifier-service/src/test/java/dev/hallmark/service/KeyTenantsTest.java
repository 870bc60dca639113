package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.detect.HallmarkVersion;
import dev.hallmark.key.KeyFile;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.service.store.KeyStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys per tenant: a key belongs to a tenant or is shared (tenant null, every key registered
 * before schema 5). Analysts list, detect with and scan against their tenant's keys and the shared
 * ones only, and their reports name no other key (neither id nor label); a key of another tenant is
 * unknown to them, exactly like a key that does not exist; admins register keys for a tenant, move
 * them and list them per tenant. Key files carrying their default scheme register without one.
 */
@ExtendWith(VertxExtension.class)
class KeyTenantsTest {

    @TempDir
    static Path dir;
    static TestSupport.Env env;
    static TestSupport.Api api;
    static String alphaKey;
    static String betaKey;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        env = TestSupport.Env.start(dir.resolve("data"));
        api = new TestSupport.Api(vertx, env.port());
        alphaKey = register("alpha secret key", "alpha");
        betaKey = register("beta secret key", "beta");
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    static String register(String label, String tenant) {
        TestSupport.Resp r = api.post("/v1/keys", env.admin, new JsonObject().put("scheme", "kgw").put("label", label)
                .put("tenant", tenant));
        assertEquals(201, r.status(), r.body()::toString);
        assertEquals(tenant, r.json().getString("tenant"));
        return r.json().getString("id");
    }

    static Set<String> ids(JsonArray keys, String field) {
        Set<String> out = new TreeSet<>();
        keys.forEach(k -> out.add(((JsonObject) k).getString(field)));
        return out;
    }

    static TestSupport.Resp patch(String id, String token, JsonObject body) {
        return api.call(HttpMethod.PATCH, "/v1/keys/" + id, token, "application/json", body.toBuffer(), Map.of(), true);
    }

    /** A PATCH meant to be refused: the request is not checked against the spec, the response is. */
    static TestSupport.Resp badPatch(String id, String token, JsonObject body) {
        return api.call(HttpMethod.PATCH, "/v1/keys/" + id, token, "application/json", body.toBuffer(), Map.of(), false);
    }

    /** The active keys analysts of {@code tenant} test, as the store has them now (other tests add keys). */
    static Set<String> visibleTo(String tenant) {
        Set<String> out = new TreeSet<>();
        for (KeyStore.Info k : env.server.keys().active()) {
            if (k.tenant() == null || k.tenant().equals(tenant)) {
                out.add(k.id());
            }
        }
        return out;
    }

    /** Watermarked text of key {@code id} (tested with its registered scheme). */
    static String textOf(String id, long seed) {
        KeyedScheme k = env.server.keys().keyed(env.server.keys().get(id));
        return Corpora.watermarkedText(k, env.server.tokenizer(), 240, seed);
    }

    @Test
    void analystsSeeTheirTenantsKeysAndTheSharedOnes() {
        Set<String> shared = Set.of(env.key1.id(), env.key2.id());
        Set<String> alpha = ids(api.get("/v1/keys", env.alpha).json().getJsonArray("keys"), "id");
        assertTrue(alpha.containsAll(shared) && alpha.contains(alphaKey) && !alpha.contains(betaKey), alpha.toString());
        Set<String> beta = ids(api.get("/v1/keys", env.beta).json().getJsonArray("keys"), "id");
        assertTrue(beta.containsAll(shared) && beta.contains(betaKey) && !beta.contains(alphaKey), beta.toString());
        Set<String> all = ids(api.get("/v1/keys", env.admin).json().getJsonArray("keys"), "id");
        assertTrue(all.contains(alphaKey) && all.contains(betaKey));
        Set<String> perTenant = ids(api.get("/v1/keys?tenant=alpha", env.admin).json().getJsonArray("keys"), "id");
        assertTrue(perTenant.contains(alphaKey) && !perTenant.contains(betaKey) && perTenant.containsAll(shared));
        // a key of another tenant does not exist for an analyst
        api.get("/v1/keys/" + betaKey, env.alpha).problem(404, "not-found", "no key with id '" + betaKey + "'");
        assertEquals("alpha secret key", api.get("/v1/keys/" + alphaKey, env.alpha).json().getString("label"));
        api.get("/v1/keys?tenant=beta", env.alpha).problem(403, "forbidden", "?tenant= needs an admin API token");
        JsonObject k1 = api.get("/v1/keys/" + env.key1.id(), env.beta).json();
        assertNull(k1.getValue("tenant"), "keys registered without a tenant are shared");
        assertTrue(k1.containsKey("tenant"));
    }

    @Test
    void detectionsTestOnlyTheCallersKeysAndNameThemByLabel() {
        String text = textOf(alphaKey, 41);
        JsonObject a = api.post("/v1/detect", env.alpha, new JsonObject().put("text", text)).json();
        Set<String> aTested = new TreeSet<>(a.getJsonArray("keys_tested").getList());
        assertEquals(visibleTo("alpha"), aTested);
        assertTrue(aTested.containsAll(List.of(env.key1.id(), env.key2.id(), alphaKey)) && !aTested.contains(betaKey));
        JsonObject res = a.getJsonArray("results").getJsonObject(0);
        assertEquals(List.of(alphaKey), res.getJsonArray("detected_key_ids").getList());
        assertTrue(ids(res.getJsonArray("results"), "label").contains("alpha secret key"), res.toString());
        // beta's analysts test their own keys: alpha's watermark is not theirs to see
        JsonObject b = api.post("/v1/detect", env.beta, new JsonObject().put("text", text)).json();
        Set<String> bTested = new TreeSet<>(b.getJsonArray("keys_tested").getList());
        assertEquals(visibleTo("beta"), bTested);
        assertTrue(bTested.contains(betaKey) && !bTested.contains(alphaKey));
        assertFalse(b.encode().contains(alphaKey) || b.encode().contains("alpha secret key"), b.encode());
        // naming another tenant's key is the same error as naming a key that does not exist
        api.post("/v1/detect", env.beta, new JsonObject().put("text", text).put("key_ids", new JsonArray().add(alphaKey)))
                .problem(422, "unknown-key", "no active key with id '" + alphaKey + "'");
        api.post("/v1/detect", env.beta, new JsonObject().put("text", text).put("key_ids", new JsonArray().add("hk-00000000000000000000")))
                .problem(422, "unknown-key", "no active key with id 'hk-00000000000000000000'");
        // admins test every key
        JsonObject ad = api.post("/v1/detect", env.admin, new JsonObject().put("text", text)).json();
        assertTrue(ad.getJsonArray("keys_tested").getList().containsAll(List.of(alphaKey, betaKey)));
    }

    @Test
    void scansAndReportsNameOnlyTheScanTenantsKeys() throws Exception {
        StringBuilder corpus = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            corpus.append(new JsonObject().put("text", textOf(alphaKey, 100 + i)).encode()).append('\n');
        }
        for (String token : List.of(env.alpha, env.beta, env.admin)) {
            TestSupport.Resp up = api.upload("", token, "application/x-ndjson", Buffer.buffer(corpus.toString()));
            assertEquals(201, up.status(), up.body()::toString);
            JsonObject scan = api.awaitDone(up.json().getString("id"), token);
            String report = scan.getJsonObject("report").encode()
                    + api.get("/v1/scans/" + scan.getString("id") + "/documents.json", token).body().toString()
                    + api.get("/v1/scans/" + scan.getString("id") + "/report.html", token).body().toString();
            Set<String> tested = ids(scan.getJsonObject("report").getJsonArray("keys"), "key_id");
            String tenant = token.equals(env.alpha) ? "alpha" : token.equals(env.beta) ? "beta" : "admin";
            assertEquals(visibleTo(tenant), tested, tenant);
            if (token.equals(env.alpha)) {
                assertTrue(tested.contains(alphaKey));
                assertEquals("watermarked", scan.getJsonObject("report").getString("verdict"));
                assertTrue(report.contains("alpha secret key"), "the label of the tenant's key");
                assertFalse(report.contains(betaKey) || report.contains("beta secret key"));
            } else {
                // beta's scan, and an admin's (in the admin's own tenant), test the shared keys and their own only
                assertFalse(report.contains(alphaKey) || report.contains("alpha secret key"), report);
                assertEquals(token.equals(env.beta), tested.contains(betaKey));
                assertEquals("no_watermark_detected", scan.getJsonObject("report").getString("verdict"));
            }
        }
        api.upload("?key_ids=" + alphaKey, env.beta, "application/x-ndjson", Buffer.buffer(corpus.toString()))
                .problem(422, "unknown-key", alphaKey);
    }

    @Test
    void adminsMoveKeysBetweenTenantsAndShareThem() {
        String k = register("moving key", "alpha");
        String text = textOf(k, 7);
        assertTrue(api.post("/v1/detect", env.alpha, new JsonObject().put("text", text)).json()
                .getJsonArray("keys_tested").contains(k));
        JsonObject moved = patch(k, env.admin, new JsonObject().put("tenant", "beta")).json();
        assertEquals("beta", moved.getString("tenant"));
        assertFalse(api.post("/v1/detect", env.alpha, new JsonObject().put("text", text)).json()
                .getJsonArray("keys_tested").contains(k));
        assertTrue(api.post("/v1/detect", env.beta, new JsonObject().put("text", text)).json()
                .getJsonArray("keys_tested").contains(k));
        JsonObject sharedNow = patch(k, env.admin, new JsonObject().putNull("tenant").put("label", "now shared")).json();
        assertNull(sharedNow.getValue("tenant"));
        assertEquals("now shared", sharedNow.getString("label"));
        for (String t : List.of(env.alpha, env.beta)) {
            assertTrue(api.post("/v1/detect", t, new JsonObject().put("text", text)).json().getJsonArray("keys_tested").contains(k));
        }
        badPatch(k, env.admin, new JsonObject().put("tenant", "no spaces allowed")).problem(400, "invalid-request",
                "'tenant' must be");
        badPatch(k, env.admin, new JsonObject()).problem(400, "invalid-request", "nothing to change");
        patch("hk-00000000000000000000", env.admin, new JsonObject().put("tenant", "beta"))
                .problem(404, "not-found", "no key with id");
        patch(k, env.alpha, new JsonObject().put("tenant", "alpha")).problem(403, "forbidden", "needs an admin API token");
        JsonArray audit = api.get("/v1/audit", env.admin).json().getJsonArray("entries");
        assertTrue(audit.stream().anyMatch(e -> ((JsonObject) e).getString("action").equals("key.tenant")
                && ((JsonObject) e).getString("detail").equals("tenant alpha -> tenant beta")), audit.encode());

        // a derived key belongs to its parent's tenant unless the request says otherwise
        String parent = register("parent", "alpha");
        JsonObject child = api.post("/v1/keys/" + parent + "/derive", env.admin, new JsonObject().put("path", "account/1")).json();
        assertEquals("alpha", child.getString("tenant"));
        JsonObject sharedChild = api.post("/v1/keys/" + parent + "/derive", env.admin,
                new JsonObject().put("path", "account/2").putNull("tenant")).json();
        assertNull(sharedChild.getValue("tenant"));
    }

    @Test
    void aKeyFileWithItsDefaultSchemeRegistersWithoutOne() {
        WatermarkKey key = WatermarkKey.fromSecret(TestSupport.secret("key file with scheme"));
        JsonObject file = new JsonObject(KeyFile.toJson(key, "gumbel:context=4", Instant.parse("2026-12-01T00:00:00Z")));
        assertEquals(2, file.getInteger("version"));
        TestSupport.Resp r = api.post("/v1/keys", env.admin, file.copy().put("label", "from keygen --scheme")
                .put("tenant", "alpha"));
        assertEquals(201, r.status(), r.body()::toString);
        assertEquals("gumbel:context=4", r.json().getString("scheme"));
        assertEquals("alpha", r.json().getString("tenant"));
        KeyStore.Info info = env.server.keys().get(key.id());
        assertEquals(Scheme.parse("gumbel:context=4").toString(), info.scheme());
        WatermarkKey old = WatermarkKey.fromSecret(TestSupport.secret("key file without scheme"));
        JsonObject v1 = new JsonObject(KeyFile.toJson(old, Instant.parse("2026-12-01T00:00:00Z")));
        api.post("/v1/keys", env.admin, v1.put("label", "no scheme")).problem(400, "invalid-request",
                "the key file names no default scheme and the request gives no 'scheme'");
    }

    /** The service's --version and /healthz agree with the CLI: one version source. */
    @Test
    void versionIsTheSharedOne() {
        assertEquals("hallmark-verifier " + HallmarkVersion.get(), Main.versionLine());
        assertEquals(HallmarkVersion.get(), api.get("/healthz", null).json().getString("version"));
    }
}
