package dev.hallmark.service.http;

import dev.hallmark.service.Problem;
import dev.hallmark.service.http.QueryParams.Param;
import dev.hallmark.service.scan.CorpusReader.Format;
import dev.hallmark.service.scan.CorpusReader.Split;
import dev.hallmark.service.scan.ScanRequest;
import dev.hallmark.service.store.ScanStore;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parameters of {@code POST /v1/scans}, all read here from the query and the headers before a
 * byte of the body is read: the table of query parameters below, the media types a corpus may be
 * sent as, and the rules that tie them together. The checks run in a fixed order, so a request
 * with several faults always hears of the same one.
 */
final class UploadParams {

    static final Param<Format> FORMAT = QueryParams.choice("format", Format::text, Format.JSONL, Format.TEXT);
    static final Param<String> FIELD = QueryParams.text("field", 200, true).orElse(() -> "text");
    static final Param<Split> SPLIT = QueryParams.choice("split", Split::text, Split.BLANK, Split.LINE)
            .orElse(() -> Split.BLANK);
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
    static final List<Param<?>> ALL = List.of(NAME, FORMAT, FIELD, SPLIT, ALPHA, KEY_IDS, SCHEME, SCAN_TYPE,
            FILTER_SCAN, FILTER_TOP);

    /** What a media type says about the body: its format (null: ask ?format=) and whether it is gzip. */
    private record Media(Format format, boolean gzip) {}

    private static final Map<String, Media> MEDIA = Map.of(
            "application/x-ndjson", new Media(Format.JSONL, false),
            "application/jsonl", new Media(Format.JSONL, false),
            "application/jsonlines", new Media(Format.JSONL, false),
            "application/x-jsonlines", new Media(Format.JSONL, false),
            "text/plain", new Media(Format.TEXT, false),
            "application/gzip", new Media(null, true),
            "application/x-gzip", new Media(null, true),
            "application/octet-stream", new Media(null, false));

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
                    : "'" + mediaType + "'") + ": send application/x-ndjson (JSONL), text/plain, or application/gzip "
                    + "with ?format=jsonl|text");
        }
        Format format = format(FORMAT.from(q), media.format(), mediaType);
        String field = format == Format.JSONL ? FIELD.from(q) : null;
        Split split = SPLIT.from(q);
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
        return new ScanRequest(name, format, field, format == Format.TEXT ? split : null, alpha, keyIds, scheme,
                gzipEncoded || media.gzip(), scanType, filterScan, filterTop);
    }

    /** The format: ?format= if given (it must agree with the media type), else the media type's. */
    private static Format format(Format given, Format inferred, String mediaType) {
        if (given != null) {
            if (inferred != null && inferred != given) {
                throw Problem.invalid("?format=" + given.text() + " contradicts Content-Type '" + mediaType + "'");
            }
            return given;
        }
        if (inferred != null) {
            return inferred;
        }
        throw Problem.invalid("with Content-Type '" + mediaType + "' say what is inside: ?format=jsonl or ?format=text");
    }
}
