package dev.hallmark.corpus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Deque;
import java.util.Locale;

/** JSON Lines: one object per non-blank line (plain records, or chat transcripts). */
final class JsonlReader extends RecordReader {

    static final ObjectMapper JSON = new ObjectMapper();

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
            throw CorpusException.at(CorpusException.Kind.MALFORMED, 0, line, "not valid JSON (" + e.getOriginalMessage()
                    + ")");
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
