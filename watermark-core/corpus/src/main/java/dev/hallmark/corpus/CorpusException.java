package dev.hallmark.corpus;

import java.io.IOException;

/**
 * A corpus that cannot be read as asked: the message names the problem and where it is (the line,
 * row or record), so a caller can pass it on as is. Reading stops at the first one: a corpus is
 * never half read.
 */
public final class CorpusException extends IOException {

    private static final long serialVersionUID = 1L;

    /** What kind of problem, for callers that map problems to their own error types. */
    public enum Kind {
        /** Not what the format says (bad JSON, a record of the wrong shape, a CSV row with the wrong number of columns). */
        MALFORMED,
        /** Bytes that are not UTF-8. */
        INVALID_UTF8,
        /** The field, column or turns to read are not in a record. */
        MISSING_FIELD,
        /** A chat record without an assistant turn. */
        NO_ASSISTANT_TURN,
        /** A chat turn whose role is not known ({@link Role#KNOWN}). */
        UNKNOWN_ROLE,
        /** A line, record or value over {@link Limits#maxRecordChars()}. */
        TOO_LARGE,
        /** Compressed data that inflates past the caps. */
        DECOMPRESSION_BOMB,
        /** Corrupt or truncated gzip or zstd data, or a corrupt Parquet file. */
        CORRUPT,
        /** A valid file this reader cannot read (a Parquet codec or feature it lacks, a compressed Parquet file). */
        UNSUPPORTED
    }

    private final Kind kind;
    private final long line;
    private final long record;

    CorpusException(Kind kind, String message, long record, long line) {
        super(message);
        this.kind = kind;
        this.line = line;
        this.record = record;
    }

    CorpusException(Kind kind, String message) {
        this(kind, message, 0, 0);
    }

    static CorpusException at(Kind kind, long record, long line, String what) {
        return new CorpusException(kind, Locations.of(record, line) + ": " + what, record, line);
    }

    public Kind kind() {
        return kind;
    }

    /** The 1-based line of the problem, or 0 if it has none (Parquet, or the file as a whole). */
    public long line() {
        return line;
    }

    /** The 1-based record or row of the problem, or 0 if it is not in one record. */
    public long record() {
        return record;
    }
}
