package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.store.AuditLog;
import dev.hallmark.service.store.Database;
import dev.hallmark.service.store.ScanFiles;
import dev.hallmark.service.store.ScanStore;
import dev.hallmark.service.store.Store;
import dev.hallmark.text.TextTokenizer;
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
 * analysis ({@code WatermarkScan}, {@code RadioactivityScan}). Scans come from the store through
 * {@code ScanClaims}, leased to this instance while they run, so several instances sharing a
 * database never run one scan twice; a scan whose instance died (kill -9, a lost machine) is
 * claimed again once its lease expires and re-run, by whichever instance claims it first.
 */
public final class ScanRunner implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ScanRunner.class.getName());

    static final int MAX_ATTEMPTS = 3;

    private final ScanStore scans;
    private final AuditLog audit;
    private final ScanFiles files;
    private final ExecutorService pool;
    private final ScanClaims claims;
    private final AtomicInteger running = new AtomicInteger();
    private final ScanAnalysis watermark;
    private final ScanAnalysis radioactivity;
    private final ScanAnalysis probe;
    private volatile boolean closing;

    public ScanRunner(ServiceConfig config, Store store, ScanFiles files, TextTokenizer tokenizer, MeterRegistry registry) {
        this.scans = store.scans();
        this.audit = store.audit();
        this.files = files;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(config.scanThreads(), r -> {
            Thread t = new Thread(r, "hallmark-scan-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.claims = new ScanClaims(scans, config.cluster().scanLeaseMillis(), config.scanThreads(), pool, this::run);
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
     * Starts taking scans from the store: the queued ones, and those left running by an instance
     * that stopped (kill -9; on the embedded database every lease is expired at open, so a
     * restarted process re-runs them at once). Each is run again from its stored upload; one whose
     * upload is gone, or that was interrupted {@value #MAX_ATTEMPTS} times, is marked failed with
     * the reason.
     */
    public void start() {
        claims.start();
    }

    /** A scan was queued: claim it now (it is in the store already; any instance may run it). */
    public void submit(String scanId) {
        claims.wakeUp();
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
                return;
            }
            if (claim.takeover()) {
                int interrupted = s.attempts() - 1;
                if (interrupted >= MAX_ATTEMPTS) {
                    scans.fail(id, "the service stopped during this scan " + interrupted
                            + " times; not retrying (a corpus that crashes the service?)");
                    audit.append(null, s.tenant(), "scan.failed", id, "too many interrupted attempts");
                    return;
                }
                LOG.info("taking over scan " + id + ": its lease expired during attempt " + interrupted
                        + " (the instance running it stopped); re-running it from the stored upload");
                scans.note(id, "interrupted by a service stop during attempt " + interrupted
                        + "; re-running from the stored upload");
                audit.append(null, s.tenant(), "scan.resumed", id, "after interrupted attempt " + interrupted);
            }
            ScanAnalysis analysis = ScanStore.TYPE_RADIOACTIVITY.equals(s.scanType()) ? radioactivity
                    : ScanStore.TYPE_PROBE.equals(s.scanType()) ? probe : watermark;
            // the one place a claimed scan starts: a takeover re-runs from the stored upload (a
            // checkpointed scan would resume here from its last checkpoint instead)
            ObjectNode report = analysis.run(s);
            if (report == null) {
                return; // deleted while running, the lease was lost, or the service is stopping
            }
            if (scans.finish(id, report.toString(), report.path("verdict").asText())) {
                audit.append(s.tokenId(), s.tenant(), "scan.done", id, null);
            }
        } catch (Database.StoreException e) {
            if (e.unavailable()) {
                // no row can be written now: the lease expires and the scan runs again (here or elsewhere)
                LOG.warning("scan " + id + " stopped, the database is unreachable: " + e.getMessage());
            } else {
                failQuietly(s, e);
            }
        } catch (Problem p) {
            scans.fail(id, p.detail());
            audit.append(s.tokenId(), s.tenant(), "scan.failed", id, p.detail());
        } catch (RuntimeException | IOException | Error e) {
            failQuietly(s, e);
        } finally {
            running.decrementAndGet();
        }
    }

    private void failQuietly(ScanStore.Scan s, Throwable e) {
        LOG.log(Level.WARNING, "scan " + s.id() + " failed", e);
        try {
            scans.fail(s.id(), "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            audit.append(s.tokenId(), s.tenant(), "scan.failed", s.id(), e.toString());
        } catch (RuntimeException again) {
            LOG.warning("cannot record the failure of scan " + s.id() + ": " + again.getMessage());
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
        return true;
    }

    /** Scans running now. */
    public int running() {
        return running.get();
    }

    /**
     * Stops: no new claims, running scans stop at their next document, and their leases are
     * released so another instance takes them at once (a kill -9 leaves them to expire instead).
     */
    @Override
    public void close() {
        closing = true;
        claims.close();
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            scans.releaseAll("put back in the queue when instance " + scans.owner() + " stopped");
        } catch (RuntimeException e) {
            LOG.warning("cannot release the scans of this instance (their leases expire instead): " + e.getMessage());
        }
    }
}
