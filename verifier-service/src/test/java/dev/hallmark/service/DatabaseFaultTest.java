package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.service.store.ApiTokens;
import dev.hallmark.service.store.Database;
import dev.hallmark.service.store.DatabaseConfig;
import dev.hallmark.service.store.Store;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database failing: unreachable at start, wrong credentials, a schema newer than the code
 * (each: a clear message and exit code 3 from a real service process, never the password), and
 * lost while the service runs (503 with a clear message, nothing half-written, back to normal
 * once the database returns).
 */
@ExtendWith(VertxExtension.class)
class DatabaseFaultTest {

    record Exit(int code, String output) {}

    /** Runs the service in a child JVM until it exits (it must: each case here is a failed start). */
    static Exit runToExit(Path data, List<String> options) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(CrashRecoveryTest.command(data, 0, options)).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("HALLMARK_DATABASE_"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the service did not exit: " + out);
        }
        return new Exit(p.exitValue(), out);
    }

    static Path password(Path dir, String pw) throws IOException {
        Path f = dir.resolve("pw-" + Math.abs(pw.hashCode()));
        Files.writeString(f, pw + "\n");
        return f;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void anUnreachableDatabaseStopsTheStartWithAClearError(@TempDir Path dir) throws Exception {
        int port = freePort(); // nothing listens there
        String pw = "unreachable-secret-771";
        Exit e = runToExit(dir.resolve("data"), List.of("--database-url", "jdbc:postgresql://127.0.0.1:" + port + "/hallmark",
                "--database-user", "hallmark", "--database-password-file", password(dir, pw).toString()));
        assertEquals(3, e.code(), e.output());
        assertTrue(e.output().contains("error: cannot connect to the PostgreSQL jdbc:postgresql://127.0.0.1:" + port
                + "/hallmark as user 'hallmark'"), e.output());
        assertTrue(e.output().contains("refused"), e.output());
        assertFalse(e.output().contains(pw), "the password is never printed");
        assertFalse(e.output().contains("Exception in thread"), "a message, not a stack trace: " + e.output());
    }

    @Test
    void wrongCredentialsAreRefusedWithAClearError(@TempDir Path dir) throws Exception {
        DatabaseConfig db = PgServer.get().newDatabase();
        String pw = "wrong-secret-8812";
        Exit e = runToExit(dir.resolve("data"), List.of("--database-url", db.url(), "--database-user", db.user(),
                "--database-password-file", password(dir, pw).toString()));
        assertEquals(3, e.code(), e.output());
        assertTrue(e.output().contains("cannot connect to the PostgreSQL " + db.url() + " as user 'hallmark'"), e.output());
        assertTrue(e.output().contains("password authentication failed for user \"hallmark\""), e.output());
        assertFalse(e.output().contains(pw), "the wrong password is not printed");
        assertFalse(e.output().contains(PgServer.ROLE_PASSWORD), "nor the right one");
    }

    @Test
    void aSchemaNewerThanTheCodeIsRefused(@TempDir Path dir) throws Exception {
        DatabaseConfig db = PgServer.get().newDatabase();
        try (Store s = Store.open(dir.resolve("first"), db, new java.security.SecureRandom(), "x/1")) {
            assertEquals(7, s.schemaVersion());
        }
        // as a newer build would have left it: migration 8 applied
        PgServer.get().admin(PgServer.databaseName(db), "INSERT INTO flyway_schema_history (installed_rank, version, "
                + "description, type, script, checksum, installed_by, execution_time, success) VALUES (99, '8', "
                + "'from a newer build', 'SQL', 'V8__from_a_newer_build.sql', 0, 'hallmark', 1, true)");
        Exit e = runToExit(dir.resolve("data"), List.of("--database-url", db.url(), "--database-user", db.user(),
                "--database-password-file", password(dir, PgServer.ROLE_PASSWORD).toString()));
        assertEquals(3, e.code(), e.output());
        assertTrue(e.output().contains("error: database schema version 8 is newer than this build knows (7): refusing "
                + "to open it with an older Hallmark"), e.output());
        assertFalse(e.output().contains(PgServer.ROLE_PASSWORD));
    }

    @Test
    void credentialsInTheUrlAreRefusedBeforeAnythingIsPrinted(@TempDir Path dir) throws Exception {
        Exit e = runToExit(dir.resolve("data"), List.of("--database-url",
                "jdbc:postgresql://127.0.0.1:5432/hallmark?user=x&password=in-url-secret-5"));
        assertEquals(2, e.code(), e.output());
        assertTrue(e.output().contains("the database URL must not carry credentials"), e.output());
        assertFalse(e.output().contains("in-url-secret-5"), e.output());
    }

    @Test
    void aDatabaseLostWhileRunningGives503AndNoHalfWrites(Vertx vertx, @TempDir Path dir) throws Exception {
        PgServer pg = PgServer.get();
        DatabaseConfig direct = pg.newDatabase();
        try (FaultProxy proxy = new FaultProxy(pg.port())) {
            DatabaseConfig viaProxy = new DatabaseConfig(direct.url().replace(":" + pg.port() + "/", ":" + proxy.port() + "/"),
                    direct.user(), direct.password(), 8, 2);
            Path data = dir.resolve("data");
            ServiceConfig cfg = TestSupport.config(data).withCluster(TestSupport.config(data).cluster().withDatabase(viaProxy));
            try (TestSupport.Env env = new TestSupport.Env(data, cfg)) {
                TestSupport.Api api = new TestSupport.Api(vertx, env.port());
                int tokens = api.get("/v1/tokens", env.admin).json().getJsonArray("tokens").size();
                assertEquals(200, api.get("/readyz", null).status());

                proxy.cut();
                TestSupport.Resp r = api.post("/v1/tokens", env.admin, new JsonObject().put("tenant", "lost"));
                JsonObject p = r.problem(503, "database-unavailable", "the database is unreachable or did not answer in "
                        + "time, so nothing was changed");
                assertEquals("5", r.headers().get("Retry-After"));
                assertFalse(p.encode().contains(String.valueOf(pg.port())), "no server address to the caller");
                api.get("/v1/scans", env.alpha).problem(503, "database-unavailable", "retry later");
                TestSupport.Resp ready = api.get("/readyz", null);
                assertEquals(503, ready.status());
                assertEquals("unreachable", ready.json().getJsonObject("checks").getString("database"));
                TestSupport.Resp live = api.get("/healthz", null);
                assertEquals(200, live.status(), "liveness does not depend on the database");

                // a transaction cut between its statements leaves nothing behind
                Store store = env.server.store();
                proxy.restore();
                awaitReady(api);
                Database.StoreException lost = assertThrows(Database.StoreException.class, () -> store.atomically(() -> {
                    store.tokens().create("halfway", ApiTokens.Role.ANALYST, "written before the cut");
                    proxy.cut();
                    store.audit().append(null, "halfway", "token.create", "x", "after the cut");
                    return null;
                }));
                assertTrue(lost.unavailable(), lost.getMessage());

                proxy.restore();
                awaitReady(api);
                List<String> names = api.get("/v1/tokens", env.admin).json().getJsonArray("tokens").stream()
                        .map(o -> ((JsonObject) o).getString("tenant")).toList();
                assertEquals(tokens, names.size(), "no token from the refused request nor the cut transaction: " + names);
                assertFalse(names.contains("lost") || names.contains("halfway"));
                assertTrue(api.get("/v1/audit", env.admin).json().getJsonArray("entries").stream()
                        .noneMatch(o -> "halfway".equals(((JsonObject) o).getString("tenant"))));
                assertEquals(201, api.post("/v1/tokens", env.admin, new JsonObject().put("tenant", "back")).status(),
                        "back to normal once the database returns");
            }
        }
    }

    static void awaitReady(TestSupport.Api api) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (api.get("/readyz", null).status() == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the service did not become ready again");
    }
}
