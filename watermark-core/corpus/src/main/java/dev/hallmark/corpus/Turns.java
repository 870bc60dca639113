package dev.hallmark.corpus;

import java.util.Locale;

/** Which assistant turns of a chat transcript are documents. */
public enum Turns {
    /** The last assistant turn that has text. */
    LAST,
    /** Every assistant turn that has text. */
    ALL;

    /** The name used in APIs ({@code last}, {@code all}). */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
