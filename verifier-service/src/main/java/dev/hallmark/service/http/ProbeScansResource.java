package dev.hallmark.service.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.corpus.CorpusFormat;
import dev.hallmark.corpus.Turns;
import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.scan.Disclosure;
import dev.hallmark.service.scan.Disclosure.Audience;
import dev.hallmark.service.scan.QueryBudget;
import dev.hallmark.service.scan.ScanIntake;
import dev.hallmark.service.scan.ScanRequest;
import dev.hallmark.service.scan.ScanRunner;
import dev.hallmark.service.store.ApiTokens;
import dev.hallmark.service.store.ProbeAllowlist;
import dev.hallmark.service.store.ProbeSecrets;
import dev.hallmark.service.store.ScanFiles;
import dev.hallmark.service.store.ScanStore;
import dev.hallmark.service.store.Store;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Probe scans: the service audits a suspect model's OpenAI-compatible endpoint itself.
 * <ul>
 *   <li>{@code GET /v1/probe-allowlist}, {@code PUT /v1/probe-allowlist} (admin): the endpoints
 *       probe scans may contact; nothing else is ever contacted;
 *   <li>{@code POST /v1/probe-scans}: an allowlisted endpoint, its API key (sealed at rest, never
 *       shown again), a model and the prompts; the scan then runs like any other
 *       ({@code GET /v1/scans/{id}}: progress, then the radioactivity report with a
 *       {@code probe} section).
 * </ul>
 */
final class ProbeScansResource implements Resource {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_PROMPTS = 10_000;
    static final int MAX_SAMPLES = 16;
    static final int MAX_TOKENS = 4096;
    private static final Set<String> CREATE_FIELDS = Set.of("name", "endpoint", "api_key", "model", "prompts",
            "max_tokens", "samples_per_prompt", "temperature", "chat", "alpha", "key_ids", "filter_scan", "filter_top");

    private final Store store;
    private final ScanFiles files;
    private final ScanIntake intake;
    private final ScanRunner runner;
    private final ProbeAllowlist allowlist;
    private final Disclosure disclosure;
    private final QueryBudget budget;
    private final Auth auth;
    private final Work work;
    private final BodyHandler body;

    ProbeScansResource(Store store, ScanFiles files, ScanIntake intake, ScanRunner runner, Disclosure disclosure,
            QueryBudget budget, Auth auth, Work work, BodyHandler body) {
        this.store = store;
        this.files = files;
        this.intake = intake;
        this.runner = runner;
        this.disclosure = disclosure;
        this.budget = budget;
        this.allowlist = new ProbeAllowlist(store.settings());
        this.auth = auth;
        this.work = work;
        this.body = body;
    }

    @Override
    public void mount(Router r) {
        r.get("/v1/probe-allowlist").handler(auth::requireAdmin).handler(ctx -> work.respond(ctx,
                () -> new JsonObject().put("endpoints", new JsonArray(new ArrayList<>(allowlist.endpoints())))));
        r.put("/v1/probe-allowlist").handler(body).handler(auth::requireAdmin).handler(this::setAllowlist);
        r.post("/v1/probe-scans").handler(body).handler(this::create);
    }

