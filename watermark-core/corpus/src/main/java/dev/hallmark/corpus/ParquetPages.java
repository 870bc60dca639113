package dev.hallmark.corpus;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.Util;

/**
 * The pages of one row group's projected column chunks, read from the file on demand: each column
 * holds one decompressed page at a time, so memory is bounded by the page size, not the row group.
 * Codecs: uncompressed, snappy, gzip, zstd and lz4_raw (aircompressor and the JDK: pure Java).
 */
final class ParquetPages implements PageReadStore {

    private final long rows;
    private final Map<ColumnDescriptor, ColumnMetaData> chunks;
    private final FileChannel file;
    private final int maxPageBytes;

    /**
     * @param chunks the projected columns of the row group and their chunk metadata
     * @param maxPageBytes the largest page (compressed or not) accepted
     */
    ParquetPages(FileChannel file, long rows, Map<ColumnDescriptor, ColumnMetaData> chunks, int maxPageBytes) {
        this.file = file;
        this.rows = rows;
        this.chunks = chunks;
        this.maxPageBytes = maxPageBytes;
    }

    @Override
    public PageReader getPageReader(ColumnDescriptor d) {
        ColumnMetaData m = chunks.get(d);
        if (m == null) {
            throw new IllegalStateException("column " + String.join(".", d.getPath()) + " was not projected");
        }
        try {
            return new Chunk(d, m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long getRowCount() {
        return rows;
    }

    /** The pages of one column chunk. */
    private final class Chunk implements PageReader {
        private final ColumnDescriptor column;
        private final ColumnMetaData meta;
        private final String name;
        private final Positional in;
        private final long end;
        private long values;
        private DictionaryPage dictionary;
        private DataPage first;

        Chunk(ColumnDescriptor column, ColumnMetaData meta) throws IOException {
            this.column = column;
            this.meta = meta;
            this.name = String.join(".", column.getPath());
            long start = meta.getData_page_offset();
            if (meta.isSetDictionary_page_offset() && meta.getDictionary_page_offset() > 0
                    && meta.getDictionary_page_offset() < start) {
                start = meta.getDictionary_page_offset();
            }
            this.end = start + meta.getTotal_compressed_size();
            if (start < 4 || end > file.size()) {
                throw corrupt("its column chunk lies outside the file");
            }
            this.in = new Positional(file, start, end);
            Object p = nextPage();
            if (p instanceof DictionaryPage dp) {
                dictionary = dp;
            } else {
                first = (DataPage) p;
            }
        }

        @Override
        public DictionaryPage readDictionaryPage() {
            return dictionary;
        }

        @Override
        public long getTotalValueCount() {
            return meta.getNum_values();
        }

        @Override
        public DataPage readPage() {
            if (first != null) {
                DataPage p = first;
                first = null;
                return p;
            }
            try {
                Object p = nextPage();
                if (p instanceof DictionaryPage) {
                    throw corrupt("it has a second dictionary page");
                }
                return (DataPage) p;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The next dictionary or data page (index pages are skipped); null once every value was read. */
        private Object nextPage() throws IOException {
            while (values < meta.getNum_values()) {
                if (in.position() >= end) {
                    throw corrupt("its pages end before all " + meta.getNum_values() + " values");
                }
                PageHeader h;
                try {
                    h = Util.readPageHeader(in);
                } catch (IOException e) {
                    throw corrupt("a page header is unreadable (" + e.getMessage() + ")");
                }
                int size = h.getCompressed_page_size();
                if (size < 0 || size > maxPageBytes || h.getUncompressed_page_size() < 0
                        || h.getUncompressed_page_size() > maxPageBytes) {
                    throw new CorpusException(CorpusException.Kind.TOO_LARGE, "Parquet column '" + name + "' has a page of "
                            + Math.max(size, h.getUncompressed_page_size()) + " bytes; the limit is " + maxPageBytes);
                }
                byte[] raw = in.readBytes(size);
                switch (h.getType()) {
                    case DICTIONARY_PAGE -> {
                        var dh = h.getDictionary_page_header();
                        byte[] b = decompress(raw, h.getUncompressed_page_size());
                        Encoding enc = encoding(dh.getEncoding().name());
                        // a dictionary page's PLAIN is the dictionary encoding (PLAIN_DICTIONARY is its old name)
                        return new DictionaryPage(BytesInput.from(b), dh.getNum_values(),
                                enc == Encoding.PLAIN ? Encoding.PLAIN_DICTIONARY : enc);
                    }
                    case DATA_PAGE -> {
                        DataPageHeader dh = h.getData_page_header();
                        byte[] b = decompress(raw, h.getUncompressed_page_size());
                        values += dh.getNum_values();
                        return new DataPageV1(BytesInput.from(b), dh.getNum_values(), b.length, stats(),
                                encoding(dh.getRepetition_level_encoding().name()),
                                encoding(dh.getDefinition_level_encoding().name()), encoding(dh.getEncoding().name()));
                    }
                    case DATA_PAGE_V2 -> {
                        DataPageHeaderV2 dh = h.getData_page_header_v2();
                        int rl = dh.getRepetition_levels_byte_length();
                        int dl = dh.getDefinition_levels_byte_length();
                        if (rl < 0 || dl < 0 || rl + dl > raw.length) {
                            throw corrupt("a v2 page's level lengths exceed the page");
                        }
                        byte[] data = java.util.Arrays.copyOfRange(raw, rl + dl, raw.length);
                        boolean compressed = !dh.isSetIs_compressed() || dh.isIs_compressed();
                        if (compressed) {
                            data = decompress(data, h.getUncompressed_page_size() - rl - dl);
                        }
                        values += dh.getNum_values();
                        return DataPageV2.uncompressed(dh.getNum_rows(), dh.getNum_nulls(), dh.getNum_values(),
                                BytesInput.from(raw, 0, rl), BytesInput.from(raw, rl, dl),
                                encoding(dh.getEncoding().name()), BytesInput.from(data), stats());
                    }
                    default -> {
                        // index pages carry no values
                    }
                }
            }
            return null;
        }

        /**
         * No page statistics: the reader does not filter on them, and building them would initialise
         * parquet-column's value printers, which load the geometry library (left out of the dependencies).
         */
        private Statistics<?> stats() {
            return null;
        }

        private Encoding encoding(String thrift) throws CorpusException {
            try {
                return Encoding.valueOf(thrift);
            } catch (IllegalArgumentException e) {
                throw new CorpusException(CorpusException.Kind.UNSUPPORTED, "Parquet column '" + name + "' uses encoding "
                        + thrift + ", which this reader cannot decode");
            }
        }

        private byte[] decompress(byte[] in, int size) throws IOException {
            CompressionCodec c = meta.getCodec();
            if (size < 0 || size > maxPageBytes) {
                throw corrupt("a page claims " + size + " bytes uncompressed");
            }
            try {
                byte[] out = new byte[size];
                int n = switch (c) {
                    case UNCOMPRESSED -> {
                        if (in.length != size) {
                            throw corrupt("an uncompressed page's sizes disagree");
                        }
                        yield size;
                    }
                    case SNAPPY -> new io.airlift.compress.snappy.SnappyDecompressor().decompress(in, 0, in.length, out, 0, size);
                    case ZSTD -> new io.airlift.compress.zstd.ZstdDecompressor().decompress(in, 0, in.length, out, 0, size);
                    case LZ4_RAW -> new io.airlift.compress.lz4.Lz4Decompressor().decompress(in, 0, in.length, out, 0, size);
                    case GZIP -> {
                        try (InputStream g = new GZIPInputStream(new ByteArrayInputStream(in))) {
                            yield g.readNBytes(out, 0, size);
                        }
                    }
                    default -> throw new CorpusException(CorpusException.Kind.UNSUPPORTED, "Parquet column '" + name
                            + "' is compressed with " + c.name().toLowerCase(Locale.ROOT) + ", which this reader cannot "
                            + "read (it reads uncompressed, snappy, gzip, zstd and lz4_raw)");
                };
                if (c == CompressionCodec.UNCOMPRESSED) {
                    return in;
                }
                if (n != size) {
                    throw corrupt("a page inflates to " + n + " bytes, not the " + size + " its header says");
                }
                return out;
            } catch (CorpusException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw corrupt("a " + c.name().toLowerCase(Locale.ROOT) + " page is corrupt (" + e.getMessage() + ")");
            }
        }

        private CorpusException corrupt(String what) {
            return new CorpusException(CorpusException.Kind.CORRUPT, "Parquet column '" + name + "' is corrupt: " + what);
        }
    }

    /** Reads a byte range of the file through a small buffer, tracking the logical position. */
    static final class Positional extends InputStream {
        private final FileChannel ch;
        private final long end;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 14).flip();
        private long bufStart;

        Positional(FileChannel ch, long start, long end) {
            this.ch = ch;
            this.end = end;
            this.bufStart = start;
        }

        long position() {
            return bufStart + buf.position();
        }

        private boolean fill() throws IOException {
            long pos = position();
            if (pos >= end) {
                return false;
            }
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), end - pos));
            int n = 0;
            while (buf.hasRemaining()) {
                int r = ch.read(buf, pos + n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
            buf.flip();
            bufStart = pos;
            return n > 0;
        }

        @Override
        public int read() throws IOException {
            if (!buf.hasRemaining() && !fill()) {
                return -1;
            }
            return buf.get() & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!buf.hasRemaining() && !fill()) {
                return -1;
            }
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }

        byte[] readBytes(int n) throws IOException {
            byte[] out = new byte[n];
            int got = 0;
            while (got < n) {
                int r = read(out, got, n - got);
                if (r < 0) {
                    throw new EOFException("the column chunk ends inside a page");
                }
                got += r;
            }
            return out;
        }
    }
}
