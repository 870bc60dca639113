package dev.hallmark.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Streams the documents of an uploaded corpus without holding it in memory.
 *
 * <p>Stack: file -> byte counter (progress) -> gzip inflater with caps (if the file starts with the
 * gzip magic) -> strict UTF-8 decoder (malformed or unmappable input is an error, never replaced)
 * -> line reader with a line-length cap -> documents.
 * <ul>
 *   <li>JSONL: one JSON object per non-blank line; the caller's field holds the text (a string)
 *       or token ids (an array of integers). Other fields are ignored.
 *   <li>text: documents separated by blank lines ({@code split=blank}) or one per line ({@code split=line}).
 * </ul>
 * Every error is a {@link Problem} naming the line. Not thread-safe.
 */
public final class CorpusReader implements Closeable {

    public enum Format {
        JSONL, TEXT;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Split {
        BLANK, LINE;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One document: its index, first line number (1-based), and text or ids. */
    public record Doc(long index, long line, String text, int[] ids) {}

    /** Caps against oversized lines and decompression bombs. */
    public record Limits(long maxDecompressedBytes, double maxGzipRatio, int maxLineChars) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The ratio cap applies once this much has been inflated (small files of repetitive text
     * compress very well too): 16 MiB, or a quarter of the decompressed-size cap if smaller.
     */
    static final long RATIO_FLOOR_BYTES = 16L << 20;

    private final CountingStream raw;
    private final Reader reader;
    private final Format format;
    private final Split split;
    private final String field;
    private final int maxLineChars;
    private final boolean gzip;
    private final StringBuilder line = new StringBuilder();
    private final char[] buf = new char[1 << 15];
    private int pos;
    private int lim;
    private long lineNo;
    private long docIndex;
    private boolean eof;

    private CorpusReader(CountingStream raw, InputStream decoded, boolean gzip, Format format, Split split,
            String field, int maxLineChars) {
        this.raw = raw;
        this.gzip = gzip;
        this.reader = new StrictUtf8Reader(decoded);
        this.format = format;
        this.split = split;
        this.field = field;
        this.maxLineChars = maxLineChars;
    }

    public static CorpusReader open(Path file, Format format, Split split, String field, Limits limits)
            throws IOException {
        CountingStream raw = new CountingStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        boolean gz = b0 == 0x1f && b1 == 0x8b;
        InputStream in = raw;
        if (gz) {
            try {
                in = new CappedStream(new GZIPInputStream(raw, 1 << 16), raw, limits);
            } catch (ZipException e) {
                raw.close();
                throw Problem.invalid("the upload starts like gzip but is not valid gzip data: " + e.getMessage());
            }
        }
        return new CorpusReader(raw, new BufferedInputStream(in, 1 << 16), gz, format, split, field, limits.maxLineChars());
    }

    /** Whether the file was gzip-compressed. */
    public boolean gzip() {
        return gzip;
    }

    /** Compressed (as uploaded) bytes consumed so far. */
    public long bytesRead() {
        return raw.count;
    }

    /** The next document, or {@code null} at the end. */
    public Doc next() throws IOException {
        if (format == Format.JSONL || split == Split.LINE) {
            while (readLine()) {
                long at = lineNo;
                if (isBlank(line)) {
                    continue;
                }
                if (format == Format.TEXT) {
                    return new Doc(docIndex++, at, line.toString(), null);
                }
                return parseJsonLine(line.toString(), at);
            }
            return null;
        }
        // text, blank-line separated
        StringBuilder doc = new StringBuilder();
        long first = -1;
        while (readLine()) {
            if (isBlank(line)) {
                if (first >= 0) {
                    return new Doc(docIndex++, first, doc.toString(), null);
                }
                continue;
            }
            if (first < 0) {
                first = lineNo;
            } else {
                doc.append('\n');
            }
            if (doc.length() + line.length() > maxLineChars) {
                throw Problem.tooLarge("document starting at line " + first + " is longer than " + maxLineChars
                        + " characters");
            }
            doc.append(line);
        }
        return first >= 0 ? new Doc(docIndex++, first, doc.toString(), null) : null;
    }

    private Doc parseJsonLine(String s, long at) {
        JsonNode n;
        try {
            n = JSON.readTree(s);
        } catch (JsonProcessingException e) {
            throw Problem.malformedJson("line " + at + ": not valid JSON (" + e.getOriginalMessage() + ")")
                    .with("line", at);
        }
        if (n == null || !n.isObject()) {
            throw Problem.malformedJson("line " + at + ": expected a JSON object, got " + (n == null ? "nothing" : n.getNodeType().name().toLowerCase(Locale.ROOT)))
                    .with("line", at);
        }
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw Problem.invalid("line " + at + ": no field '" + field + "' (choose the field with ?field=...)")
                    .with("line", at);
        }
        if (v.isTextual()) {
            return new Doc(docIndex++, at, v.textValue(), null);
        }
        if (v.isArray()) {
            int[] ids = new int[v.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode e = v.get(i);
                if (!e.isInt() || e.intValue() < 0) {
                    throw Problem.invalid("line " + at + ": field '" + field + "' element " + i
                            + " is not a non-negative integer token id").with("line", at);
                }
                ids[i] = e.intValue();
            }
            return new Doc(docIndex++, at, null, ids);
        }
        throw Problem.invalid("line " + at + ": field '" + field + "' must be a string (text) or an array of token ids")
                .with("line", at);
    }

