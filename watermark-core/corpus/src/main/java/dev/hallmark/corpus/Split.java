package dev.hallmark.corpus;

import java.util.Locale;

/** How a plain-text corpus is cut into documents. */
public enum Split {
    /** Documents separated by blank lines. */
    BLANK,
    /** One document per non-blank line. */
    LINE;

    /** The name used in APIs ({@code blank}, {@code line}). */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
