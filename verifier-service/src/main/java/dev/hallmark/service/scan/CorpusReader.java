package dev.hallmark.service.scan;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Streams the documents of an uploaded corpus without holding it in memory. One implementation
 * per {@link Format}; {@link #open} picks it. The line-based formats share {@code CorpusInput}:
 * file -> byte counter (progress) -> gzip inflater with caps (if the file starts with the gzip
 * magic) -> strict UTF-8 decoder (malformed or unmappable input is an error, never replaced) ->
 * lines with a length cap.
 * <ul>
 *   <li>JSONL: one JSON object per non-blank line; the caller's field holds the text (a string)
 *       or token ids (an array of integers). Other fields are ignored.
 *   <li>text: documents separated by blank lines ({@code split=blank}) or one per line ({@code split=line}).
 * </ul>
 * Every error is a {@link dev.hallmark.service.Problem} naming the line. Not thread-safe.
 */
public interface CorpusReader extends Closeable {

    /** The longest document (a JSONL line's text, or a text document), in characters: 64 Mi. */
    int MAX_DOCUMENT_CHARS = 64 << 20;

    /** The corpus formats, as named in the API ({@link #text()}). */
    enum Format {
        JSONL, TEXT;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How a text corpus is cut into documents. */
    enum Split {
        BLANK, LINE;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One document: its index, first line number (1-based), and text or ids; for JSONL also the
     * record's {@code id} (a string or number, else null) and its prompt, when the record carries
     * {@code prompt_ids} (token ids) or {@code prompt} (text): what a radioactivity scan excludes.
     */
    record Doc(long index, long line, String text, int[] ids, String docId, String prompt, int[] promptIds) {

        Doc(long index, long line, String text) {
            this(index, line, text, null, null, null, null);
        }
    }

    /** Caps against oversized lines and decompression bombs. */
    record Limits(long maxDecompressedBytes, double maxGzipRatio, int maxLineChars) {}

    /**
     * Opens {@code file} as a corpus of {@code format}.
     *
     * @param split how text is cut into documents (text only)
     * @param field the JSON field holding each document (JSONL only)
     * @throws dev.hallmark.service.Problem if the file starts like gzip but is not gzip
     */
    static CorpusReader open(Path file, Format format, Split split, String field, Limits limits) throws IOException {
        CorpusInput in = CorpusInput.open(file, limits);
        return switch (format) {
            case JSONL -> new JsonlCorpusReader(in, field);
            case TEXT -> new TextCorpusReader(in, split);
        };
    }

    /**
     * Also reads each record's prompt ({@code prompt_ids}, else {@code prompt}) where the format
     * has records (JSONL); a {@code prompt_ids} that is not an array of token ids is then an error.
     */
    default CorpusReader withPrompts() {
        return this;
    }

    /** Whether the file was gzip-compressed. */
    boolean gzip();

    /** Compressed (as uploaded) bytes consumed so far. */
    long bytesRead();

    /** The next document, or {@code null} at the end. */
    Doc next() throws IOException;
}
