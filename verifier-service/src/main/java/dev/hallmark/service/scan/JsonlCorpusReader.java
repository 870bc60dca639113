package dev.hallmark.service.scan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.service.Problem;
import java.io.IOException;
import java.util.Locale;

/**
 * JSONL: one JSON object per non-blank line ({@link StrictJson}: no duplicate fields, no escaped
 * lone surrogates); the caller's field holds the text (a string) or token ids (an array of integers). Also kept: the record's {@code id}, and with {@link #withPrompts()}
 * its {@code prompt_ids} or {@code prompt}. Other fields are ignored.
 */
final class JsonlCorpusReader implements CorpusReader {

    /** Longest record id kept (longer ids are cut). */
    static final int MAX_DOC_ID_CHARS = 200;

    private final CorpusInput in;
    private final String field;
    private long docIndex;
    private boolean prompts;

    JsonlCorpusReader(CorpusInput in, String field) {
        this.in = in;
        this.field = field;
    }

    @Override
    public CorpusReader withPrompts() {
        this.prompts = true;
        return this;
    }

    @Override
    public boolean gzip() {
        return in.gzip();
    }

    @Override
    public long bytesRead() {
        return in.bytesRead();
    }

    @Override
    public Doc next() throws IOException {
        while (in.readLine()) {
            if (CorpusInput.isBlank(in.line())) {
                continue;
            }
            return parse(in.line().toString(), in.lineNo());
        }
        return null;
    }

    private Doc parse(String s, long at) {
        JsonNode n;
        try {
            n = StrictJson.mapper().readTree(s);
        } catch (JsonProcessingException e) {
            if (StrictJson.duplicateField(e)) {
                throw Problem.malformedJson("line " + at + ": " + e.getOriginalMessage().replace("Duplicate field",
                        "duplicate field") + "; give each field once").with("line", at);
            }
            throw Problem.malformedJson("line " + at + ": not valid JSON (" + e.getOriginalMessage() + ")")
                    .with("line", at);
        }
        String lone = n == null ? null : StrictJson.loneSurrogate(n);
        if (lone != null) {
            throw Problem.invalidUtf8("line " + at + ": escapes a lone surrogate in " + lone + ": not a Unicode string, "
                    + "refused like invalid UTF-8").with("line", at);
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
        String docId = docId(n.get("id"));
        String prompt = null;
        int[] promptIds = null;
        JsonNode pi = prompts ? n.get("prompt_ids") : null;
        if (pi != null && !pi.isNull()) {
            if (!pi.isArray()) {
                throw Problem.invalid("line " + at + ": field 'prompt_ids' must be an array of token ids").with("line", at);
            }
            promptIds = ids(pi, "prompt_ids", at);
        } else {
            JsonNode pt = prompts ? n.get("prompt") : null;
            if (pt != null && pt.isTextual()) {
                prompt = pt.textValue();
            }
        }
        if (v.isTextual()) {
            return new Doc(docIndex++, at, v.textValue(), null, docId, prompt, promptIds);
        }
        if (v.isArray()) {
            return new Doc(docIndex++, at, null, ids(v, field, at), docId, prompt, promptIds);
        }
        throw Problem.invalid("line " + at + ": field '" + field + "' must be a string (text) or an array of token ids")
                .with("line", at);
    }

    private static int[] ids(JsonNode v, String name, long at) {
        int[] ids = new int[v.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode e = v.get(i);
            if (!e.isInt() || e.intValue() < 0) {
                throw Problem.invalid("line " + at + ": field '" + name + "' element " + i
                        + " is not a non-negative integer token id").with("line", at);
            }
            ids[i] = e.intValue();
        }
        return ids;
    }

    private static String docId(JsonNode id) {
        if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
            return null;
        }
        String s = id.asText();
        return s.length() > MAX_DOC_ID_CHARS ? s.substring(0, MAX_DOC_ID_CHARS) : s;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