    private void setAllowlist(RoutingContext ctx) {
        JsonBody b;
        try {
            b = JsonBody.parse(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE), ctx.body().buffer(), Set.of("endpoints"));
        } catch (Problem p) {
            ctx.fail(p);
            return;
        }
        work.respond(ctx, () -> {
            List<String> urls = b.strings("endpoints");
            if (urls == null) {
                throw Problem.invalid("'endpoints' is required: an array of base URLs such as http://HOST:PORT/v1");
            }
            List<String> set;
            try {
                set = allowlist.set(urls);
            } catch (IllegalArgumentException e) {
                throw Problem.invalid("'endpoints': " + e.getMessage());
            }
            auth.audit(ctx, "probe.allowlist", null, String.join(" ", set));
            return new JsonObject().put("endpoints", new JsonArray(new ArrayList<>(set)));
        });
    }

    private void create(RoutingContext ctx) {
        JsonBody b;
        try {
            b = JsonBody.parse(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE), ctx.body().buffer(), CREATE_FIELDS);
        } catch (Problem p) {
            ctx.fail(p);
            return;
        }
        ApiTokens.Principal who = Auth.principal(ctx);
        work.respond(ctx, () -> {
            String endpoint = b.string("endpoint", null);
            String apiKey = b.string("api_key", null);
            String model = b.string("model", null);
            if (endpoint == null || apiKey == null || apiKey.isBlank() || model == null || model.isBlank()) {
                throw Problem.invalid("'endpoint', 'api_key' and 'model' are required");
            }
            String base;
            try {
                base = ProbeAllowlist.normalize(endpoint);
            } catch (IllegalArgumentException e) {
                throw Problem.invalid("'endpoint': " + e.getMessage());
            }
            List<String> prompts = b.strings("prompts");
            if (prompts == null || prompts.isEmpty() || prompts.size() > MAX_PROMPTS) {
                throw Problem.invalid("'prompts' must be an array of 1 to " + MAX_PROMPTS + " strings");
            }
            for (int i = 0; i < prompts.size(); i++) {
                if (prompts.get(i).isBlank()) {
                    throw Problem.invalid("'prompts'[" + i + "] is empty");
                }
            }
            if (!allowlist.allows(base)) {
                throw Problem.forbidden("the endpoint " + base + " is not on the service's probe allowlist; an admin "
                        + "adds it with PUT /v1/probe-allowlist");
            }
            int maxTokens = integer(b, "max_tokens", 200, 1, MAX_TOKENS);
            int samples = integer(b, "samples_per_prompt", 1, 1, MAX_SAMPLES);
            double temperature = b.number("temperature", 1.0);
            if (!(temperature >= 0 && temperature <= 2)) {
                throw Problem.invalid("'temperature' must be in [0, 2], got " + temperature);
            }
            double alpha = b.number("alpha", 1e-3);
            if (!(alpha > 0 && alpha < 1)) {
                throw Problem.invalid("'alpha' must be in (0, 1), got " + alpha);
            }
            disclosure.checkAlpha("alpha", alpha, Audience.of(who.isAdmin()));
            String name = b.string("name", "probe of " + base);
            String filterScan = b.string("filter_scan", null);
            int filterTop = integer(b, "filter_top", 0, 0, Integer.MAX_VALUE);
            List<String> keyIds = b.strings("key_ids");
            // the analysis is the radioactivity scan's: check its keys and served-data filter now
            intake.precheck(new ScanRequest(name, CorpusFormat.JSONL, Set.of(), "completion", null, Turns.ALL, alpha,
                    keyIds, null, null, ScanStore.TYPE_RADIOACTIVITY, filterScan, filterTop), who);

            // an analyst's probe scan is charged like an upload: its answers, each at its max_tokens
            long answers = (long) prompts.size() * samples;
            long estimate = QueryBudget.probeTokens(prompts.size(), samples, maxTokens);
            if (!who.isAdmin()) {
                budget.charge(who.tokenId(), who.tenant(), answers, estimate);
            }
            Probe probe = new Probe(base, model, b.bool("chat", false), prompts, maxTokens, samples, temperature, alpha,
                    name, filterScan, filterTop, keyIds);
            try {
                ScanStore.Scan s = store(ctx, probe, apiKey, who);
                if (!who.isAdmin()) {
                    auth.debit(who, ServiceConfig.detectUnits((int) Math.min(Integer.MAX_VALUE, answers), estimate));
                }
                ctx.response().setStatusCode(201).putHeader(HttpHeaders.LOCATION, "/v1/scans/" + s.id());
                return Views.scan(s);
            } catch (IOException | RuntimeException e) {
                if (!who.isAdmin()) {
                    budget.adjust(who.tokenId(), who.tenant(), -answers, -estimate); // nothing was stored: give it back
                }
                throw e;
            }
        });
    }

    /** A checked probe-scan request (the API key apart: it goes straight to the sealed file). */
    private record Probe(String endpoint, String model, boolean chat, List<String> prompts, int maxTokens, int samples,
            double temperature, double alpha, String name, String filterScan, int filterTop, List<String> keyIds) {}

    /** Stores the prompts, the sealed API key and the scan row with its audit entry, and queues the scan. */
    private ScanStore.Scan store(RoutingContext ctx, Probe q, String apiKey, ApiTokens.Principal who) throws IOException {
        String scanId = intake.newScanId();
        Path tmp = files.partFile(scanId);
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (String p : q.prompts()) {
                ObjectNode o = JSON.createObjectNode();
                o.put("prompt", p);
                w.write(o.toString());
                w.write('\n');
            }
        }
        long bytes = Files.size(tmp);
        String stored = files.commit(tmp, scanId, false);
        ObjectNode params = JSON.createObjectNode();
        params.put("endpoint", q.endpoint());
        params.put("model", q.model());
        params.put("max_tokens", q.maxTokens());
        params.put("samples_per_prompt", q.samples());
        params.put("temperature", q.temperature());
        params.put("chat_api", q.chat());
        params.put("prompt_exclusion", true);
        if (q.filterScan() != null) {
            params.put("filter_scan", q.filterScan()).put("filter_top", q.filterTop());
        }
        ScanStore.Scan s = new ScanStore.Scan(scanId, ScanStore.TYPE_PROBE, who.tenant(), who.tokenId(), q.name(),
                ScanStore.QUEUED, "jsonl", "none", "prompt", null, q.alpha(), q.keyIds(), stored, bytes, Instant.now(),
                null, null, 0, 0, 0, 0, null, null, null, params.toString());
        try {
            store.probeSecrets().write(files.corpus(s).resolveSibling(ProbeSecrets.FILE), apiKey, scanId);
            // the row and its audit entry together: a scan is never queued unaudited
            work.atomically(() -> {
                store.scans().insert(s);
                auth.audit(ctx, "scan.create", scanId, "probe of " + q.endpoint() + " (model " + q.model() + "): "
                        + q.prompts().size() + " prompts x " + q.samples() + ", alpha " + q.alpha());
                return null;
            });
        } catch (IOException | RuntimeException e) {
            files.delete(scanId);
            throw e;
        }
        runner.submit(scanId);
        return s;
    }

    private static int integer(JsonBody b, String field, int dflt, int lo, int hi) {
        JsonNode n = b.node(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < lo || n.asInt() > hi) {
            throw Problem.invalid("'" + field + "' must be an integer in [" + lo + ", " + hi + "], got " + n);
        }
        return n.asInt();
    }
}
