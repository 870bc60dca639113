package dev.hallmark.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Loads the golden vectors under {@code src/test/resources/interop/} (see the README there). */
final class InteropVectors {

    static final String KGW = "lm-watermarking-kgw.jsonl";
    static final String SYNTHID = "synthid-text.jsonl";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private InteropVectors() {
    }

    /** One JSONL row with its 1-based line number (for messages). */
    record Row(int line, JsonNode json) {
        String kind() {
            return json.get("kind").asText();
        }

        @Override
        public String toString() {
            return "line " + line + " (" + kind() + ")";
        }
    }

    static List<Row> load(String name) {
        InputStream in = InteropVectors.class.getResourceAsStream("/interop/" + name);
        if (in == null) {
            throw new IllegalStateException("missing test resource /interop/" + name);
        }
        List<Row> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (!line.isBlank()) {
                    rows.add(new Row(no, MAPPER.readTree(line)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (!v.canConvertToInt()) {
                throw new IllegalArgumentException("not an int: " + v);
            }
            out[i] = v.intValue();
        }
        return out;
    }

    static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (!v.canConvertToLong()) {
                throw new IllegalArgumentException("not an int64: " + v);
            }
            out[i] = v.longValue();
        }
        return out;
    }

    static boolean[] bools(JsonNode array) {
        boolean[] out = new boolean[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (!v.isBoolean()) {
                throw new IllegalArgumentException("not a boolean: " + v);
            }
            out[i] = v.booleanValue();
        }
        return out;
    }
}
