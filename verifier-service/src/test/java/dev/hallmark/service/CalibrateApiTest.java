package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /v1/calibrate} against a real server; every exchange checked against docs/openapi.yaml. */
@ExtendWith(VertxExtension.class)
class CalibrateApiTest {

    @TempDir
    static Path dir;
    static TestSupport.Env env;
    static TestSupport.Api api;

    @BeforeAll
    static void start(Vertx vertx) throws Exception {
        env = TestSupport.Env.start(dir.resolve("data"));
        api = new TestSupport.Api(vertx, env.port());
    }

    @AfterAll
    static void stop() {
        env.close();
    }

    @Test
    void humanTextCalibratesWithinItsBounds() {
        JsonArray texts = new JsonArray();
        Corpora.human().subList(0, 40).forEach(texts::add);
        texts.add(Corpora.human().get(0)); // an exact duplicate: removed and counted
        TestSupport.Resp r = api.post("/v1/calibrate", env.admin, new JsonObject().put("texts", texts)
                .put("scheme", "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash").put("keys", 20)
                .put("lengths", new JsonArray().add(50).add(100).add(1_000_000)).put("alphas", new JsonArray().add(0.01))
                .put("seed", 7));
        assertEquals(200, r.status(), r.body()::toString);
        JsonObject o = r.json();
        assertEquals(20, o.getInteger("keys"));
        assertEquals(41, o.getJsonObject("diagnostics").getInteger("documents_in"));
        assertEquals(1, o.getJsonObject("diagnostics").getInteger("duplicates_removed"));
        JsonArray cells = o.getJsonArray("cells");
        assertEquals(3, cells.size());
        assertEquals("ok", cells.getJsonObject(0).getString("verdict"), cells::encode);
        assertEquals("ok", cells.getJsonObject(1).getString("verdict"), cells::encode);
        assertEquals("no-windows", cells.getJsonObject(2).getString("verdict"));
        assertEquals(null, cells.getJsonObject(2).getValue("rate"), "no number where none exists");
        assertTrue(o.getBoolean("nominal_holds"), o::encode);
        // the same seed gives the same report
        TestSupport.Resp again = api.post("/v1/calibrate", env.admin, new JsonObject().put("texts", texts)
                .put("scheme", "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash").put("keys", 20)
                .put("lengths", new JsonArray().add(50).add(100).add(1_000_000)).put("alphas", new JsonArray().add(0.01))
                .put("seed", 7));
        assertEquals(o, again.json());
    }

    /** A request meant to be wrong (the request is not checked against the spec; the response is). */
    private static TestSupport.Resp bad(JsonObject body) {
        return api.raw(io.vertx.core.http.HttpMethod.POST, "/v1/calibrate", env.admin, "application/json", body.toBuffer());
    }

    @Test
    void adminsOnlyAndBadRequestsAreNamed() {
        JsonObject ok = new JsonObject().put("ids", new JsonArray().add(new JsonArray().add(1).add(2).add(3)))
                .put("scheme", "kgw");
        TestSupport.Resp r = api.post("/v1/calibrate", env.alpha, ok);
        assertEquals(403, r.status());
        assertTrue(r.json().getString("detail").contains("admin"), r.body()::toString);
        r = bad(ok.copy().put("scheme", null));
        assertEquals(400, r.status());
        assertTrue(r.json().getString("detail").contains("'scheme' is required"), r.body()::toString);
        r = bad(ok.copy().put("keys", 0));
        assertEquals(400, r.status());
        assertTrue(r.json().getString("detail").contains("'keys'"), r.body()::toString);
        r = bad(ok.copy().put("alphas", new JsonArray().add(2)));
        assertEquals(400, r.status());
        JsonArray big = new JsonArray();
        for (int i = 0; i < 60_000; i++) {
            big.add(i % 500);
        }
        r = api.post("/v1/calibrate", env.admin, ok.copy().put("ids", new JsonArray().add(big)).put("keys", 1000));
        assertEquals(413, r.status(), r.body()::toString);
        assertTrue(r.json().getString("detail").contains("token scorings"), r.body()::toString);
    }
}
