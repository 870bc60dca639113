package dev.hallmark.service.http;

import dev.hallmark.service.Problem;
import dev.hallmark.service.store.ApiTokens;
import dev.hallmark.service.store.AuditLog;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Who is calling: a Bearer API token on every {@code /v1} route and {@code /metrics}, looked up in
 * the store and charged one rate-limit unit per request ({@link #charge} charges more, e.g. per
 * text and per tokens of a detect request; {@link #debit} takes a scan upload's units); the admin
 * check; and audit entries in the caller's name. The lookup and the charge are database work:
 * they run on a worker pool of their own, with the request paused.
 */
final class Auth {

    private static final String PRINCIPAL = "hallmark.principal";

    private final ApiTokens tokens;
    private final RateLimiter limiter;
    private final Counter rateLimited;
    private final AuditLog audit;
    private final Work db;

    Auth(ApiTokens tokens, RateLimiter limiter, Counter rateLimited, AuditLog audit, Work db) {
        this.tokens = tokens;
        this.limiter = limiter;
        this.rateLimited = rateLimited;
        this.audit = audit;
        this.db = db;
    }

    /** The handler: 401 without a valid token, 429 over the token's rate; else the caller is known. */
    void authenticate(RoutingContext ctx) {
        String h = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (h == null) {
            ctx.fail(Problem.unauthorized("missing 'Authorization: Bearer <API token>' header"));
            return;
        }
        if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ctx.fail(Problem.unauthorized("the Authorization header must use the Bearer scheme"));
            return;
        }
        String token = h.substring(7).trim();
        HttpServerRequest req = ctx.request();
        // no body byte may be lost while the lookup runs (uploads stream it themselves)
        boolean paused = !req.isEnded();
        if (paused) {
            req.pause();
        }
        db.call(() -> {
            ApiTokens.Principal p = tokens.authenticate(token);
            if (p == null) {
                throw Problem.unauthorized("unknown or revoked API token");
            }
            charge(p, 1);
            return p;
        }).onComplete(ar -> {
            if (paused && !req.isEnded()) {
                req.resume();
            }
            if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
            }
            ctx.put(PRINCIPAL, ar.result());
            ctx.next();
        });
    }

    /**
     * Charges {@code units} to the caller's bucket (blocking: call on a worker).
     *
     * @throws Problem rate-limited (429) with the time to wait
     */
    void charge(ApiTokens.Principal who, double units) {
        long wait = limiter.acquire(who.tokenId(), units);
        if (wait > 0) {
            rateLimited.increment();
            throw Problem.rateLimited(wait);
        }
    }

    /**
     * Debits {@code units} (at most one burst) even if they are not there (blocking; see
     * {@link RateLimiter#debit}).
     */
    void debit(ApiTokens.Principal who, double units) {
        limiter.debit(who.tokenId(), units);
    }

    /** The caller, once authenticated. */
    static ApiTokens.Principal principal(RoutingContext ctx) {
        return ctx.get(PRINCIPAL);
    }

    /** The handler: 403 unless the caller is an admin. */
    void requireAdmin(RoutingContext ctx) {
        if (!principal(ctx).isAdmin()) {
            ctx.fail(Problem.forbidden("this route needs an admin API token; yours has role '"
                    + principal(ctx).role().text() + "'"));
            return;
        }
        ctx.next();
    }

    /** Appends to the audit log in the caller's name (blocking). */
    void audit(RoutingContext ctx, String action, String target, String detail) {
        ApiTokens.Principal p = principal(ctx);
        audit.append(p == null ? null : p.tokenId(), p == null ? null : p.tenant(), action, target, detail);
    }
}
