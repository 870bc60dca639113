package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scans survive restarts, with real service processes (a child JVM running the service's main
 * class, as the jar would):
 * <ul>
 *   <li>killed with SIGKILL at 30% and again at 70% of a scan, the scan resumes each time from its
 *       last checkpoint (not from the start), counts the two crashes as attempts, and ends with the
 *       report an uninterrupted run of the same corpus gives (everything but timing and ids);
 *   <li>stopped with SIGTERM, the service drains: it exits with status 0, the scan goes back to
 *       the queue with its checkpoint and without counting the attempt, the database closes
 *       without an H2 trace, and under {@code umask 000} every file of the data directory is
 *       still 0600 and every directory 0700.
 * </ul>
 */
@ExtendWith(VertxExtension.class)
class ResumeTest {

    static final int DOCS = 160;
    static final String SCHEME = "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash";

    record Proc(Process process, int port, List<String> output, Thread reader) {

        /** The whole output, once the process has ended. */
        String log() throws InterruptedException {
            reader.join(10_000);
            return String.join("\n", output);
        }
    }

    /** Starts the service's main class in a child JVM ({@code umask 000} first when asked). */
    static Proc launch(Path data, long delayMillis, boolean openUmask) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-Dai.djl.offline=true",
                "-Dhallmark.tokenizer=" + TestSupport.tokenizer(),
                "-Dhallmark.test.scanDelayMillis=" + delayMillis,
                "-cp", System.getProperty("java.class.path"),
                "dev.hallmark.service.Main", "--port", "0", "--data-dir", data.toString(), "--checkpoint-seconds", "0.2"));
        if (openUmask) {
            List<String> quoted = cmd.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList();
            cmd = List.of("/bin/sh", "-c", "umask 000 && exec " + String.join(" ", quoted));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            String line = r.readLine();
            if (line == null) {
                break;
            }
            out.add(line);
            Matcher m = CrashRecoveryTest.LISTENING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        for (String l = r.readLine(); l != null; l = r.readLine()) {
                            out.add(l);
                        }
                    } catch (IOException ignored) {
                        // process gone
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return new Proc(p, Integer.parseInt(m.group(1)), out, drain);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("service did not start: " + out);
    }

    static String corpus() {
        List<String> w = new ArrayList<>();
        return Corpora.mixedJsonl(Corpora.human().subList(0, DOCS), w);
    }

    static void registerKey(TestSupport.Api api, String admin) {
        TestSupport.Resp k = api.post("/v1/keys", admin, new JsonObject().put("scheme", SCHEME).put("label", "resume key")
                .put("secret", TestSupport.b64(TestSupport.secret("resume key"))));
        assertEquals(201, k.status(), k.body()::toString);
    }

    /** The documents the scan's checkpoint covers (its header), or -1 without one. */
    static long checkpointDocuments(Path data, String scanId) throws IOException {
        Path f = data.resolve("scans").resolve(scanId).resolve("checkpoint");
        if (!Files.isRegularFile(f)) {
            return -1;
        }
        try (DataInputStream in = new DataInputStream(Files.newInputStream(f))) {
            assertEquals(0x484D434B, in.readInt(), "checkpoint magic HMCK");
            assertEquals(1, in.readInt(), "checkpoint format 1");
            assertEquals(scanId, in.readUTF());
            in.readUTF();
            in.readUTF();
            return in.readLong();
        } catch (java.io.EOFException e) {
            return -1; // being replaced right now
        }
    }

    static long quiet(Path data, String scanId) {
        try {
            return checkpointDocuments(data, scanId);
        } catch (IOException e) {
            return -2;
        }
    }

    static void kill(Proc p) throws InterruptedException {
        p.process().destroyForcibly(); // SIGKILL: no shutdown hook, no drain
        assertTrue(p.process().waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, p.process().exitValue(), "killed by SIGKILL");
    }

    /** Waits until the scan has read at least {@code docs} documents and has a checkpoint; returns the checkpoint's. */
    static long runUntil(TestSupport.Api api, String admin, Path data, String scanId, long docs) throws Exception {
        api.awaitScan(scanId, admin, s -> s.getString("state").equals("running")
                && s.getJsonObject("progress").getLong("documents") >= docs);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long cp;
        while ((cp = checkpointDocuments(data, scanId)) < docs * 2 / 3 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        return cp;
    }

    static JsonObject comparable(JsonObject report) {
        JsonObject r = report.copy();
        r.remove("timing");
        r.remove("scan_id");
        r.remove("name");
        return r;
    }

    @Test
    void killedAtThirtyAndSeventyPercentResumesFromCheckpointsAndMatchesAnUninterruptedRun(Vertx vertx, @TempDir Path dir)
            throws Exception {
        Path data = dir.resolve("data");
        String corpus = corpus();
        Proc first = launch(data, 25, false);
        String admin = Files.readString(data.resolve("admin-token")).trim();
        String scanId;
        long cp1;
        try {
            TestSupport.Api api = new TestSupport.Api(vertx, first.port());
            registerKey(api, admin);
            TestSupport.Resp up = api.upload("?name=resume", admin, "application/x-ndjson", Buffer.buffer(corpus));
            assertEquals(201, up.status(), up.body()::toString);
            scanId = up.json().getString("id");
            cp1 = runUntil(api, admin, data, scanId, DOCS * 3 / 10);
        } finally {
            kill(first);
        }
        assertTrue(cp1 > 0 && cp1 < DOCS, "a checkpoint at about 30%: " + cp1);

        Proc second = launch(data, 25, false);
        long cp2;
        try {
            TestSupport.Api api = new TestSupport.Api(vertx, second.port());
            JsonObject resumed = api.awaitScan(scanId, admin, s -> s.getString("state").equals("running")
                    && s.getJsonObject("progress").getLong("documents") > 0);
            assertTrue(resumed.getJsonObject("progress").getLong("documents") >= cp1,
                    "resumed from the checkpoint at " + cp1 + ", not from the start: " + resumed.getJsonObject("progress"));
            assertTrue(api.get("/v1/audit", admin).body().toString().contains("from the checkpoint at document " + cp1));
            cp2 = runUntil(api, admin, data, scanId, DOCS * 7 / 10);
        } finally {
            kill(second);
        }
        assertTrue(cp2 > cp1 && cp2 < DOCS, "a later checkpoint at about 70%: " + cp2);

        Proc third = launch(data, 0, false);
        JsonObject done;
        try {
            TestSupport.Api api = new TestSupport.Api(vertx, third.port());
            done = api.awaitDone(scanId, admin);
            assertTrue(api.get("/v1/audit", admin).body().toString().contains("from the checkpoint at document " + cp2));
        } finally {
            third.process().destroy();
            third.process().waitFor(60, TimeUnit.SECONDS);
        }
        assertEquals(3, done.getInteger("attempts"), "two crashes and the run that finished");
        assertTrue(done.getString("error").contains("interrupted by a crash during attempt 2"), done::encode);
        assertFalse(Files.exists(data.resolve("scans").resolve(scanId).resolve("checkpoint")), "removed when done");

        // the same corpus, uninterrupted, on a fresh service
        Path fresh = dir.resolve("fresh");
        try (TestSupport.Env env = new TestSupport.Env(fresh, TestSupport.config(fresh))) {
            TestSupport.Api api = new TestSupport.Api(vertx, env.port());
            for (JsonObject k : api.get("/v1/keys", env.admin).json().getJsonArray("keys").stream()
                    .map(JsonObject.class::cast).toList()) {
                api.delete("/v1/keys/" + k.getString("id"), env.admin);
            }
            registerKey(api, env.admin);
            TestSupport.Resp up = api.upload("?name=reference", env.admin, "application/x-ndjson", Buffer.buffer(corpus));
            JsonObject ref = api.awaitDone(up.json().getString("id"), env.admin).getJsonObject("report");
            assertEquals(comparable(ref), comparable(done.getJsonObject("report")),
                    "the resumed report equals an uninterrupted run's");
            assertEquals(DOCS, ref.getJsonObject("documents").getLong("total"));
        }
    }

    @Test
    void sigtermDrainsCheckpointsExitsZeroAndLeavesOwnerOnlyFiles(Vertx vertx, @TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Proc p = launch(data, 25, true);
        String admin = Files.readString(data.resolve("admin-token")).trim();
        String scanId;
        long cp;
        try {
            TestSupport.Api api = new TestSupport.Api(vertx, p.port());
            registerKey(api, admin);
            TestSupport.Resp up = api.upload("?name=drain", admin, "application/x-ndjson", Buffer.buffer(corpus()));
            scanId = up.json().getString("id");
            runUntil(api, admin, data, scanId, DOCS / 2);
        } finally {
            p.process().toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its output)
        }
        assertTrue(p.process().waitFor(60, TimeUnit.SECONDS), "drained in time");
        String log = p.log();
        assertEquals(0, p.process().exitValue(), () -> "exit status 0 after a drain: " + log);
        assertTrue(log.contains("SIGTERM: draining") && log.contains("Drained; exiting"), () -> log + "\n[lines "
                + p.output().size() + ", reader alive " + p.reader().isAlive() + ", checkpoint " + quiet(data, scanId) + "]");
        assertFalse(log.contains("Exception"), log);
        cp = checkpointDocuments(data, scanId);
        assertTrue(cp >= DOCS / 2, "the drain saved a checkpoint at the document it stopped: " + cp);
        assertFalse(Files.exists(data.resolve("db").resolve("hallmark.trace.db")), "no H2 trace ('already closed')");
        try (Stream<Path> w = Files.walk(data)) {
            for (Path f : w.toList()) {
                String mode = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
                assertEquals(Files.isDirectory(f) ? "rwx------" : "rw-------", mode, "umask 000: " + data.relativize(f));
            }
        }

        Proc again = launch(data, 0, false);
        try {
            TestSupport.Api api = new TestSupport.Api(vertx, again.port());
            JsonObject done = api.awaitDone(scanId, admin);
            assertEquals(1, done.getInteger("attempts"), "a drain is not an attempt: only the run that finished counts");
            assertTrue(done.getString("error").contains("paused while the service stopped; resumes from its checkpoint"),
                    done::encode);
            assertEquals(DOCS, done.getJsonObject("report").getJsonObject("documents").getLong("total"));
            JsonArray audit = api.get("/v1/audit", admin).json().getJsonArray("entries");
            assertTrue(audit.encode().contains("scan.paused") && audit.encode().contains("from the checkpoint at document " + cp),
                    audit::encode);
        } finally {
            again.process().destroy();
            again.process().waitFor(60, TimeUnit.SECONDS);
        }
        assertEquals(0, again.process().exitValue());
    }
}
