package dev.hallmark.service.http;

import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.http.QueryParams.Param;
import dev.hallmark.service.scan.Disclosure;
import dev.hallmark.service.scan.Disclosure.Audience;
import dev.hallmark.service.scan.ReportHtml;
import dev.hallmark.service.scan.ScanDocuments;
import dev.hallmark.service.scan.ScanIntake;
import dev.hallmark.service.scan.ScanRequest;
import dev.hallmark.service.scan.ScanRunner;
import dev.hallmark.service.store.ApiTokens;
import dev.hallmark.service.store.ScanFiles;
import dev.hallmark.service.store.ScanStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * {@code /v1/scans}: upload a corpus (streamed to disk with our own byte count, no BodyHandler),
 * list scans, read one with its report (JSON or HTML, through {@link Disclosure}), delete one. Each
 * tenant sees its own scans (admins: all); another tenant's scan is a 404, so its existence does
 * not leak. An upload that sends nothing for the idle timeout is aborted (408) and its temporary
 * file deleted; an analyst's accepted upload is debited its documents and tokens from the token's
 * rate-limit bucket (at most one burst).
 */
final class ScansResource implements Resource {

    static final Param<Integer> LIMIT = QueryParams.integer("limit", 1, 1000, 100, v -> "'limit' must be an integer 1..1000");

    private final long maxUploadBytes;
    private final long stallMillis;
    private final ScanStore scans;
    private final ScanFiles files;
    private final ScanIntake intake;
    private final Disclosure disclosure;
    private final Auth auth;
    private final Work work;
    private final Vertx vertx;
    private final ScanRunner runner;
    /** Uploads being received: their temporary file, and how to abort them. */
    private final Map<Path, Runnable> active = new ConcurrentHashMap<>();

    ScansResource(ServiceConfig config, ScanStore scans, ScanFiles files, ScanIntake intake, ScanRunner runner,
            Disclosure disclosure, Auth auth, Work work, Vertx vertx) {
        this.runner = runner;
        this.maxUploadBytes = config.maxUploadBytes();
        this.stallMillis = config.timeouts().idleSeconds() * 1000L;
        this.scans = scans;
        this.files = files;
        this.intake = intake;
        this.disclosure = disclosure;
        this.auth = auth;
        this.work = work;
        this.vertx = vertx;
    }

    @Override
    public void mount(Router r) {
        r.post("/v1/scans").handler(this::upload);
        r.get("/v1/scans").handler(this::list);
        r.get("/v1/scans/:id").handler(this::get);
        r.get("/v1/scans/:id/report").handler(this::report);
        r.get("/v1/scans/:id/report.html").handler(this::reportHtml);
        r.delete("/v1/scans/:id").handler(this::delete);
        r.post("/v1/scans/:id/cancel").handler(this::cancel);
    }

    /** The temporary files of the uploads being received now (the stale-file sweep leaves them alone). */
    Set<Path> activeUploads() {
        return Set.copyOf(active.keySet());
    }

    /** Aborts every upload being received (the service is stopping); their temporary files are deleted. */
    void abortUploads(String why) {
        List.copyOf(active.values()).forEach(Runnable::run);
    }

    /**
     * Checks the parameters, streams the body to a temporary file with our own byte count, then
     * hands it to the intake, which validates the whole corpus on its own pool, and stores and
     * queues the scan. Any failure deletes the temporary file: nothing partial is ever stored.
     */
    private void upload(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        req.pause();
        ApiTokens.Principal who = Auth.principal(ctx);
        ScanRequest spec;
        try {
            spec = UploadParams.parse(req);
            disclosure.checkAlpha("alpha", spec.alpha(), Audience.of(who.isAdmin()));
            String cl = req.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (cl != null && Long.parseLong(cl.trim()) > maxUploadBytes) {
                throw Problem.tooLarge("the upload is " + cl.trim() + " bytes; the limit is " + maxUploadBytes);
            }
        } catch (NumberFormatException e) {
            ctx.fail(Problem.invalid("bad Content-Length"));
            return;
        } catch (Problem p) {
            ctx.fail(p);
            return;
        }
        String scanId = intake.newScanId();
        Path tmp = files.partFile(scanId);
        work.call(() -> {
            intake.precheck(spec, who);
            return null;
        })
                .compose(x -> vertx.fileSystem().open(tmp.toString(), new OpenOptions().setWrite(true).setCreateNew(true)
                        .setPerms("rw-------")))
                .onFailure(ctx::fail)
                .onSuccess(file -> receive(ctx, file, tmp, spec, who, scanId));
    }

