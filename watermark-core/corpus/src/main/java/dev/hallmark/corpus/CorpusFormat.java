package dev.hallmark.corpus;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a corpus is written; {@link CorpusReader#open} detects it from the content unless told. */
public enum CorpusFormat {
    /** JSON Lines: one object per line; the document is a (nested) field holding text or token ids. */
    JSONL,
    /** JSON Lines of chat transcripts: OpenAI {@code messages}, ShareGPT {@code conversations}, or Alpaca. */
    CHAT,
    /** Comma-separated values with a header row; the document is a column chosen by name. */
    CSV,
    /** Tab-separated values with a header row. */
    TSV,
    /** Apache Parquet: a text (or token-id) column, or a list-of-struct messages column. */
    PARQUET,
    /** Plain text: documents separated by blank lines, or one per line ({@link Split}). */
    TEXT;

    /** The name used in APIs and on the command line ({@code jsonl}, {@code chat}, ...). */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The format named {@code s} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the known formats
     */
    public static CorpusFormat parse(String s) {
        for (CorpusFormat f : values()) {
            if (f.text().equalsIgnoreCase(s.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown corpus format '" + s + "'; known: " + names());
    }

    /** The known formats, comma-separated. */
    public static String names() {
        return Arrays.stream(values()).map(CorpusFormat::text).collect(Collectors.joining(", "));
    }
}
