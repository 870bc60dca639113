package dev.hallmark.service.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.service.Problem;
import dev.hallmark.service.scan.StrictJson;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Strict parsing of JSON request bodies: the media type must be JSON, the bytes valid UTF-8 (never
 * silently replaced; an escaped lone surrogate is refused the same way), the text one JSON object
 * with no field given twice ({@link StrictJson}), and every field known. Typed accessors fail with
 * a problem naming the field.
 */
final class JsonBody {

    private final JsonNode root;

    private JsonBody(JsonNode root) {
        this.root = root;
    }

    static JsonBody parse(String contentType, Buffer body, Set<String> allowed) {
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).split(";")[0].trim();
        if (!ct.equals("application/json") && !(ct.startsWith("application/") && ct.endsWith("+json"))) {
            throw Problem.unsupportedMediaType("request bodies must be application/json, got "
                    + (ct.isEmpty() ? "no Content-Type" : "'" + ct + "'"));
        }
        if (body == null || body.length() == 0) {
            throw Problem.malformedJson("the request body is empty; expected a JSON object");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body.getBytes())).toString();
        } catch (CharacterCodingException e) {
            throw Problem.invalidUtf8("the request body is not valid UTF-8 (" + e.getMessage() + ")");
        }
        JsonNode n;
        try {
            n = StrictJson.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")" : "";
            if (StrictJson.duplicateField(e)) {
                throw Problem.malformedJson("the request body gives a field twice: " + e.getOriginalMessage()
                        .replace("Duplicate field", "duplicate field") + at + "; give each field once");
            }
            throw Problem.malformedJson("the request body is not valid JSON: " + e.getOriginalMessage() + at);
        }
        String lone = n == null ? null : StrictJson.loneSurrogate(n);
        if (lone != null) {
            throw Problem.invalidUtf8("the request body escapes a lone surrogate in " + lone + ": not a Unicode "
                    + "string, refused like invalid UTF-8");
        }
        if (n == null || !n.isObject()) {
            throw Problem.malformedJson("expected a JSON object, got " + (n == null ? "nothing"
                    : n.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!allowed.contains(f)) {
                unknown.add(f);
            }
        }
        if (!unknown.isEmpty()) {
            throw Problem.unknownField("unknown field" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown.stream().map(s -> "'" + s + "'").toList())
                    + "; allowed: " + String.join(", ", allowed.stream().sorted().toList()))
                    .with("fields", unknown);
        }
        return new JsonBody(n);
    }

    /** Whether the body names {@code f} at all (also as null). */
    boolean present(String f) {
        return root.has(f);
    }

    boolean has(String f) {
        JsonNode v = root.get(f);
        return v != null && !v.isNull();
    }

    JsonNode node(String f) {
        return root.get(f);
    }

    String string(String f, String dflt) {
        JsonNode v = root.get(f);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw Problem.invalid("'" + f + "' must be a string");
        }
        return v.textValue();
    }

    double number(String f, double dflt) {
        JsonNode v = root.get(f);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw Problem.invalid("'" + f + "' must be a number");
        }
        return v.doubleValue();
    }

    boolean bool(String f, boolean dflt) {
        JsonNode v = root.get(f);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw Problem.invalid("'" + f + "' must be true or false");
        }
        return v.booleanValue();
    }

    List<String> strings(String f) {
        JsonNode v = root.get(f);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw Problem.invalid("'" + f + "' must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw Problem.invalid("'" + f + "'[" + i + "] must be a string");
            }
            out.add(v.get(i).textValue());
        }
        return out;
    }

    /**
     * Field {@code f} as an array of token-id arrays, each id a JSON integer (its range is the
     * caller's to check), or null when absent.
     */
    List<int[]> idRows(String f) {
        JsonNode a = root.get(f);
        if (a == null || a.isNull()) {
            return null;
        }
        if (!a.isArray()) {
            throw Problem.invalid("'" + f + "' must be an array of arrays of token ids");
        }
        List<int[]> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            JsonNode row = a.get(i);
            if (!row.isArray()) {
                throw Problem.invalid("'" + f + "'[" + i + "] must be an array of token ids");
            }
            int[] ids = new int[row.size()];
            for (int j = 0; j < ids.length; j++) {
                JsonNode e = row.get(j);
                if (!e.isInt()) {
                    throw Problem.invalid("'" + f + "'[" + i + "][" + j + "] must be an integer token id");
                }
                ids[j] = e.intValue();
            }
            out.add(ids);
        }
        return out;
    }
}