    private void receive(RoutingContext ctx, AsyncFile file, Path tmp, ScanRequest spec, ApiTokens.Principal who,
            String scanId) {
        HttpServerRequest req = ctx.request();
        long[] count = {0};
        long[] lastData = {System.nanoTime()};
        boolean[] failed = {false};
        boolean[] received = {false};
        // the temporary file is gone before the client hears of the failure (nothing partial stays behind)
        Supplier<Future<Void>> cleanup = () -> {
            active.remove(tmp);
            return file.close().transform(v -> vertx.fileSystem().delete(tmp.toString())).otherwiseEmpty().mapEmpty();
        };
        Runnable abort = () -> {
            if (!failed[0] && !received[0]) {
                failed[0] = true;
                cleanup.get().onComplete(v -> ctx.fail(Problem.unavailable("the service is stopping; upload again later")));
            }
        };
        active.put(tmp, abort);
        long stallTimer = vertx.setPeriodic(Math.max(100, Math.min(1000, stallMillis / 4)), id -> {
            if (failed[0] || received[0]) {
                vertx.cancelTimer(id);
            } else if (System.nanoTime() - lastData[0] > stallMillis * 1_000_000L) {
                vertx.cancelTimer(id);
                failed[0] = true;
                cleanup.get().onComplete(v -> ctx.fail(Problem.of(408, "upload-stalled", "Upload stalled",
                        "no data arrived for " + stallMillis / 1000 + " s after " + count[0] + " bytes; the upload was "
                        + "abandoned and nothing was stored")));
            }
        });
        req.handler(buf -> {
            if (failed[0]) {
                return;
            }
            lastData[0] = System.nanoTime();
            count[0] += buf.length();
            if (count[0] > maxUploadBytes) {
                failed[0] = true;
                cleanup.get().onComplete(v -> ctx.fail(Problem.tooLarge("the upload exceeds the limit of "
                        + maxUploadBytes + " bytes")));
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
                cleanup.get();
            }
        });
        // the client went away mid-upload (or the connection was closed under it)
        ctx.response().closeHandler(v -> {
            if (!failed[0] && !received[0]) {
                failed[0] = true;
                cleanup.get();
            }
        });
        req.endHandler(v -> {
            if (failed[0]) {
                return;
            }
            received[0] = true;
            vertx.cancelTimer(stallTimer);
            file.close()
                    .compose(x -> work.intake(() -> intake.accept(tmp, spec, who, scanId, count[0])))
                    .onSuccess(acc -> {
                        active.remove(tmp);
                        if (!who.isAdmin()) {
                            auth.debit(who, ServiceConfig.detectUnits((int) Math.min(Integer.MAX_VALUE, acc.documents()),
                                    acc.estimatedTokens()));
                        }
                        ctx.response().putHeader(HttpHeaders.LOCATION, "/v1/scans/" + acc.scan().id());
                        Work.json(ctx, 201, Views.scan(acc.scan()));
                    })
                    .onFailure(e -> {
                        active.remove(tmp);
                        vertx.fileSystem().delete(tmp.toString()).onComplete(x -> ctx.fail(e));
                    });
        });
        req.resume();
    }

    /** The scan if the caller may see it; 404 otherwise (other tenants cannot learn that it exists). */
    private ScanStore.Scan visible(RoutingContext ctx) {
        return visible(ctx, scans);
    }

