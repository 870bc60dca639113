package dev.hallmark.service.store;

import java.time.LocalDate;

/**
 * What each API token and tenant used per UTC day (texts and scanned documents, and their tokens),
 * for the analysts' daily query budget. Subjects are {@code token:<token id>} and
 * {@code tenant:<tenant>}. Every call blocks.
 */
public interface UsageStore {

    /** A day's use. */
    record Totals(long documents, long tokens) {}

    /** The use of {@code subject} on {@code day} (zeros if none). */
    Totals get(String subject, LocalDate day);

    /** Adds to the use of {@code subject} on {@code day} (negative amounts correct an estimate; totals stay >= 0). */
    void add(String subject, LocalDate day, long documents, long tokens);
}
