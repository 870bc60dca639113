package dev.hallmark.corpus;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The bytes of a corpus file as the record readers see them: counted as read from the file
 * (progress), and inflated when the file starts with the gzip or zstd magic, with caps on the
 * inflated size and ratio. Corrupt compressed data surfaces as a {@link CorpusException} of kind
 * {@code CORRUPT} without a line, to which the line readers add theirs.
 */
final class ByteInput implements Closeable {

    private static final int BUFFER = 1 << 16;

    private final CountingStream raw;
    private final InputStream decoded;
    private final Compression compression;

    private ByteInput(CountingStream raw, InputStream decoded, Compression compression) {
        this.raw = raw;
        this.decoded = decoded;
        this.compression = compression;
    }

    static ByteInput open(Path file, Limits limits) throws IOException {
        InputStream in = Files.newInputStream(file);
        CountingStream raw = new CountingStream(new BufferedInputStream(in, BUFFER));
        try {
            byte[] head = raw.peek(4);
            Compression c = compression(head);
            InputStream d = switch (c) {
                case NONE -> raw;
                case GZIP -> gzip(raw);
                case ZSTD -> new io.airlift.compress.zstd.ZstdInputStream(raw);
            };
            if (c != Compression.NONE) {
                d = new CappedStream(new Guarded(d, c), raw, limits, c);
            }
            return new ByteInput(raw, new BufferedInputStream(d, BUFFER), c);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static InputStream gzip(CountingStream raw) throws IOException {
        try {
            return new GZIPInputStream(raw, BUFFER);
        } catch (ZipException | EOFException e) {
            throw new CorpusException(CorpusException.Kind.CORRUPT,
                    "the file starts like gzip but is not valid gzip data: " + e.getMessage());
        }
    }

    /** The compression a file starting with {@code head} carries. */
    static Compression compression(byte[] head) {
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return Compression.GZIP;
        }
        if (head.length >= 4 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd
                && (head[0] & 0xff) == 0x28) {
            return Compression.ZSTD;
        }
        // a zstd skippable frame (0x184D2A50..5F, little-endian) may come first
        if (head.length >= 4 && (head[0] & 0xf0) == 0x50 && (head[1] & 0xff) == 0x2a && (head[2] & 0xff) == 0x4d
                && (head[3] & 0xff) == 0x18) {
            return Compression.ZSTD;
        }
        return Compression.NONE;
    }

    Compression compression() {
        return compression;
    }

    /** The decoded (inflated) bytes; mark/reset supported. */
    InputStream stream() {
        return decoded;
    }

    /** Bytes read from the file so far (compressed, as stored). */
    long bytesRead() {
        return raw.count;
    }

    @Override
    public void close() throws IOException {
        decoded.close();
    }

    /** Counts bytes read from the file. */
    static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        /** The next {@code n} bytes (fewer at the end), without consuming them. */
        byte[] peek(int n) throws IOException {
            in.mark(n);
            byte[] b = in.readNBytes(n);
            in.reset();
            return b;
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
        public boolean markSupported() {
            return false;
        }
    }

    /** Turns the decompressors' own failures (some unchecked) into {@link CorpusException}s of kind {@code CORRUPT}. */
    private static final class Guarded extends FilterInputStream {
        private final Compression c;

        Guarded(InputStream in, Compression c) {
            super(in);
            this.c = c;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            int n = read(b, 0, 1);
            return n <= 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (CorpusException e) {
                throw e;
            } catch (ZipException | EOFException e) {
                throw new CorpusException(CorpusException.Kind.CORRUPT, "corrupt or truncated " + c.text() + " data: "
                        + e.getMessage());
            } catch (IOException | RuntimeException e) {
                if (c == Compression.ZSTD) {
                    throw new CorpusException(CorpusException.Kind.CORRUPT, "corrupt or truncated zstd data: "
                            + e.getMessage());
                }
                throw e;
            }
        }
    }

    /** Stops inflation past the decompressed-size cap or the compression-ratio cap. */
    static final class CappedStream extends FilterInputStream {
        private final CountingStream compressed;
        private final Limits limits;
        private final Compression c;
        private long inflated;

        CappedStream(InputStream in, CountingStream compressed, Limits limits, Compression c) {
            super(in);
            this.compressed = compressed;
            this.limits = limits;
            this.c = c;
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
                    throw new CorpusException(CorpusException.Kind.DECOMPRESSION_BOMB, "the " + c.text()
                            + " file inflates to more than " + limits.maxDecompressedBytes()
                            + " bytes (the decompressed-size limit)");
                }
                long floor = Math.min(Limits.RATIO_FLOOR_BYTES, limits.maxDecompressedBytes() / 4);
                if (inflated > floor && inflated > limits.maxCompressionRatio() * Math.max(1, compressed.count)) {
                    throw new CorpusException(CorpusException.Kind.DECOMPRESSION_BOMB, String.format(Locale.ROOT,
                            "the %s file inflates more than %.0f times (%d bytes from %d): refused as a decompression bomb",
                            c.text(), limits.maxCompressionRatio(), inflated, compressed.count));
                }
            }
            return n;
        }
    }
}
