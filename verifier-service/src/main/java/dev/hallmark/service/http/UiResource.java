package dev.hallmark.service.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The analysts' web page: static files from {@code webroot/} under {@code /ui/}, with a strict
 * Content-Security-Policy; {@code /} redirects there. It holds no data: it calls the API with the
 * token the analyst signs in with.
 */
final class UiResource implements Resource {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "frame-src 'self' blob:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'";

    @Override
    public void mount(Router r) {
        r.get("/").handler(ctx -> ctx.redirect("/ui/"));
        r.route("/ui/*").handler(ctx -> {
            ctx.response().putHeader("Content-Security-Policy", CSP);
            ctx.next();
        });
        r.route("/ui/*").handler(StaticHandler.create("webroot").setCachingEnabled(false).setIndexPage("index.html"));
    }
}
