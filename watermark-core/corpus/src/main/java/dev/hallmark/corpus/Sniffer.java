package dev.hallmark.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Detects a corpus's format from its content: the Parquet magic, else the first non-blank line of
 * the (inflated) text: a JSON object (chat-shaped or not), or a header row of column names
 * separated by tabs or commas, else plain text.
 */
final class Sniffer {

    /** A column name in a header row: no spaces, so that a line of prose is not taken for a header. */
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}_][\\p{L}\\p{N}_.\\-]{0,63}");

    private Sniffer() {}

    static CorpusFormat detect(Path file, CorpusOptions o) throws IOException {
        try (ByteInput in = ByteInput.open(file, o.limits())) {
            if (isParquet(in)) {
                return CorpusFormat.PARQUET;
            }
            LineInput lines = new LineInput(in, o.limits().maxRecordChars());
            String first = null;
            while (lines.readLine()) {
                if (!LineInput.isBlank(lines.line())) {
                    first = lines.line().toString().strip();
                    break;
                }
            }
            if (first == null) {
                return CorpusFormat.TEXT;
            }
            if (first.startsWith("{")) {
                return json(first, lines.lineNo(), o.field());
            }
            if (first.startsWith("[")) {
                throw CorpusException.at(CorpusException.Kind.MALFORMED, 0, lines.lineNo(), "a JSON array, not JSON Lines "
                        + "(one object per line): convert it first, e.g. jq -c '.[]' FILE");
            }
            if (header(first, "\t", o.field())) {
                return CorpusFormat.TSV;
            }
            if (header(first, ",", o.field())) {
                return CorpusFormat.CSV;
            }
            return CorpusFormat.TEXT;
        }
    }

    private static boolean isParquet(ByteInput in) throws IOException {
        InputStream s = in.stream();
        s.mark(8);
        byte[] head = s.readNBytes(4);
        s.reset();
        boolean par = head.length == 4 && new String(head, StandardCharsets.US_ASCII).equals("PAR1");
        if (par && in.compression() != Compression.NONE) {
            throw new CorpusException(CorpusException.Kind.UNSUPPORTED, "a " + in.compression().text()
                    + "-compressed Parquet file: Parquet compresses its own pages, send the .parquet file as it is");
        }
        return par;
    }

    private static CorpusFormat json(String first, long line, String field) {
        JsonNode n;
        try {
            n = JsonlReader.parse(first, line);
        } catch (CorpusException e) {
            return CorpusFormat.JSONL; // the reader reports the line
        }
        if (field != null) {
            JsonNode v;
            try {
                v = FieldPath.of(field).get(n);
            } catch (IllegalArgumentException e) {
                return CorpusFormat.JSONL;
            }
            return v != null && v.isArray() && v.size() > 0 && v.get(0).isObject() ? CorpusFormat.CHAT : CorpusFormat.JSONL;
        }
        return ChatTurns.shape(n) != null ? CorpusFormat.CHAT : CorpusFormat.JSONL;
    }

    private static boolean header(String line, String sep, String field) {
        if (!line.contains(sep)) {
            return false;
        }
        String[] cells = line.split(Pattern.quote(sep), -1);
        if (cells.length < 2) {
            return false;
        }
        boolean names = true;
        boolean hasField = false;
        for (String c : cells) {
            String x = c.strip();
            if (x.length() >= 2 && x.startsWith("\"") && x.endsWith("\"")) {
                x = x.substring(1, x.length() - 1);
            }
            names &= NAME.matcher(x).matches();
            hasField |= x.equals(field);
        }
        return names || hasField;
    }

    /** A file given as Parquet must be one, uncompressed around its own pages. */
    static void requireUncompressedParquet(Path file, Limits limits) throws IOException {
        try (ByteInput in = ByteInput.open(file, limits)) {
            if (!isParquet(in)) {
                throw new CorpusException(CorpusException.Kind.MALFORMED, "not a Parquet file (it does not start with "
                        + "the PAR1 magic)");
            }
        }
    }
}
