package dev.hallmark.tools.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small OpenAI-compatible client for auditing an endpoint: one completion per call, with
 * retries. Transient failures (connection errors, timeouts, 429, 5xx, a body that is not the
 * expected JSON) are retried with exponential backoff and full jitter, waiting at least what a
 * {@code Retry-After} header asks (which also pauses the other workers); other 4xx answers fail at
 * once. The API key never appears in a message: any echo of it is replaced by {@code [redacted]}.
 */
public final class ProbeClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A failure that retrying will not fix (or that persisted through every retry). */
    public static final class ProbeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ProbeException(String message) {
            super(message);
        }
    }

    /**
     * One answer.
     *
     * @param text the completion (or the chat reply)
     * @param finishReason OpenAI's finish_reason, or null if the endpoint gave none
     * @param id the endpoint's response id
     * @param model the model the endpoint says it used
     * @param usage the endpoint's usage object, or null
     * @param attempts calls made (1 without retries)
     * @param latencyMillis time of the successful call
     */
    public record Answer(String text, String finishReason, String id, String model, JsonNode usage, int attempts,
            long latencyMillis) {
    }

    private final URI base;
    private final String apiKey;
    private final HttpClient http;
    private final Duration timeout;
    private final int maxRetries;
    private final long baseBackoffMillis;
    private final long maxBackoffMillis;
    private final SplittableRandom jitter;
    private final AtomicLong pauseUntil;

    /**
     * @param endpoint base URL, e.g. {@code http://127.0.0.1:8080/v1}
     * @param timeout per-call timeout
     * @param maxRetries retries after the first call
     * @param baseBackoffMillis first backoff (doubles per retry, capped at 60 s)
     */
    public ProbeClient(String endpoint, String apiKey, Duration timeout, int maxRetries, long baseBackoffMillis,
            long seed) {
        URI u;
        try {
            u = URI.create(endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--endpoint is not a URL: " + endpoint);
        }
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                || u.getHost() == null) {
            throw new IllegalArgumentException("--endpoint must be an http(s) URL such as http://HOST:PORT/v1, got "
                    + endpoint);
        }
        this.base = u;
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        this.baseBackoffMillis = baseBackoffMillis;
        this.maxBackoffMillis = 60_000;
        this.jitter = new SplittableRandom(seed);
        this.pauseUntil = new AtomicLong();
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private ProbeClient(ProbeClient o, String apiKey) {
        this.base = o.base;
        this.apiKey = apiKey;
        this.http = o.http;
        this.timeout = o.timeout;
        this.maxRetries = o.maxRetries;
        this.baseBackoffMillis = o.baseBackoffMillis;
        this.maxBackoffMillis = o.maxBackoffMillis;
        this.jitter = o.jitter;
        this.pauseUntil = o.pauseUntil;
    }

    /**
     * The same endpoint and settings under another API key, sharing this client's connections and
     * its Retry-After pause (for simulating many accounts' traffic).
     */
    public ProbeClient forKey(String otherApiKey) {
        return new ProbeClient(this, otherApiKey);
    }

    /** The endpoint's first model ({@code GET /models}). */
    public String firstModel() {
        JsonNode r = call("GET", "/models", null, "listing models");
        JsonNode data = r.get("data");
        if (data == null || !data.isArray() || data.isEmpty() || !data.get(0).path("id").isTextual()) {
            throw new ProbeException("GET " + base + "/models lists no model: name one with --model");
        }
        return data.get(0).get("id").asText();
    }

    /** One completion ({@code chat}: the body has messages; else a prompt). */
    public Answer complete(ObjectNode body, boolean chat) {
        long t0 = System.nanoTime();
        int[] attempts = {0};
        JsonNode r = call("POST", chat ? "/chat/completions" : "/completions", body, null, attempts);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        JsonNode choice = r.path("choices").path(0);
        JsonNode text = chat ? choice.path("message").path("content") : choice.path("text");
        if (!text.isTextual()) {
            throw new ProbeException("the endpoint's answer has no " + (chat ? "choices[0].message.content"
                    : "choices[0].text") + ": " + redact(abbreviate(r.toString())));
        }
        JsonNode fr = choice.get("finish_reason");
        return new Answer(text.asText(), fr == null || fr.isNull() ? null : fr.asText(), r.path("id").asText(null),
                r.path("model").asText(null), r.get("usage"), attempts[0], ms);
    }

    private JsonNode call(String method, String path, ObjectNode body, String what) {
        return call(method, path, body, what, new int[1]);
    }

    private JsonNode call(String method, String path, ObjectNode body, String what, int[] attempts) {
        URI uri = URI.create(base + path);
        String last = null;
        for (int attempt = 0; attempt <= maxRetries; attempt++) {
            waitForPause();
            attempts[0] = attempt + 1;
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("Authorization", "Bearer " + apiKey).header("Accept", "application/json");
            if (body != null) {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            long retryAfter = -1;
            try {
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int s = r.statusCode();
                if (s == 200) {
                    try {
                        JsonNode n = JSON.readTree(r.body());
                        if (n != null && n.isObject()) {
                            return n;
                        }
                    } catch (IOException e) {
                        // fall through: not JSON
                    }
                    last = method + " " + uri + ": HTTP 200 but the body is not a JSON object (content-type "
                            + r.headers().firstValue("content-type").orElse("none") + "): "
                            + redact(abbreviate(r.body()));
                } else if (s == 429 || s >= 500) {
                    retryAfter = retryAfterMillis(r);
                    last = method + " " + uri + ": HTTP " + s + " " + redact(errorMessage(r.body()));
                } else {
                    String hint = s == 401 ? " (the API key was rejected)" : s == 404 ? " (wrong --endpoint or --model?)"
                            : "";
                    throw new ProbeException(method + " " + uri + ": HTTP " + s + hint + ": "
                            + redact(errorMessage(r.body())));
                }
            } catch (HttpTimeoutException e) {
                last = method + " " + uri + ": no answer within " + timeout.toSeconds() + " s (timeout)";
            } catch (ConnectException e) {
                last = method + " " + uri + ": cannot connect (" + e.getClass().getSimpleName() + ")";
            } catch (IOException e) {
                last = method + " " + uri + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + redact(e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProbeException("interrupted");
            }
            if (attempt == maxRetries) {
                break;
            }
            long backoff = Math.min(maxBackoffMillis, baseBackoffMillis << Math.min(20, attempt));
            long wait;
            synchronized (jitter) {
                wait = jitter.nextLong(backoff + 1);
            }
            if (retryAfter >= 0) {
                wait = Math.max(wait, retryAfter);
                pauseUntil.accumulateAndGet(System.nanoTime() + retryAfter * 1_000_000L, Math::max);
            }
            sleep(wait);
        }
        throw new ProbeException(last + " (gave up after " + (maxRetries + 1) + " attempts)");
    }

    private void waitForPause() {
        long now = System.nanoTime();
        long until = pauseUntil.get();
        if (until > now) {
            sleep((until - now) / 1_000_000);
        }
    }

    private static void sleep(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProbeException("interrupted");
        }
    }

    /** {@code Retry-After} in seconds or as an HTTP date, in milliseconds; -1 if absent or unreadable. */
    static long retryAfterMillis(HttpResponse<?> r) {
        String v = r.headers().firstValue("Retry-After").orElse(null);
        if (v == null) {
            return -1;
        }
        v = v.strip();
        try {
            return Math.min(3_600_000L, Math.max(0, (long) (Double.parseDouble(v) * 1000)));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime t = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.min(3_600_000L, Math.max(0, t.toInstant().toEpochMilli() - System.currentTimeMillis()));
            } catch (RuntimeException e2) {
                return -1;
            }
        }
    }

    private static String errorMessage(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.path("error").path("message").isTextual()) {
                return n.get("error").get("message").asText();
            }
        } catch (IOException e) {
            // not JSON: show the start
        }
        return abbreviate(body);
    }

    private static String abbreviate(String s) {
        String t = s == null ? "" : s.strip().replaceAll("\\s+", " ");
        return t.length() <= 160 ? "'" + t + "'" : "'" + t.substring(0, 160) + "...'";
    }

    private String redact(String s) {
        return apiKey.isEmpty() ? s : s.replace(apiKey, "[redacted]");
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ProbeClient[%s]", base);
    }
}
