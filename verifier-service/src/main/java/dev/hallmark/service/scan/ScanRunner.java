package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.store.AuditLog;
import dev.hallmark.service.store.ScanFiles;
import dev.hallmark.service.store.ScanStore;
import dev.hallmark.service.store.Store;
import dev.hallmark.text.HfTokenizer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs queued scans in the background on {@link ServiceConfig#scanThreads()} threads: each scan
 * goes queued -> running -> done (with its report) or failed (with the reason), by its type's
 * analysis ({@code WatermarkScan}, {@code RadioactivityScan}). After a restart, {@link #recover}
 * re-queues what a crash interrupted.
 */
public final class ScanRunner implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ScanRunner.class.getName());

    static final int MAX_ATTEMPTS = 3;

    private final ScanStore scans;
    private final AuditLog audit;
    private final ScanFiles files;
    private final ExecutorService pool;
    private final AtomicInteger running = new AtomicInteger();
    private final ScanAnalysis watermark;
    private final ScanAnalysis radioactivity;
    private final ScanAnalysis probe;
    private volatile boolean closing;

    public ScanRunner(ServiceConfig config, Store store, ScanFiles files, HfTokenizer tokenizer, MeterRegistry registry) {
        this.scans = store.scans();
        this.audit = store.audit();
        this.files = files;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(config.scanThreads(), r -> {
            Thread t = new Thread(r, "hallmark-scan-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ScanContext ctx = new ScanContext(config, scans, store.keys(), files, tokenizer,
                Counter.builder("hallmark_scan_documents").description("documents scanned").register(registry),
                Counter.builder("hallmark_scan_tokens").description("tokens scanned").register(registry),
                () -> closing);
        this.watermark = new WatermarkScan(ctx);
        this.radioactivity = new RadioactivityScan(ctx);
        this.probe = new ProbeScan(ctx, new dev.hallmark.service.store.ProbeAllowlist(store.settings()),
                store.probeSecrets(), radioactivity);
        registry.gauge("hallmark_scans_running", running);
    }

    /**
     * After a restart: scans left queued or running (the process died, e.g. kill -9) are run again
     * from their stored upload; a scan whose upload is gone, or that was interrupted
     * {@value #MAX_ATTEMPTS} times, is marked failed with the reason.
     *
     * @return how many scans were queued again
     */
    public int recover() {
        int n = 0;
        for (ScanStore.Scan s : scans.inState(ScanStore.QUEUED, ScanStore.RUNNING)) {
            if (!files.hasCorpus(s)) {
                scans.fail(s.id(), "the service stopped during this scan and its upload file is missing, so it cannot be re-run");
                audit.append(null, s.tenant(), "scan.failed", s.id(), "upload missing after restart");
            } else if (s.state().equals(ScanStore.RUNNING) && s.attempts() >= MAX_ATTEMPTS) {
                scans.fail(s.id(), "the service stopped during this scan " + s.attempts()
                        + " times; not retrying (a corpus that crashes the service?)");
                audit.append(null, s.tenant(), "scan.failed", s.id(), "too many interrupted attempts");
            } else {
                if (s.state().equals(ScanStore.RUNNING)) {
                    scans.requeue(s.id(), "interrupted by a service stop during attempt " + s.attempts()
                            + "; re-running from the stored upload");
                    audit.append(null, s.tenant(), "scan.resumed", s.id(), "after interrupted attempt " + s.attempts());
                }
                submit(s.id());
                n++;
            }
        }
        return n;
    }

    /** Queues a stored scan to run. */
    public void submit(String scanId) {
        pool.execute(() -> run(scanId));
    }

    private void run(String id) {
        if (closing) {
            return;
        }
        ScanStore.Scan s = scans.get(id);
        if (s == null || !(s.state().equals(ScanStore.QUEUED))) {
            return;
        }
        if (!scans.markRunning(id)) {
            return;
        }
        running.incrementAndGet();
        try {
            ScanStore.Scan current = scans.get(id);
            ScanAnalysis analysis = ScanStore.TYPE_RADIOACTIVITY.equals(current.scanType()) ? radioactivity
                    : ScanStore.TYPE_PROBE.equals(current.scanType()) ? probe : watermark;
            ObjectNode report = analysis.run(current);
            if (report == null) {
                return; // deleted while running, or the service is stopping
            }
            scans.finish(id, report.toString(), report.path("verdict").asText());
            audit.append(s.tokenId(), s.tenant(), "scan.done", id, null);
        } catch (Problem p) {
            scans.fail(id, p.detail());
            audit.append(s.tokenId(), s.tenant(), "scan.failed", id, p.detail());
        } catch (RuntimeException | IOException | Error e) {
            LOG.log(Level.WARNING, "scan " + id + " failed", e);
            scans.fail(id, "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            audit.append(s.tokenId(), s.tenant(), "scan.failed", id, e.toString());
        } finally {
            running.decrementAndGet();
        }
    }

    /** Scans running now. */
    public int running() {
        return running.get();
    }

    @Override
    public void close() {
        closing = true;
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
