import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Latency of POST /v1/detect while two large corpus uploads are received and validated (NOT part
 * of the default test run; driven by detect-during-uploads.sh).
 *
 * <pre>java DetectDuringUploads.java BASE DETECT_TOKEN UPLOAD_TOKEN BODIES_JSONL UPLOAD_FILE QUIET_SECONDS CONCURRENCY</pre>
 *
 * Phase 1 ("quiet"): CONCURRENCY closed-loop clients send one detect body each (round robin over
 * BODIES_JSONL) for QUIET_SECONDS. Phase 2 ("uploads"): the same clients keep going while two
 * uploads of UPLOAD_FILE run at the same time; only requests that start and end while both
 * uploads are still in flight (streaming plus validation, i.e. before the 201) are counted.
 * Prints count, p50, p90, p99 and max latency per phase, and the upload times.
 */
public final class DetectDuringUploads {

    public static void main(String[] a) throws Exception {
        URI base = URI.create(a[0]);
        String detectToken = a[1];
        String uploadToken = a[2];
        List<String> bodies = Files.readAllLines(Path.of(a[3]));
        Path upload = Path.of(a[4]);
        int quietSeconds = Integer.parseInt(a[5]);
        int concurrency = Integer.parseInt(a[6]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();

        AtomicInteger next = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<long[]> samples = new ConcurrentLinkedQueue<>(); // {start, end} nanos
        AtomicInteger errors = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    String body = bodies.get(Math.floorMod(next.getAndIncrement(), bodies.size()));
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/detect"))
                                .header("Authorization", "Bearer " + detectToken)
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(60))
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                            if (errors.get() < 5) {
                                System.err.println("detect " + r.statusCode() + ": " + r.body());
                            }
                        }
                    } catch (IOException | InterruptedException e) {
                        errors.incrementAndGet();
                    }
                    samples.add(new long[] {t0, System.nanoTime()});
                }
            });
            t.start();
            clients.add(t);
        }
        long quietStart = System.nanoTime();
        Thread.sleep(quietSeconds * 1000L);
        long quietEnd = System.nanoTime();

        long uploadStart = System.nanoTime();
        List<CompletableFuture<long[]>> ups = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            HttpRequest req = HttpRequest.newBuilder(base.resolve("/v1/scans?name=latency-" + i))
                    .header("Authorization", "Bearer " + uploadToken)
                    .header("Content-Type", "application/x-ndjson")
                    .timeout(Duration.ofMinutes(30))
                    .POST(HttpRequest.BodyPublishers.ofFile(upload)).build();
            ups.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                System.out.println("upload answered " + r.statusCode() + " after "
                        + String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - uploadStart) / 1e9)
                        + ": " + r.body().substring(0, Math.min(120, r.body().length())));
                return new long[] {System.nanoTime()};
            }));
        }
        long firstDone = Long.MAX_VALUE;
        for (CompletableFuture<long[]> f : ups) {
            firstDone = Math.min(firstDone, f.get()[0]);
        }
        stop.set(true);
        for (Thread t : clients) {
            t.join();
        }
        List<Long> quiet = new ArrayList<>();
        List<Long> loaded = new ArrayList<>();
        for (long[] s : samples) {
            if (s[0] >= quietStart && s[1] <= quietEnd) {
                quiet.add(s[1] - s[0]);
            } else if (s[0] >= uploadStart && s[1] <= firstDone) {
                loaded.add(s[1] - s[0]);
            }
        }
        System.out.println(String.format(Locale.ROOT, "two uploads of %d bytes in flight for %.1f s; detect errors: %d",
                Files.size(upload), (firstDone - uploadStart) / 1e9, errors.get()));
        print("quiet", quiet);
        print("during two uploads", loaded);
    }

    static void print(String what, List<Long> ns) {
        Collections.sort(ns);
        if (ns.isEmpty()) {
            System.out.println(what + ": no requests");
            return;
        }
        long slow = ns.stream().filter(n -> n > 1_000_000_000L).count();
        System.out.println(String.format(Locale.ROOT,
                "%s: %d requests, p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, p99.9 %.0f ms, max %.0f ms, over 1 s: %d",
                what, ns.size(), q(ns, 0.5), q(ns, 0.9), q(ns, 0.99), q(ns, 0.999), ns.get(ns.size() - 1) / 1e6, slow));
    }

    static double q(List<Long> s, double p) {
        return s.get(Math.min(s.size() - 1, (int) Math.floor(p * s.size()))) / 1e6;
    }
}
