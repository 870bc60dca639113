package dev.hallmark.service.http;

import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.scan.QueryBudget;
import dev.hallmark.service.store.ApiTokens;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Set;

/**
 * API tokens: {@code GET /v1/me} (any token: who am I, the limits in force, and for analysts the
 * daily query budget left) and
 * {@code /v1/tokens} (admins: list, create, revoke; a new token's value is shown once).
 */
final class TokensResource implements Resource {

    static final Set<String> TOKEN_FIELDS = Set.of("tenant", "role", "label");

    private final ServiceConfig config;
    private final ApiTokens tokens;
    private final QueryBudget budget;
    private final Auth auth;
    private final Work work;
    private final BodyHandler body;

    TokensResource(ServiceConfig config, ApiTokens tokens, QueryBudget budget, Auth auth, Work work, BodyHandler body) {
        this.config = config;
        this.tokens = tokens;
        this.budget = budget;
        this.auth = auth;
        this.work = work;
        this.body = body;
    }

    @Override
    public void mount(Router r) {
        r.get("/v1/me").handler(ctx -> work.respond(ctx, () -> {
            ApiTokens.Principal p = Auth.principal(ctx);
            JsonObject o = Views.token(p).put("limits", Views.limits(config, p.isAdmin()));
            if (!p.isAdmin()) {
                o.put("budget", Views.budget(config, budget.remaining(p.tokenId(), p.tenant())));
            }
            return o;
        }));
        r.get("/v1/tokens").handler(auth::requireAdmin).handler(ctx -> work.respond(ctx, () -> {
            JsonArray a = new JsonArray();
            tokens.list().forEach(p -> a.add(Views.token(p)));
            return new JsonObject().put("tokens", a);
        }));
        r.post("/v1/tokens").handler(body).handler(auth::requireAdmin).handler(this::create);
        r.delete("/v1/tokens/:id").handler(auth::requireAdmin).handler(ctx -> work.respondAtomically(ctx, () -> {
            String id = ctx.pathParam("id");
            if (!tokens.revoke(id)) {
                throw Problem.notFound("no API token with id '" + id + "'");
            }
            auth.audit(ctx, "token.revoke", id, null);
            return tokens.list().stream().filter(p -> p.tokenId().equals(id)).findFirst().map(Views::token).orElseThrow();
        }));
    }

    private void create(RoutingContext ctx) {
        JsonBody b;
        try {
            b = JsonBody.parse(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE), ctx.body().buffer(), TOKEN_FIELDS);
        } catch (Problem p) {
            ctx.fail(p);
            return;
        }
        work.respondAtomically(ctx, () -> {
            ApiTokens.Role role = ApiTokens.Role.parse(b.string("role", "analyst"));
            String tenant = b.string("tenant", null);
            if (tenant == null) {
                throw Problem.invalid("'tenant' is required");
            }
            ApiTokens.Created c = tokens.create(tenant, role, b.string("label", tenant + " " + role.text()));
            auth.audit(ctx, "token.create", c.principal().tokenId(), role.text() + " for tenant " + tenant);
            ctx.response().setStatusCode(201);
            return Views.token(c.principal()).put("token", c.token());
        });
    }
}
