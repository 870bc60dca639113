package dev.hallmark.service.store;

import java.time.Instant;
import java.util.List;

/**
 * Scan rows and their reports, shared by every instance on the same database. A running scan is
 * leased to one instance ({@link #owner()}): it {@linkplain #claim claims} the scan, renews the
 * lease while it works, and only the lease holder may record progress, finish or fail it; once a
 * lease expires (its instance died or stalled) another instance claims the scan again. Every
 * method blocks (call it from a worker or scan thread, never from an event loop).
 */
public interface ScanStore {

    /** Scan types: corpus watermark detection, and the radioactivity test of a suspect model's outputs. */
    String TYPE_WATERMARK = "watermark";
    String TYPE_RADIOACTIVITY = "radioactivity";
    /** A radioactivity scan of answers collected from an allowlisted endpoint (the prompts are the upload). */
    String TYPE_PROBE = "probe";

    /** Lifecycle: queued -> running (leased to one instance) -> done | failed. */
    String QUEUED = "queued";
    String RUNNING = "running";
    String DONE = "done";
    String FAILED = "failed";

    /** A scan row. */
    record Scan(String id, String scanType, String tenant, String tokenId, String name, String state,
            String format, String compression, String field, String split, double alpha, List<String> keyIds,
            String uploadFile, long uploadBytes, Instant createdAt, Instant startedAt, Instant finishedAt,
            long documents, long tokens, long bytes, int attempts, String error, String verdict, String scheme,
            String params) {}

    /** Inserts a new scan row (state, timestamps and progress as in {@code s}'s creation). */
    void insert(Scan s);

    /** The scan, or null. */
    Scan get(String id);

    /** Scans of one tenant (or all, for {@code tenant == null}), newest first. */
    List<Scan> list(String tenant, int limit);

    /**
     * A scan this instance has claimed: the row as claimed (state running, the attempt counted,
     * progress as the last run left it: the runner resumes from the scan's checkpoint, or resets
     * it), and whether it was taken over from an instance whose lease expired (a run that was
     * interrupted) rather than taken from the queue.
     */
    record Claim(Scan scan, boolean takeover) {}

    /** This instance's name on the leases it holds (unique per process). */
    String owner();

    /**
     * Claims the oldest scan that is queued, or running under an expired lease: marks it running,
     * leased to this instance for {@code leaseMillis} (measured by the database's clock), counts
     * the attempt; the progress is left as it was (a run taken over resumes from its checkpoint, so
     * the runner sets the progress it starts from). Atomic across instances: two claims never get
     * the same scan while its lease runs.
     *
     * @return the claim, or null if no scan is waiting
     */
    Claim claim(long leaseMillis);

    /** Extends this instance's lease on a running scan; false if it no longer holds it (taken over, deleted, ended). */
    boolean renew(String id, long leaseMillis);

    /** Records a running scan's progress (lease holder only); false if this instance no longer holds it. */
    boolean progress(String id, long docs, long tokens, long bytes);

    /**
     * Stores the report and marks the scan done with its verdict, in one transaction (lease holder
     * only); false if this instance no longer holds the scan (then nothing is written).
     */
    boolean finish(String id, String reportJson, String verdict);

    /**
     * Ends a queued or running scan as failed with {@code reason}, whoever holds its lease: the
     * holder's next progress or renewal is refused, so it stops.
     *
     * @return false if the scan is not queued or running
     */
    boolean cancel(String id, String reason);

    /**
     * Marks a queued or running scan failed with the reason (cut to 2,000 characters), unless another
     * instance holds its lease; a scan that has ended stays as it ended.
     */
    void fail(String id, String reason);

    /** Notes why a claimed scan runs again (e.g. after an interrupted attempt): kept in its {@code error} field. */
    void note(String id, String note);

    /**
     * A graceful stop: puts the scans this instance is running back in the queue at once (without
     * counting their attempt), so another instance need not wait for the leases to expire.
     *
     * @return how many were put back
     */
    int releaseAll(String note);

    /** Ends every lease now. Only for a database no other process can use (the embedded one, at start). */
    void expireLeases();

    /**
     * Gives one running scan this instance holds back to the queue after a graceful stop (drain,
     * its checkpoint saved): its attempt does not count (only crashes do), and {@code note} says
     * why. Nothing happens if this instance no longer holds the scan's lease.
     *
     * @return whether the scan was put back
     */
    boolean release(String id, String note);

    /** The report (JSON) of a done scan, or null. */
    String report(String id);

    /** Deletes the scan and its report; false if there was none. */
    boolean delete(String id);
}
