package dev.hallmark.service.http;

import dev.hallmark.service.Problem;
import dev.hallmark.service.store.Database;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place failures become answers: every failed request (a {@link Problem}, an
 * {@link HttpException} from Vert.x such as the body limit, a bare status, or an unexpected
 * exception) is written as an RFC 9457 {@code application/problem+json} body, with
 * {@code Connection: close}: the connection is closed once the answer is sent (a client that
 * was refused, e.g. mid-upload with 413, cannot keep streaming into it).
 */
final class ErrorHandler implements Resource {

    private static final Logger LOG = Logger.getLogger(ErrorHandler.class.getName());

    private final long maxBodyBytes;

    ErrorHandler(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Mount last: the failure handler and the router's own 404 / 405. */
    @Override
    public void mount(Router r) {
        r.route().failureHandler(this::failure);
        r.errorHandler(404, ctx -> problem(ctx, Problem.notFound("no route for " + ctx.request().method() + " "
                + ctx.request().path())));
        r.errorHandler(405, ctx -> problem(ctx, Problem.methodNotAllowed(ctx.request().method() + " is not allowed on "
                + ctx.request().path())));
    }

    private void failure(RoutingContext ctx) {
        Throwable t = ctx.failure();
        Problem p;
        if (t instanceof Problem pr) {
            p = pr;
        } else if (t != null && t.getCause() instanceof Problem pr) {
            p = pr;
        } else if (unavailableDatabase(t) != null) {
            // the detail names the kind of failure, not the server's address or the driver's message
            LOG.warning("database unavailable on " + ctx.request().method() + " " + ctx.request().path() + ": "
                    + unavailableDatabase(t).getMessage());
            p = Problem.databaseUnavailable("the database is unreachable or did not answer in time, so nothing was "
                    + "changed; retry later (operators: see the server log and /readyz)");
        } else if (t instanceof HttpException he) {
            p = switch (he.getStatusCode()) {
                case 413 -> Problem.tooLarge("the request body exceeds the limit of " + maxBodyBytes + " bytes");
                case 400 -> Problem.invalid(he.getPayload() != null ? he.getPayload() : "bad request");
                case 404 -> Problem.notFound("not found");
                case 405 -> Problem.methodNotAllowed("method not allowed");
                case 415 -> Problem.unsupportedMediaType("unsupported media type");
                case 503 -> Problem.timeout("the request was not answered within the request timeout");
                default -> Problem.of(he.getStatusCode(), "http-" + he.getStatusCode(), "HTTP " + he.getStatusCode(),
                        he.getMessage() == null ? "request failed" : he.getMessage());
            };
        } else if (t == null && ctx.statusCode() > 0) {
            p = switch (ctx.statusCode()) {
                case 413 -> Problem.tooLarge("the request body exceeds the limit of " + maxBodyBytes + " bytes");
                case 404 -> Problem.notFound("no route for " + ctx.request().path());
                case 405 -> Problem.methodNotAllowed(ctx.request().method() + " is not allowed on " + ctx.request().path());
                case 503 -> Problem.timeout("the request was not answered within the request timeout");
                default -> Problem.of(ctx.statusCode(), "http-" + ctx.statusCode(), "HTTP " + ctx.statusCode(), "request failed");
            };
        } else {
            LOG.log(Level.WARNING, "internal error on " + ctx.request().method() + " " + ctx.request().path(), t);
            p = Problem.internal("the server failed to handle this request (" + (t == null ? "unknown" : t.getClass().getSimpleName())
                    + "); see the server log");
        }
        problem(ctx, p);
    }

    /** The store's connection failure in {@code t}'s causes, or null. */
    static Database.StoreException unavailableDatabase(Throwable t) {
        for (Throwable x = t; x != null; x = x.getCause()) {
            if (x instanceof Database.StoreException se && se.unavailable()) {
                return se;
            }
        }
        return null;
    }

    /**
     * Closes the connection once the answer is out. If the client is still sending a body (a
     * refused upload), the rest is read and dropped for up to {@value #LINGER_MILLIS} ms first:
     * closing a socket with unread data resets it, and the client might lose the answer.
     */
    private static void closeAfter(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (req.version() == io.vertx.core.http.HttpVersion.HTTP_2) {
            return; // one stream of a shared connection: never close the connection for it
        }
        if (req.isEnded()) {
            req.connection().close();
            return;
        }
        long timer = ctx.vertx().setTimer(LINGER_MILLIS, id -> req.connection().close());
        req.handler(buf -> { });
        req.endHandler(v -> {
            ctx.vertx().cancelTimer(timer);
            req.connection().close();
        });
        req.exceptionHandler(e -> { });
        req.resume();
    }

    static final long LINGER_MILLIS = 2000;

    /** Writes {@code p} as the answer (with WWW-Authenticate for 401, Retry-After for 429 and 503 when it says how long). */
    static void problem(RoutingContext ctx, Problem p) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        if (p.getStatusCode() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"hallmark\"");
        }
        if (p.getStatusCode() == 429 || p.getStatusCode() == 503) {
            Object ra = p.toJson(null).getValue("retry_after_seconds");
            if (ra != null) {
                ctx.response().putHeader("Retry-After", String.valueOf(ra));
            }
        }
        ctx.response().setStatusCode(p.getStatusCode())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(p.toJson(ctx.request().path()).encode())
                .onComplete(ar -> closeAfter(ctx));
    }
}
