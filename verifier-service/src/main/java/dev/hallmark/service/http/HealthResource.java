package dev.hallmark.service.http;

import dev.hallmark.service.scan.ScanRunner;
import dev.hallmark.service.scan.Versions;
import dev.hallmark.service.store.ScanFiles;
import dev.hallmark.service.store.Store;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * The probes of a load balancer or orchestrator, and metrics. {@code GET /healthz} (anyone):
 * liveness, answered from memory (status, version, instance, schema version, scans running), so a
 * database outage never gets a healthy process restarted; while the service drains (SIGTERM) its
 * status is "draining" (still 200: the process is alive and finishing its work). {@code GET /readyz}
 * (anyone): readiness, 200 only if the database answers, the corpus directory is writable and the
 * instance is not stopping; else 503 naming the failed check (details go to the server log, not to
 * the anonymous caller). {@code GET /metrics} (admins): Prometheus text.
 */
final class HealthResource implements Resource {

    private static final Logger LOG = Logger.getLogger(HealthResource.class.getName());

    /** How long readiness waits for the database. */
    static final int READY_TIMEOUT_SECONDS = 2;

    private final Store store;
    private final ScanFiles files;
    private final ScanRunner runner;
    private final String instance;
    private final PrometheusMeterRegistry registry;
    private final Auth auth;
    private final Work db;
    private final BooleanSupplier draining;

    HealthResource(Store store, ScanFiles files, ScanRunner runner, String instance, PrometheusMeterRegistry registry,
            Auth auth, Work db, BooleanSupplier draining) {
        this.store = store;
        this.files = files;
        this.runner = runner;
        this.instance = instance;
        this.registry = registry;
        this.auth = auth;
        this.db = db;
        this.draining = draining;
    }

    @Override
    public void mount(Router r) {
        r.get("/healthz").handler(ctx -> Work.json(ctx, 200, new JsonObject()
                .put("status", draining.getAsBoolean() ? "draining" : "ok")
                .put("version", Versions.hallmark())
                .put("instance", instance)
                .put("schema_version", store.schemaVersion())
                .put("scans_running", runner.running())));
        r.get("/readyz").handler(this::ready);
        r.get("/metrics").handler(auth::requireAdmin).handler(ctx -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape()));
    }

    private void ready(RoutingContext ctx) {
        db.call(() -> {
            JsonObject checks = new JsonObject();
            boolean ok = true;
            if (runner.stopping() || draining.getAsBoolean()) {
                checks.put("instance", "stopping");
                ok = false;
            } else {
                checks.put("instance", "ok");
            }
            try {
                store.ping(READY_TIMEOUT_SECONDS);
                checks.put("database", "ok");
            } catch (RuntimeException e) {
                LOG.warning("readiness: database: " + e.getMessage());
                checks.put("database", "unreachable");
                ok = false;
            }
            try {
                files.checkWritable();
                checks.put("storage", "ok");
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warning("readiness: corpus storage: " + e);
                checks.put("storage", "not writable");
                ok = false;
            }
            return new JsonObject().put("status", ok ? "ready" : "unavailable").put("instance", instance)
                    .put("database", store.exclusive() ? "h2" : "postgresql").put("checks", checks);
        }).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            JsonObject o = ar.result();
            Work.json(ctx, "ready".equals(o.getString("status")) ? 200 : 503, o);
        });
    }
}
