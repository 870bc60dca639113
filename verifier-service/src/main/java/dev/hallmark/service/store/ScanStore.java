package dev.hallmark.service.store;

import java.time.Instant;
import java.util.List;

/**
 * Scan rows and their reports. The embedded implementation is {@code H2ScanStore}; every method
 * blocks (call it from a worker or scan thread, never from an event loop).
 */
public interface ScanStore {

    /** Scan types: corpus watermark detection, and the radioactivity test of a suspect model's outputs. */
    String TYPE_WATERMARK = "watermark";
    String TYPE_RADIOACTIVITY = "radioactivity";

    /** Lifecycle: queued -> running -> done | failed. */
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

    /** Scans in any of {@code states}, oldest first. */
    List<Scan> inState(String... states);

    /** Marks a scan running and counts the attempt; false if the row is gone (deleted). */
    boolean markRunning(String id);

    /** Records a running scan's progress; false if the row is gone (deleted). */
    boolean progress(String id, long docs, long tokens, long bytes);

    /** Stores the report and marks the scan done with its verdict, in one transaction; false if the row is gone. */
    boolean finish(String id, String reportJson, String verdict);

    /** Marks the scan failed with the reason (cut to 2,000 characters). */
    void fail(String id, String reason);

    /** Puts a scan interrupted by a crash back in the queue (the crashed attempt stays counted). */
    void requeue(String id, String note);

    /**
     * Gives a running scan back to the queue after a graceful stop (drain): its attempt does not
     * count (only crashes do), and {@code note} says why.
     */
    void release(String id, String note);

    /** The report (JSON) of a done scan, or null. */
    String report(String id);

    /** Deletes the scan and its report; false if there was none. */
    boolean delete(String id);
}
