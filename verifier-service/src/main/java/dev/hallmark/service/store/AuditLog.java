package dev.hallmark.service.store;

import java.time.Instant;
import java.util.List;

/** The append-only audit log: who did what to which key, token or scan. */
public interface AuditLog {

    /** One entry; {@code tokenId}, {@code tenant}, {@code target} and {@code detail} may be null. */
    record Entry(long id, Instant at, String tokenId, String tenant, String action, String target, String detail) {}

    /** Longest {@code detail} kept (longer ones are cut). */
    int MAX_DETAIL_CHARS = 2000;

    /** Appends an entry. Never pass secrets in {@code detail}. */
    void append(String tokenId, String tenant, String action, String target, String detail);

    /** The latest {@code limit} entries, newest first. */
    List<Entry> latest(int limit);
}
