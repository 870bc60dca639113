package dev.hallmark.corpus;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Streams the documents of a corpus file with bounded memory (one record, or one Parquet page per
 * column read, at a time). Not thread-safe.
 *
 * <p><b>Formats</b> ({@link CorpusFormat}), detected from the content unless given:
 * <ul>
 *   <li>the compression from the magic bytes (gzip, zstd), inflated with caps ({@link Limits});
 *   <li>Parquet from its {@code PAR1} magic;
 *   <li>JSON Lines when the first non-blank line starts with <code>{</code>: chat transcripts
 *       ({@link CorpusFormat#CHAT}) when the first record has {@code messages} (OpenAI),
 *       {@code conversations} (ShareGPT) or {@code instruction} and {@code output} (Alpaca), else
 *       JSONL with a field;
 *   <li>TSV or CSV when the first line is a header of two or more column names separated by tabs
 *       or commas; otherwise plain text.
 * </ul>
 * <p><b>Documents.</b> With a field (a dotted path in JSON, a column in CSV/TSV and Parquet;
 * default {@code text}, else {@code completion}), one per record: text, or an array of token ids.
 * In chat records, the assistant turns ({@link Turns}); each one's prompt is the system, user and
 * tool turns before it. A record's {@code id} is kept.
 *
 * <p><b>Errors</b> are {@link CorpusException}s naming the line (or row) and the problem; reading
 * stops there.
 */
public interface CorpusReader extends Closeable {

    /**
     * Opens {@code file}, detecting what {@code options} leave open.
     *
     * @throws CorpusException if the file cannot be read as asked (its first record already shows it)
     */
    static CorpusReader open(Path file, CorpusOptions options) throws IOException {
        return Readers.open(file, options);
    }

    /** The next document, or {@code null} at the end of the corpus. */
    Document next() throws IOException;

    /** The format, compression, field and chat dialect; the field and dialect are known after the first {@link #next()}. */
    CorpusInfo info();

    /** What was read so far. */
    CorpusCounts counts();

    /** Bytes of the file consumed so far (as stored, i.e. compressed): for progress against the file size. */
    long bytesRead();
}
