package dev.hallmark.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.corpus.Compression;
import dev.hallmark.corpus.CorpusCounts;
import dev.hallmark.corpus.CorpusException;
import dev.hallmark.corpus.CorpusFormat;
import dev.hallmark.corpus.CorpusInfo;
import dev.hallmark.corpus.CorpusOptions;
import dev.hallmark.corpus.CorpusReader;
import dev.hallmark.corpus.Document;
import dev.hallmark.corpus.Role;
import dev.hallmark.corpus.Turns;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;

/**
 * Reads the CLI's inputs as records (a text or token ids, with an optional id and prompt),
 * streaming, with errors that name the file, the line (or row) and the problem.
 *
 * <p>Formats: {@code text} (the whole file is one text) and {@code ids} (one document per line,
 * ids separated by spaces or commas), read here, {@code .gz} decompressed by name; {@code jsonl}
 * with a plain field name, read here: one JSON object per line with the text in the field (default
 * {@code text}, else {@code completion}, what {@code hallmark generate} writes) or token ids in the
 * ids field (preferred when it is an array), optionally {@code id}, {@code prompt} or
 * {@code prompt_ids}. Everything else through hallmark-corpus ({@link CorpusReader}, the library
 * the verifier service reads uploads with, so both read the same documents): {@code auto}
 * (detected from the content; plain JSONL found this way is read here, so it keeps the ids-field
 * fallback, and plain text is one document as with {@code text}), {@code chat} (assistant turns,
 * {@link Turns}; the turns before each are its prompt), {@code csv}, {@code tsv}, {@code parquet},
 * gzip or zstd, and JSONL with a dotted field path ({@code response.text}).
 */
final class InputRecords implements Iterator<InputRecords.Record>, AutoCloseable {

    /**
     * One input document: exactly one of {@code text} and {@code ids} is non-null; the prompt
     * (text or ids) is optional.
     *
     * @param line 1-based line of the record, or its row where the format has no lines (Parquet)
     * @param where how messages name the document ({@code line 3, turn 2}, {@code row 7}), or null
     *     for a record read here (then {@code line N})
     * @param turn 0-based turn within a chat record, or -1
     * @param role the speaker of a chat turn (assistant), or null outside chats
     */
    record Record(long line, String id, String text, int[] ids, String prompt, int[] promptIds, String where, int turn,
            Role role) {

        Record(long line, String id, String text, int[] ids) {
            this(line, id, text, ids, null, null, null, -1, null);
        }

        Record(long line, String id, String text, int[] ids, String prompt, int[] promptIds) {
            this(line, id, text, ids, prompt, promptIds, null, -1, null);
        }

        /** {@code line 3}, or where the corpus reader placed it ({@code row 7, turn 2}). */
        String location() {
            return where != null ? where : "line " + line;
        }
    }

    /** The formats of {@code --format}; see the class comment. */
    enum Format { TEXT, IDS, JSONL, AUTO, CHAT, CSV, TSV, PARQUET }

    /** Text fields tried, in order, when none is given (the corpus library's defaults). */
    static final List<String> DEFAULT_TEXT_FIELDS = List.of("text", "completion");

    /** Created on first use: a fresh JVM spends about 0.2 s of CPU on it, which text-only readers skip. */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private final Path file;
    private final Format format;
    private final String textField;
    private final String idsField;
    private final BufferedReader reader;
    private final CorpusReader corpus;
    private long lineNo;
    private long records;
    private String fieldUsed;
    private Record next;
    private boolean textDone;

    private InputRecords(Path file, Format format, String textField, String idsField, Turns turns) throws IOException {
        this.file = file;
        this.textField = textField;
        this.idsField = idsField;
        Plan plan = plan(file, format, textField);
        this.format = plan.here();
        this.corpus = plan.corpus() == null ? null : openCorpus(file, plan.corpus(), textField, turns);
        this.reader = plan.corpus() == null ? open(file) : null;
    }

    /** Who reads the file: hallmark-corpus in format {@code corpus}, or (corpus null) this class in format {@code here}. */
    private record Plan(CorpusFormat corpus, Format here) {}

    private static Plan plan(Path file, Format format, String textField) throws IOException {
        boolean dotted = textField != null && textField.contains(".");
        switch (format) {
            case TEXT, IDS -> {
                return new Plan(null, format);
            }
            case JSONL -> {
                return dotted ? new Plan(CorpusFormat.JSONL, format) : new Plan(null, format);
            }
            case AUTO -> {
                CorpusFormat f = detect(file, textField);
                if (f == CorpusFormat.TEXT) {
                    return new Plan(null, Format.TEXT);
                }
                return f == CorpusFormat.JSONL && !dotted ? new Plan(null, Format.JSONL) : new Plan(f, format);
            }
            default -> {
                return new Plan(CorpusFormat.valueOf(format.name()), format);
            }
        }
    }

