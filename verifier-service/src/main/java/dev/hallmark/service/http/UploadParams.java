package dev.hallmark.service.http;

import dev.hallmark.service.Problem;
import dev.hallmark.service.http.QueryParams.Param;
import dev.hallmark.corpus.Compression;
import dev.hallmark.corpus.CorpusFormat;
import dev.hallmark.corpus.Split;
import dev.hallmark.corpus.Turns;
import dev.hallmark.service.scan.ScanRequest;
import dev.hallmark.service.store.ScanStore;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of {@code POST /v1/scans}, all read here from the query and the headers before a
 * byte of the body is read: the table of query parameters below, the media types a corpus may be
 * sent as, and the rules that tie them together. The checks run in a fixed order, so a request
 * with several faults always hears of the same one.
 */
final class UploadParams {

    /** Absent: detected from the content. */
    static final Param<CorpusFormat> FORMAT = QueryParams.choice("format", CorpusFormat::text, CorpusFormat.values());
    /** Absent: the format's default ({@code text}, else {@code completion}; the chat turns). */
    static final Param<String> FIELD = QueryParams.text("field", 200, false);
    static final Param<Split> SPLIT = QueryParams.choice("split", Split::text, Split.BLANK, Split.LINE)
            .orElse(() -> Split.BLANK);
    static final Param<Turns> TURNS = QueryParams.choice("turns", Turns::text, Turns.LAST, Turns.ALL)
            .orElse(() -> Turns.ALL);
    static final Param<Double> ALPHA = QueryParams.falsePositiveRate("alpha", 1e-3);
    static final Param<String> NAME = QueryParams.text("name", 200, false)
            .orElse(() -> "upload " + Instant.now().toString().substring(0, 19).replace('T', ' '));
    static final Param<List<String>> KEY_IDS = QueryParams.list("key_ids");
    static final Param<String> SCHEME = QueryParams.text("scheme", 500, false);
    static final Param<String> SCAN_TYPE = QueryParams.choice("scan_type", t -> t, ScanStore.TYPE_WATERMARK,
            ScanStore.TYPE_RADIOACTIVITY).orElse(() -> ScanStore.TYPE_WATERMARK);
    static final Param<String> FILTER_SCAN = QueryParams.text("filter_scan", 40, false, "'filter_scan' must be a scan id");
    static final Param<Integer> FILTER_TOP = QueryParams.integer("filter_top", 0, Integer.MAX_VALUE, 0,
            v -> "'filter_top' must be an integer >= 0 (0 = every served context), got '" + v + "'");

    /** Every query parameter of the route. */
    static final List<Param<?>> ALL = List.of(NAME, FORMAT, FIELD, SPLIT, TURNS, ALPHA, KEY_IDS, SCHEME, SCAN_TYPE,
            FILTER_SCAN, FILTER_TOP);

    /**
     * What a media type says about the body: the formats it allows (empty: any; one: that format)
     * and the compression it declares (null: none declared).
     */
    private record Media(Set<CorpusFormat> formats, Compression compression) {}

    private static final Set<CorpusFormat> JSON = Set.of(CorpusFormat.JSONL, CorpusFormat.CHAT);

    private static final Map<String, Media> MEDIA = Map.ofEntries(
            Map.entry("application/x-ndjson", new Media(JSON, null)),
            Map.entry("application/jsonl", new Media(JSON, null)),
            Map.entry("application/jsonlines", new Media(JSON, null)),
            Map.entry("application/x-jsonlines", new Media(JSON, null)),
            Map.entry("text/plain", new Media(Set.of(CorpusFormat.TEXT), null)),
            Map.entry("text/csv", new Media(Set.of(CorpusFormat.CSV), null)),
            Map.entry("text/tab-separated-values", new Media(Set.of(CorpusFormat.TSV), null)),
            Map.entry("application/vnd.apache.parquet", new Media(Set.of(CorpusFormat.PARQUET), null)),
            Map.entry("application/x-parquet", new Media(Set.of(CorpusFormat.PARQUET), null)),
            Map.entry("application/gzip", new Media(Set.of(), Compression.GZIP)),
            Map.entry("application/x-gzip", new Media(Set.of(), Compression.GZIP)),
            Map.entry("application/zstd", new Media(Set.of(), Compression.ZSTD)),
            Map.entry("application/octet-stream", new Media(Set.of(), null)));