    private static boolean isBlank(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Reads one line into {@link #line} (without its terminator); false at end of input. */
    private boolean readLine() throws IOException {
        if (eof) {
            return false;
        }
        line.setLength(0);
        lineNo++;
        try {
            while (true) {
                if (pos == lim) {
                    int n = reader.read(buf, 0, buf.length);
                    if (n < 0) {
                        eof = true;
                        return line.length() > 0;
                    }
                    pos = 0;
                    lim = n;
                }
                int start = pos;
                while (pos < lim && buf[pos] != '\n') {
                    pos++;
                }
                if (line.length() + (pos - start) > maxLineChars) {
                    throw Problem.tooLarge("line " + lineNo + " is longer than " + maxLineChars + " characters")
                            .with("line", lineNo);
                }
                line.append(buf, start, pos - start);
                if (pos < lim) {
                    pos++; // the newline
                    int n = line.length();
                    if (n > 0 && line.charAt(n - 1) == '\r') {
                        line.setLength(n - 1);
                    }
                    return true;
                }
            }
        } catch (CharacterCodingException e) {
            throw Problem.invalidUtf8("line " + lineNo + ": the upload is not valid UTF-8 (" + e.getMessage() + ")")
                    .with("line", lineNo);
        } catch (ZipException | java.io.EOFException e) {
            throw Problem.invalid("corrupt or truncated gzip data near line " + lineNo + ": " + e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    /** Counts bytes read from the file (mark/reset aware). */
    static final class CountingStream extends FilterInputStream {
        long count;
        private long mark;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }

        @Override
        public synchronized void mark(int limit) {
            super.mark(limit);
            mark = count;
        }

        @Override
        public synchronized void reset() throws IOException {
            super.reset();
            count = mark;
        }
    }

    /** Stops inflation past the decompressed-size cap or the compression-ratio cap. */
    static final class CappedStream extends FilterInputStream {
        private final CountingStream compressed;
        private final Limits limits;
        private long inflated;

        CappedStream(InputStream in, CountingStream compressed, Limits limits) {
            super(in);
            this.compressed = compressed;
            this.limits = limits;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            int n = read(b, 0, 1);
            return n <= 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                inflated += n;
                if (inflated > limits.maxDecompressedBytes()) {
                    throw Problem.gzipBomb("the gzip upload inflates to more than " + limits.maxDecompressedBytes()
                            + " bytes (the decompressed-size limit)");
                }
                long floor = Math.min(RATIO_FLOOR_BYTES, limits.maxDecompressedBytes() / 4);
                if (inflated > floor && inflated > limits.maxGzipRatio() * Math.max(1, compressed.count)) {
                    throw Problem.gzipBomb(String.format(Locale.ROOT,
                            "the gzip upload inflates more than %.0f times (%d bytes from %d): refused as a decompression bomb",
                            limits.maxGzipRatio(), inflated, compressed.count));
                }
            }
            return n;
        }
    }
}
