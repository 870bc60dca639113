package dev.hallmark.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Unpaired UTF-16 surrogates in parsed JSON. JSON text may escape one ({@code "\ud800"}), but the
 * result is not a Unicode string: the corpus readers and the verifier service's request bodies
 * refuse it like invalid UTF-8, naming where it is.
 */
public final class LoneSurrogates {

    private LoneSurrogates() {}

    /**
     * Where the first field name or string value of {@code n} holding an unpaired surrogate is (its
     * dotted path, and the surrogate as {@code \\uXXXX at character i}), or null if there is none.
     */
    public static String find(JsonNode n) {
        return find(n, "");
    }

    private static String find(JsonNode n, String path) {
        if (n.isTextual()) {
            String bad = unpaired(n.textValue());
            return bad == null ? null : (path.isEmpty() ? "the value" : "'" + path + "'") + " (" + bad + ")";
        }
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String bad = unpaired(e.getKey());
                if (bad != null) {
                    return "a field name (" + bad + ")";
                }
                String r = find(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey());
                if (r != null) {
                    return r;
                }
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                String r = find(n.get(i), path + "[" + i + "]");
                if (r != null) {
                    return r;
                }
            }
        }
        return null;
    }

    /** The first unpaired surrogate of {@code s} as {@code \\uXXXX at character i}, or null. */
    public static String unpaired(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return String.format(Locale.ROOT, "\\u%04X at character %d", (int) c, i);
            }
        }
        return null;
    }
}
