package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.service.Problem;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A finished watermark scan's per-document results ({@code documents.jsonl} beside its corpus):
 * every document with its best key and Holm-adjusted p-value; flagged documents also with their
 * spans and text. Pages, one document, and CSV / JSON downloads, each entry passed through
 * {@link Disclosure#document} for the caller: admins see every document; analysts only those the
 * disclosure policy lists (flagged in a p-value bucket at or below the scan's alpha, long enough,
 * not near-duplicates), with bucketed p-values and widened spans, and the rest are counted as
 * {@code withheld}.
 */
public final class ScanDocuments {

    /** The log's file name in a scan's directory. */
    public static final String FILE = "documents.jsonl";

    /** The CSV download's columns. */
    static final String[] CSV_COLUMNS = {"index", "record", "line", "turn", "doc_id", "tokens", "tested", "key_id",
        "log10_p", "p_value", "flagged", "spans"};

    private final Path file;
    private final Disclosure disclosure;

    /**
     * @param file the scan's log (it may not exist: scans made before the log, or not watermark scans)
     * @param disclosure what each caller may see of an entry
     */
    public ScanDocuments(Path file, Disclosure disclosure) {
        this.file = file;
        this.disclosure = disclosure;
    }

    /** The entry as {@code a} may see it (null: not listed), for a scan at {@code alpha}. */
    private ObjectNode view(ObjectNode d, double alpha, Disclosure.Audience a) {
        return disclosure.document(d, alpha, a);
    }

    /**
     * One page of results (without texts): of every document, or of the flagged ones; for analysts
     * only the ones they may see ({@code withheld} counts the others).
     */
    public ObjectNode page(boolean flaggedOnly, long offset, int limit, double alpha, Disclosure.Audience a)
            throws IOException {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ArrayNode docs = F().arrayNode();
        long[] total = {0};
        long[] withheld = {0};
        each(d -> {
            if (flaggedOnly && !d.path("flagged").asBoolean()) {
                return;
            }
            ObjectNode v = view(d, alpha, a);
            if (v == null) {
                withheld[0]++;
                return;
            }
            long i = total[0]++;
            if (i >= offset && docs.size() < limit) {
                v.remove("text");
                v.remove("text_decoded");
                v.remove("text_truncated");
                docs.add(v);
            }
        });
        out.put("total", total[0]);
        out.put("offset", offset);
        out.put("limit", limit);
        out.put("flagged_only", flaggedOnly);
        out.put("disclosure", a.text());
        if (a == Disclosure.Audience.ANALYST) {
            out.put("withheld", withheld[0]);
        }
        out.set("documents", docs);
        return out;
    }

    /**
     * Document {@code index} with its spans and, if it was flagged, its text.
     *
     * @throws Problem not-found if there is no such document, or it is not listed to analysts
     */
    public ObjectNode document(long index, double alpha, Disclosure.Audience a) throws IOException {
        ObjectNode[] hit = {null};
        each(d -> {
            if (hit[0] == null && d.path("index").asLong(-1) == index) {
                hit[0] = d;
            }
        });
        if (hit[0] == null) {
            throw Problem.notFound("this scan has no document with index " + index);
        }
        ObjectNode v = view(hit[0], alpha, a);
        if (v == null) {
            throw Problem.notFound("document " + index + " of this scan is not listed to analyst tokens (only documents "
                    + "flagged in a p-value bucket at or below the scan's alpha, long enough and not near-duplicates are)");
        }
        return v;
    }

    /** The first {@code n} flagged documents the caller may see, with texts (for the HTML report). */
    public java.util.List<ObjectNode> firstFlagged(int n, double alpha, Disclosure.Audience a) throws IOException {
        java.util.List<ObjectNode> out = new java.util.ArrayList<>();
        each(d -> {
            if (out.size() < n && d.path("flagged").asBoolean()) {
                ObjectNode v = view(d, alpha, a);
                if (v != null) {
                    out.add(v);
                }
            }
        });
        return out;
    }

    /** Streams every result the caller may see as CSV rows (header first) to {@code sink}, in chunks. */
    public void csv(double alpha, Disclosure.Audience a, Consumer<String> sink) throws IOException {
        StringBuilder b = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
        each(e -> {
            ObjectNode d = view(e, alpha, a);
            if (d == null) {
                return;
            }
            for (int i = 0; i < CSV_COLUMNS.length; i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(csvCell(d, CSV_COLUMNS[i]));
            }
            b.append('\n');
            if (b.length() > 1 << 16) {
                sink.accept(b.toString());
                b.setLength(0);
            }
        });
        sink.accept(b.toString());
    }

    /** Streams every result the caller may see (without texts) as one JSON array to {@code sink}, in chunks. */
    public void json(double alpha, Disclosure.Audience a, Consumer<String> sink) throws IOException {
        StringBuilder b = new StringBuilder("[");
        boolean[] first = {true};
        each(e -> {
            ObjectNode d = view(e, alpha, a);
            if (d == null) {
                return;
            }
            d.remove("text");
            d.remove("text_decoded");
            d.remove("text_truncated");
            if (!first[0]) {
                b.append(",\n");
            }
            first[0] = false;
            b.append(d.toString());
            if (b.length() > 1 << 16) {
                sink.accept(b.toString());
                b.setLength(0);
            }
        });
        b.append("]\n");
        sink.accept(b.toString());
    }

    private static String csvCell(ObjectNode d, String col) {
        JsonNode v = d.get(col);
        if (col.equals("spans")) {
            if (v == null || v.isEmpty()) {
                return "";
            }
            StringBuilder s = new StringBuilder();
            for (JsonNode sp : v) {
                if (s.length() > 0) {
                    s.append(' ');
                }
                s.append(sp.has("start_char") ? sp.path("start_char").asLong() + "-" + sp.path("end_char").asLong()
                        : "t" + sp.path("start_token").asLong() + "-" + sp.path("end_token").asLong());
                s.append(String.format(Locale.ROOT, "@%s", sp.path("log10_p").asText()));
            }
            return s.toString();
        }
        if (v == null || v.isNull()) {
            return "";
        }
        String t = v.asText();
        if (t.indexOf(',') >= 0 || t.indexOf('"') >= 0 || t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0) {
            return '"' + t.replace("\"", "\"\"") + '"';
        }
        return t;
    }

    private void each(Consumer<ObjectNode> f) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw Problem.notFound("this scan has no per-document results (only watermark scans have them)");
        }
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                f.accept((ObjectNode) DetectionJson.mapper().readTree(line));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static JsonNodeFactory F() {
        return JsonNodeFactory.instance;
    }
}
