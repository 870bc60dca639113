package dev.hallmark.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * Turns records (JSONL objects, CSV rows, Parquet rows, all as JSON trees) into documents: either
 * one field per record ({@code text}, or token ids), or the assistant turns of a chat record with
 * the turns before each as its prompt ({@link ChatTurns}). Which of the two, and which field, is
 * settled on the first record and then required of every record.
 */
final class RecordDocs {

    /** Longest record id kept (longer ids are cut). */
    static final int MAX_ID_CHARS = 200;

    /** Fields tried, in order, when none is given. */
    static final List<String> DEFAULT_FIELDS = List.of("text", "completion");

    private final CorpusFormat format;
    private final String givenField;
    private final Turns turns;
    private final boolean prompts;
    private final CorpusCounts.Tally tally;
    private FieldPath field;
    private ChatTurns chat;
    private boolean settled;
    private long docIndex;

    RecordDocs(CorpusFormat format, String field, Turns turns, boolean prompts, CorpusCounts.Tally tally) {
        this.format = format;
        this.givenField = field;
        this.turns = turns;
        this.prompts = prompts;
        this.tally = tally;
    }

    /** The field or path the documents come from (after the first record), or null for Alpaca. */
    String field() {
        return chat != null ? chat.path() == null ? null : chat.path().text() : field == null ? givenField : field.text();
    }

    /** The chat dialect (after the first record), or null if the records are not chats. */
    ChatDialect chat() {
        return chat == null ? null : chat.dialect();
    }

    /** Whether the records are chats (known after the first record; for {@code format=chat} from the start). */
    boolean isChat() {
        return chat != null || (!settled && format == CorpusFormat.CHAT);
    }

    /**
     * Adds the documents of record {@code rec} to {@code out}.
     *
     * @param record 1-based record number
     * @param line 1-based first line, or 0 where there are no lines
     */
    void add(JsonNode rec, long record, long line, Deque<Document> out) throws CorpusException {
        tally.records++;
        if (!settled) {
            settle(rec, record, line);
            settled = true;
        }
        String id = recordId(rec.get("id"));
        if (chat != null) {
            for (ChatTurns.Picked p : chat.documents(rec, record, line, turns, prompts, tally)) {
                out.add(new Document(docIndex++, record, line, p.turn(), Role.ASSISTANT, id, p.text(), null, p.prompt(),
                        null));
                tally.documents++;
                tally.docTurns[Role.ASSISTANT.ordinal()]++;
            }
            return;
        }
        JsonNode v = field.get(rec);
        if (v == null) {
            throw CorpusException.at(CorpusException.Kind.MISSING_FIELD, record, line, "no field '" + field + "'");
        }
        String prompt = null;
        int[] promptIds = null;
        if (prompts) {
            JsonNode pi = rec.get("prompt_ids");
            if (pi != null && !pi.isNull()) {
                if (!pi.isArray()) {
                    throw CorpusException.at(CorpusException.Kind.MALFORMED, record, line,
                            "field 'prompt_ids' must be an array of token ids");
                }
                promptIds = ids(pi, "prompt_ids", record, line);
            } else {
                JsonNode pt = rec.get("prompt");
                if (pt != null && pt.isTextual()) {
                    prompt = pt.textValue();
                }
            }
        }
        Document d;
        if (v.isTextual()) {
            d = new Document(docIndex++, record, line, -1, null, id, v.textValue(), null, prompt, promptIds);
        } else if (v.isArray() && isIds(v)) {
            d = new Document(docIndex++, record, line, -1, null, id, null, ids(v, field.text(), record, line), prompt,
                    promptIds);
        } else {
            throw CorpusException.at(CorpusException.Kind.MALFORMED, record, line, "field '" + field
                    + "' must be a string (text) or an array of token ids");
        }
        out.add(d);
        tally.documents++;
    }

    /** Decides, on the first record, between one field and chat turns, and which field or dialect. */
    private void settle(JsonNode rec, long record, long line) throws CorpusException {
        if (givenField != null) {
            FieldPath p = path(givenField);
            JsonNode v = p.get(rec);
            if (format == CorpusFormat.CHAT || (v != null && v.isArray() && v.size() > 0 && v.get(0).isObject())) {
                chat = ChatTurns.at(p, v, record, line);
            } else {
                field = p;
            }
            return;
        }
        ChatDialect d = ChatTurns.shape(rec);
        if (format == CorpusFormat.CHAT) {
            if (d == null) {
                throw CorpusException.at(CorpusException.Kind.MISSING_FIELD, record, line, "not a chat record: no "
                        + "'messages' (OpenAI), 'conversations' (ShareGPT) or 'instruction' and 'output' (Alpaca); "
                        + "fields: " + fieldNames(rec));
            }
            chat = ChatTurns.of(d);
            return;
        }
        if (format != CorpusFormat.JSONL && d != null) {
            chat = ChatTurns.of(d);
            return;
        }
        for (String f : DEFAULT_FIELDS) {
            JsonNode v = rec.get(f);
            if (v != null && !v.isNull()) {
                field = FieldPath.of(f);
                return;
            }
        }
        if (d != null) {
            chat = ChatTurns.of(d);
            return;
        }
        throw CorpusException.at(CorpusException.Kind.MISSING_FIELD, record, line, "no field 'text' or 'completion' "
                + "and not a chat record; name the field that holds the documents (fields: " + fieldNames(rec) + ")");
    }

    private static FieldPath path(String f) throws CorpusException {
        try {
            return FieldPath.of(f);
        } catch (IllegalArgumentException e) {
            throw new CorpusException(CorpusException.Kind.MISSING_FIELD, e.getMessage());
        }
    }

    static String fieldNames(JsonNode rec) {
        TreeSet<String> names = new TreeSet<>();
        for (Iterator<String> it = rec.fieldNames(); it.hasNext() && names.size() < 40; ) {
            names.add(it.next());
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private static boolean isIds(JsonNode v) {
        return v.isEmpty() || v.get(0).isNumber();
    }

    static int[] ids(JsonNode v, String name, long record, long line) throws CorpusException {
        int[] ids = new int[v.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode e = v.get(i);
            if (!e.isInt() || e.intValue() < 0) {
                throw CorpusException.at(CorpusException.Kind.MALFORMED, record, line, "field '" + name + "' element "
                        + i + " is not a non-negative integer token id");
            }
            ids[i] = e.intValue();
        }
        return ids;
    }

    static String recordId(JsonNode id) {
        if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
            return null;
        }
        String s = id.asText();
        return s.length() > MAX_ID_CHARS ? s.substring(0, MAX_ID_CHARS) : s;
    }
}
