package dev.hallmark.corpus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Deque;
import java.util.Locale;

/**
 * JSON Lines: one object per non-blank line (plain records, or chat transcripts). Strict: one value
 * per line and nothing after it, no field name given twice in an object (parsers that keep the
 * first or the last of two disagree about what a record says), no escaped lone surrogate
 * ({@code "\\ud800"} is valid JSON text but not a Unicode string: refused like invalid UTF-8), and
 * strings as long as the line cap allows (not Jackson's own 20 M characters).
 */
final class JsonlReader extends RecordReader {

    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final LineInput in;
    private long records;

    JsonlReader(LineInput in, CorpusFormat format, boolean detected, CorpusOptions o) {
        super(format, detected, o);
        this.in = in;
    }

    @Override
    boolean nextRecord(Deque<Document> out) throws IOException {
        while (in.readLine()) {
            if (LineInput.isBlank(in.line())) {
                continue;
            }
            long line = in.lineNo();
            add(parse(in.line().toString(), line), ++records, line, out);
            return true;
        }
        return false;
    }

    static JsonNode parse(String s, long line) throws CorpusException {
        JsonNode n;
        try {
            n = JSON.readTree(s);
        } catch (JsonProcessingException e) {
            String m = String.valueOf(e.getOriginalMessage());
            if (m.startsWith("Duplicate field")) {
                throw CorpusException.at(CorpusException.Kind.MALFORMED, 0, line, "d" + m.substring(1)
                        + " (a JSON object must give each field once)");
            }
            throw CorpusException.at(CorpusException.Kind.MALFORMED, 0, line, "not valid JSON (" + m + ")");
        }
        String lone = n == null ? null : LoneSurrogates.find(n);
        if (lone != null) {
            throw CorpusException.at(CorpusException.Kind.INVALID_UTF8, 0, line, "escapes a lone surrogate in " + lone
                    + ": not a Unicode string, refused like invalid UTF-8");
        }
        if (n == null || !n.isObject()) {
            throw CorpusException.at(CorpusException.Kind.MALFORMED, 0, line, "expected a JSON object, got "
                    + (n == null ? "nothing" : n.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        return n;
    }

    @Override
    Compression compression() {
        return in.bytes().compression();
    }

    @Override
    public long bytesRead() {
        return in.bytes().bytesRead();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
