package dev.hallmark.service.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes connections that hold a socket without asking for anything: a connection must send a
 * complete request head within the header timeout of being opened or of its previous response
 * (slow-loris clients that trickle a head, or never send one, and idle keep-alive connections are
 * closed). A connection with a request in flight is left to the request's own limits (the request
 * timeout, and an upload's stall timeout in {@code ScansResource}).
 *
 * <p>All state is touched on the event loop of each connection and one periodic timer.
 */
final class ConnectionGuard {

    private static final class State {
        volatile int inFlight;
        volatile long idleSince = System.nanoTime();
    }

    private final Map<HttpConnection, State> open = new ConcurrentHashMap<>();
    private final long headerNanos;
    private final long timer;
    private final Vertx vertx;

    ConnectionGuard(Vertx vertx, int headerSeconds) {
        this.vertx = vertx;
        this.headerNanos = headerSeconds * 1_000_000_000L;
        this.timer = vertx.setPeriodic(Math.max(100, Math.min(1000, headerSeconds * 250L)), id -> sweep());
    }

    /** The server's connection handler. */
    void connected(HttpConnection c) {
        open.put(c, new State());
        c.closeHandler(v -> open.remove(c));
    }

    /** Called (first) for every request, once its head has arrived. */
    void request(RoutingContext ctx) {
        State s = open.get(ctx.request().connection());
        if (s == null) {
            return;
        }
        s.inFlight++;
        // called once, when the response ends or the connection closes under it
        ctx.addEndHandler(ar -> {
            s.inFlight--;
            s.idleSince = System.nanoTime();
        });
    }

    /** Connections open now. */
    int open() {
        return open.size();
    }

    private void sweep() {
        long now = System.nanoTime();
        open.forEach((c, s) -> {
            if (s.inFlight == 0 && now - s.idleSince > headerNanos) {
                open.remove(c);
                c.close();
            }
        });
    }

    void close() {
        vertx.cancelTimer(timer);
    }
}
