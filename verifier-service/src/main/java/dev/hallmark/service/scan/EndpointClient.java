package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.service.Problem;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The probe scan's OpenAI-compatible client: one completion per call to {@code base + /completions}
 * (or {@code /chat/completions}), never anything else; redirects are not followed, so a listed
 * endpoint cannot send the service elsewhere. Connection errors, timeouts, 429 and 5xx are retried
 * with exponential backoff and full jitter, at least as long as {@code Retry-After} asks; other
 * answers fail the scan with the endpoint's message (the API key never appears in one).
 */
final class EndpointClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_RETRIES = 5;

    private final String base;
    private final String apiKey;
    private final HttpClient http;
    private final Duration timeout;
    private final SplittableRandom jitter;
    private final BooleanSupplier stop;
    int retries;

    EndpointClient(String base, String apiKey, Duration timeout, long seed, BooleanSupplier stop) {
        this.base = base;
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.jitter = new SplittableRandom(seed);
        this.stop = stop;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The completion text; null if the scan is stopping. */
    String complete(ObjectNode body, boolean chat) {
        URI uri = URI.create(base + (chat ? "/chat/completions" : "/completions"));
        String last = null;
        for (int attempt = 0; attempt <= MAX_RETRIES; attempt++) {
            if (stop.getAsBoolean()) {
                return null;
            }
            long retryAfter = -1;
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(timeout)
                        .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int s = r.statusCode();
                if (s == 200) {
                    JsonNode n = null;
                    try {
                        n = JSON.readTree(r.body());
                    } catch (IOException e) {
                        // not JSON
                    }
                    JsonNode c = n == null ? null : n.path("choices").path(0);
                    JsonNode text = c == null ? null : chat ? c.path("message").path("content") : c.path("text");
                    if (text != null && text.isTextual()) {
                        return text.asText();
                    }
                    last = "the endpoint answered HTTP 200 without a completion (not the OpenAI JSON shape)";
                } else if (s == 429 || s >= 500) {
                    retryAfter = retryAfterMillis(r);
                    last = "the endpoint answered HTTP " + s;
                } else {
                    throw Problem.invalid("the endpoint " + base + " refused the request: HTTP " + s
                            + (s == 401 || s == 403 ? " (its API key was rejected)" : s == 404
                                    ? " (wrong base URL or model?)" : "") + ": " + message(r.body()));
                }
            } catch (HttpTimeoutException e) {
                last = "the endpoint did not answer within " + timeout.toSeconds() + " s";
            } catch (IOException e) {
                last = "cannot reach the endpoint " + base + " (" + e.getClass().getSimpleName() + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            if (attempt == MAX_RETRIES) {
                break;
            }
            retries++;
            long wait = jitter.nextLong(Math.min(30_000L, 500L << attempt) + 1);
            sleep(Math.max(wait, retryAfter));
        }
        throw Problem.invalid(last + "; gave up after " + (MAX_RETRIES + 1) + " attempts");
    }

    private void sleep(long ms) {
        long until = System.currentTimeMillis() + ms;
        try {
            while (!stop.getAsBoolean() && System.currentTimeMillis() < until) {
                Thread.sleep(Math.min(200, Math.max(1, until - System.currentTimeMillis())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static long retryAfterMillis(HttpResponse<?> r) {
        String v = r.headers().firstValue("Retry-After").orElse(null);
        try {
            return v == null ? -1 : Math.min(600_000L, Math.max(0, (long) (Double.parseDouble(v.strip()) * 1000)));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The endpoint's error message (cut short, the API key redacted). */
    private String message(String body) {
        String m = body;
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.path("error").path("message").isTextual()) {
                m = n.get("error").get("message").asText();
            }
        } catch (IOException e) {
            // not JSON: the start of the body
        }
        m = m.replace(apiKey, "[redacted]").strip();
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }
}