    /** The format hallmark-corpus detects from the content of {@code file}. */
    static CorpusFormat detect(Path file, String field) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("input " + file + ": no such file");
        }
        try (CorpusReader r = CorpusReader.open(file, CorpusOptions.defaults().withField(field))) {
            return r.info().format();
        } catch (CorpusException e) {
            throw new IllegalArgumentException("input " + file + ": " + e.getMessage(), e);
        }
    }

    private static CorpusReader openCorpus(Path file, CorpusFormat f, String field, Turns turns) throws IOException {
        CorpusOptions o = CorpusOptions.defaults().withFormat(f).withPrompts(true).withField(field).withTurns(turns);
        try {
            return CorpusReader.open(file, o);
        } catch (NoSuchFileException e) {
            throw new IOException("input " + file + ": no such file");
        } catch (CorpusException e) {
            throw new IllegalArgumentException("input " + file + ": " + e.getMessage(), e);
        }
    }

    /** Text in {@code textField} (a JSONL field, or for text/ids nothing), every assistant turn of chats. */
    static InputRecords open(Path file, Format format, String textField) throws IOException {
        return new InputRecords(file, format, textField, "ids", Turns.ALL);
    }

    /** JSONL with the text in {@code textField} (null: the default) or the token ids in {@code idsField}. */
    static InputRecords open(Path file, Format format, String textField, String idsField) throws IOException {
        return new InputRecords(file, format, textField, idsField, Turns.ALL);
    }

    /** As {@link #open(Path, Format, String, String)}, with the assistant turns of chats to read. */
    static InputRecords open(Path file, Format format, String textField, String idsField, Turns turns)
            throws IOException {
        return new InputRecords(file, format, textField, idsField, turns);
    }

    static Format parseFormat(String s) {
        try {
            return Format.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown input format '" + s
                    + "' (use auto, jsonl, chat, csv, tsv, parquet, text or ids)");
        }
    }

    static Turns parseTurns(String s) {
        for (Turns t : Turns.values()) {
            if (t.text().equalsIgnoreCase(s.trim())) {
                return t;
            }
        }
        throw new IllegalArgumentException("--turns must be last or all, got '" + s + "'");
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

    /** The format actually read: the one given, or what {@code auto} found. */
    String formatName() {
        return corpus != null ? corpus.info().format().text() : format.name().toLowerCase(Locale.ROOT);
    }

    /**
     * What the input is, once read: format, compression, field, chat dialect and turns (the
     * hallmark-corpus description; for the formats read here, the same fields).
     */
    CorpusInfo info() {
        if (corpus != null) {
            return corpus.info();
        }
        CorpusFormat f = format == Format.TEXT ? CorpusFormat.TEXT : CorpusFormat.JSONL;
        Compression c = file.getFileName().toString().endsWith(".gz") ? Compression.GZIP : Compression.NONE;
        return new CorpusInfo(f, false, c, format == Format.JSONL ? fieldUsed : null, null, null);
    }

    /** Records and documents read so far, and in chats the turns by role. */
    CorpusCounts counts() {
        return corpus != null ? corpus.counts() : new CorpusCounts(records, records, Map.of(), Map.of());
    }

    @Override
    public boolean hasNext() {
        if (next == null && corpus != null) {
            try {
                Document d = corpus.next();
                next = d == null ? null : new Record(d.line() > 0 ? d.line() : d.record(), d.recordId(), d.text(), d.ids(),
                        d.prompt(), d.promptIds(), d.where(), d.turn(), d.role());
            } catch (CorpusException e) {
                throw new IllegalArgumentException("input " + file + ": " + e.getMessage(), e);
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
            if (next != null) {
                records++;
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
            if (sb.length() == 0) {
                return null; // an empty file holds no document (callers say "holds no records")
            }
            return new Record(1, null, sb.toString(), null, null, null, file.toString(), -1, null);
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
        int[] promptIds = n.hasNonNull("prompt_ids") ? intArray(n.get("prompt_ids"), "prompt_ids") : null;
        JsonNode ids = n.get(idsField);
        if (ids != null && ids.isArray()) {
            fieldUsed = idsField;
            return new Record(lineNo, id, null, intArray(ids, idsField), promptText, promptIds);
        }
        for (String f : textField != null ? List.of(textField) : DEFAULT_TEXT_FIELDS) {
            JsonNode text = n.get(f);
            if (text != null && text.isTextual()) {
                fieldUsed = f;
                return new Record(lineNo, id, text.textValue(), null, promptText, promptIds);
            }
        }
        String names = textField != null ? "\"" + textField + "\"" : "\"text\" or \"completion\"";
        throw new IllegalArgumentException("input " + file + " line " + lineNo + ": no " + names
                + " string or \"" + idsField + "\" array (fields: " + String.join(", ", fieldNames(n))
                + "); name the field with --field" + (n.has("messages") || n.has("conversations")
                ? ", or read chat transcripts with --format chat" : ""));
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out.size() > 20 ? out.subList(0, 20) : out;
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
