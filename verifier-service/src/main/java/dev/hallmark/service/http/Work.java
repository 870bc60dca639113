package dev.hallmark.service.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.service.store.Store;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Blocking work of the handlers (database, tokenizer, detection) on a worker pool, so the event
 * loop only parses and routes; and the JSON answers. Failures go to the router's error handler.
 * Corpus validation, which reads a whole upload, runs on a pool of its own ({@link #intake}), so
 * large uploads do not hold the threads that answer {@code /v1/detect}.
 */
final class Work {

    private final WorkerExecutor worker;
    private final WorkerExecutor intake;
    private final Store store;

    /** @param intake where uploads are validated (a pool apart from {@code worker}) */
    Work(WorkerExecutor worker, WorkerExecutor intake, Store store) {
        this.worker = worker;
        this.intake = intake;
        this.store = store;
    }

    /**
     * Runs {@code work} (on the calling worker thread) in one database transaction: a change and
     * its audit entry are stored together or not at all (e.g. when the database is lost midway).
     */
    <T> T atomically(Supplier<T> work) {
        return store.atomically(work);
    }

    /** {@link #respond}, with the whole of {@code work} in one database transaction ({@link #atomically}). */
    void respondAtomically(RoutingContext ctx, Callable<?> work) {
        respond(ctx, () -> store.atomically(() -> {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }));
    }

    /** Runs {@code work} on the pool (unordered: requests do not wait for each other). */
    <T> Future<T> call(Callable<T> work) {
        return worker.executeBlocking(work, false);
    }

    /** Runs {@code work} (an upload's validation) on the intake pool. */
    <T> Future<T> intake(Callable<T> work) {
        return intake.executeBlocking(work, false);
    }

    /**
     * Runs {@code work} on the pool and answers with the JSON it returns (a Vert.x
     * {@link JsonObject} or a Jackson {@link ObjectNode}), with the status the handler set
     * (200 unless it set e.g. 201), or fails the request with its exception.
     */
    void respond(RoutingContext ctx, Callable<?> work) {
        call(work).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result() instanceof JsonObject o) {
                json(ctx, ctx.response().getStatusCode(), o);
            } else if (ar.result() instanceof ObjectNode o) {
                jsonText(ctx, ctx.response().getStatusCode(), o.toString());
            } else {
                ctx.fail(new IllegalStateException("handler returned " + ar.result()));
            }
        });
    }

    static void json(RoutingContext ctx, int status, JsonObject o) {
        jsonText(ctx, status, o.encode());
    }

    static void jsonText(RoutingContext ctx, int status, String s) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(s);
    }
}
