package dev.hallmark.service.scan;

import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.store.AuditLog;
import dev.hallmark.service.store.Database;
import dev.hallmark.service.store.ScanFiles;
import dev.hallmark.service.store.ScanStore;
import dev.hallmark.service.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
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
 * analysis ({@code WatermarkScan}, {@code RadioactivityScan}, {@code ProbeScan}), saving
 * checkpoints as it goes ({@link Checkpoint}, in the scan's directory of the data directory that
 * every instance shares).
 *
 * <p>Scans come from the store through {@code ScanClaims}, leased to this instance while they run,
 * so several instances sharing a database never run one scan twice. Stops and crashes:
 * <ul>
 *   <li>a graceful stop ({@link #close}, SIGTERM) drains: no new scan is claimed, a running scan
 *       saves a checkpoint at its next document and goes back to the queue without its attempt
 *       counting ({@link ScanStore#release}), the leases stay renewed until then;
 *   <li>an instance that died (kill -9, a lost machine) stops renewing its leases; once one
 *       expires, whichever instance claims the scan first takes it over and resumes it from its
 *       last checkpoint (from the stored upload without one). Only such crashes count as
 *       attempts: a scan that was running at {@value #MAX_ATTEMPTS} crashes is marked failed.
 * </ul>
 */
public final class ScanRunner implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ScanRunner.class.getName());

    static final int MAX_ATTEMPTS = 3;
    /** How long a drain waits for running scans to checkpoint before it interrupts them. */
    static final long DRAIN_MINUTES = 5;

    private final ScanStore scans;
    private final AuditLog audit;
    private final ScanFiles files;
    private final QueryBudget budget;
    private final ExecutorService pool;
    private final ScanClaims claims;
    private final AtomicInteger running = new AtomicInteger();
    private final ScanAnalysis watermark;
    private final ScanAnalysis radioactivity;
    private final ScanAnalysis probe;
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
        this.claims = new ScanClaims(scans, config.cluster().scanLeaseMillis(), config.scanThreads(), pool, this::run);
        this.ctx = new ScanContext(config, scans, store.keys(), files, tokenizer,
                Counter.builder("hallmark_scan_documents").description("documents scanned").register(registry),
                Counter.builder("hallmark_scan_tokens").description("tokens scanned").register(registry),
                probes, id -> !store.tokens().isAdmin(id), () -> closing);
        this.withheld = Counter.builder("hallmark_scan_near_duplicates_withheld")
                .description("scanned documents not listed to analysts: near-duplicates (probing defence)").register(registry);
        this.watermark = new WatermarkScan(ctx);
        this.radioactivity = new RadioactivityScan(ctx);
        this.probe = new ProbeScan(ctx, new dev.hallmark.service.store.ProbeAllowlist(store.settings()),
                store.probeSecrets(), radioactivity);
        registry.gauge("hallmark_scans_running", running);
    }

    /**
     * Starts taking scans from the store: the queued ones (new, or drained by a stop), and those
     * left running by an instance that died (on the embedded database every lease is expired at
     * open, so a restarted process takes them over at once). Each resumes from its checkpoint.
     */
    public void start() {
        claims.start();
    }

    /** A scan was queued: claim it now (it is in the store already; any instance may run it). */
    public void submit(String scanId) {
        claims.wakeUp();
    }

    private ScanAnalysis analysis(ScanStore.Scan s) {
        return ScanStore.TYPE_RADIOACTIVITY.equals(s.scanType()) ? radioactivity
                : ScanStore.TYPE_PROBE.equals(s.scanType()) ? probe : watermark;
    }

    private void run(ScanStore.Claim claim) {
        ScanStore.Scan s = claim.scan();
        String id = s.id();
        if (closing) {
            return; // released by close()
        }
        running.incrementAndGet();
        try {
            if (!files.hasCorpus(s)) {
                scans.fail(id, "the service stopped during this scan and its upload file is missing, so it cannot be re-run");
                audit.append(null, s.tenant(), "scan.failed", id, "upload missing after restart");
                deleteCheckpoint(id);
                return;
            }
            ScanAnalysis analysis = analysis(s);
            Checkpoint.Resume resume = resumePoint(s, analysis);
            if (claim.takeover()) {
                int interrupted = s.attempts() - 1;
                if (interrupted >= MAX_ATTEMPTS) {
                    scans.fail(id, "the service crashed during this scan " + interrupted
                            + " times; not retrying (a corpus that crashes the service?)");
                    audit.append(null, s.tenant(), "scan.failed", id, "too many crashes");
                    deleteCheckpoint(id);
                    return;
                }
                String how = resume != null ? "resuming from its checkpoint at document " + resume.documents()
                        : "no checkpoint, re-running from the stored upload";
                LOG.info("taking over scan " + id + ": its lease expired during attempt " + interrupted
                        + " (the instance running it stopped); " + how);
                scans.note(id, "interrupted by a crash during attempt " + interrupted + "; " + how);
                audit.append(null, s.tenant(), "scan.resumed", id, "after crashed attempt " + interrupted);
            }
            ScanAnalysis.Outcome out;
            try {
                out = analysis.run(s, resume);
            } catch (IOException e) {
                if (resume == null || e instanceof CharacterCodingException) {
                    throw e;
                }
                // an unusable checkpoint costs the work it held, never the scan
                LOG.log(Level.WARNING, "scan " + id + ": checkpoint unusable, starting again", e);
                deleteCheckpoint(id);
                audit.append(null, s.tenant(), "scan.checkpoint_unusable", id, e.toString());
                out = analysis.run(s, null);
            }
            if (out.stopped()) {
                stopped(s);
                return;
            }
            if (scans.finish(id, out.report().toString(), out.report().path("verdict").asText())) {
                deleteCheckpoint(id);
                audit.append(s.tokenId(), s.tenant(), "scan.done", id, null);
                finished(s, out);
            }
        } catch (Database.StoreException e) {
            if (e.unavailable()) {
                // no row can be written now: the lease expires and the scan resumes (here or elsewhere)
                LOG.warning("scan " + id + " stopped, the database is unreachable: " + e.getMessage());
            } else {
                failQuietly(s, e);
            }
        } catch (Problem p) {
            scans.fail(id, p.detail());
            deleteCheckpoint(id);
            audit.append(s.tokenId(), s.tenant(), "scan.failed", id, p.detail());
        } catch (RuntimeException | IOException | Error e) {
            if (closing) {
                // interrupted by the stop: the last checkpoint stands and the scan resumes from it
                LOG.log(Level.FINE, "scan " + id + " stopped by the shutdown", e);
                releaseQuietly(s);
                return;
            }
            failQuietly(s, e);
        } finally {
            running.decrementAndGet();
        }
    }

    /** A run that ended early: drained (put back in the queue), or deleted, cancelled, or taken over elsewhere. */
    private void stopped(ScanStore.Scan s) {
        if (closing) {
            releaseQuietly(s);
            return;
        }
        ScanStore.Scan now = scans.get(s.id());
        if (now == null || ScanStore.FAILED.equals(now.state())) {
            deleteCheckpoint(s.id()); // deleted or cancelled: nothing will resume
        }
        // else this instance lost the lease: the checkpoint now belongs to the instance that took the scan over
    }

    private void releaseQuietly(ScanStore.Scan s) {
        try {
            // drained: the checkpoint holds the work; this run does not count as an attempt
            if (scans.release(s.id(), "paused while the service stopped; resumes from its checkpoint")) {
                audit.append(null, s.tenant(), "scan.paused", s.id(), "service stopping");
            }
        } catch (RuntimeException e) {
            LOG.warning("cannot release scan " + s.id() + " (its lease expires instead): " + e.getMessage());
        }
    }

    /** After a scan is done: the real token count replaces the estimate an analyst was charged; withheld documents. */
    private void finished(ScanStore.Scan s, ScanAnalysis.Outcome out) {
        if (!ctx.analystToken().test(s.tokenId())) {
            return;
        }
        budget.adjust(s.tokenId(), s.tenant(), 0, out.report().path("tokens").path("seen").asLong()
                - out.estimatedTokens());
        long near = out.report().path("documents").path("near_duplicates_listed").asLong(0);
        if (near > 0) {
            withheld.increment(near);
            audit.append(s.tokenId(), s.tenant(), "scan.near_duplicates", s.id(), near + " flagged or top documents "
                    + "are near-duplicates of other documents of the scan or of earlier answers: not listed to analysts");
        }
    }

    private void failQuietly(ScanStore.Scan s, Throwable e) {
        LOG.log(Level.WARNING, "scan " + s.id() + " failed", e);
        try {
            scans.fail(s.id(), "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            deleteCheckpoint(s.id());
            audit.append(s.tokenId(), s.tenant(), "scan.failed", s.id(), e.toString());
        } catch (RuntimeException again) {
            LOG.warning("cannot record the failure of scan " + s.id() + ": " + again.getMessage());
        }
    }

    /** The checkpoint to resume {@code s} from, or null (audited when one was unusable). */
    private Checkpoint.Resume resumePoint(ScanStore.Scan s, ScanAnalysis analysis) {
        Path dir = files.scanDir(s.id());
        Checkpoint.Loaded l;
        try {
            l = Checkpoint.load(dir, s.id(), analysis.checkpointType(s), ctx.fingerprint(ctx.family(s)));
        } catch (Problem p) {
            return null; // the family no longer resolves: the run fails with that reason
        }
        if (l.problem() != null) {
            audit.append(null, s.tenant(), "scan.checkpoint_unusable", s.id(), l.problem());
            deleteCheckpoint(s.id());
        }
        if (l.resume() != null) {
            audit.append(null, s.tenant(), "scan.from_checkpoint", s.id(), "resumed from the checkpoint at document "
                    + l.resume().documents());
        }
        return l.resume();
    }

    /** Removes a scan's checkpoint and the partial results it refers to. */
    private void deleteCheckpoint(String id) {
        try {
            Checkpoint.delete(files.scanDir(id));
        } catch (IOException e) {
            LOG.log(Level.FINE, "checkpoint of " + id, e);
        }
    }

    /** Whether the runner is stopping (the instance is shutting down). */
    public boolean stopping() {
        return closing;
    }

    /**
     * Cancels a queued or running scan: it ends failed with {@code reason}. The store ends the scan
     * and its lease in one update, so the instance running it (this one or another sharing the
     * database) stops at its next progress step, when its lease renewal is refused.
     *
     * @return false if the scan is neither queued nor running
     */
    public boolean cancel(String id, String reason) {
        ScanStore.Scan s = scans.get(id);
        if (s == null || !(s.state().equals(ScanStore.QUEUED) || s.state().equals(ScanStore.RUNNING))) {
            return false;
        }
        if (!scans.cancel(id, reason)) {
            return false;
        }
        audit.append(s.tokenId(), s.tenant(), "scan.cancelled", id, reason);
        if (ScanStore.QUEUED.equals(s.state())) {
            deleteCheckpoint(id); // a drained scan's checkpoint: no run of it will clean up
        }
        return true;
    }

    /** Scans running now. */
    public int running() {
        return running.get();
    }

    /**
     * Drains: no scan is claimed any more; a running scan saves a checkpoint at its next document
     * and goes back to the queue without its attempt counting (the leases are renewed until it
     * has). Waits up to {@value #DRAIN_MINUTES} minutes for that (writing a checkpoint of a large
     * scan takes a few seconds per 100 MB of state), then interrupts; whatever this instance still
     * holds is put back in the queue at once, so another instance need not wait for the leases to
     * expire (a kill -9 leaves them to expire instead).
     */
    @Override
    public void close() {
        closing = true;
        claims.stopClaiming();
        pool.shutdown();
        try {
            if (!pool.awaitTermination(DRAIN_MINUTES, TimeUnit.MINUTES)) {
                pool.shutdownNow();
                pool.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
        claims.close();
        try {
            scans.releaseAll("put back in the queue when instance " + scans.owner() + " stopped");
        } catch (RuntimeException e) {
            LOG.warning("cannot release the scans of this instance (their leases expire instead): " + e.getMessage());
        }
    }
}
