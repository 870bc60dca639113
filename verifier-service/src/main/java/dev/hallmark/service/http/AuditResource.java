package dev.hallmark.service.http;

import dev.hallmark.service.store.AuditLog;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** {@code GET /v1/audit} (admins): the latest audit-log entries, newest first. */
final class AuditResource implements Resource {

    /** Entries shown. */
    static final int LATEST = 200;

    private final AuditLog audit;
    private final Auth auth;
    private final Work work;

    AuditResource(AuditLog audit, Auth auth, Work work) {
        this.audit = audit;
        this.auth = auth;
        this.work = work;
    }

    @Override
    public void mount(Router r) {
        r.get("/v1/audit").handler(auth::requireAdmin).handler(ctx -> work.respond(ctx, () -> {
            JsonArray a = new JsonArray();
            audit.latest(LATEST).forEach(e -> a.add(Views.audit(e)));
            return new JsonObject().put("entries", a);
        }));
    }
}
