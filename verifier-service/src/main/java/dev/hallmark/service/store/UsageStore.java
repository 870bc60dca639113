package dev.hallmark.service.store;

import java.time.LocalDate;
import java.util.List;
import java.util.function.Function;

/**
 * What each API token and tenant used per UTC day (texts tested and documents scanned, and their
 * tokens), for the analysts' daily query budget. Subjects are {@code token:<token id>} and
 * {@code tenant:<tenant>}. Kept in the store, so every instance on the same database charges the
 * same totals and a restart does not renew them. The policy (the limits, what a request costs)
 * stays with the caller: this interface only reads and adds atomically. Every call blocks.
 */
public interface UsageStore {

    /** A day's use. */
    record Totals(long documents, long tokens) {}

    /** The use of {@code subject} on {@code day} (zeros if none). */
    Totals get(String subject, LocalDate day);

    /**
     * Reads the use of every subject on {@code day} (zeros where there is none yet), applies
     * {@code decide} to them (in the order given), and adds the amounts it returns to every
     * subject, all in one transaction that holds the subjects' row locks: concurrent charges of one
     * subject, from any instance, run one after the other. {@code decide} may throw to add
     * nothing (the exception is rethrown), may run more than once (a retried transaction) and must
     * have no side effects. Totals never go below zero (negative amounts correct an estimate).
     */
    void update(List<String> subjects, LocalDate day, Function<List<Totals>, Totals> decide);
}
