package dev.hallmark.detect;

/**
 * Decides whether position {@code t} of a text may be scored at all (before de-duplication),
 * e.g. the radioactivity test's served-data filter or a prompt filter. A filter must not depend
 * on the watermark key, or the p-values lose their validity.
 */
@FunctionalInterface
public interface PositionFilter {

    boolean accept(int[] ids, int t);

    /** Accepts every position. */
    PositionFilter ALL = (ids, t) -> true;
}
