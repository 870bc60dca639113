package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.service.store.DatabaseConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two service processes (child JVMs) on one PostgreSQL database and one shared data directory,
 * as in production. A scan uploaded to the first is run by one of them; that one is killed with
 * SIGKILL about a third into the scan; the other takes the scan over once its lease expires,
 * resumes it from the checkpoint the killed instance saved in the shared data directory (not from
 * zero), and finishes it with the same report as an uninterrupted scan of the same corpus. Both instances
 * list the same scans, and scans uploaded to either run exactly once.
 */
@ExtendWith(VertxExtension.class)
class MultiInstanceTest {

    static final int DOCS = 120;

    /** The command-line options of an instance on {@code db} (password in a 0600 file). */
    static List<String> options(DatabaseConfig db, Path passwordFile, String name) {
        return List.of("--database-url", db.url(), "--database-user", db.user(), "--database-password-file",
                passwordFile.toString(), "--instance-name", name, "--scan-lease-seconds", "3", "--checkpoint-seconds", "0.3");
    }

    static Path passwordFile(Path dir) throws Exception {
        Path f = dir.resolve("db-password");
        Files.writeString(f, PgServer.ROLE_PASSWORD + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    static void awaitLine(CrashRecoveryTest.Proc p, String text) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (List.copyOf(p.output()).stream().anyMatch(l -> l.contains(text))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line with '" + text + "' in " + p.output());
    }

    static JsonArray ids(JsonArray scans) {
        JsonArray out = new JsonArray();
        for (int i = 0; i < scans.size(); i++) {
            JsonObject s = scans.getJsonObject(i);
            out.add(s.getString("id") + ":" + s.getString("state"));
        }
        return out;
    }

    @Test
    void aScanOfAKilledInstanceIsFinishedByTheOtherWithTheSameReport(Vertx vertx, @TempDir Path dir) throws Exception {
        DatabaseConfig db = PgServer.get().newDatabase();
        Path data = dir.resolve("shared-data");
        Path pw = passwordFile(dir);
        // both slow (40 ms per document), so whichever instance claims the scan is still at it when killed
        CrashRecoveryTest.Proc a = CrashRecoveryTest.launch(data, 40, options(db, pw, "inst-a"));
        CrashRecoveryTest.Proc b = CrashRecoveryTest.launch(data, 40, options(db, pw, "inst-b"));
        List<CrashRecoveryTest.Proc> all = new ArrayList<>(List.of(a, b));
        try {
            awaitLine(a, "Database: PostgreSQL jdbc:postgresql://127.0.0.1:");
            awaitLine(b, "Database: PostgreSQL jdbc:postgresql://127.0.0.1:");
            for (CrashRecoveryTest.Proc p : List.of(a, b)) {
                assertTrue(List.copyOf(p.output()).stream().noneMatch(l -> l.contains(PgServer.ROLE_PASSWORD)),
                        "no password in the output");
            }
            String admin = Files.readString(data.resolve("admin-token")).trim();
            TestSupport.Api apiA = new TestSupport.Api(vertx, a.port());
            TestSupport.Api apiB = new TestSupport.Api(vertx, b.port());
            assertEquals("inst-a", apiA.get("/healthz", null).json().getString("instance"));
            assertEquals("postgresql", apiB.get("/readyz", null).json().getString("database"));
            TestSupport.Resp k = apiB.post("/v1/keys", admin, new JsonObject()
                    .put("scheme", "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash").put("label", "shared key")
                    .put("secret", TestSupport.b64(TestSupport.secret("shared key"))));
            assertEquals(201, k.status(), k.body()::toString);

            String corpus = Corpora.mixedJsonl(Corpora.human().subList(0, DOCS), List.of());
            TestSupport.Resp up = apiA.upload("?name=killed", admin, "application/x-ndjson", Buffer.buffer(corpus));
            assertEquals(201, up.status(), up.body()::toString);
            String scanId = up.json().getString("id");
            JsonObject running = apiB.awaitScan(scanId, admin, s -> s.getString("state").equals("running")
                    && s.getJsonObject("progress").getLong("documents") >= DOCS / 3);
            assertTrue(running.getJsonObject("progress").getLong("documents") < DOCS, "still running when killed");
            assertEquals(ids(apiA.get("/v1/scans", admin).json().getJsonArray("scans")),
                    ids(apiB.get("/v1/scans", admin).json().getJsonArray("scans")), "both list the same scans");

            // kill the instance that runs it (SIGKILL: no shutdown hook, its lease is left to expire)
            boolean aRuns = apiA.get("/healthz", null).json().getInteger("scans_running") == 1;
            boolean bRuns = apiB.get("/healthz", null).json().getInteger("scans_running") == 1;
            assertTrue(aRuns ^ bRuns, "exactly one instance runs the scan");
            CrashRecoveryTest.Proc victim = aRuns ? a : b;
            CrashRecoveryTest.Proc survivor = aRuns ? b : a;
            victim.process().destroyForcibly();
            assertTrue(victim.process().waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, victim.process().exitValue(), "killed by SIGKILL");

            TestSupport.Api api = new TestSupport.Api(vertx, survivor.port());
            // the takeover resumes from the checkpoint the killed instance left in the shared data directory
            JsonObject taken = api.awaitScan(scanId, admin, s -> s.getInteger("attempts") == 2
                    && s.getString("error") != null);
            Matcher m = java.util.regex.Pattern.compile("interrupted by a crash during attempt 1; resuming from its "
                    + "checkpoint at document (\\d+)").matcher(taken.getString("error"));
            assertTrue(m.find(), "resumed from a checkpoint, not from zero: " + taken.encode());
            long from = Long.parseLong(m.group(1));
            assertTrue(from > 0 && from < DOCS, "checkpoint at document " + from);
            assertTrue(taken.getJsonObject("progress").getLong("documents") >= from || !"running".equals(
                    taken.getString("state")), "the progress starts at the checkpoint, not at 0: " + taken.encode());
            JsonObject done = api.awaitDone(scanId, admin);
            assertEquals(2, done.getInteger("attempts"), "taken over once");
            assertEquals(DOCS, done.getJsonObject("report").getJsonObject("documents").getLong("total"));

            // the killed instance comes back; both list the same scans
            CrashRecoveryTest.Proc back = CrashRecoveryTest.launch(data, 0, options(db, pw, aRuns ? "inst-a" : "inst-b"));
            all.add(back);
            TestSupport.Api apiBack = new TestSupport.Api(vertx, back.port());
            // the same corpus again, uninterrupted: the report is the same
            TestSupport.Resp again = apiBack.upload("?name=uninterrupted", admin, "application/x-ndjson", Buffer.buffer(corpus));
            String refId = again.json().getString("id");
            JsonObject ref = api.awaitDone(refId, admin);
            assertEquals(1, ref.getInteger("attempts"));
            JsonObject want = ref.getJsonObject("report");
            JsonObject got = done.getJsonObject("report");
            assertEquals(want.getJsonArray("keys"), got.getJsonArray("keys"), "same corpus-level results");
            assertEquals(want.getJsonObject("histogram"), got.getJsonObject("histogram"));
            assertEquals(want.getJsonObject("documents"), got.getJsonObject("documents"));
            assertEquals(want.getJsonArray("top_documents"), got.getJsonArray("top_documents"));
            assertEquals(want.getJsonObject("flagged_documents"), got.getJsonObject("flagged_documents"));
            assertEquals(want.getString("verdict"), got.getString("verdict"));

            // scans uploaded to either instance run exactly once
            List<String> more = new ArrayList<>();
            String small = Corpora.mixedJsonl(Corpora.human().subList(0, 4), List.of());
            for (int i = 0; i < 6; i++) {
                TestSupport.Api to = i % 2 == 0 ? api : apiBack;
                TestSupport.Resp r = to.upload("?name=small-" + i, admin, "application/x-ndjson", Buffer.buffer(small));
                assertEquals(201, r.status(), r.body()::toString);
                more.add(r.json().getString("id"));
            }
            for (String id : more) {
                assertEquals(1, apiBack.awaitDone(id, admin).getInteger("attempts"), id);
            }
            JsonArray listSurvivor = api.get("/v1/scans", admin).json().getJsonArray("scans");
            JsonArray listBack = apiBack.get("/v1/scans", admin).json().getJsonArray("scans");
            assertEquals(listSurvivor, listBack, "both instances list the same scans, field for field");
            assertEquals(2 + more.size(), listBack.size());

            Map<String, Integer> doneCount = new HashMap<>();
            Map<String, Integer> resumed = new HashMap<>();
            JsonArray audit = api.get("/v1/audit", admin).json().getJsonArray("entries");
            for (int i = 0; i < audit.size(); i++) {
                JsonObject e = audit.getJsonObject(i);
                if ("scan.done".equals(e.getString("action"))) {
                    doneCount.merge(e.getString("target"), 1, Integer::sum);
                }
                if ("scan.resumed".equals(e.getString("action"))) {
                    resumed.merge(e.getString("target"), 1, Integer::sum);
                }
            }
            assertEquals(Map.of(scanId, 1), resumed);
            assertTrue(audit.encode().contains("resumed from the checkpoint at document " + from), audit::encode);
            assertEquals(2 + more.size(), doneCount.size());
            assertTrue(doneCount.values().stream().allMatch(n -> n == 1), "every scan finished once: " + doneCount);
        } finally {
            for (CrashRecoveryTest.Proc p : all) {
                p.process().destroy();
            }
            for (CrashRecoveryTest.Proc p : all) {
                p.process().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
