package dev.hallmark.service.http;

import dev.hallmark.service.scan.ScanRunner;
import dev.hallmark.service.scan.Versions;
import dev.hallmark.service.store.Store;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /healthz} (anyone: status, version, schema version, scans running; 503 "draining"
 * while the service stops) and {@code GET /metrics} (admins: Prometheus text).
 */
final class HealthResource implements Resource {

    private final Store store;
    private final ScanRunner runner;
    private final PrometheusMeterRegistry registry;
    private final Auth auth;
    private final BooleanSupplier draining;

    HealthResource(Store store, ScanRunner runner, PrometheusMeterRegistry registry, Auth auth, BooleanSupplier draining) {
        this.store = store;
        this.runner = runner;
        this.registry = registry;
        this.auth = auth;
        this.draining = draining;
    }

    @Override
    public void mount(Router r) {
        r.get("/healthz").handler(ctx -> Work.json(ctx, draining.getAsBoolean() ? 503 : 200, new JsonObject()
                .put("status", draining.getAsBoolean() ? "draining" : "ok")
                .put("version", Versions.hallmark())
                .put("schema_version", store.schemaVersion())
                .put("scans_running", runner.running())));
        r.get("/metrics").handler(auth::requireAdmin).handler(ctx -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape()));
    }
}
