package dev.hallmark.corpus;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A path to a value in a record: dot-separated object fields, where a segment of digits indexes
 * an array ({@code response.text}, {@code choices.0.text}). A record with a field named by the
 * whole path (dots included) is read from that field.
 */
record FieldPath(String text, String[] segments) {

    static FieldPath of(String text) {
        String[] s = text.split("\\.", -1);
        for (String x : s) {
            if (x.isEmpty()) {
                throw new IllegalArgumentException("field path '" + text + "' has an empty segment");
            }
        }
        return new FieldPath(text, s);
    }

    /** The value at this path in {@code rec}, or null if there is none (or it is JSON null). */
    JsonNode get(JsonNode rec) {
        JsonNode whole = rec.get(text);
        if (whole != null) {
            return whole.isNull() ? null : whole;
        }
        JsonNode n = rec;
        for (String s : segments) {
            if (n.isObject()) {
                n = n.get(s);
            } else if (n.isArray() && s.chars().allMatch(Character::isDigit) && s.length() < 10) {
                n = n.get(Integer.parseInt(s));
            } else {
                return null;
            }
            if (n == null || n.isNull()) {
                return null;
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return text;
    }
}
