package dev.hallmark.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The turns of one chat record in one {@link ChatDialect}: which become documents (assistant turns
 * with text: the last, or all), and the prompt of each (the system, user and tool turns before it,
 * joined by newlines). A turn's content is a string, a list of parts of which the text parts count
 * ({@code {"type": "text", "text": ...}}, or plain strings), or null (an assistant turn that only
 * calls tools: counted, not a document).
 */
final class ChatTurns {

    /** An assistant turn picked as a document. */
    record Picked(int turn, String text, String prompt) {}

    private record Turn(Role role, String text) {}

    private final ChatDialect dialect;
    private final FieldPath path;

    private ChatTurns(ChatDialect dialect, FieldPath path) {
        this.dialect = dialect;
        this.path = path;
    }

    ChatDialect dialect() {
        return dialect;
    }

    /** The path of the turns array, or null for Alpaca. */
    FieldPath path() {
        return path;
    }

    /** The dialect whose shape {@code rec} has, or null. */
    static ChatDialect shape(JsonNode rec) {
        if (rec.path("messages").isArray()) {
            return ChatDialect.OPENAI;
        }
        if (rec.path("conversations").isArray()) {
            return ChatDialect.SHAREGPT;
        }
        if (rec.has("instruction") && rec.has("output")) {
            return ChatDialect.ALPACA;
        }
        return null;
    }

    static ChatTurns of(ChatDialect d) {
        return new ChatTurns(d, d.defaultField() == null ? null : FieldPath.of(d.defaultField()));
    }

    /** Turns at a given path; the dialect is read off the first turn's fields. */
    static ChatTurns at(FieldPath p, JsonNode turns, long record, long line) throws CorpusException {
        if (turns == null || !turns.isArray()) {
            throw CorpusException.at(CorpusException.Kind.MISSING_FIELD, record, line, "no array of chat turns at '"
                    + p + "'");
        }
        JsonNode first = turns.isEmpty() ? null : turns.get(0);
        ChatDialect d = first != null && first.has("from") ? ChatDialect.SHAREGPT : ChatDialect.OPENAI;
        return new ChatTurns(d, p);
    }

    /** The documents of {@code rec}, counting its turns by role into {@code tally}. */
    List<Picked> documents(JsonNode rec, long record, long line, Turns which, boolean prompts,
            CorpusCounts.Tally tally) throws CorpusException {
        List<Turn> turns = dialect == ChatDialect.ALPACA ? alpaca(rec, record, line) : turns(rec, record, line);
        boolean anyAssistant = false;
        int last = -1;
        for (int i = 0; i < turns.size(); i++) {
            Turn t = turns.get(i);
            tally.turns[t.role().ordinal()]++;
            if (t.role() == Role.ASSISTANT) {
                anyAssistant = true;
                if (t.text() != null && !t.text().isEmpty()) {
                    last = i;
                }
            }
        }
        if (!anyAssistant) {
            List<String> roles = new ArrayList<>();
            turns.forEach(t -> roles.add(t.role().text()));
            throw CorpusException.at(CorpusException.Kind.NO_ASSISTANT_TURN, record, line, "a chat record without an "
                    + "assistant turn (turns: " + (roles.isEmpty() ? "none" : String.join(", ", roles)) + ")");
        }
        List<Picked> out = new ArrayList<>();
        StringBuilder prompt = prompts ? new StringBuilder() : null;
        for (int i = 0; i < turns.size() && i <= last; i++) {
            Turn t = turns.get(i);
            if (t.role() != Role.ASSISTANT) {
                if (prompt != null && t.text() != null && !t.text().isEmpty()) {
                    if (prompt.length() > 0) {
                        prompt.append('\n');
                    }
                    prompt.append(t.text());
                }
                continue;
            }
            if (t.text() == null || t.text().isEmpty() || (which == Turns.LAST && i != last)) {
                continue;
            }
            out.add(new Picked(i, t.text(), prompt == null || prompt.length() == 0 ? null : prompt.toString()));
        }
        return out;
    }

    private List<Turn> turns(JsonNode rec, long record, long line) throws CorpusException {
        JsonNode arr = path.get(rec);
        if (arr == null || !arr.isArray()) {
            throw CorpusException.at(CorpusException.Kind.MISSING_FIELD, record, line, "no '" + path + "' array of "
                    + "chat turns (the first record was " + dialect.text() + ")");
        }
        List<Turn> out = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            JsonNode m = arr.get(i);
            if (!m.isObject()) {
                throw CorpusException.at(CorpusException.Kind.MALFORMED, record, line, "turn " + (i + 1) + " of '"
                        + path + "' is not an object");
            }
            JsonNode r = m.has("from") ? m.get("from") : m.get("role");
            JsonNode c = m.has("value") ? m.get("value") : m.get("content");
            String roleKey = m.has("from") ? "from" : "role";
            if (r == null || !r.isTextual()) {
                throw CorpusException.at(CorpusException.Kind.MALFORMED, record, line, "turn " + (i + 1)
                        + " has no '" + roleKey + "' (the speaker)");
            }
            Role role = Role.of(r.textValue());
            if (role == null) {
                throw CorpusException.at(CorpusException.Kind.UNKNOWN_ROLE, record, line, "turn " + (i + 1)
                        + " has role '" + clip(r.textValue()) + "', which is not known (known: " + Role.KNOWN + ")");
            }
            out.add(new Turn(role, content(c, i, record, line)));
        }
        return out;
    }

    private static String content(JsonNode c, int i, long record, long line) throws CorpusException {
        if (c == null || c.isNull()) {
            return null;
        }
        if (c.isTextual()) {
            return c.textValue();
        }
        if (c.isArray()) {
            StringBuilder b = new StringBuilder();
            for (JsonNode part : c) {
                String t = part.isTextual() ? part.textValue()
                        : part.isObject() && "text".equals(part.path("type").asText("text")) && part.path("text").isTextual()
                        ? part.get("text").textValue() : null;
                if (t != null) {
                    if (b.length() > 0) {
                        b.append('\n');
                    }
                    b.append(t);
                }
            }
            return b.toString();
        }
        throw CorpusException.at(CorpusException.Kind.MALFORMED, record, line, "turn " + (i + 1)
                + " has content that is neither a string nor a list of parts");
    }

    private static List<Turn> alpaca(JsonNode rec, long record, long line) throws CorpusException {
        JsonNode ins = rec.get("instruction");
        JsonNode out = rec.get("output");
        if (ins == null || !ins.isTextual()) {
            throw CorpusException.at(CorpusException.Kind.MISSING_FIELD, record, line,
                    "an Alpaca record needs 'instruction' (a string)");
        }
        List<Turn> turns = new ArrayList<>(3);
        JsonNode sys = rec.get("system");
        if (sys != null && sys.isTextual() && !sys.textValue().isEmpty()) {
            turns.add(new Turn(Role.SYSTEM, sys.textValue()));
        }
        JsonNode in = rec.get("input");
        String user = in != null && in.isTextual() && !in.textValue().isEmpty()
                ? ins.textValue() + "\n\n" + in.textValue() : ins.textValue();
        turns.add(new Turn(Role.USER, user));
        if (out != null && !out.isNull()) {
            if (!out.isTextual()) {
                throw CorpusException.at(CorpusException.Kind.MALFORMED, record, line, "'output' must be a string");
            }
            turns.add(new Turn(Role.ASSISTANT, out.textValue()));
        }
        return turns;
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
