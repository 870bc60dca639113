package dev.hallmark.service.http;

import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.scan.DetectionEngine;
import dev.hallmark.service.scan.Disclosure;
import dev.hallmark.service.scan.ProbeIndex;
import dev.hallmark.service.scan.QueryBudget;
import dev.hallmark.service.scan.ScanIntake;
import dev.hallmark.service.scan.ScanRunner;
import dev.hallmark.service.store.ScanFiles;
import dev.hallmark.service.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP side of the service: a Vert.x server with the {@code /v1} API, {@code /healthz},
 * {@code /metrics} and the web page, one resource class per route group.
 *
 * <p>Threading: handlers on the event loop only parse and route; database, tokenizer and
 * detection work runs on a worker pool ({@link ServiceConfig#detectThreads()}), the validation of
 * uploaded corpora on a pool of its own, scans on their own threads ({@link ScanRunner}). Every
 * failure goes to one {@code ErrorHandler} that writes an RFC 9457 problem body and closes the
 * connection.
 *
 * <p>Connections: a request head must arrive within the header timeout of opening a connection
 * or of its previous response ({@code ConnectionGuard}); every request but an upload is answered
 * within the request timeout (else 503); an upload that sends nothing for the idle timeout is
 * aborted and its temporary file deleted ({@code ScansResource}).
 */
public final class HttpApi implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());

    /** Threads for the short database calls of authentication and readiness. */
    static final int DB_THREADS = 4;

    /** What the routes work with, besides the configuration. */
    public record Parts(Store store, ScanFiles files, ScanRunner runner, ScanIntake intake, DetectionEngine engine,
            Disclosure disclosure, ProbeIndex probes, QueryBudget budget) {}

    private final Vertx vertx;
    private final ConnectionGuard guard;
    private HttpServer server;
    private ScansResource scans;
    private volatile boolean draining;

    private HttpApi(Vertx vertx, ConnectionGuard guard) {
        this.vertx = vertx;
        this.guard = guard;
    }

    /**
     * Builds the routes over the given parts and listens on the configured address. Blocks until
     * the server listens (call from a plain thread, not an event loop).
     */
    public static HttpApi start(ServiceConfig config, Parts parts, PrometheusMeterRegistry registry) throws Exception {
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                        .setJvmMetricsEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        try {
            ConnectionGuard guard = new ConnectionGuard(vertx, config.timeouts().headerSeconds());
            HttpApi api = new HttpApi(vertx, guard);
            Router router = Router.router(vertx);
            api.routes(router, config, parts, registry);
            api.server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port())
                            .setCompressionSupported(true)
                            // HTTP/1.1 only: the connection rules (close after an error, header timeout) are per connection
                            .setHttp2ClearTextEnabled(false)
                            // clients sending large uploads ask first (Expect: 100-continue); say yes at once
                            .setHandle100ContinueAutomatically(true))
                    .connectionHandler(guard::connected)
                    .requestHandler(router);
            api.server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            registry.gauge("hallmark_http_connections_open", guard, ConnectionGuard::open);
            return api;
        } catch (Exception e) {
            close(vertx);
            throw e;
        }
    }

    private void routes(Router r, ServiceConfig config, Parts parts, PrometheusMeterRegistry registry) {
        Store store = parts.store();
        Work work = new Work(vertx.createSharedWorkerExecutor("hallmark-worker", config.detectThreads(), 5, TimeUnit.MINUTES),
                vertx.createSharedWorkerExecutor("hallmark-intake", Math.max(1, config.detectThreads() / 2), 6,
                        TimeUnit.HOURS), store);
        // token look-ups, rate-limit charges and readiness are short database calls: their own pool,
        // so they never queue behind detection (each holds at most one connection)
        WorkerExecutor dbPool = vertx.createSharedWorkerExecutor("hallmark-db", DB_THREADS, 1, TimeUnit.MINUTES);
        Work db = new Work(dbPool, dbPool, store);
        Auth auth = new Auth(store.tokens(), new RateLimiter(config.ratePerSecond(), config.rateBurst(),
                RateLimiter::wallNanos, store.rateBuckets()),
                Counter.builder("hallmark_rate_limited").description("requests refused with 429").register(registry),
                store.audit(), db);
        // JSON bodies only; corpus uploads stream without it (ScansResource counts their bytes)
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()).setHandleFileUploads(false);
        TimeoutHandler timeout = TimeoutHandler.create(config.timeouts().requestSeconds() * 1000L, 503);

        r.route().handler(ctx -> {
            guard.request(ctx);
            ctx.response().putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Referrer-Policy", "no-referrer")
                    .putHeader("Cache-Control", "no-store");
            if (draining && !ctx.request().path().equals("/healthz") && !ctx.request().path().equals("/readyz")) {
                ctx.fail(Problem.unavailable("the service is stopping; retry in a moment"));
                return;
            }
            ctx.next();
        });
        // an upload may stream for long (it must not stall: ScansResource); everything else has a deadline
        r.route().handler(ctx -> {
            if (ctx.request().method() == HttpMethod.POST && ctx.request().path().equals("/v1/scans")) {
                ctx.next();
            } else {
                timeout.handle(ctx);
            }
        });
        r.route("/v1/*").handler(auth::authenticate);
        r.route("/metrics").handler(auth::authenticate);
        scans = new ScansResource(config, store.scans(), parts.files(), parts.intake(), parts.runner(),
                parts.disclosure(), auth, work, vertx);
        List<Resource> resources = List.of(
                new HealthResource(store, parts.files(), parts.runner(), config.cluster().instanceName(), registry, auth,
                        db, () -> draining),
                new UiResource(),
                new TokensResource(config, store.tokens(), parts.budget(), auth, work, body),
                new DetectResource(config.maxBatchTexts(), store.keys(), parts.engine(), parts.disclosure(),
                        parts.probes(), parts.budget(), auth, work, body, registry),
                new CalibrateResource(parts.engine(), auth, work, body),
                scans,
                new DocumentsResource(store.scans(), parts.files(), parts.disclosure(), work),
                new KeysResource(store.keys(), auth, work, body),
                new AuditResource(store.audit(), auth, work),
                new ProbeScansResource(store, parts.files(), parts.intake(), parts.runner(), parts.disclosure(),
                        parts.budget(), auth, work, body),
                new ErrorHandler(config.maxBodyBytes()));
        resources.forEach(res -> res.mount(r));
        // stalled uploads are aborted by their own timer; this removes what a crash mid-upload left behind
        long every = Math.max(1000, config.timeouts().idleSeconds() * 1000L);
        vertx.setPeriodic(every, id -> vertx.executeBlocking(() -> {
            parts.files().sweepStaleParts(scans.activeUploads(), Duration.ofMillis(2 * every));
            return null;
        }, false));
    }

    /** The port the server listens on. */
    public int port() {
        return server.actualPort();
    }

    /**
     * Stops taking work: every new request but {@code /healthz} and {@code /readyz} gets 503 (and the connection is
     * closed), uploads in flight are aborted; requests already being answered finish.
     */
    public void stopTakingWork() {
        draining = true;
        vertx.runOnContext(v -> scans.abortUploads("the service is stopping"));
    }

    /** Stops the server (requests in flight get up to 10 s) and its Vert.x instance. */
    @Override
    public void close() {
        draining = true;
        try {
            server.shutdown(Duration.ofSeconds(10)).toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.FINE, "http shutdown", e);
        }
        guard.close();
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
