package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.corpus.Document;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A scanned document a watermark scan's report lists (top documents, flagged documents): where it
 * is, its best key and Holm-adjusted p-value, a preview (top documents), its spans and the
 * character offsets analysts' widened spans need (flagged documents), and its MinHash signature
 * for the near-duplicate check (null when the near-duplicate table was full: then it is never
 * listed to analysts). Written to and read from a scan's checkpoint ({@link #write}, {@link #read}).
 */
record ListedDocument(long index, long record, long line, int turn, String docId, int tokens, String keyId,
        double log10p, String preview, long[] sig, List<Evidence.Span> spans, int[] grid) {

    /** The least significant first, ties by later position first: a total order, so a resumed heap keeps the same documents. */
    static final Comparator<ListedDocument> LEAST_SIGNIFICANT_FIRST = Comparator.comparingDouble(ListedDocument::log10p)
            .reversed().thenComparing(Comparator.comparingLong(ListedDocument::index).reversed());

    static ListedDocument of(Document d, int tokens, String keyId, double log10p, String preview, long[] sig,
            List<Evidence.Span> spans, int[] grid) {
        return new ListedDocument(d.index(), d.record(), d.line(), d.turn(), d.recordId(), tokens, keyId, log10p, preview,
                sig, spans, grid);
    }

    ListedDocument withPreview(String p) {
        return new ListedDocument(index, record, line, turn, docId, tokens, keyId, log10p, p, sig, spans, grid);
    }

    /** Writes where a document is: index, record, line (where there are lines), turn (chats), the record's id. */
    static void putPlace(ObjectNode j, long index, long record, long line, int turn, String docId) {
        j.put("index", index);
        j.put("record", record);
        if (line > 0) {
            j.put("line", line);
        }
        if (turn >= 0) {
            j.put("turn", turn);
        }
        if (docId != null) {
            j.put("doc_id", docId);
        }
    }

    /** This document as a report entry (without preview or spans). */
    void put(ObjectNode j) {
        putPlace(j, index, record, line, turn, docId);
        j.put("tokens", tokens);
        j.put("key_id", keyId);
        ScanReports.putFinite(j, "log10_p", log10p);
        j.put("p_value", Math.pow(10, log10p));
    }

    static void write(DataOutput out, List<ListedDocument> docs) throws IOException {
        out.writeInt(docs.size());
        for (ListedDocument h : docs) {
            out.writeLong(h.index);
            out.writeLong(h.record);
            out.writeLong(h.line);
            out.writeInt(h.turn);
            writeNullable(out, h.docId);
            out.writeInt(h.tokens);
            out.writeUTF(h.keyId);
            out.writeDouble(h.log10p);
            writeNullable(out, h.preview);
            out.writeBoolean(h.sig != null);
            if (h.sig != null) {
                for (long v : h.sig) {
                    out.writeLong(v);
                }
            }
            out.writeInt(h.spans == null ? -1 : h.spans.size());
            if (h.spans != null) {
                for (Evidence.Span s : h.spans) {
                    writeNullable(out, s.keyId());
                    out.writeUTF(s.scheme());
                    out.writeInt(s.startToken());
                    out.writeInt(s.endToken());
                    out.writeInt(s.startChar());
                    out.writeInt(s.endChar());
                    out.writeDouble(s.log10p());
                }
            }
            out.writeInt(h.grid == null ? -1 : h.grid.length);
            if (h.grid != null) {
                for (int g : h.grid) {
                    out.writeInt(g);
                }
            }
        }
    }

    /** @param max the most a valid checkpoint holds (a larger count is a corrupt file) */
    static List<ListedDocument> read(DataInput in, int max) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > max) {
            throw new IOException("corrupt checkpoint: " + n + " listed documents");
        }
        List<ListedDocument> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long index = in.readLong();
            long record = in.readLong();
            long line = in.readLong();
            int turn = in.readInt();
            String docId = readNullable(in);
            int tokens = in.readInt();
            String keyId = in.readUTF();
            double lp = in.readDouble();
            String preview = readNullable(in);
            long[] sig = null;
            if (in.readBoolean()) {
                sig = new long[MinHash.BINS];
                for (int j = 0; j < sig.length; j++) {
                    sig[j] = in.readLong();
                }
            }
            int ns = in.readInt();
            List<Evidence.Span> spans = null;
            if (ns >= 0) {
                if (ns > 1 << 20) {
                    throw new IOException("corrupt checkpoint: " + ns + " spans");
                }
                spans = new ArrayList<>(ns);
                for (int j = 0; j < ns; j++) {
                    spans.add(new Evidence.Span(readNullable(in), in.readUTF(), in.readInt(), in.readInt(), in.readInt(),
                            in.readInt(), in.readDouble()));
                }
            }
            int ng = in.readInt();
            int[] grid = null;
            if (ng >= 0) {
                if (ng > 1 << 24) {
                    throw new IOException("corrupt checkpoint: " + ng + " span grid points");
                }
                grid = new int[ng];
                for (int j = 0; j < ng; j++) {
                    grid[j] = in.readInt();
                }
            }
            out.add(new ListedDocument(index, record, line, turn, docId, tokens, keyId, lp, preview, sig, spans, grid));
        }
        return out;
    }

    static void writeNullable(DataOutput out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    static String readNullable(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
