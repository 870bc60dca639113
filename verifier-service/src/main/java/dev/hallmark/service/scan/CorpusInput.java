package dev.hallmark.service.scan;

import dev.hallmark.service.Problem;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
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
 * The lines of a corpus file, as the line-based readers see them: byte counting (progress),
 * gzip inflation with caps when the file starts with the gzip magic, strict UTF-8, and a cap on
 * the line length. Errors are problems naming the line.
 */
final class CorpusInput implements Closeable {

    /**
     * The ratio cap applies once this much has been inflated (small files of repetitive text
     * compress very well too): 16 MiB, or a quarter of the decompressed-size cap if smaller.
     */
    static final long RATIO_FLOOR_BYTES = 16L << 20;

    private final CountingStream raw;
    private final Reader reader;
    private final boolean gzip;
    private final int maxLineChars;
    private final StringBuilder line = new StringBuilder();
    private final char[] buf = new char[1 << 15];
    private int pos;
    private int lim;
    private long lineNo;
    private boolean eof;

    private CorpusInput(CountingStream raw, InputStream decoded, boolean gzip, int maxLineChars) {
        this.raw = raw;
        this.gzip = gzip;
        this.reader = new StrictUtf8Reader(decoded);
        this.maxLineChars = maxLineChars;
    }

    static CorpusInput open(Path file, CorpusReader.Limits limits) throws IOException {
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
        return new CorpusInput(raw, new BufferedInputStream(in, 1 << 16), gz, limits.maxLineChars());
    }

    boolean gzip() {
        return gzip;
    }

    long bytesRead() {
        return raw.count;
    }

    int maxLineChars() {
        return maxLineChars;
    }

    /** The line read last (without its terminator); valid until the next {@link #readLine()}. */
    StringBuilder line() {
        return line;
    }

    /** The 1-based number of the line read last. */
    long lineNo() {
        return lineNo;
    }

    /** Reads one line into {@link #line()}; false at end of input. */
    boolean readLine() throws IOException {
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
        } catch (ZipException | EOFException e) {
            throw Problem.invalid("corrupt or truncated gzip data near line " + lineNo + ": " + e.getMessage());
        }
    }

    static boolean isBlank(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
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
        private final CorpusReader.Limits limits;
        private long inflated;

        CappedStream(InputStream in, CountingStream compressed, CorpusReader.Limits limits) {
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
