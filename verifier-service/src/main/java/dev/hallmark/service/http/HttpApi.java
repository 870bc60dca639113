package dev.hallmark.service.http;

import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.scan.DetectionEngine;
import dev.hallmark.service.scan.ScanIntake;
import dev.hallmark.service.scan.ScanRunner;
import dev.hallmark.service.store.ScanFiles;
import dev.hallmark.service.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP side of the service: a Vert.x server with the {@code /v1} API, {@code /healthz},
 * {@code /metrics} and the web page, one resource class per route group.
 *
 * <p>Threading: handlers on the event loop only parse and route; database, tokenizer and
 * detection work runs on a worker pool ({@link ServiceConfig#detectThreads()}), scans on their own
 * threads ({@link ScanRunner}). Every failure goes to one {@code ErrorHandler} that writes an
 * RFC 9457 problem body.
 */
public final class HttpApi implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());

    /** Threads for the short database calls of authentication and readiness. */
    static final int DB_THREADS = 4;

    private final Vertx vertx;
    private final HttpServer server;

    private HttpApi(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    /**
     * Builds the routes over the given parts and listens on the configured address. Blocks until
     * the server listens (call from a plain thread, not an event loop).
     */
    public static HttpApi start(ServiceConfig config, Store store, ScanFiles files, ScanRunner runner,
            ScanIntake intake, DetectionEngine engine, PrometheusMeterRegistry registry) throws Exception {
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                        .setJvmMetricsEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        try {
            Router router = router(vertx, config, store, files, runner, intake, engine, registry);
            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port())
                            .setCompressionSupported(true)
                            // clients sending large uploads ask first (Expect: 100-continue); say yes at once
                            .setHandle100ContinueAutomatically(true))
                    .requestHandler(router)
                    .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return new HttpApi(vertx, server);
        } catch (Exception e) {
            close(vertx);
            throw e;
        }
    }

    private static Router router(Vertx vertx, ServiceConfig config, Store store, ScanFiles files, ScanRunner runner,
            ScanIntake intake, DetectionEngine engine, PrometheusMeterRegistry registry) {
        Work work = new Work(vertx.createSharedWorkerExecutor("hallmark-worker", config.detectThreads(), 5, TimeUnit.MINUTES),
                store);
        // token look-ups, rate-limit charges and readiness are short database calls: their own pool,
        // so they never queue behind detection (each holds at most one connection)
        Work db = new Work(vertx.createSharedWorkerExecutor("hallmark-db", DB_THREADS, 1, TimeUnit.MINUTES), store);
        Auth auth = new Auth(store.tokens(), new RateLimiter(config.ratePerSecond(), config.rateBurst(),
                RateLimiter::wallNanos, store.rateBuckets()),
                Counter.builder("hallmark_rate_limited").description("requests refused with 429").register(registry),
                store.audit(), db);
        // JSON bodies only; corpus uploads stream without it (ScansResource counts their bytes)
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()).setHandleFileUploads(false);

        Router r = Router.router(vertx);
        r.route().handler(ctx -> {
            ctx.response().putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Referrer-Policy", "no-referrer")
                    .putHeader("Cache-Control", "no-store");
            ctx.next();
        });
        r.route("/v1/*").handler(auth::authenticate);
        r.route("/metrics").handler(auth::authenticate);
        List<Resource> resources = List.of(
                new HealthResource(store, files, runner, config.cluster().instanceName(), registry, auth, db),
                new UiResource(),
                new TokensResource(config, store.tokens(), auth, work, body),
                new DetectResource(config.maxBatchTexts(), store.keys(), engine, auth, work, body, registry),
                new CalibrateResource(engine, auth, work, body),
                new ScansResource(config.maxUploadBytes(), store.scans(), files, intake, runner, auth, work, vertx),
                new DocumentsResource(store.scans(), files, work),
                new KeysResource(store.keys(), auth, work, body),
                new AuditResource(store.audit(), auth, work),
                new ProbeScansResource(store, files, intake, runner, auth, work, body),
                new ErrorHandler(config.maxBodyBytes()));
        resources.forEach(res -> res.mount(r));
        return r;
    }

    /** The port the server listens on. */
    public int port() {
        return server.actualPort();
    }

    /** Stops the server and its Vert.x instance (waits up to 10 s). */
    @Override
    public void close() {
        close(vertx);
    }

    private static void close(Vertx vertx) {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.FINE, "vertx close", e);
        }
    }
}
