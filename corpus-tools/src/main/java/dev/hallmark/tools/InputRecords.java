package dev.hallmark.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.corpus.CorpusException;
import dev.hallmark.corpus.CorpusFormat;
import dev.hallmark.corpus.CorpusOptions;
import dev.hallmark.corpus.CorpusReader;
import dev.hallmark.corpus.Document;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;

/**
 * Reads the CLI's inputs as records (a text or token ids, with an optional id), streaming, with
 * errors that name the file, the line and the problem. Files ending in {@code .gz} are
 * decompressed. Formats: {@code text} (the whole file is one text), {@code ids} (one document
 * per line, ids separated by spaces or commas), {@code jsonl} (one JSON object per line with a
 * {@code "text"} string or an {@code "ids"} array, optionally {@code "id"}); and through
 * hallmark-corpus {@code auto} (detected), {@code chat} (assistant turns; the turns before each
 * are its prompt), {@code csv}, {@code tsv}, {@code parquet}, gzip or zstd, and JSONL with a
 * dotted field path ({@code response.text}).
 */
final class InputRecords implements Iterator<InputRecords.Record>, AutoCloseable {

    /**
     * One input document: exactly one of {@code text} and {@code ids} is non-null; the prompt
     * (JSONL {@code "prompt"} text or {@code "prompt_ids"}) is optional.
     */
    record Record(long line, String id, String text, int[] ids, String prompt, int[] promptIds) {
        Record(long line, String id, String text, int[] ids) {
            this(line, id, text, ids, null, null);
        }
    }

    /**
     * TEXT, IDS and JSONL are read here; AUTO (detected), CHAT, CSV, TSV and PARQUET, gzip or zstd,
     * by hallmark-corpus ({@link CorpusReader}), whose errors name the line or row. AUTO that finds
     * JSONL reads it here too, so JSONL keeps its ids-field fallback.
     */
    enum Format { TEXT, IDS, JSONL, AUTO, CHAT, CSV, TSV, PARQUET }

    /** Created on first use: a fresh JVM spends about 0.2 s of CPU on it, which text-only readers skip. */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private final Path file;
    private final Format format;
    private final String textField;
    private final String idsField;
    private final BufferedReader reader;
    private long lineNo;
    private Record next;
    private boolean textDone;

    private final CorpusReader corpus;

    private InputRecords(Path file, Format format, String textField, String idsField) throws IOException {
        this.file = file;
        this.textField = textField;
        this.idsField = idsField;
        CorpusFormat cf = corpusFormat(file, format, textField);
        this.format = cf == null ? (format == Format.AUTO ? Format.JSONL : format) : format;
        this.corpus = cf == null ? null : openCorpus(file, cf, textField);
        this.reader = cf == null ? open(file) : null;
    }

    /** The hallmark-corpus format to read {@code file} with, or null to read it here (text, ids, plain JSONL). */
    private static CorpusFormat corpusFormat(Path file, Format format, String textField) throws IOException {
        switch (format) {
            case TEXT, IDS -> {
                return null;
            }
            case JSONL -> {
                return textField.contains(".") ? CorpusFormat.JSONL : null;
            }
            case AUTO -> {
                try (CorpusReader r = CorpusReader.open(file, CorpusOptions.defaults())) {
                    CorpusFormat f = r.info().format();
                    return f == CorpusFormat.JSONL && !textField.contains(".") ? null : f;
                } catch (CorpusException e) {
                    throw new IllegalArgumentException("input " + file + ": " + e.getMessage());
                }
            }
            default -> {
                return CorpusFormat.valueOf(format.name());
            }
        }
    }

    /** Default field names are left to hallmark-corpus (text, then completion; chat turns first outside JSONL). */
    private static CorpusReader openCorpus(Path file, CorpusFormat f, String textField) throws IOException {
        boolean dflt = textField.equals("text") || textField.equals("completion");
        CorpusOptions o = CorpusOptions.defaults().withFormat(f).withPrompts(true)
                .withField(dflt ? null : textField);
        try {
            return CorpusReader.open(file, o);
        } catch (CorpusException e) {
            throw new IllegalArgumentException("input " + file + ": " + e.getMessage());
        }
    }

    static InputRecords open(Path file, Format format, String textField) throws IOException {
        return new InputRecords(file, format, textField, "ids");
    }

