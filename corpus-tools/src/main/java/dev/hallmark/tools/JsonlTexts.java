package dev.hallmark.tools;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;

/**
 * The text field of every line of a plain JSONL file, read with Jackson's streaming parser only:
 * what {@code hallmark tokenize} needs, without the object mapper and tree model that
 * {@link InputRecords} builds (about 0.2 s of CPU to initialise in a fresh JVM, a large share of a
 * small run). Lines are checked as {@link InputRecords} checks them, with the same messages:
 * strict UTF-8, blank lines skipped, one JSON object per line whose field (the last one of that
 * name, as in a tree) is a string; an array there is token ids, which has no text.
 */
final class JsonlTexts implements AutoCloseable {

    private static final JsonFactory JSON = new JsonFactory();

    private final Path file;
    private final String field;
    private final BufferedReader reader;
    private long lineNo;

    JsonlTexts(Path file, String field) throws IOException {
        this.file = file;
        this.field = field;
        this.reader = InputRecords.open(file);
    }

    /** The line number of the text {@link #next()} returned last (1-based). */
    long line() {
        return lineNo;
    }

    /**
     * The next document's text, or null at the end of the file.
     *
     * @throws IllegalArgumentException naming the file and line for bad UTF-8, bad JSON, a line that
     *     is not an object, or a field that is missing or not a string
     */
    String next() {
        String line;
        try {
            do {
                line = reader.readLine();
                if (line == null) {
                    return null;
                }
                lineNo++;
            } while (line.isBlank());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("input " + file + ": not valid UTF-8 near line " + (lineNo + 1));
        } catch (IOException e) {
            throw new UncheckedIOException("input " + file + ": " + e.getMessage(), e);
        }
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("input " + file + " line " + lineNo + ": expected a JSON object");
            }
            String text = null;
            JsonToken kind = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean mine = field.equals(p.currentName());
                JsonToken v = p.nextToken();
                if (mine) {
                    kind = v;
                    text = v == JsonToken.VALUE_STRING ? p.getText() : null;
                }
                p.skipChildren();
            }
            if (kind == JsonToken.VALUE_STRING) {
                return text;
            }
            if (kind == JsonToken.START_ARRAY) {
                throw new IllegalArgumentException("input " + file + " line " + lineNo + ": \"" + field
                        + "\" is not a string");
            }
            throw new IllegalArgumentException("input " + file + " line " + lineNo + ": no \"" + field
                    + "\" string or \"" + field + "\" array");
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("input " + file + " line " + lineNo + ": not valid JSON ("
                    + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("input " + file + " line " + lineNo + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
