package dev.hallmark.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reads JSONL files (optionally gzip-compressed, detected by the magic bytes). */
final class Jsonl {

    private Jsonl() {
    }

    /** The string field {@code field} of every record, in order. */
    static List<String> readField(Path file, String field) {
        ObjectMapper om = new ObjectMapper();
        List<String> out = new ArrayList<>();
        try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = om.readTree(line);
                JsonNode v = node.get(field);
                if (v == null || !v.isTextual()) {
                    throw new IllegalArgumentException(file + " line " + n + ": no string field \"" + field + "\"");
                }
                out.add(v.asText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }
}
