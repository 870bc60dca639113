package dev.hallmark.tools.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Prometheus metrics of {@code hallmark serve} ({@code GET /metrics}): requests by endpoint and
 * status, request latency and time to first token (histograms), decoding steps, rows per step,
 * generated tokens, the running batch and the waiting queue, and per-account usage (requests,
 * prompt and completion tokens, rate-limited requests). Labels carry account names, never keys.
 */
final class ServeMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer stepTimer;
    private final DistributionSummary stepRows;
    private final Counter tokens;

    ServeMetrics() {
        stepTimer = Timer.builder("hallmark_serve_step").description("One decoding step over the running batch")
                .publishPercentileHistogram().register(registry);
        stepRows = DistributionSummary.builder("hallmark_serve_step_rows").description("Sequences sampled per step")
                .register(registry);
        tokens = Counter.builder("hallmark_serve_generated_tokens").description("Completion tokens generated")
                .register(registry);
    }

    /** Registers the engine's gauges. */
    void engine(Supplier<Number> running, Supplier<Number> waiting) {
        Gauge.builder("hallmark_serve_running_sequences", running).description("Sequences in the running batch")
                .register(registry);
        Gauge.builder("hallmark_serve_waiting_sequences", waiting).description("Sequences waiting for the batch")
                .register(registry);
    }

    /** Registers one account's usage counters. */
    void account(Accounts.Account a) {
        Accounts.Usage u = a.usage();
        FunctionCounter.builder("hallmark_serve_account_requests", u, Accounts.Usage::requests)
                .tag("account", a.name()).register(registry);
        FunctionCounter.builder("hallmark_serve_account_prompt_tokens", u, Accounts.Usage::promptTokens)
                .tag("account", a.name()).register(registry);
        FunctionCounter.builder("hallmark_serve_account_completion_tokens", u, Accounts.Usage::completionTokens)
                .tag("account", a.name()).register(registry);
        FunctionCounter.builder("hallmark_serve_account_rate_limited", u, Accounts.Usage::rateLimited)
                .tag("account", a.name()).register(registry);
    }

    void step(int rows, long nanos) {
        stepTimer.record(nanos, TimeUnit.NANOSECONDS);
        stepRows.record(rows);
    }

    void tokens(int n) {
        tokens.increment(n);
    }

    void request(String endpoint, int status, long nanos) {
        Timer.builder("hallmark_serve_request").description("HTTP requests by endpoint and status")
                .tag("endpoint", endpoint).tag("status", Integer.toString(status))
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    void firstToken(String endpoint, long nanos) {
        Timer.builder("hallmark_serve_time_to_first_token").tag("endpoint", endpoint)
                .publishPercentileHistogram().register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    String scrape() {
        return registry.scrape();
    }
}
