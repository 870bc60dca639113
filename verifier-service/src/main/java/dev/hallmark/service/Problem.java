package dev.hallmark.service;

import io.vertx.core.json.JsonObject;

/**
 * An RFC 9457 problem: an HTTP failure with a stable type URI, a short title and a detail that
 * names what exactly was wrong. Every layer throws one (the store on a bad key or token, the scan
 * layer on a bad corpus, the handlers on a bad request), so it lives here rather than in
 * {@code http}; the router's single error handler writes it as {@code application/problem+json},
 * and a failed scan stores its detail.
 */
public final class Problem extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Base of every problem type URI (relative: resolved against the service's own address). */
    public static final String TYPE_BASE = "/problems/";

    private final int status;
    private final String type;
    private final String title;
    private final String detail;
    private final transient JsonObject extra;

    private Problem(int status, String type, String title, String detail, JsonObject extra) {
        super(title + ": " + detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.detail = detail;
        this.extra = extra;
    }

    public static Problem of(int status, String type, String title, String detail) {
        return new Problem(status, TYPE_BASE + type, title, detail, null);
    }

    public Problem with(String field, Object value) {
        JsonObject e = extra == null ? new JsonObject() : extra.copy();
        e.put(field, value);
        return new Problem(getStatusCode(), type, title, detail, e);
    }

    public int getStatusCode() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return detail;
    }

    public JsonObject toJson(String instance) {
        JsonObject o = new JsonObject()
                .put("type", type)
                .put("title", title)
                .put("status", getStatusCode())
                .put("detail", detail);
        if (instance != null) {
            o.put("instance", instance);
        }
        if (extra != null) {
            o.mergeIn(extra);
        }
        return o;
    }

    // the problem catalogue: one factory per kind, so types and titles stay consistent

    public static Problem malformedJson(String detail) {
        return of(400, "malformed-json", "Malformed JSON", detail);
    }

    public static Problem invalidUtf8(String detail) {
        return of(400, "invalid-utf8", "Invalid UTF-8", detail);
    }

    public static Problem unknownField(String detail) {
        return of(400, "unknown-field", "Unknown field", detail);
    }

    public static Problem invalid(String detail) {
        return of(400, "invalid-request", "Invalid request", detail);
    }

    /** A SynthID key set that does not parse (not an array of distinct int64, empty, too long). */
    public static Problem malformedKeySet(String detail) {
        return of(400, "malformed-key-set", "Malformed SynthID key set", detail);
    }

    /** A scheme that needs key material the request does not name ({@code synthid-ref} without a key set). */
    public static Problem keysRequired(String detail) {
        return of(400, "keys-required", "Key material required", detail);
    }

    /** {@code hf-kgw}'s vocabulary size cannot be the one the input's token ids come from. */
    public static Problem vocabMismatch(String detail) {
        return of(400, "vocab-mismatch", "Vocabulary mismatch", detail);
    }

    /** A scan referenced by a request parameter (radioactivity's served data) that the caller cannot use. */
    public static Problem unknownScan(String detail) {
        return of(422, "unknown-scan", "Unknown scan", detail);
    }

    public static Problem textTooShort(String detail) {
        return of(422, "text-too-short", "Text too short", detail);
    }

    public static Problem unknownKey(String detail) {
        return of(422, "unknown-key", "Unknown key", detail);
    }

    public static Problem noKeys() {
        return of(409, "no-keys", "No keys registered",
                "no active watermark key is registered: an admin must register one (POST /v1/keys) before detection");
    }

    public static Problem unsupportedMediaType(String detail) {
        return of(415, "unsupported-media-type", "Unsupported media type", detail);
    }

    public static Problem tooLarge(String detail) {
        return of(413, "payload-too-large", "Payload too large", detail);
    }

    public static Problem gzipBomb(String detail) {
        return of(413, "gzip-bomb", "Decompressed upload too large", detail);
    }

    public static Problem unauthorized(String detail) {
        return of(401, "unauthorized", "Unauthorized", detail);
    }

    public static Problem forbidden(String detail) {
        return of(403, "forbidden", "Forbidden", detail);
    }

    public static Problem notFound(String detail) {
        return of(404, "not-found", "Not found", detail);
    }

    public static Problem methodNotAllowed(String detail) {
        return of(405, "method-not-allowed", "Method not allowed", detail);
    }

    public static Problem conflict(String detail) {
        return of(409, "conflict", "Conflict", detail);
    }

    public static Problem rateLimited(long retryAfterSeconds) {
        return of(429, "rate-limited", "Too many requests",
                "this API token exceeded its request rate; retry after " + retryAfterSeconds + " s")
                .with("retry_after_seconds", retryAfterSeconds);
    }

    /** The database cannot be reached (refused, lost, or no connection free in time): retry later. */
    public static Problem databaseUnavailable(String detail) {
        return of(503, "database-unavailable", "Database unavailable", detail).with("retry_after_seconds", 5);
    }

    /** An analyst's daily query budget (documents or tokens) is spent; it renews at 00:00 UTC. */
    public static Problem budgetExhausted(String detail, long retryAfterSeconds) {
        return of(429, "budget-exhausted", "Daily query budget exhausted", detail)
                .with("retry_after_seconds", Math.max(1, retryAfterSeconds));
    }

    /** The service is stopping (draining) and takes no new work. */
    public static Problem unavailable(String detail) {
        return of(503, "unavailable", "Service unavailable", detail);
    }

    /** The request was not answered within the request timeout. */
    public static Problem timeout(String detail) {
        return of(503, "timeout", "Request timeout", detail);
    }

    public static Problem internal(String detail) {
        return of(500, "internal", "Internal error", detail);
    }
}
