package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.service.store.ScanStore;
import java.util.List;
import java.util.Objects;

/**
 * What a new scan is asked to do, checked before any byte of its corpus is read.
 *
 * @param name the scan's display name
 * @param format how the corpus is written
 * @param field the JSON field of each document (JSONL), else null
 * @param split how text is cut into documents (text), else null
 * @param alpha the false-positive rate of the verdicts, in (0, 1)
 * @param keyIds the keys to test, or null for every active key
 * @param scheme an interop scheme spec to test instead of the keys' own schemes, or null
 * @param declaredGzip whether the client said the corpus is gzip (it must then start with the gzip magic)
 * @param scanType {@link ScanStore#TYPE_WATERMARK} or {@link ScanStore#TYPE_RADIOACTIVITY}
 * @param filterScan radioactivity: the scan whose corpus is the served data, or null
 * @param filterTop radioactivity: keep only this many of the most frequent served contexts (0: all)
 */
public record ScanRequest(String name, CorpusReader.Format format, String field, CorpusReader.Split split,
        double alpha, List<String> keyIds, String scheme, boolean declaredGzip, String scanType, String filterScan,
        int filterTop) {

    public ScanRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(scanType, "scanType");
        keyIds = keyIds == null ? null : List.copyOf(keyIds);
    }

    /** A watermark scan of a corpus against the given keys (null: every active key) with their own schemes. */
    public static ScanRequest watermark(String name, CorpusReader.Format format, String field, double alpha,
            List<String> keyIds) {
        return new ScanRequest(name, format, field, null, alpha, keyIds, null, false, ScanStore.TYPE_WATERMARK, null, 0);
    }

    /** Whether this is a radioactivity scan. */
    public boolean radioactivity() {
        return ScanStore.TYPE_RADIOACTIVITY.equals(scanType);
    }

    /** The scan type's parameters as stored on the row (JSON), or null. */
    String params() {
        if (!radioactivity()) {
            return null;
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("prompt_exclusion", true);
        if (filterScan != null) {
            o.put("filter_scan", filterScan).put("filter_top", filterTop);
        }
        return o.toString();
    }
}
