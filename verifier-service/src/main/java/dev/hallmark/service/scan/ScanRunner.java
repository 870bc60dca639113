package dev.hallmark.service.scan;

import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.store.AuditLog;
import dev.hallmark.service.store.ScanFiles;
import dev.hallmark.service.store.ScanStore;
import dev.hallmark.service.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs queued scans in the background on {@link ServiceConfig#scanThreads()} threads: each scan
 * goes queued -> running -> done (with its report) or failed (with the reason), by its type's
 * analysis ({@code WatermarkScan}, {@code RadioactivityScan}), saving checkpoints as it goes.
 *
 * <p>Stops and restarts: {@link #close} drains (no new scan starts; a running scan saves a
 * checkpoint and goes back to the queue without its attempt counting); after a restart,
 * {@link #recover} queues what was left, and each scan resumes from its checkpoint. Only real
 * crashes (the process died while the scan was running) count as attempts: a scan that crashed the
 * service {@value #MAX_ATTEMPTS} times is marked failed.
 */
public final class ScanRunner implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ScanRunner.class.getName());

    static final int MAX_ATTEMPTS = 3;

    private final ScanStore scans;
    private final AuditLog audit;
    private final ScanFiles files;
    private final QueryBudget budget;
    private final ExecutorService pool;
    private final AtomicInteger running = new AtomicInteger();
    private final ScanAnalysis watermark;
    private final ScanAnalysis radioactivity;
    private final Counter withheld;
    private final ScanContext ctx;
    private volatile boolean closing;

    public ScanRunner(ServiceConfig config, Store store, ScanFiles files, ChunkedTokenizer tokenizer, ProbeIndex probes,
            QueryBudget budget, MeterRegistry registry) {
        this.scans = store.scans();
        this.audit = store.audit();
        this.files = files;
        this.budget = budget;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(config.scanThreads(), r -> {
            Thread t = new Thread(r, "hallmark-scan-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.ctx = new ScanContext(config, scans, store.keys(), files, tokenizer,
                Counter.builder("hallmark_scan_documents").description("documents scanned").register(registry),
                Counter.builder("hallmark_scan_tokens").description("tokens scanned").register(registry),
                probes, id -> !store.tokens().isAdmin(id), () -> closing);
        this.withheld = Counter.builder("hallmark_scan_near_duplicates_withheld")
                .description("scanned documents not listed to analysts: near-duplicates (probing defence)").register(registry);
        this.watermark = new WatermarkScan(ctx);
        this.radioactivity = new RadioactivityScan(ctx);
        registry.gauge("hallmark_scans_running", running);
    }

    /**
     * After a restart: scans left queued (drained) or running (the process died, e.g. kill -9) are
     * queued again and resume from their checkpoint (or from the start without one); a scan whose
     * upload is gone, or that was running at {@value #MAX_ATTEMPTS} crashes, is marked failed with
     * the reason.
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
                scans.fail(s.id(), "the service crashed during this scan " + s.attempts()
                        + " times; not retrying (a corpus that crashes the service?)");
                audit.append(null, s.tenant(), "scan.failed", s.id(), "too many crashes");
                deleteCheckpoint(s.id());
            } else {
                if (s.state().equals(ScanStore.RUNNING)) {
                    scans.requeue(s.id(), "interrupted by a crash during attempt " + s.attempts()
                            + "; resuming from its last checkpoint");
                    audit.append(null, s.tenant(), "scan.resumed", s.id(), "after crashed attempt " + s.attempts());
                }
                submit(s.id());
                n++;
            }
        }
        return n;
    }

    /** Queues a stored scan to run. */
    public void submit(String scanId) {
        if (!closing) {
            pool.execute(() -> run(scanId));
        }
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
            ScanAnalysis analysis = ScanStore.TYPE_RADIOACTIVITY.equals(current.scanType()) ? radioactivity : watermark;
            Checkpoint.Resume resume = resumePoint(current);
            ScanAnalysis.Outcome out;
            try {
                out = analysis.run(current, resume);
            } catch (IOException e) {
                if (resume == null || e instanceof java.nio.charset.CharacterCodingException) {
                    throw e;
                }
                // an unusable checkpoint costs the work it held, never the scan
                LOG.log(Level.WARNING, "scan " + id + ": checkpoint unusable, starting again", e);
                deleteCheckpoint(id);
                audit.append(null, s.tenant(), "scan.checkpoint_unusable", id, e.toString());
                out = analysis.run(current, null);
            }
            if (out.stopped()) {
                if (closing && scans.get(id) != null) {
                    // drained: the checkpoint holds the work; this run does not count as an attempt
                    scans.release(id, "paused while the service stopped; resumes from its checkpoint");
                    audit.append(null, s.tenant(), "scan.paused", id, "service stopping");
                }
                return;
            }
            scans.finish(id, out.report().toString(), out.report().path("verdict").asText());
            deleteCheckpoint(id);
            audit.append(s.tokenId(), s.tenant(), "scan.done", id, null);
            if (ctx.analystToken().test(s.tokenId())) {
                // the real token count replaces the estimate the upload was charged
                budget.adjust(s.tokenId(), s.tenant(), 0, out.report().path("tokens").path("seen").asLong()
                        - out.estimatedTokens());
            }
            long near = out.report().path("documents").path("near_duplicates_listed").asLong(0);
            if (near > 0 && ctx.analystToken().test(s.tokenId())) {
                withheld.increment(near);
                audit.append(s.tokenId(), s.tenant(), "scan.near_duplicates", id, near + " flagged or top documents are "
                        + "near-duplicates of other documents of the scan or of earlier answers: not listed to analysts");
            }
        } catch (Problem p) {
            scans.fail(id, p.detail());
            deleteCheckpoint(id);
            audit.append(s.tokenId(), s.tenant(), "scan.failed", id, p.detail());
        } catch (RuntimeException | IOException | Error e) {
            if (closing) {
                // interrupted by the stop; the last checkpoint stands and the next start resumes
                LOG.log(Level.FINE, "scan " + id + " stopped by the shutdown", e);
                if (scans.get(id) != null) {
                    scans.release(id, "paused while the service stopped; resumes from its last checkpoint");
                }
                return;
            }
            LOG.log(Level.WARNING, "scan " + id + " failed", e);
            scans.fail(id, "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            deleteCheckpoint(id);
            audit.append(s.tokenId(), s.tenant(), "scan.failed", id, e.toString());
        } finally {
            running.decrementAndGet();
        }
    }

    /** The checkpoint to resume {@code s} from, or null (noted on the scan when one was unusable). */
    private Checkpoint.Resume resumePoint(ScanStore.Scan s) {
        Path dir = files.scanDir(s.id());
        Checkpoint.Loaded l;
        try {
            l = Checkpoint.load(dir, s, ctx.fingerprint(ctx.family(s)));
        } catch (Problem p) {
            return null; // the family no longer resolves: the run fails with that reason
        }
        if (l.problem() != null) {
            audit.append(null, s.tenant(), "scan.checkpoint_unusable", s.id(), l.problem());
            deleteCheckpoint(s.id());
        }
        if (l.resume() != null) {
            audit.append(null, s.tenant(), "scan.resume", s.id(), "from the checkpoint at document " + l.resume().documents());
        }
        return l.resume();
    }

    private void deleteCheckpoint(String id) {
        try {
            Checkpoint.delete(files.scanDir(id));
        } catch (IOException e) {
            LOG.log(Level.FINE, "checkpoint of " + id, e);
        }
    }

    /** Scans running now. */
    public int running() {
        return running.get();
    }

    /**
     * Drains: no scan starts any more; a running scan saves a checkpoint at its next document and
     * goes back to the queue. Waits up to 5 minutes for that (writing a checkpoint of a large scan
     * takes a few seconds per 100 MB of state), then interrupts.
     */
    @Override
    public void close() {
        closing = true;
        pool.shutdown();
        try {
            if (!pool.awaitTermination(5, TimeUnit.MINUTES)) {
                pool.shutdownNow();
                pool.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
