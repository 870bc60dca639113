package dev.hallmark.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.text.HfTokenizer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The verifier service: a Vert.x HTTP server with the {@code /v1} API, {@code /healthz},
 * {@code /metrics} and the analysts' web page, over the embedded store in the data directory.
 *
 * <p>Threading: handlers on the event loop do only parsing and routing; database, tokenizer and
 * detection work runs on a worker pool ({@link ServiceConfig#detectThreads()}), scans on their own
 * threads ({@link ScanRunner}). Every failure goes through one failure handler that writes an
 * RFC 9457 problem body.
 */
public final class VerifierServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(VerifierServer.class.getName());
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String PRINCIPAL = "hallmark.principal";

    static final Set<String> DETECT_FIELDS = Set.of("text", "texts", "ids", "key_ids", "alpha", "localize",
            "include_token_scores");
    static final Set<String> KEY_FIELDS = Set.of("scheme", "label", "secret");
    static final Set<String> DERIVE_FIELDS = Set.of("path", "label", "scheme");
    static final Set<String> TOKEN_FIELDS = Set.of("tenant", "role", "label");
    static final Set<String> SCAN_PARAMS = Set.of("name", "format", "field", "split", "alpha", "key_ids");

    private final ServiceConfig config;
    private final Vertx vertx;
    private final Database db;
    private final SecretBox box;
    private final ApiTokens tokens;
    private final KeyStore keys;
    private final ScanStore scans;
    private final HfTokenizer tokenizer;
    private final DetectionEngine engine;
    private final ScanRunner runner;
    private final RateLimiter limiter;
    private final PrometheusMeterRegistry registry;
    private final WorkerExecutor worker;
    private final SecureRandom random = new SecureRandom();
    private final Counter rateLimited;
    private final Counter textsTested;
    private final Timer detectTimer;
    private HttpServer server;

    private VerifierServer(ServiceConfig config) throws IOException, SQLException {
        this.config = config;
        Files.createDirectories(config.dataDir());
        Files.createDirectories(uploadsDir());
        Files.createDirectories(config.dataDir().resolve("scans"));
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.db = Database.open(config.dataDir().resolve("db"));
        try {
            this.box = SecretBox.load(config.dataDir(), random);
            this.tokens = new ApiTokens(db, random);
            this.keys = new KeyStore(db, box, random);
            this.scans = new ScanStore(db);
            this.tokenizer = sharedTokenizer(config.tokenizerPath());
        } catch (IOException | RuntimeException e) {
            db.close();
            throw e;
        }
        this.engine = new DetectionEngine(tokenizer, config.minTokens());
        this.runner = new ScanRunner(config, db, scans, keys, tokenizer, registry);
        this.limiter = new RateLimiter(config.ratePerSecond(), config.rateBurst(), System::nanoTime);
        this.vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                        .setJvmMetricsEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        this.worker = vertx.createSharedWorkerExecutor("hallmark-worker", config.detectThreads(), 5, TimeUnit.MINUTES);
        this.rateLimited = Counter.builder("hallmark_rate_limited").description("requests refused with 429").register(registry);
        this.textsTested = Counter.builder("hallmark_detect_texts").description("texts tested by /v1/detect").register(registry);
        this.detectTimer = Timer.builder("hallmark_detect_seconds").description("time to test one /v1/detect request")
                .publishPercentiles(0.5, 0.99).register(registry);
        registry.gauge("hallmark_keys_active", keys, k -> k.active().size());
    }

    private static final java.util.Map<Path, HfTokenizer> TOKENIZERS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * One tokenizer per file for the whole JVM: loading the 11 MB tokenizer.json takes seconds and
     * the instance is immutable and thread-safe, so servers started in the same process (tests)
     * share it. It is never closed (it lives as long as the process).
     */
    static HfTokenizer sharedTokenizer(Path path) {
        return TOKENIZERS.computeIfAbsent(path.toAbsolutePath().normalize(), HfTokenizer::open);
    }

    /**
     * Opens the store, recovers interrupted scans, and starts listening. Blocks until the server
     * listens (call from a plain thread, not an event loop).
     */
    public static VerifierServer start(ServiceConfig config) throws Exception {
        VerifierServer s = new VerifierServer(config);
        try {
            s.sweepOrphans();
            s.runner.recover();
            s.server = s.vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port())
                            .setCompressionSupported(true)
                            // clients sending large uploads ask first (Expect: 100-continue); say yes at once
                            .setHandle100ContinueAutomatically(true))
                    .requestHandler(s.router())
                    .listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return s;
        } catch (Exception e) {
            s.close();
            throw e;
        }
    }

    public int port() {
        return server.actualPort();
    }

    public ServiceConfig config() {
        return config;
    }

    public ApiTokens tokens() {
        return tokens;
    }

    public KeyStore keys() {
        return keys;
    }

    public ScanStore scans() {
        return scans;
    }

    public Database database() {
        return db;
    }

    public HfTokenizer tokenizer() {
        return tokenizer;
    }

    public SecretBox secretBox() {
        return box;
    }

    Path uploadsDir() {
        return config.dataDir().resolve("uploads");
    }

    /** Removes temporary uploads and scan directories without a row (a crash between the two steps). */
    private void sweepOrphans() throws IOException {
        try (Stream<Path> s = Files.list(uploadsDir())) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
        }
        try (Stream<Path> s = Files.list(config.dataDir().resolve("scans"))) {
            for (Path p : s.toList()) {
                if (scans.get(p.getFileName().toString()) == null) {
                    deleteTree(p);
                }
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> w = Files.walk(p)) {
            for (Path x : w.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

    // ---------------------------------------------------------------------------------- routing

    private Router router() {
        Router r = Router.router(vertx);
        r.route().handler(ctx -> {
            ctx.response().putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Referrer-Policy", "no-referrer")
                    .putHeader("Cache-Control", "no-store");
            ctx.next();
        });
        r.get("/healthz").handler(this::healthz);
        r.get("/").handler(ctx -> ctx.redirect("/ui/"));
        r.route("/ui/*").handler(ctx -> {
            ctx.response().putHeader("Content-Security-Policy", "default-src 'self'; script-src 'self'; "
                    + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'self' blob:; "
                    + "frame-ancestors 'none'; form-action 'none'; base-uri 'none'");
            ctx.next();
        });
        r.route("/ui/*").handler(StaticHandler.create("webroot").setCachingEnabled(false).setIndexPage("index.html"));

        r.route("/v1/*").handler(this::authenticate);
        r.route("/metrics").handler(this::authenticate);
        r.get("/metrics").handler(this::requireAdmin).handler(ctx -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape()));

        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()).setHandleFileUploads(false);
        r.get("/v1/me").handler(ctx -> json(ctx, 200, ApiTokens.json(principal(ctx))
                .put("limits", limitsJson())));
        r.post("/v1/detect").handler(body).handler(this::detect);

        r.post("/v1/scans").handler(this::upload);
        r.get("/v1/scans").handler(this::listScans);
        r.get("/v1/scans/:id").handler(this::getScan);
        r.get("/v1/scans/:id/report").handler(this::getReport);
        r.get("/v1/scans/:id/report.html").handler(this::getReportHtml);
        r.delete("/v1/scans/:id").handler(this::deleteScan);

        r.get("/v1/keys").handler(this::requireAdmin).handler(ctx -> blocking(ctx, () -> {
            JsonArray a = new JsonArray();
            keys.list().forEach(k -> a.add(k.toJson()));
            return new JsonObject().put("keys", a);
        }));
        r.post("/v1/keys").handler(body).handler(this::requireAdmin).handler(this::registerKey);
        r.get("/v1/keys/:id").handler(this::requireAdmin).handler(ctx -> blocking(ctx, () -> {
            KeyStore.Info k = keys.get(ctx.pathParam("id"));
            if (k == null) {
                throw Problem.notFound("no key with id '" + ctx.pathParam("id") + "'");
            }
            return k.toJson();
        }));
        r.post("/v1/keys/:id/derive").handler(body).handler(this::requireAdmin).handler(this::deriveKey);
        r.delete("/v1/keys/:id").handler(this::requireAdmin).handler(ctx -> blocking(ctx, () -> {
            String id = ctx.pathParam("id");
            if (!keys.retire(id)) {
                throw Problem.notFound("no key with id '" + id + "'");
            }
            audit(ctx, "key.retire", id, null);
            return keys.get(id).toJson();
        }));

        r.get("/v1/tokens").handler(this::requireAdmin).handler(ctx -> blocking(ctx, () -> {
            JsonArray a = new JsonArray();
            tokens.list().forEach(p -> a.add(ApiTokens.json(p)));
            return new JsonObject().put("tokens", a);
        }));
        r.post("/v1/tokens").handler(body).handler(this::requireAdmin).handler(this::createToken);
        r.delete("/v1/tokens/:id").handler(this::requireAdmin).handler(ctx -> blocking(ctx, () -> {
            String id = ctx.pathParam("id");
            if (!tokens.revoke(id)) {
                throw Problem.notFound("no API token with id '" + id + "'");
            }
            audit(ctx, "token.revoke", id, null);
            return tokens.list().stream().filter(p -> p.tokenId().equals(id)).findFirst().map(ApiTokens::json).orElseThrow();
        }));
        r.get("/v1/audit").handler(this::requireAdmin).handler(this::auditLog);

        r.route().failureHandler(this::failure);
        r.errorHandler(404, ctx -> problem(ctx, Problem.notFound("no route for " + ctx.request().method() + " "
                + ctx.request().path())));
        r.errorHandler(405, ctx -> problem(ctx, Problem.methodNotAllowed(ctx.request().method() + " is not allowed on "
                + ctx.request().path())));
        return r;
    }

    private JsonObject limitsJson() {
        return new JsonObject()
                .put("max_body_bytes", config.maxBodyBytes())
                .put("max_upload_bytes", config.maxUploadBytes())
                .put("max_decompressed_bytes", config.maxDecompressedBytes())
                .put("max_batch_texts", config.maxBatchTexts())
                .put("min_tokens", config.minTokens())
                .put("rate_per_second", config.ratePerSecond())
                .put("rate_burst", config.rateBurst());
    }

    private void healthz(RoutingContext ctx) {
        JsonObject o = new JsonObject().put("status", "ok")
                .put("version", Versions.hallmark())
                .put("schema_version", db.schemaVersion())
                .put("scans_running", runner.running());
        json(ctx, 200, o);
    }

    // ---------------------------------------------------------------------------- auth & limits

    private void authenticate(RoutingContext ctx) {
        String h = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (h == null) {
            ctx.fail(Problem.unauthorized("missing 'Authorization: Bearer <API token>' header"));
            return;
        }
        if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ctx.fail(Problem.unauthorized("the Authorization header must use the Bearer scheme"));
            return;
        }
        ApiTokens.Principal p = tokens.authenticate(h.substring(7).trim());
        if (p == null) {
            ctx.fail(Problem.unauthorized("unknown or revoked API token"));
            return;
        }
        ctx.put(PRINCIPAL, p);
        long wait = limiter.acquire(p.tokenId(), 1);
        if (wait > 0) {
            rateLimited.increment();
            ctx.fail(Problem.rateLimited(wait));
            return;
        }
        ctx.next();
    }

    private static ApiTokens.Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL);
    }

    private void requireAdmin(RoutingContext ctx) {
        if (!principal(ctx).isAdmin()) {
            ctx.fail(Problem.forbidden("this route needs an admin API token; yours has role '"
                    + principal(ctx).role().text() + "'"));
            return;
        }
        ctx.next();
    }

    private void audit(RoutingContext ctx, String action, String target, String detail) {
        ApiTokens.Principal p = principal(ctx);
        db.audit(p == null ? null : p.tokenId(), p == null ? null : p.tenant(), action, target, detail);
    }

    // ------------------------------------------------------------------------------- responses

    private <T> void blocking(RoutingContext ctx, Callable<T> work) {
        Future<T> f = worker.executeBlocking(work, false);
        f.onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result() instanceof JsonObject o) {
                // a handler may have set 201 (created) before returning
                json(ctx, ctx.response().getStatusCode(), o);
            } else if (ar.result() instanceof ObjectNode o) {
                jsonText(ctx, ctx.response().getStatusCode(), o.toString());
            } else {
                ctx.fail(new IllegalStateException("handler returned " + ar.result()));
            }
        });
    }

    private static void json(RoutingContext ctx, int status, JsonObject o) {
        jsonText(ctx, status, o.encode());
    }

    private static void jsonText(RoutingContext ctx, int status, String s) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(s);
    }

    private void failure(RoutingContext ctx) {
        Throwable t = ctx.failure();
        Problem p;
        if (t instanceof Problem pr) {
            p = pr;
        } else if (t != null && t.getCause() instanceof Problem pr) {
            p = pr;
        } else if (t instanceof HttpException he) {
            p = switch (he.getStatusCode()) {
                case 413 -> Problem.tooLarge("the request body exceeds the limit of " + config.maxBodyBytes() + " bytes");
                case 400 -> Problem.invalid(he.getPayload() != null ? he.getPayload() : "bad request");
                case 404 -> Problem.notFound("not found");
                case 405 -> Problem.methodNotAllowed("method not allowed");
                case 415 -> Problem.unsupportedMediaType("unsupported media type");
                default -> Problem.of(he.getStatusCode(), "http-" + he.getStatusCode(), "HTTP " + he.getStatusCode(),
                        he.getMessage() == null ? "request failed" : he.getMessage());
            };
        } else if (t == null && ctx.statusCode() > 0) {
            p = switch (ctx.statusCode()) {
                case 413 -> Problem.tooLarge("the request body exceeds the limit of " + config.maxBodyBytes() + " bytes");
                case 404 -> Problem.notFound("no route for " + ctx.request().path());
                case 405 -> Problem.methodNotAllowed(ctx.request().method() + " is not allowed on " + ctx.request().path());
                default -> Problem.of(ctx.statusCode(), "http-" + ctx.statusCode(), "HTTP " + ctx.statusCode(), "request failed");
            };
        } else {
            LOG.log(Level.WARNING, "internal error on " + ctx.request().method() + " " + ctx.request().path(), t);
            p = Problem.internal("the server failed to handle this request (" + (t == null ? "unknown" : t.getClass().getSimpleName())
                    + "); see the server log");
        }
        problem(ctx, p);
    }

    private void problem(RoutingContext ctx, Problem p) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        if (p.getStatusCode() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"hallmark\"");
        }
        if (p.getStatusCode() == 429) {
            Object ra = p.toJson(null).getValue("retry_after_seconds");
            ctx.response().putHeader("Retry-After", String.valueOf(ra));
        }
        ctx.response().setStatusCode(p.getStatusCode())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                .end(p.toJson(ctx.request().path()).encode());
    }

    // --------------------------------------------------------------------------------- detect

    private void detect(RoutingContext ctx) {
        ApiTokens.Principal who = principal(ctx);
        JsonBody b;
        try {
            b = JsonBody.parse(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE), ctx.body().buffer(), DETECT_FIELDS);
        } catch (Problem p) {
            ctx.fail(p);
            return;
        }
        List<DetectionEngine.Input> inputs;
        double alpha;
        boolean localize;
        boolean tokenScores;
        List<String> keyIds;
        try {
            inputs = inputs(b);
            alpha = b.number("alpha", 1e-3);
            if (!(alpha > 0 && alpha < 1)) {
                throw Problem.invalid("'alpha' (the false-positive rate) must be in (0, 1), got " + alpha);
            }
            localize = b.bool("localize", true);
            tokenScores = b.bool("include_token_scores", false);
            if (tokenScores && !who.isAdmin()) {
                throw Problem.forbidden("per-token scores are returned to admin tokens only (they would reveal the watermark's green lists)");
            }
            keyIds = b.strings("key_ids");
        } catch (Problem p) {
            ctx.fail(p);
            return;
        }
        // one unit was charged when the request was authenticated; a batch costs one per text
        long wait = inputs.size() > 1 ? limiter.acquire(who.tokenId(), inputs.size() - 1) : 0;
        if (wait > 0) {
            rateLimited.increment();
            ctx.fail(Problem.rateLimited(wait));
            return;
        }
        long t0 = System.nanoTime();
        blocking(ctx, () -> {
            List<KeyStore.Info> infos = keys.select(keyIds);
            List<KeyedScheme> keyed = new ArrayList<>();
            int h = 0;
            for (KeyStore.Info i : infos) {
                KeyedScheme k = keys.keyed(i);
                keyed.add(k);
                h = Math.max(h, k.scheme().contextWidth());
            }
            List<int[]> ids = engine.prepare(inputs, h);
            ObjectNode out = F.objectNode();
            out.put("alpha", alpha);
            out.put("correction", "holm");
            ArrayNode kt = out.putArray("keys_tested");
            infos.forEach(i -> kt.add(i.id()));
            out.put("quantized", !who.isAdmin());
            ArrayNode rs = out.putArray("results");
            for (int i = 0; i < ids.size(); i++) {
                rs.add(engine.detect(i, ids.get(i), inputs.get(i).text(), keyed, alpha, localize, tokenScores,
                        who.isAdmin()));
            }
            textsTested.increment(ids.size());
            detectTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            return out;
        });
    }

    private List<DetectionEngine.Input> inputs(JsonBody b) {
        int given = (b.has("text") ? 1 : 0) + (b.has("texts") ? 1 : 0) + (b.has("ids") ? 1 : 0);
        if (given != 1) {
            throw Problem.invalid("give exactly one of 'text' (a string), 'texts' (an array of strings) or 'ids' "
                    + "(an array of token-id arrays); got " + given);
        }
        List<DetectionEngine.Input> in = new ArrayList<>();
        if (b.has("text")) {
            in.add(new DetectionEngine.Input(b.string("text", null), null));
        } else if (b.has("texts")) {
            List<String> ts = b.strings("texts");
            for (String t : ts) {
                in.add(new DetectionEngine.Input(t, null));
            }
        } else {
            JsonNode a = b.node("ids");
            if (!a.isArray()) {
                throw Problem.invalid("'ids' must be an array of arrays of token ids");
            }
            for (int i = 0; i < a.size(); i++) {
                JsonNode row = a.get(i);
                if (!row.isArray()) {
                    throw Problem.invalid("'ids'[" + i + "] must be an array of token ids");
                }
                int[] ids = new int[row.size()];
                for (int j = 0; j < ids.length; j++) {
                    JsonNode e = row.get(j);
                    if (!e.isInt()) {
                        throw Problem.invalid("'ids'[" + i + "][" + j + "] must be an integer token id");
                    }
                    ids[j] = e.intValue();
                }
                in.add(new DetectionEngine.Input(null, ids));
            }
        }
        if (in.isEmpty()) {
            throw Problem.invalid("nothing to test: the batch is empty");
        }
        if (in.size() > config.maxBatchTexts()) {
            throw Problem.tooLarge("a batch holds at most " + config.maxBatchTexts() + " texts, got " + in.size());
        }
        return in;
    }

    // ---------------------------------------------------------------------------------- scans

    /** Parameters of an upload, checked before a byte of the body is read. */
    private record UploadSpec(String name, CorpusReader.Format format, String field, CorpusReader.Split split,
            double alpha, List<String> keyIds, boolean declaredGzip) {}

    private UploadSpec uploadSpec(HttpServerRequest req) {
        for (String p : req.params().names()) {
            if (!SCAN_PARAMS.contains(p)) {
                throw Problem.unknownField("unknown query parameter '" + p + "'; allowed: "
                        + String.join(", ", SCAN_PARAMS.stream().sorted().toList()));
            }
        }
        String ct = req.getHeader(HttpHeaders.CONTENT_TYPE);
        String media = ct == null ? "" : ct.toLowerCase(Locale.ROOT).split(";")[0].trim();
        String enc = req.getHeader(HttpHeaders.CONTENT_ENCODING);
        boolean gzipEnc = enc != null && enc.trim().equalsIgnoreCase("gzip");
        if (enc != null && !gzipEnc && !enc.trim().equalsIgnoreCase("identity")) {
            throw Problem.unsupportedMediaType("Content-Encoding '" + enc + "' is not supported (use gzip or none)");
        }
        CorpusReader.Format inferred;
        boolean declaredGzip = gzipEnc;
        switch (media) {
            case "application/x-ndjson", "application/jsonl", "application/jsonlines", "application/x-jsonlines" ->
                inferred = CorpusReader.Format.JSONL;
            case "text/plain" -> inferred = CorpusReader.Format.TEXT;
            case "application/gzip", "application/x-gzip" -> {
                inferred = null;
                declaredGzip = true;
            }
            case "application/octet-stream" -> inferred = null;
            default -> throw Problem.unsupportedMediaType("cannot scan " + (media.isEmpty() ? "a body without Content-Type"
                    : "'" + media + "'") + ": send application/x-ndjson (JSONL), text/plain, or application/gzip "
                    + "with ?format=jsonl|text");
        }
        String fmt = req.getParam("format");
        CorpusReader.Format format;
        if (fmt != null) {
            format = switch (fmt) {
                case "jsonl" -> CorpusReader.Format.JSONL;
                case "text" -> CorpusReader.Format.TEXT;
                default -> throw Problem.invalid("'format' must be 'jsonl' or 'text', got '" + fmt + "'");
            };
            if (inferred != null && inferred != format) {
                throw Problem.invalid("?format=" + fmt + " contradicts Content-Type '" + media + "'");
            }
        } else if (inferred != null) {
            format = inferred;
        } else {
            throw Problem.invalid("with Content-Type '" + media + "' say what is inside: ?format=jsonl or ?format=text");
        }
        String field = req.getParam("field", "text");
        if (format == CorpusReader.Format.JSONL && (field.isEmpty() || field.length() > 200)) {
            throw Problem.invalid("'field' must be 1..200 characters");
        }
        String sp = req.getParam("split");
        CorpusReader.Split split = CorpusReader.Split.BLANK;
        if (sp != null) {
            split = switch (sp) {
                case "blank" -> CorpusReader.Split.BLANK;
                case "line" -> CorpusReader.Split.LINE;
                default -> throw Problem.invalid("'split' must be 'blank' or 'line', got '" + sp + "'");
            };
        }
        double alpha;
        try {
            alpha = Double.parseDouble(req.getParam("alpha", "0.001"));
        } catch (NumberFormatException e) {
            throw Problem.invalid("'alpha' must be a number in (0, 1)");
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw Problem.invalid("'alpha' (the false-positive rate) must be in (0, 1), got " + alpha);
        }
        String name = req.getParam("name", "upload " + Instant.now().toString().substring(0, 19).replace('T', ' '));
        if (name.isBlank() || name.length() > 200) {
            throw Problem.invalid("'name' must be 1..200 characters");
        }
        String kp = req.getParam("key_ids");
        List<String> keyIds = kp == null || kp.isBlank() ? null : List.of(kp.split(","));
        return new UploadSpec(name, format, format == CorpusReader.Format.JSONL ? field : null,
                format == CorpusReader.Format.TEXT ? split : null, alpha, keyIds, declaredGzip);
    }

    /**
     * Streams the body to a temporary file with our own byte count (no BodyHandler on this route),
     * validates the whole corpus on a worker, then moves it under the scan's directory and inserts
     * the scan row. Any failure deletes the temporary file: nothing partial is ever stored.
     */
    private void upload(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        req.pause();
        ApiTokens.Principal who = principal(ctx);
        UploadSpec spec;
        try {
            spec = uploadSpec(req);
            String cl = req.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (cl != null && Long.parseLong(cl.trim()) > config.maxUploadBytes()) {
                throw Problem.tooLarge("the upload is " + cl.trim() + " bytes; the limit is " + config.maxUploadBytes());
            }
        } catch (NumberFormatException e) {
            failUpload(ctx, Problem.invalid("bad Content-Length"));
            return;
        } catch (Problem p) {
            failUpload(ctx, p);
            return;
        }
        String scanId = "scan_" + randomId();
        Path tmp = uploadsDir().resolve(scanId + ".part");
        worker.executeBlocking(() -> keys.select(spec.keyIds()), false)
                .compose(infos -> vertx.fileSystem().open(tmp.toString(), new OpenOptions().setWrite(true).setCreateNew(true))
                        .map(f -> f))
                .onFailure(e -> failUpload(ctx, e))
                .onSuccess(file -> receive(ctx, req, file, tmp, spec, who, scanId));
    }

    private void failUpload(RoutingContext ctx, Throwable e) {
        // the body was not (fully) read: close the connection after the answer so the client stops sending
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        ctx.fail(e);
    }

    private void receive(RoutingContext ctx, HttpServerRequest req, AsyncFile file, Path tmp, UploadSpec spec,
            ApiTokens.Principal who, String scanId) {
        long[] count = {0};
        boolean[] failed = {false};
        Runnable cleanup = () -> file.close().onComplete(v -> vertx.fileSystem().delete(tmp.toString()));
        req.handler(buf -> {
            if (failed[0]) {
                return;
            }
            count[0] += buf.length();
            if (count[0] > config.maxUploadBytes()) {
                failed[0] = true;
                cleanup.run();
                failUpload(ctx, Problem.tooLarge("the upload exceeds the limit of " + config.maxUploadBytes() + " bytes"));
                return;
            }
            file.write(buf);
            if (file.writeQueueFull()) {
                req.pause();
                file.drainHandler(v -> req.resume());
            }
        });
        req.exceptionHandler(e -> {
            if (!failed[0]) {
                failed[0] = true;
                cleanup.run();
            }
        });
        req.endHandler(v -> {
            if (failed[0]) {
                return;
            }
            file.close()
                    .compose(x -> worker.executeBlocking(() -> store(tmp, spec, who, scanId, count[0]), false))
                    .onSuccess(scan -> {
                        runner.submit(scan.id());
                        ctx.response().putHeader(HttpHeaders.LOCATION, "/v1/scans/" + scan.id());
                        json(ctx, 201, scan.toJson());
                    })
                    .onFailure(e -> {
                        vertx.fileSystem().delete(tmp.toString());
                        ctx.fail(e);
                    });
        });
        req.resume();
    }

    /** Validates the uploaded corpus end to end, then commits it (file move, then row). */
    private ScanStore.Scan store(Path tmp, UploadSpec spec, ApiTokens.Principal who, String scanId, long bytes)
            throws IOException {
        if (bytes == 0) {
            throw Problem.textTooShort("the upload is empty: no documents to scan");
        }
        boolean gz;
        long docs = 0;
        try (CorpusReader r = CorpusReader.open(tmp, spec.format(), spec.split() == null ? CorpusReader.Split.BLANK
                : spec.split(), spec.field(), ScanRunner.limits(config))) {
            gz = r.gzip();
            if (spec.declaredGzip() && !gz) {
                throw Problem.invalid("the upload was declared gzip but does not start with the gzip magic bytes");
            }
            while (r.next() != null) {
                docs++;
            }
        }
        if (docs == 0) {
            throw Problem.textTooShort("the upload holds no documents (only blank lines)");
        }
        Path dir = config.dataDir().resolve("scans").resolve(scanId);
        Files.createDirectories(dir);
        Path dest = dir.resolve("upload" + (gz ? ".gz" : ""));
        Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
        ScanStore.Scan s = new ScanStore.Scan(scanId, ScanStore.TYPE_WATERMARK, who.tenant(), who.tokenId(), spec.name(),
                ScanStore.QUEUED, spec.format().text(), gz ? "gzip" : "none", spec.field(),
                spec.split() == null ? null : spec.split().text(), spec.alpha(), spec.keyIds(),
                config.dataDir().relativize(dest).toString(), bytes, Instant.now(), null, null, 0, 0, 0, 0, null, null);
        try {
            scans.insert(s);
        } catch (RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
        db.audit(who.tokenId(), who.tenant(), "scan.create", scanId, docs + " documents, " + bytes + " bytes");
        return scans.get(scanId);
    }

    private String randomId() {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b).replace('-', 'x').replace('_', 'y');
    }

    /** The scan if the caller may see it; 404 otherwise (other tenants cannot learn that it exists). */
    private ScanStore.Scan visibleScan(RoutingContext ctx) {
        ApiTokens.Principal who = principal(ctx);
        String id = ctx.pathParam("id");
        ScanStore.Scan s = scans.get(id);
        if (s == null || !(who.isAdmin() || s.tenant().equals(who.tenant()))) {
            throw Problem.notFound("no scan with id '" + id + "'");
        }
        return s;
    }

    private void listScans(RoutingContext ctx) {
        ApiTokens.Principal who = principal(ctx);
        for (String p : ctx.request().params().names()) {
            if (!p.equals("limit")) {
                ctx.fail(Problem.unknownField("unknown query parameter '" + p + "'; allowed: limit"));
                return;
            }
        }
        int limit;
        try {
            limit = Integer.parseInt(ctx.request().getParam("limit", "100"));
        } catch (NumberFormatException e) {
            ctx.fail(Problem.invalid("'limit' must be an integer 1..1000"));
            return;
        }
        if (limit < 1 || limit > 1000) {
            ctx.fail(Problem.invalid("'limit' must be an integer 1..1000"));
            return;
        }
        blocking(ctx, () -> {
            JsonArray a = new JsonArray();
            scans.list(who.isAdmin() ? null : who.tenant(), limit).forEach(s -> a.add(s.toJson()));
            return new JsonObject().put("scans", a);
        });
    }

    private void getScan(RoutingContext ctx) {
        boolean admin = principal(ctx).isAdmin();
        blocking(ctx, () -> {
            ScanStore.Scan s = visibleScan(ctx);
            JsonObject o = s.toJson();
            if (ScanStore.DONE.equals(s.state())) {
                o.put("report", new JsonObject(view(scans.report(s.id()), admin).toString()));
            }
            return o;
        });
    }

    private void getReport(RoutingContext ctx) {
        boolean admin = principal(ctx).isAdmin();
        blocking(ctx, () -> {
            ScanStore.Scan s = visibleScan(ctx);
            if (!ScanStore.DONE.equals(s.state())) {
                throw Problem.conflict("scan " + s.id() + " is " + s.state() + "; its report exists once it is done")
                        .with("state", s.state());
            }
            return view(scans.report(s.id()), admin);
        });
    }

    private void getReportHtml(RoutingContext ctx) {
        boolean admin = principal(ctx).isAdmin();
        worker.executeBlocking(() -> {
            ScanStore.Scan s = visibleScan(ctx);
            if (!ScanStore.DONE.equals(s.state())) {
                throw Problem.conflict("scan " + s.id() + " is " + s.state() + "; its report exists once it is done");
            }
            return ReportHtml.render(view(scans.report(s.id()), admin));
        }, false).onSuccess(html -> ctx.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                        .putHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
                        .end(html))
                .onFailure(ctx::fail);
    }

    /** The stored report as the caller may see it: analysts get p-values to 2 significant digits. */
    static ObjectNode view(String reportJson, boolean admin) {
        ObjectNode r;
        try {
            r = (ObjectNode) dev.hallmark.detect.DetectionJson.mapper().readTree(reportJson);
        } catch (IOException e) {
            throw new IllegalStateException("stored report is not JSON", e);
        }
        r.put("quantized", !admin);
        if (!admin) {
            for (JsonNode k : r.withArray("keys")) {
                Quantize.analystView((ObjectNode) k);
            }
            for (JsonNode d : r.withArray("top_documents")) {
                Quantize.analystView((ObjectNode) d);
            }
        }
        return r;
    }

    private void deleteScan(RoutingContext ctx) {
        blocking(ctx, () -> {
            ScanStore.Scan s = visibleScan(ctx);
            scans.delete(s.id());
            deleteTree(config.dataDir().resolve("scans").resolve(s.id()));
            audit(ctx, "scan.delete", s.id(), null);
            return new JsonObject().put("id", s.id()).put("deleted", true);
        });
    }

    // ----------------------------------------------------------------------------------- keys

    private void registerKey(RoutingContext ctx) {
        JsonBody b;
        try {
            b = JsonBody.parse(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE), ctx.body().buffer(), KEY_FIELDS);
        } catch (Problem p) {
            ctx.fail(p);
            return;
        }
        blocking(ctx, () -> {
            String secretB64 = b.string("secret", null);
            byte[] secret = null;
            if (secretB64 != null) {
                try {
                    secret = Base64.getDecoder().decode(secretB64);
                } catch (IllegalArgumentException e) {
                    throw Problem.invalid("'secret' must be 32 bytes in standard Base64");
                }
                if (secret.length != 32) {
                    throw Problem.invalid("'secret' must be 32 bytes in standard Base64, got " + secret.length + " bytes");
                }
            }
            KeyStore.Info k = keys.register(b.string("scheme", null), b.string("label", null), secret);
            audit(ctx, secret == null ? "key.generate" : "key.import", k.id(), k.scheme());
            ctx.response().setStatusCode(201).putHeader(HttpHeaders.LOCATION, "/v1/keys/" + k.id());
            return k.toJson();
        });
    }

    private void deriveKey(RoutingContext ctx) {
        JsonBody b;
        try {
            b = JsonBody.parse(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE), ctx.body().buffer(), DERIVE_FIELDS);
        } catch (Problem p) {
            ctx.fail(p);
            return;
        }
        blocking(ctx, () -> {
            String path = b.string("path", null);
            if (path == null) {
                throw Problem.invalid("'path' is required, e.g. 'account/123'");
            }
            String label = b.string("label", path);
            KeyStore.Info k = keys.derive(ctx.pathParam("id"), path, b.string("scheme", null), label);
            audit(ctx, "key.derive", k.id(), "from " + ctx.pathParam("id") + " path " + path);
            ctx.response().setStatusCode(201).putHeader(HttpHeaders.LOCATION, "/v1/keys/" + k.id());
            return k.toJson();
        });
    }

    private void createToken(RoutingContext ctx) {
        JsonBody b;
        try {
            b = JsonBody.parse(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE), ctx.body().buffer(), TOKEN_FIELDS);
        } catch (Problem p) {
            ctx.fail(p);
            return;
        }
        blocking(ctx, () -> {
            ApiTokens.Role role = ApiTokens.Role.parse(b.string("role", "analyst"));
            String tenant = b.string("tenant", null);
            if (tenant == null) {
                throw Problem.invalid("'tenant' is required");
            }
            ApiTokens.Created c = tokens.create(tenant, role, b.string("label", tenant + " " + role.text()));
            audit(ctx, "token.create", c.principal().tokenId(), role.text() + " for tenant " + tenant);
            ctx.response().setStatusCode(201);
            return ApiTokens.json(c.principal()).put("token", c.token());
        });
    }

    private void auditLog(RoutingContext ctx) {
        blocking(ctx, () -> db.with(c -> {
            JsonArray a = new JsonArray();
            try (var ps = c.prepareStatement("SELECT id, at, token_id, tenant, action, target, detail FROM audit_log "
                    + "ORDER BY id DESC LIMIT 200"); var rs = ps.executeQuery()) {
                while (rs.next()) {
                    JsonObject o = new JsonObject().put("id", rs.getLong(1))
                            .put("at", rs.getObject(2, java.time.OffsetDateTime.class).toInstant().toString())
                            .put("action", rs.getString(5));
                    if (rs.getString(3) != null) {
                        o.put("token_id", rs.getString(3));
                    }
                    if (rs.getString(4) != null) {
                        o.put("tenant", rs.getString(4));
                    }
                    if (rs.getString(6) != null) {
                        o.put("target", rs.getString(6));
                    }
                    if (rs.getString(7) != null) {
                        o.put("detail", rs.getString(7));
                    }
                    a.add(o);
                }
            }
            return new JsonObject().put("entries", a);
        }));
    }

    /** Submits an already stored scan (the demo seeder). */
    void submitScan(String id) {
        runner.submit(id);
    }

    ScanStore.Scan storeUpload(Path file, String name, CorpusReader.Format format, String field, double alpha,
            ApiTokens.Principal who) throws IOException {
        String scanId = "scan_" + randomId();
        Path tmp = uploadsDir().resolve(scanId + ".part");
        Files.copy(file, tmp);
        try {
            ScanStore.Scan s = store(tmp, new UploadSpec(name, format, field, null, alpha, null, false), who, scanId,
                    Files.size(tmp));
            runner.submit(s.id());
            return s;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public void close() {
        runner.close();
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(Level.FINE, "vertx close", e);
            }
        }
        db.close();
    }
}
