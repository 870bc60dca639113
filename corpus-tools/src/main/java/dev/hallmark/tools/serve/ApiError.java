package dev.hallmark.tools.serve;

/**
 * An error answered in OpenAI's JSON error shape:
 * {@code {"error": {"message", "type", "param", "code"}}} with an HTTP status. Messages never
 * carry key material (API keys or watermark keys).
 */
final class ApiError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;
    final String type;
    final String param;
    final String code;
    /** Seconds for a {@code Retry-After} header, or -1. */
    final long retryAfter;

    ApiError(int status, String type, String param, String code, String message, long retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    /** 400: a request field is missing, of the wrong type or out of range. */
    static ApiError badField(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, null, message, -1);
    }

    static ApiError badRequest(String code, String message) {
        return new ApiError(400, "invalid_request_error", null, code, message, -1);
    }

    static ApiError unauthorized(String message) {
        return new ApiError(401, "invalid_request_error", null, "invalid_api_key", message, -1);
    }

    static ApiError modelNotFound(String model) {
        return new ApiError(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + model + "' does not exist", -1);
    }

    static ApiError rateLimited(String message, long retryAfterSeconds) {
        return new ApiError(429, "requests", null, "rate_limit_exceeded", message, retryAfterSeconds);
    }

    static ApiError overloaded(long retryAfterSeconds) {
        return new ApiError(503, "server_error", null, "overloaded",
                "The server is overloaded: too many sequences are waiting. Retry later.", retryAfterSeconds);
    }

    static ApiError internal(String message) {
        return new ApiError(500, "server_error", null, null, message, -1);
    }
}
