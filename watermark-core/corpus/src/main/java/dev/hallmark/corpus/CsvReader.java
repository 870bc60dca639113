package dev.hallmark.corpus;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

/**
 * CSV (RFC 4180) or TSV (the same rules with tabs) with a header row, read by Commons CSV: each data
 * row is a record whose fields are the columns by name; a row with another number of columns than
 * the header is an error naming it. Empty lines are skipped.
 */
final class CsvReader extends RecordReader {

    private final ByteInput bytes;
    private final Budget budget;
    private final CSVParser parser;
    private final Iterator<CSVRecord> rows;
    private final List<String> header;
    private long lastLine;
    private long row;

    CsvReader(ByteInput bytes, CorpusFormat format, boolean detected, CorpusOptions o) throws IOException {
        super(format, detected, o);
        this.bytes = bytes;
        this.budget = new Budget(new StrictUtf8Reader(bytes.stream()), o.limits().maxRecordChars());
        CSVFormat f = CSVFormat.RFC4180.builder()
                .setDelimiter(format == CorpusFormat.TSV ? '\t' : ',')
                .setHeader().setSkipHeaderRecord(true)
                .setDuplicateHeaderMode(DuplicateHeaderMode.DISALLOW)
                .setAllowMissingColumnNames(false)
                .setIgnoreEmptyLines(true)
                .get();
        try {
            this.parser = CSVParser.builder().setReader(budget).setFormat(f).get();
        } catch (IllegalArgumentException e) {
            throw CorpusException.at(CorpusException.Kind.MALFORMED, 0, 1, "the header row is not usable: " + e.getMessage());
        } catch (IOException e) {
            throw translate(e, 1);
        }
        this.header = parser.getHeaderNames();
        if (header.isEmpty()) {
            throw new CorpusException(CorpusException.Kind.MALFORMED, "the " + format.text() + " file has no header row");
        }
        this.rows = parser.iterator();
        this.lastLine = parser.getCurrentLineNumber();
        budget.restart();
    }

    @Override
    boolean nextRecord(Deque<Document> out) throws IOException {
        CSVRecord r;
        try {
            if (!rows.hasNext()) {
                return false;
            }
            r = rows.next();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof org.apache.commons.csv.CSVException c) {
                throw CorpusException.at(CorpusException.Kind.MALFORMED, row + 1, lastLine + 1, "row " + (row + 1)
                        + " is not valid " + bytesFormat() + ": " + c.getMessage());
            }
            throw translate(e.getCause(), lastLine + 1);
        } catch (IllegalStateException e) {
            // Commons CSV reports an unterminated quoted field this way
            throw CorpusException.at(CorpusException.Kind.MALFORMED, row + 1, lastLine + 1, "row " + (row + 1)
                    + " is not valid " + bytesFormat() + ": " + rootMessage(e));
        }
        budget.restart();
        row++;
        long end = parser.getCurrentLineNumber();
        long start = Math.max(lastLine + 1, end - newlines(r));
        lastLine = end;
        if (r.size() != header.size()) {
            throw CorpusException.at(CorpusException.Kind.MALFORMED, row, start, "row " + row + " has " + r.size()
                    + " column" + (r.size() == 1 ? "" : "s") + ", the header has " + header.size());
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < header.size(); i++) {
            o.put(header.get(i), r.get(i));
        }
        add(o, row, start, out);
        return true;
    }

    private String bytesFormat() {
        return info().format() == CorpusFormat.TSV ? "TSV" : "CSV";
    }

    private static long newlines(CSVRecord r) {
        long n = 0;
        for (String v : r) {
            for (int i = 0; i < v.length(); i++) {
                if (v.charAt(i) == '\n') {
                    n++;
                }
            }
        }
        return n;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private static IOException translate(Throwable e, long line) {
        if (e instanceof CorpusException c) {
            return LineInput.near(c, line);
        }
        if (e instanceof org.apache.commons.csv.CSVException) {
            return CorpusException.at(CorpusException.Kind.MALFORMED, 0, line, "not valid CSV/TSV: " + e.getMessage());
        }
        if (e instanceof CharacterCodingException) {
            return CorpusException.at(CorpusException.Kind.INVALID_UTF8, 0, line, "not valid UTF-8 (near this line)");
        }
        if (e instanceof IOException io && io.getCause() != null && io.getCause() != io) {
            return translate(io.getCause(), line);
        }
        return e instanceof IOException io ? io : new IOException(e);
    }

    @Override
    Compression compression() {
        return bytes.compression();
    }

    @Override
    public long bytesRead() {
        return bytes.bytesRead();
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }

    /** Fails a record that runs past the character cap (a runaway quoted field), and drops a leading byte-order mark. */
    private static final class Budget extends FilterReader {
        private final long max;
        private long used;
        private boolean started;

        Budget(Reader in, int maxRecordChars) {
            super(in);
            // the parser reads ahead by up to a buffer
            this.max = (long) maxRecordChars + (1 << 16);
        }

        void restart() {
            used = 0;
        }

        @Override
        public int read() throws IOException {
            char[] c = new char[1];
            int n = read(c, 0, 1);
            return n <= 0 ? -1 : c[0];
        }

        @Override
        public int read(char[] cbuf, int off, int len) throws IOException {
            int n = in.read(cbuf, off, len);
            if (n > 0 && !started) {
                started = true;
                if (cbuf[off] == '\uFEFF') {
                    System.arraycopy(cbuf, off + 1, cbuf, off, n - 1);
                    n--;
                    if (n == 0) {
                        return read(cbuf, off, len);
                    }
                }
            }
            if (n > 0) {
                used += n;
                if (used > max) {
                    throw new CorpusException(CorpusException.Kind.TOO_LARGE, "a row is longer than " + (max - (1 << 16))
                            + " characters (an unterminated quoted field?)");
                }
            }
            return n;
        }
    }
}
