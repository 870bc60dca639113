package dev.hallmark.service.http;

import dev.hallmark.service.Problem;
import dev.hallmark.service.http.QueryParams.Param;
import dev.hallmark.service.scan.Disclosure;
import dev.hallmark.service.scan.Disclosure.Audience;
import dev.hallmark.service.scan.ScanDocuments;
import dev.hallmark.service.store.ApiTokens;
import dev.hallmark.service.store.ScanFiles;
import dev.hallmark.service.store.ScanStore;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Files;
import java.util.List;

/**
 * {@code /v1/scans/{id}/documents}: a done watermark scan's per-document results, paginated (all,
 * or the flagged ones), one document with its text and highlighted spans, and CSV / JSON downloads.
 * Same visibility as the scan (owner's tenant, admins); what analysts see of each result, and which
 * documents they see at all, is decided by {@link Disclosure} (as in the scan's report).
 */
final class DocumentsResource implements Resource {

    static final Param<Boolean> FLAGGED = QueryParams.choice("flagged", b -> b.toString(), Boolean.TRUE, Boolean.FALSE)
            .orElse(() -> Boolean.FALSE);
    static final Param<Integer> OFFSET = QueryParams.integer("offset", 0, Integer.MAX_VALUE, 0,
            v -> "'offset' must be an integer >= 0, got '" + v + "'");
    static final Param<Integer> LIMIT = QueryParams.integer("limit", 1, 500, 50,
            v -> "'limit' must be an integer 1..500, got '" + v + "'");

    private final ScanStore scans;
    private final ScanFiles files;
    private final Disclosure disclosure;
    private final Work work;

    DocumentsResource(ScanStore scans, ScanFiles files, Disclosure disclosure, Work work) {
        this.scans = scans;
        this.files = files;
        this.disclosure = disclosure;
        this.work = work;
    }

    /** A done scan's per-document results and its alpha (what an analyst may see depends on it). */
    private record Log(ScanDocuments docs, double alpha) {}

    @Override
    public void mount(Router r) {
        r.get("/v1/scans/:id/documents").handler(this::page);
        r.get("/v1/scans/:id/documents.csv").handler(ctx -> download(ctx, true));
        r.get("/v1/scans/:id/documents.json").handler(ctx -> download(ctx, false));
        r.get("/v1/scans/:id/documents/:index").handler(this::one);
    }

    /** Whether scan {@code s} has a per-document log (done watermark scans made since the log exists). */
    static boolean hasLog(ScanFiles files, ScanStore.Scan s) {
        return Files.isRegularFile(files.corpus(s).resolveSibling(ScanDocuments.FILE));
    }

    private Log documents(RoutingContext ctx) {
        ScanStore.Scan s = ScansResource.visible(ctx, scans);
        if (!ScanStore.DONE.equals(s.state())) {
            throw Problem.conflict("scan " + s.id() + " is " + s.state() + "; its documents are listed once it is done")
                    .with("state", s.state());
        }
        return new Log(new ScanDocuments(files.corpus(s).resolveSibling(ScanDocuments.FILE), disclosure), s.alpha());
    }

    private void page(RoutingContext ctx) {
        Audience a = Audience.of(Auth.principal(ctx).isAdmin());
        boolean flagged;
        int offset;
        int limit;
        try {
            QueryParams.refuseUnknown(ctx.queryParams(), List.of(FLAGGED, OFFSET, LIMIT));
            flagged = FLAGGED.from(ctx.queryParams());
            offset = OFFSET.from(ctx.queryParams());
            limit = LIMIT.from(ctx.queryParams());
        } catch (Problem p) {
            ctx.fail(p);
            return;
        }
        work.respond(ctx, () -> {
            Log log = documents(ctx);
            return log.docs().page(flagged, offset, limit, log.alpha(), a);
        });
    }

    private void one(RoutingContext ctx) {
        Audience a = Audience.of(Auth.principal(ctx).isAdmin());
        long index;
        try {
            index = dev.hallmark.service.StrictNumbers.integer(ctx.pathParam("index"));
            if (index < 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            ctx.fail(Problem.invalid("the document index must be an integer >= 0, got '" + ctx.pathParam("index") + "'"));
            return;
        }
        work.respond(ctx, () -> {
            Log log = documents(ctx);
            return log.docs().document(index, log.alpha(), a);
        });
    }

    /** Streams the CSV or JSON download from a worker thread, in chunks (Vert.x hands them to the connection's event loop). */
    private void download(RoutingContext ctx, boolean csv) {
        ApiTokens.Principal who = Auth.principal(ctx);
        if (!ctx.queryParams().isEmpty()) {
            ctx.fail(Problem.unknownField("the download takes no query parameters"));
            return;
        }
        work.call(() -> {
            Log log = documents(ctx);
            Audience a = Audience.of(who.isAdmin());
            String id = ctx.pathParam("id");
            HttpServerResponse res = ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, csv ? "text/csv; charset=utf-8" : "application/json")
                    .putHeader("Content-Disposition", "attachment; filename=\"" + id + "-documents." + (csv ? "csv" : "json")
                            + "\"")
                    .setChunked(true);
            if (csv) {
                log.docs().csv(log.alpha(), a, res::write);
            } else {
                log.docs().json(log.alpha(), a, res::write);
            }
            return res;
        }).onSuccess(HttpServerResponse::end).onFailure(e -> {
            if (ctx.response().headWritten()) {
                ctx.response().reset();
            } else {
                ctx.fail(e);
            }
        });
    }
}
