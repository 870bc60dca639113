package dev.hallmark.service.scan;

import dev.hallmark.corpus.CorpusCounts;
import dev.hallmark.corpus.CorpusException;
import dev.hallmark.corpus.CorpusFormat;
import dev.hallmark.corpus.CorpusInfo;
import dev.hallmark.corpus.CorpusOptions;
import dev.hallmark.corpus.CorpusReader;
import dev.hallmark.corpus.Document;
import dev.hallmark.service.Problem;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A corpus as the scans read it: hallmark-corpus's {@link CorpusReader} (formats, detection,
 * compression, caps), with its errors turned into the service's problems, each naming the line
 * or row ({@code line} / {@code record} members). Not thread-safe.
 */
public final class ScanCorpus implements Closeable {

    /** The longest record (a JSONL line, a text document, a CSV row or Parquet value), in characters: 64 Mi. */
    public static final int MAX_DOCUMENT_CHARS = 64 << 20;

    private final CorpusReader reader;

    private ScanCorpus(CorpusReader reader) {
        this.reader = reader;
    }

    /**
     * Opens {@code file}.
     *
     * @throws Problem if the file cannot be read as asked
     */
    public static ScanCorpus open(Path file, CorpusOptions options) throws IOException {
        try {
            return new ScanCorpus(CorpusReader.open(file, options));
        } catch (CorpusException e) {
            throw problem(e, options.format());
        }
    }

    /** The next document, or null at the end. */
    public Document next() throws IOException {
        try {
            return reader.next();
        } catch (CorpusException e) {
            throw problem(e, reader.info().format());
        }
    }

    public CorpusInfo info() {
        return reader.info();
    }

    public CorpusCounts counts() {
        return reader.counts();
    }

    /** File bytes consumed (as stored, compressed). */
    public long bytesRead() {
        return reader.bytesRead();
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    /** The problem for a corpus error: the library's message is the detail. */
    static Problem problem(CorpusException e, CorpusFormat format) {
        String d = e.getMessage();
        boolean json = format == null || format == CorpusFormat.JSONL || format == CorpusFormat.CHAT;
        Problem p = switch (e.kind()) {
            case INVALID_UTF8 -> Problem.invalidUtf8(d);
            case TOO_LARGE -> Problem.tooLarge(d);
            case DECOMPRESSION_BOMB -> Problem.gzipBomb(d);
            case MALFORMED -> json && d.contains("JSON") ? Problem.malformedJson(d) : Problem.invalid(d);
            default -> Problem.invalid(d);
        };
        if (e.line() > 0) {
            p = p.with("line", e.line());
        }
        if (e.record() > 0) {
            p = p.with("record", e.record());
        }
        return p;
    }
}
