package dev.hallmark.corpus;

import java.util.Locale;

/** The compression around a corpus file, detected from its magic bytes. */
public enum Compression {
    NONE, GZIP, ZSTD;

    /** The name used in reports ({@code none}, {@code gzip}, {@code zstd}). */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
