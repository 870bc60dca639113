package dev.hallmark.tools.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.embed.KeySchedule;
import dev.hallmark.embed.SamplingConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The OpenAI-compatible routes: {@code POST /v1/completions}, {@code POST /v1/chat/completions},
 * {@code GET /v1/models[/{id}]}, plus {@code GET /healthz} and {@code GET /metrics}. Every
 * {@code /v1} route needs {@code Authorization: Bearer <api key>}; errors use OpenAI's JSON shape.
 */
final class OpenAiApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Largest request body. */
    static final long BODY_LIMIT = 1 << 20;

    private final Engine engine;
    private final Accounts accounts;
    private final Keying keying;
    private final RateLimits limits;
    private final Requests.Limits requestLimits;
    private final Function<String, int[]> encode;
    private final String modelName;
    private final ServeMetrics metrics;
    private final long created = System.currentTimeMillis() / 1000;
    private final SecureRandom seeds = new SecureRandom();

    OpenAiApi(Engine engine, Accounts accounts, Keying keying, RateLimits limits, Requests.Limits requestLimits,
            Function<String, int[]> encode, String modelName, ServeMetrics metrics) {
        this.engine = engine;
        this.accounts = accounts;
        this.keying = keying;
        this.limits = limits;
        this.requestLimits = requestLimits;
        this.encode = encode;
        this.modelName = modelName;
        this.metrics = metrics;
    }

    Router router(Vertx vertx) {
        Router r = Router.router(vertx);
        r.get("/healthz").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .end("{\"status\":\"ok\",\"running\":" + engine.runningCount() + ",\"waiting\":"
                        + engine.waitingCount() + "}"));
        r.get("/metrics").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4")
                .end(metrics.scrape()));
        r.route("/v1/*").handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
        r.route("/v1/*").handler(this::authenticate);
        r.get("/v1/models").handler(ctx -> {
            ObjectNode o = JSON.createObjectNode();
            o.put("object", "list");
            o.putArray("data").add(model());
            json(ctx, o);
        });
        r.get("/v1/models/:id").handler(ctx -> {
            if (!modelName.equals(ctx.pathParam("id"))) {
                throw ApiError.modelNotFound(ctx.pathParam("id"));
            }
            json(ctx, model());
        });
        r.post("/v1/completions").handler(ctx -> complete(ctx, false));
        r.post("/v1/chat/completions").handler(ctx -> complete(ctx, true));
        r.route("/v1/*").handler(ctx -> {
            throw new ApiError(404, "invalid_request_error", null, "unknown_url", "Unknown request URL: "
                    + ctx.request().method() + " " + ctx.request().path(), -1);
        });
        r.route().failureHandler(this::failure);
        return r;
    }

    private ObjectNode model() {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", modelName);
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "hallmark");
        return m;
    }

    private void authenticate(RoutingContext ctx) {
        String h = ctx.request().getHeader("Authorization");
        if (h == null || h.isBlank()) {
            throw ApiError.unauthorized("You didn't provide an API key. You need to provide your API key in an "
                    + "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
        }
        String key = h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).strip() : null;
        Accounts.Account a = accounts.authenticate(key);
        if (a == null) {
            // never echo the key, not even in part
            throw ApiError.unauthorized("Incorrect API key provided.");
        }
        ctx.put("account", a);
        ctx.next();
    }

    private void complete(RoutingContext ctx, boolean chat) {
        long t0 = System.nanoTime();
        String endpoint = chat ? "chat_completions" : "completions";
        Accounts.Account account = ctx.get("account");
        long wait = limits.acquire(account.name());
        if (wait > 0) {
            account.usage().rateLimited.increment();
            throw ApiError.rateLimited("Rate limit reached for account " + account.name() + ". Please try again in "
                    + wait + "s.", wait);
        }
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest(null, "We could not parse the JSON body of your request: "
                    + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiError.badRequest(null, "We could not read the body of your request.");
        }
        if (body == null || body.isMissingNode()) {
            throw ApiError.badRequest(null, "We could not parse the JSON body of your request: the body is empty.");
        }
        Requests.Parsed req = Requests.parse(body, chat, requestLimits, encode);
        if (!modelName.equals(req.model())) {
            throw ApiError.modelNotFound(req.model());
        }
        account.usage().requests.increment();
        account.usage().promptTokens.add(req.promptTokens());
        KeySchedule schedule = keying.scheduleFor(account);
        SamplingConfig sampling = req.temperature() == 0 ? new SamplingConfig(1.0, 1, 1.0, true, true)
                : new SamplingConfig(req.temperature(), 0, req.topP(), true, true);
        byte[] rid = new byte[12];
        seeds.nextBytes(rid);
        String id = (chat ? "chatcmpl-" : "cmpl-") + HexFormat.of().formatHex(rid);
        CompletionCall call = new CompletionCall(vertxContext(ctx), ctx.response(), req, id,
                System.currentTimeMillis() / 1000, modelName, account,
                () -> metrics.firstToken(endpoint, System.nanoTime() - t0),
                status -> metrics.request(endpoint, status, System.nanoTime() - t0));
        List<Engine.Sequence> seqs = new ArrayList<>();
        int choice = 0;
        long base = req.seed() != null ? req.seed() : seeds.nextLong();
        for (int[] prompt : req.prompts()) {
            for (int c = 0; c < req.n(); c++, choice++) {
                Engine.Sequence s = new Engine.Sequence(prompt, req.maxTokens(), sampling, schedule,
                        new SplittableRandom(mix(base, choice)), req.stops(), call.listener(choice));
                seqs.add(s);
                call.add(s);
            }
        }
        engine.submit(seqs); // may refuse (503) before anything is written
        // engine callbacks run on this context after this handler returns, so the stream starts first
        if (req.stream()) {
            call.startStream();
        } else {
            ctx.response().closeHandler(v -> call.cancel());
        }
    }

    private static io.vertx.core.Context vertxContext(RoutingContext ctx) {
        return ctx.vertx().getOrCreateContext();
    }

    /** A seed per choice: the request's seed mixed with the choice index (SplitMix64 finaliser). */
    static long mix(long seed, long index) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private void failure(RoutingContext ctx) {
        Throwable t = ctx.failure();
        ApiError err;
        if (t instanceof ApiError a) {
            err = a;
        } else if (t instanceof HttpException h) {
            err = h.getStatusCode() == 413
                    ? new ApiError(413, "invalid_request_error", null, "request_too_large",
                            "The request body is larger than " + BODY_LIMIT + " bytes.", -1)
                    : new ApiError(h.getStatusCode(), "invalid_request_error", null, null,
                            h.getPayload() != null ? h.getPayload() : "HTTP " + h.getStatusCode(), -1);
        } else if (t == null && ctx.statusCode() == 413) {
            err = new ApiError(413, "invalid_request_error", null, "request_too_large",
                    "The request body is larger than " + BODY_LIMIT + " bytes.", -1);
        } else if (t == null) {
            err = new ApiError(ctx.statusCode(), "invalid_request_error", null, null, "HTTP " + ctx.statusCode(), -1);
        } else {
            // an unexpected failure: say what kind, never the request's content
            err = ApiError.internal("The server had an error while processing your request ("
                    + t.getClass().getSimpleName() + ").");
        }
        if (ctx.response().headWritten()) {
            ctx.response().end();
            return;
        }
        sendError(ctx.response(), err);
        String path = ctx.request().path();
        metrics.request(path.endsWith("chat/completions") ? "chat_completions"
                : path.endsWith("completions") ? "completions" : "other", err.status, 0);
    }

    static ObjectNode errorBody(ApiError e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("message", e.getMessage());
        o.put("type", e.type);
        if (e.param == null) {
            o.putNull("param");
        } else {
            o.put("param", e.param);
        }
        if (e.code == null) {
            o.putNull("code");
        } else {
            o.put("code", e.code);
        }
        return o;
    }

    static void sendError(HttpServerResponse response, ApiError e) {
        ObjectNode o = JSON.createObjectNode();
        o.set("error", errorBody(e));
        response.setStatusCode(e.status);
        response.putHeader("Content-Type", "application/json");
        if (e.retryAfter >= 0) {
            response.putHeader("Retry-After", Long.toString(e.retryAfter));
        }
        response.end(o.toString());
    }

    private static void json(RoutingContext ctx, ObjectNode o) {
        ctx.response().putHeader("Content-Type", "application/json").end(o.toString());
    }
}