    /** JSONL with the text in {@code textField} or the token ids in {@code idsField}. */
    static InputRecords open(Path file, Format format, String textField, String idsField) throws IOException {
        return new InputRecords(file, format, textField, idsField);
    }

    static Format parseFormat(String s) {
        try {
            return Format.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown input format '" + s
                    + "' (use text, ids, jsonl, auto, chat, csv, tsv or parquet)");
        }
    }

    /** A strict UTF-8 reader: malformed bytes are an error, not silently replaced. */
    static BufferedReader open(Path file) throws IOException {
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new IOException("input " + file + ": no such file");
        }
        if (file.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        return new BufferedReader(new InputStreamReader(in, dec), 1 << 16);
    }

    @Override
    public boolean hasNext() {
        if (next == null && corpus != null) {
            try {
                Document d = corpus.next();
                next = d == null ? null : new Record(d.line() > 0 ? d.line() : d.record(), d.recordId(), d.text(), d.ids(),
                        d.prompt(), d.promptIds());
            } catch (CorpusException e) {
                throw new IllegalArgumentException("input " + file + ": " + e.getMessage());
            } catch (IOException e) {
                throw new UncheckedIOException("input " + file + ": " + e.getMessage(), e);
            }
            return next != null;
        }
        if (next == null) {
            try {
                next = read();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("input " + file + ": not valid UTF-8 near line " + (lineNo + 1));
            } catch (IOException e) {
                throw new UncheckedIOException("input " + file + ": " + e.getMessage(), e);
            }
        }
        return next != null;
    }

    @Override
    public Record next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Record r = next;
        next = null;
        return r;
    }

    private Record read() throws IOException {
        if (format == Format.TEXT) {
            if (textDone) {
                return null;
            }
            textDone = true;
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[1 << 16];
            int n;
            while ((n = reader.read(buf)) > 0) {
                sb.append(buf, 0, n);
            }
            lineNo = 1;
            return new Record(1, null, sb.toString(), null);
        }
        String line;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            return format == Format.IDS ? new Record(lineNo, null, null, parseIds(line, lineNo)) : parseJson(line);
        }
        return null;
    }

    private int[] parseIds(String line, long no) {
        String[] parts = line.strip().split("[\\s,]+");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("input " + file + " line " + no + ": '" + parts[i]
                        + "' is not a token id");
            }
            if (ids[i] < 0) {
                throw new IllegalArgumentException("input " + file + " line " + no + ": negative token id " + ids[i]);
            }
        }
        return ids;
    }

    private Record parseJson(String line) {
        JsonNode n;
        try {
            n = Mapper.JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("input " + file + " line " + lineNo + ": not valid JSON ("
                    + e.getOriginalMessage() + ")");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("input " + file + " line " + lineNo + ": expected a JSON object");
        }
        String id = n.hasNonNull("id") ? n.get("id").asText() : null;
        JsonNode prompt = n.get("prompt");
        String promptText = prompt != null && prompt.isTextual() ? prompt.textValue() : null;
        int[] promptIds = n.has("prompt_ids") ? intArray(n.get("prompt_ids"), "prompt_ids") : null;
        JsonNode ids = n.get(idsField);
        if (ids != null && ids.isArray()) {
            return new Record(lineNo, id, null, intArray(ids, idsField), promptText, promptIds);
        }
        JsonNode text = n.get(textField);
        if (text != null && text.isTextual()) {
            return new Record(lineNo, id, text.textValue(), null, promptText, promptIds);
        }
        throw new IllegalArgumentException("input " + file + " line " + lineNo + ": no \"" + textField
                + "\" string or \"" + idsField + "\" array");
    }

    private int[] intArray(JsonNode arr, String field) {
        if (!arr.isArray()) {
            throw new IllegalArgumentException("input " + file + " line " + lineNo + ": \"" + field + "\" is not an array");
        }
        int[] a = new int[arr.size()];
        for (int i = 0; i < a.length; i++) {
            JsonNode v = arr.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
                throw new IllegalArgumentException("input " + file + " line " + lineNo + ": " + field + "[" + i
                        + "] is not a non-negative integer");
            }
            a[i] = v.intValue();
        }
        return a;
    }

    @Override
    public void close() throws IOException {
        if (corpus != null) {
            corpus.close();
        } else {
            reader.close();
        }
    }
}