    /** The scan named by the path if the caller may see it; 404 otherwise. */
    static ScanStore.Scan visible(RoutingContext ctx, ScanStore scans) {
        ApiTokens.Principal who = Auth.principal(ctx);
        String id = ctx.pathParam("id");
        ScanStore.Scan s = scans.get(id);
        if (s == null || !(who.isAdmin() || s.tenant().equals(who.tenant()))) {
            throw Problem.notFound("no scan with id '" + id + "'");
        }
        return s;
    }

    private void list(RoutingContext ctx) {
        ApiTokens.Principal who = Auth.principal(ctx);
        int limit;
        try {
            QueryParams.refuseUnknown(ctx.request().params(), List.of(LIMIT));
            limit = LIMIT.from(ctx.request().params());
        } catch (Problem p) {
            ctx.fail(p);
            return;
        }
        work.respond(ctx, () -> {
            JsonArray a = new JsonArray();
            scans.list(who.isAdmin() ? null : who.tenant(), limit).forEach(s -> a.add(Views.scan(s)));
            return new JsonObject().put("scans", a);
        });
    }

    private static Audience audience(RoutingContext ctx) {
        return Audience.of(Auth.principal(ctx).isAdmin());
    }

    private void get(RoutingContext ctx) {
        Audience a = audience(ctx);
        work.respond(ctx, () -> {
            ScanStore.Scan s = visible(ctx);
            JsonObject o = Views.scan(s);
            if (ScanStore.DONE.equals(s.state())) {
                o.put("report", new JsonObject(disclosure.report(scans.report(s.id()), a).toString()));
            }
            return o;
        });
    }

    private void report(RoutingContext ctx) {
        Audience a = audience(ctx);
        work.respond(ctx, () -> {
            ScanStore.Scan s = visible(ctx);
            if (!ScanStore.DONE.equals(s.state())) {
                throw Problem.conflict("scan " + s.id() + " is " + s.state() + "; its report exists once it is done")
                        .with("state", s.state());
            }
            return disclosure.report(scans.report(s.id()), a);
        });
    }

    private void reportHtml(RoutingContext ctx) {
        Audience a = audience(ctx);
        work.call(() -> {
            ScanStore.Scan s = visible(ctx);
            if (!ScanStore.DONE.equals(s.state())) {
                throw Problem.conflict("scan " + s.id() + " is " + s.state() + "; its report exists once it is done");
            }
            ScanDocuments docs = new ScanDocuments(files.corpus(s).resolveSibling(ScanDocuments.FILE), disclosure);
            return ReportHtml.render(disclosure.report(scans.report(s.id()), a),
                    DocumentsResource.hasLog(files, s) ? docs.firstFlagged(ReportHtml.FLAGGED_SHOWN, s.alpha(), a)
                            : List.of());
        }).onSuccess(html -> ctx.response()
                        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                        .putHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
                        .end(html))
                .onFailure(ctx::fail);
    }

    private void cancel(RoutingContext ctx) {
        ApiTokens.Principal who = Auth.principal(ctx);
        work.respond(ctx, () -> {
            ScanStore.Scan s = visible(ctx);
            if (!runner.cancel(s.id(), "cancelled by " + (who.isAdmin() ? "an admin" : "its owner") + " after "
                    + s.documents() + " documents")) {
                throw Problem.conflict("scan " + s.id() + " is " + s.state() + ": only queued or running scans can be "
                        + "cancelled").with("state", s.state());
            }
            auth.audit(ctx, "scan.cancel", s.id(), null);
            return Views.scan(scans.get(s.id()));
        });
    }

    private void delete(RoutingContext ctx) {
        work.respond(ctx, () -> {
            ScanStore.Scan s = visible(ctx);
            work.atomically(() -> {
                scans.delete(s.id());
                auth.audit(ctx, "scan.delete", s.id(), null);
                return null;
            });
            files.delete(s.id());
            return new JsonObject().put("id", s.id()).put("deleted", true);
        });
    }
}