    private UploadParams() {}

    /**
     * The scan the request asks for.
     *
     * @throws Problem unknown-field, unsupported-media-type or invalid-request naming the parameter
     */
    static ScanRequest parse(HttpServerRequest req) {
        MultiMap q = req.params();
        QueryParams.refuseUnknown(q, ALL);
        String ct = req.getHeader(HttpHeaders.CONTENT_TYPE);
        String mediaType = ct == null ? "" : ct.toLowerCase(Locale.ROOT).split(";")[0].trim();
        String enc = req.getHeader(HttpHeaders.CONTENT_ENCODING);
        boolean gzipEncoded = enc != null && enc.trim().equalsIgnoreCase("gzip");
        if (enc != null && !gzipEncoded && !enc.trim().equalsIgnoreCase("identity")) {
            throw Problem.unsupportedMediaType("Content-Encoding '" + enc + "' is not supported (use gzip or none)");
        }
        Media media = MEDIA.get(mediaType);
        if (media == null) {
            throw Problem.unsupportedMediaType("cannot scan " + (mediaType.isEmpty() ? "a body without Content-Type"
                    : "'" + mediaType + "'") + ": send application/x-ndjson (JSONL, chat transcripts), text/plain, "
                    + "text/csv, text/tab-separated-values, application/vnd.apache.parquet, or application/octet-stream, "
                    + "application/gzip or application/zstd (the format is then detected, or say ?format=)");
        }
        CorpusFormat format = format(FORMAT.from(q), media.formats(), mediaType);
        if (FIELD.given(q) && format == CorpusFormat.TEXT) {
            throw Problem.invalid("'field' names a JSON field, CSV column or Parquet column; plain text has none");
        }
        String field = FIELD.from(q);
        Split split = SPLIT.from(q);
        Turns turns = TURNS.from(q);
        double alpha = ALPHA.from(q);
        String name = NAME.from(q);
        List<String> keyIds = KEY_IDS.from(q);
        String scheme = SCHEME.from(q);
        String scanType = SCAN_TYPE.from(q);
        boolean radioactivity = scanType.equals(ScanStore.TYPE_RADIOACTIVITY);
        if (!radioactivity && (FILTER_SCAN.given(q) || FILTER_TOP.given(q))) {
            throw Problem.invalid("'filter_scan' and 'filter_top' are parameters of scan_type=radioactivity");
        }
        if (FILTER_TOP.given(q) && !FILTER_SCAN.given(q)) {
            throw Problem.invalid("'filter_top' needs 'filter_scan' (the scan whose corpus is the served data)");
        }
        int filterTop = FILTER_TOP.from(q);
        String filterScan = FILTER_SCAN.from(q);
        Compression declared = gzipEncoded ? Compression.GZIP : media.compression();
        return new ScanRequest(name, format, media.formats(), field, format == null || format == CorpusFormat.TEXT
                ? split : null, turns, alpha, keyIds, scheme, declared, scanType, filterScan, filterTop);
    }

    /**
     * The format: ?format= if given (it must be one the media type allows), else the media type's
     * if it allows only one, else null (detected from the content).
     */
    private static CorpusFormat format(CorpusFormat given, Set<CorpusFormat> allowed, String mediaType) {
        if (given != null) {
            if (!allowed.isEmpty() && !allowed.contains(given)) {
                throw Problem.invalid("?format=" + given.text() + " contradicts Content-Type '" + mediaType + "'");
            }
            return given;
        }
        return allowed.size() == 1 ? allowed.iterator().next() : null;
    }
}
