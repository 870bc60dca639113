package dev.hallmark.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real service process killed with SIGKILL in the middle of a scan: on restart the scan is re-run
 * from its stored upload and ends with the same result as an uninterrupted scan of the same corpus.
 * Progress is visible while it runs.
 */
@ExtendWith(VertxExtension.class)
class CrashRecoveryTest {

    static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    record Proc(Process process, int port, List<String> output) {}

    static Proc launch(Path data, long delayMillis) throws Exception {
        return launch(data, delayMillis, List.of());
    }

    /** The service's command line in a child JVM (the test classpath), with {@code extra} options. */
    static List<String> command(Path data, long delayMillis, List<String> extra) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-Dai.djl.offline=true",
                "-Dhallmark.tokenizer=" + TestSupport.tokenizer(),
                "-Dhallmark.test.scanDelayMillis=" + delayMillis,
                "-cp", System.getProperty("java.class.path"),
                "dev.hallmark.service.Main", "--port", "0", "--data-dir", data.toString()));
        cmd.addAll(extra);
        return cmd;
    }

    /** Starts the service in a child JVM and waits until it listens. */
    static Proc launch(Path data, long delayMillis, List<String> extra) throws Exception {
        List<String> cmd = command(data, delayMillis, extra);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // the database is what the command line says, whatever the test run's environment holds
        pb.environment().keySet().removeIf(k -> k.startsWith("HALLMARK_DATABASE_"));
        Process p = pb.start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> out = java.util.Collections.synchronizedList(new ArrayList<>());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            String line = r.readLine();
            if (line == null) {
                break;
            }
            out.add(line);
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        String more;
                        while ((more = r.readLine()) != null) {
                            out.add(more); // keeps the pipe empty, and the output for the test to read
                        }
                    } catch (IOException ignored) {
                        // process gone
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return new Proc(p, Integer.parseInt(m.group(1)), out);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("service did not start: " + out);
    }

    @Test
    void killedMidScanResumesAndMatchesAnUninterruptedScan(Vertx vertx, @TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Proc first = launch(data, 40);
        String admin;
        String scanId;
        String corpus = Corpora.mixedJsonl(Corpora.human().subList(0, 120), List.of());
        try {
            admin = Files.readString(data.resolve("admin-token")).trim();
            TestSupport.Api api = new TestSupport.Api(vertx, first.port());
            TestSupport.Resp k = api.post("/v1/keys", admin, new JsonObject()
                    .put("scheme", "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash").put("label", "crash key")
                    .put("secret", TestSupport.b64(TestSupport.secret("crash key"))));
            assertEquals(201, k.status(), k.body()::toString);
            TestSupport.Resp up = api.upload("?name=crash", admin, "application/x-ndjson", Buffer.buffer(corpus));
            assertEquals(201, up.status(), up.body()::toString);
            scanId = up.json().getString("id");
            // progress is visible while the scan runs
            JsonObject running = api.awaitScan(scanId, admin, s -> s.getString("state").equals("running")
                    && s.getJsonObject("progress").getLong("documents") >= 10);
            JsonObject prog = running.getJsonObject("progress");
            assertTrue(prog.getLong("tokens") > 0 && prog.getLong("bytes") > 0, prog::encode);
            assertTrue(prog.getLong("documents") < 120, "still running when killed");
        } finally {
            first.process().destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(first.process().waitFor(30, TimeUnit.SECONDS));
        }
        assertEquals(137, first.process().exitValue(), "killed by SIGKILL");

        Proc second = launch(data, 0);
        try {
            TestSupport.Api api = new TestSupport.Api(vertx, second.port());
            JsonObject done = api.awaitDone(scanId, admin);
            assertEquals(2, done.getInteger("attempts"), "re-run once after the crash");
            // no checkpoint yet (the default interval is a minute): the takeover re-runs from the upload
            assertTrue(done.getString("error").contains("interrupted by a crash during attempt 1; no checkpoint, "
                    + "re-running from the stored upload"), done::encode);
            assertEquals(120, done.getJsonObject("report").getJsonObject("documents").getLong("total"));
            assertTrue(api.get("/v1/audit", admin).body().toString().contains("scan.resumed"));

            TestSupport.Resp again = api.upload("?name=uninterrupted", admin, "application/x-ndjson", Buffer.buffer(corpus));
            JsonObject ref = api.awaitDone(again.json().getString("id"), admin).getJsonObject("report");
            JsonObject got = done.getJsonObject("report");
            assertEquals(ref.getJsonArray("keys"), got.getJsonArray("keys"), "same corpus-level results");
            assertEquals(ref.getJsonObject("histogram"), got.getJsonObject("histogram"));
            assertEquals(ref.getJsonObject("documents"), got.getJsonObject("documents"));
        } finally {
            second.process().destroy();
            second.process().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
