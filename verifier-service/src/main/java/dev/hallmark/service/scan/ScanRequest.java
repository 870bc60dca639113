package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.corpus.Compression;
import dev.hallmark.corpus.CorpusFormat;
import dev.hallmark.corpus.CorpusInfo;
import dev.hallmark.corpus.Split;
import dev.hallmark.corpus.Turns;
import dev.hallmark.service.store.ScanStore;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a new scan is asked to do, checked before any byte of its corpus is read.
 *
 * @param name the scan's display name
 * @param format how the corpus is written, or null to detect it from the content
 * @param accepts the formats the request's media type allows (checked after detection); empty: any
 * @param field the JSON path, CSV column or Parquet column of the documents, or null for the format's default
 * @param split how text is cut into documents (text), else null
 * @param turns which assistant turns of chat records are documents
 * @param alpha the false-positive rate of the verdicts, in (0, 1)
 * @param keyIds the keys to test, or null for every active key
 * @param scheme an interop scheme spec to test instead of the keys' own schemes, or null
 * @param declared the compression the client declared (the corpus must then start with its magic), or null
 * @param scanType {@link ScanStore#TYPE_WATERMARK} or {@link ScanStore#TYPE_RADIOACTIVITY}
 * @param filterScan radioactivity: the scan whose corpus is the served data, or null
 * @param filterTop radioactivity: keep only this many of the most frequent served contexts (0: all)
 */
public record ScanRequest(String name, CorpusFormat format, Set<CorpusFormat> accepts, String field, Split split,
        Turns turns, double alpha, List<String> keyIds, String scheme, Compression declared, String scanType,
        String filterScan, int filterTop) {

    public ScanRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(turns, "turns");
        Objects.requireNonNull(scanType, "scanType");
        accepts = accepts == null ? Set.of() : Set.copyOf(accepts);
        keyIds = keyIds == null ? null : List.copyOf(keyIds);
    }

    /** A watermark scan of a corpus (format null: detected) against the given keys (null: every active key). */
    public static ScanRequest watermark(String name, CorpusFormat format, String field, double alpha,
            List<String> keyIds) {
        return new ScanRequest(name, format, Set.of(), field, null, Turns.ALL, alpha, keyIds, null, null,
                ScanStore.TYPE_WATERMARK, null, 0);
    }

    /** Whether this is a radioactivity scan. */
    public boolean radioactivity() {
        return ScanStore.TYPE_RADIOACTIVITY.equals(scanType);
    }

    /** The scan's parameters as stored on the row (JSON), or null: the chat turns read, and the radioactivity options. */
    String params(CorpusInfo info) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (info.chat() != null) {
            o.put("turns", turns.text());
            o.put("chat", info.chat().text());
        }
        if (radioactivity()) {
            o.put("prompt_exclusion", true);
            if (filterScan != null) {
                o.put("filter_scan", filterScan).put("filter_top", filterTop);
            }
        }
        return o.isEmpty() ? null : o.toString();
    }
}
