package dev.hallmark.corpus;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;

/**
 * The lines of a corpus: strict UTF-8 (malformed input is an error, never replaced), a leading
 * byte-order mark dropped, a cap on the line length, and every error naming the line.
 */
final class LineInput implements Closeable {

    private final ByteInput bytes;
    private final Reader reader;
    private final int maxChars;
    private final StringBuilder line = new StringBuilder();
    private final char[] buf = new char[1 << 15];
    private int pos;
    private int lim;
    private long lineNo;
    private boolean eof;
    private boolean started;

    LineInput(ByteInput bytes, int maxChars) {
        this.bytes = bytes;
        this.reader = new StrictUtf8Reader(bytes.stream());
        this.maxChars = maxChars;
    }

    /** The line read last (without its terminator); valid until the next {@link #readLine()}. */
    StringBuilder line() {
        return line;
    }

    /** The 1-based number of the line read last. */
    long lineNo() {
        return lineNo;
    }

    int maxChars() {
        return maxChars;
    }

    ByteInput bytes() {
        return bytes;
    }

    /** Reads one line into {@link #line()}; false at the end of the input. */
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
                    if (!started) {
                        started = true;
                        if (buf[0] == '\uFEFF') {
                            pos = 1;
                        }
                    }
                }
                int start = pos;
                while (pos < lim && buf[pos] != '\n') {
                    pos++;
                }
                if (line.length() + (pos - start) > maxChars) {
                    throw CorpusException.at(CorpusException.Kind.TOO_LARGE, 0, lineNo,
                            "longer than " + maxChars + " characters");
                }
                line.append(buf, start, pos - start);
                if (pos < lim) {
                    pos++;
                    int n = line.length();
                    if (n > 0 && line.charAt(n - 1) == '\r') {
                        line.setLength(n - 1);
                    }
                    return true;
                }
            }
        } catch (CharacterCodingException e) {
            throw CorpusException.at(CorpusException.Kind.INVALID_UTF8, 0, lineNo,
                    "not valid UTF-8 (" + e.getMessage() + ")");
        } catch (CorpusException e) {
            throw near(e, lineNo);
        }
    }

    /** A corrupt-data error from the decompressor, with the line it was met at. */
    static CorpusException near(CorpusException e, long line) {
        if (e.kind() != CorpusException.Kind.CORRUPT || e.line() > 0) {
            return e;
        }
        return new CorpusException(CorpusException.Kind.CORRUPT, e.getMessage() + " (near line " + line + ")", 0, line);
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
}
