package dev.hallmark.service.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.corpus.CorpusFormat;
import dev.hallmark.corpus.Turns;
import dev.hallmark.service.Problem;
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
    private final Auth auth;
    private final Work work;
    private final BodyHandler body;

    ProbeScansResource(Store store, ScanFiles files, ScanIntake intake, ScanRunner runner, Auth auth, Work work,
            BodyHandler body) {
        this.store = store;
        this.files = files;
        this.intake = intake;
        this.runner = runner;
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
            String name = b.string("name", "probe of " + base);
            String filterScan = b.string("filter_scan", null);
            int filterTop = integer(b, "filter_top", 0, 0, Integer.MAX_VALUE);
            List<String> keyIds = b.strings("key_ids");
            // the analysis is the radioactivity scan's: check its keys and served-data filter now
            intake.precheck(new ScanRequest(name, CorpusFormat.JSONL, Set.of(), "completion", null, Turns.ALL, alpha,
                    keyIds, null, null, ScanStore.TYPE_RADIOACTIVITY, filterScan, filterTop), who);

            String scanId = intake.newScanId();
            Path tmp = files.partFile(scanId);
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                for (String p : prompts) {
                    ObjectNode o = JSON.createObjectNode();
                    o.put("prompt", p);
                    w.write(o.toString());
                    w.write('\n');
                }
            }
            long bytes = Files.size(tmp);
            String stored = files.commit(tmp, scanId, false);
            ObjectNode params = JSON.createObjectNode();
            params.put("endpoint", base);
            params.put("model", model);
            params.put("max_tokens", maxTokens);
            params.put("samples_per_prompt", samples);
            params.put("temperature", temperature);
            params.put("chat_api", b.bool("chat", false));
            params.put("prompt_exclusion", true);
            if (filterScan != null) {
                params.put("filter_scan", filterScan).put("filter_top", filterTop);
            }
            ScanStore.Scan s = new ScanStore.Scan(scanId, ScanStore.TYPE_PROBE, who.tenant(), who.tokenId(), name,
                    ScanStore.QUEUED, "jsonl", "none", "prompt", null, alpha, keyIds, stored, bytes, Instant.now(), null,
                    null, 0, 0, 0, 0, null, null, null, params.toString());
            store.probeSecrets().write(files.corpus(s).resolveSibling(ProbeSecrets.FILE), apiKey, scanId);
            store.scans().insert(s);
            auth.audit(ctx, "scan.create", scanId, "probe of " + base + " (model " + model + "): " + prompts.size()
                    + " prompts x " + samples);
            runner.submit(scanId);
            ctx.response().setStatusCode(201).putHeader(HttpHeaders.LOCATION, "/v1/scans/" + scanId);
            return Views.scan(s);
        });
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
