package dev.hallmark.tools.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * How chat messages become a prompt for a plain (non-chat) language model such as the default
 * LM. The rendering is plain text, one block per message, separated by blank lines:
 * <pre>
 *   {system or developer content}          (as it is, no label)
 *
 *   User: {user content}
 *
 *   Assistant: {assistant content}
 *
 *   ...
 *   Assistant:
 * </pre>
 * and the model continues after the final {@code "Assistant:"}. The reply's leading whitespace is
 * dropped, and {@link #STOPS} end it where the model starts the next user turn. Array contents
 * ({@code [{"type": "text", "text": ...}]}) are joined; other part types are rejected.
 */
final class ChatTemplate {

    /** Stop strings added to every chat request. */
    static final List<String> STOPS = List.of("\nUser:");

    private ChatTemplate() {
    }

    /** Renders {@code messages} (already checked by {@link #check}). */
    static String render(JsonNode messages) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode m : messages) {
            String role = m.get("role").asText();
            String content = content(m.get("content"));
            switch (role) {
                case "system", "developer" -> sb.append(content);
                case "user" -> sb.append("User: ").append(content);
                default -> sb.append("Assistant: ").append(content);
            }
            sb.append("\n\n");
        }
        sb.append("Assistant:");
        return sb.toString();
    }

    /** Validates the messages array, naming the offending element. */
    static void check(JsonNode messages) {
        if (messages == null || messages.isNull()) {
            throw ApiError.badField("messages", "you must provide a messages parameter");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw ApiError.badField("messages", "messages must be a non-empty array of {\"role\", \"content\"} objects");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) {
                throw ApiError.badField(where, where + " must be an object with role and content");
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) {
                throw ApiError.badField(where + ".role", where + ".role must be a string");
            }
            switch (role.asText()) {
                case "system", "developer", "user", "assistant" -> { }
                default -> throw ApiError.badField(where + ".role", where + ".role must be system, developer, user "
                        + "or assistant, got '" + role.asText() + "'");
            }
            JsonNode c = m.get("content");
            if (c == null || !(c.isTextual() || c.isArray())) {
                throw ApiError.badField(where + ".content", where + ".content must be a string or an array of text parts");
            }
            if (c.isArray()) {
                for (JsonNode part : c) {
                    if (!part.isObject() || !"text".equals(part.path("type").asText())
                            || !part.path("text").isTextual()) {
                        throw ApiError.badField(where + ".content", where
                                + ".content parts must be {\"type\": \"text\", \"text\": ...}: this model reads text only");
                    }
                }
            }
            m.fieldNames().forEachRemaining(f -> {
                if (!f.equals("role") && !f.equals("content") && !f.equals("name")) {
                    throw ApiError.badField(where + "." + f, "Unrecognized field in " + where + ": " + f);
                }
            });
        }
    }

    private static String content(JsonNode c) {
        if (c.isTextual()) {
            return c.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : c) {
            sb.append(part.get("text").asText());
        }
        return sb.toString();
    }
}
