package dev.hallmark.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads small JSONL files whole (optionally gzip-compressed, detected by the magic bytes), with
 * errors that name the file and line. Large corpora go through {@link InputRecords}, which streams.
 */
public final class Jsonl {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Jsonl() {
    }

    /** Every record of the file, in order (blank lines skipped); at least one. */
    public static List<JsonNode> readRecords(Path file) {
        List<JsonNode> out = new ArrayList<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
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
                try {
                    out.add(JSON.readTree(line));
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException(file + " line " + n + ": not JSON: " + e.getOriginalMessage());
                }
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no records");
        }
        return out;
    }

    /** The string field {@code field} of every record, in order; every record must have it. */
    public static List<String> readField(Path file, String field) {
        List<JsonNode> records = readRecords(file);
        List<String> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            JsonNode v = records.get(i).get(field);
            if (v == null || !v.isTextual()) {
                throw new IllegalArgumentException(file + " record " + (i + 1) + ": no string field \"" + field + "\"");
            }
            out.add(v.asText());
        }
        return out;
    }
}
