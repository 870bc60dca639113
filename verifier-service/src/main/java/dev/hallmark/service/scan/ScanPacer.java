package dev.hallmark.service.scan;

import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.store.ScanStore;
import java.util.function.BooleanSupplier;

/**
 * Per-document pacing shared by the scan runners: the configured test delay, then a progress
 * update at most every 250 ms. {@link #afterDocument} is false when the run must end: the scan was
 * deleted (its row is gone), or the service is stopping or the thread was interrupted
 * ({@link #stopping()}: the run then saves a checkpoint and gives the scan back to the queue).
 */
final class ScanPacer {

    private final ServiceConfig config;
    private final ScanStore scans;
    private final String scanId;
    private final BooleanSupplier closing;
    private long lastProgress = System.nanoTime();
    private boolean stopping;

    ScanPacer(ServiceConfig config, ScanStore scans, String scanId, BooleanSupplier closing) {
        this.config = config;
        this.scans = scans;
        this.scanId = scanId;
        this.closing = closing;
    }

    boolean afterDocument(long docs, long tokens, long bytesRead) {
        if (config.testDelayMillisPerDocument() > 0) {
            try {
                Thread.sleep(config.testDelayMillisPerDocument());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
                return false;
            }
        }
        if (closing.getAsBoolean() || Thread.currentThread().isInterrupted()) {
            stopping = true;
            return false;
        }
        long now = System.nanoTime();
        if (now - lastProgress > 250_000_000L) {
            lastProgress = now;
            return scans.progress(scanId, docs, tokens, bytesRead);
        }
        return true;
    }

    /** Whether the run ended because the service is stopping (rather than because the scan was deleted). */
    boolean stopping() {
        return stopping;
    }
}
