package dev.hallmark.service.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import dev.hallmark.service.scan.DetectionEngine;
import dev.hallmark.service.scan.Disclosure;
import dev.hallmark.service.scan.Disclosure.Audience;
import dev.hallmark.service.scan.MinHash;
import dev.hallmark.service.scan.ProbeIndex;
import dev.hallmark.service.scan.QueryBudget;
import dev.hallmark.service.store.ApiTokens;
import dev.hallmark.service.store.KeyStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /v1/detect}: one text, a batch of texts, or token ids, tested synchronously against
 * the keys ({@link DetectionEngine}). A request costs one rate-limit unit per text plus one per
 * {@value ServiceConfig#TOKENS_PER_UNIT} tokens, and analysts' requests are charged to their daily
 * budget ({@link QueryBudget}); what each caller sees is decided by {@link Disclosure}; texts an
 * analyst's tenant sent before in near-identical form get the earlier answer ({@link ProbeIndex}),
 * counted in metrics and, as a probing pattern, in the audit log. Every request is audited.
 */
final class DetectResource implements Resource {

    static final Set<String> FIELDS = Set.of("text", "texts", "ids", "key_ids", "scheme", "alpha", "localize",
            "include_token_scores");

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final int maxBatchTexts;
    private final KeyStore keys;
    private final DetectionEngine engine;
    private final Disclosure disclosure;
    private final ProbeIndex probes;
    private final QueryBudget budget;
    private final Auth auth;
    private final Work work;
    private final BodyHandler body;
    private final Counter textsTested;
    private final Counter nearDuplicates;
    private final Timer detectTimer;

    DetectResource(int maxBatchTexts, KeyStore keys, DetectionEngine engine, Disclosure disclosure, ProbeIndex probes,
            QueryBudget budget, Auth auth, Work work, BodyHandler body, MeterRegistry registry) {
        this.maxBatchTexts = maxBatchTexts;
        this.keys = keys;
        this.engine = engine;
        this.disclosure = disclosure;
        this.probes = probes;
        this.budget = budget;
        this.auth = auth;
        this.work = work;
        this.body = body;
        this.textsTested = Counter.builder("hallmark_detect_texts").description("texts tested by /v1/detect").register(registry);
        this.nearDuplicates = Counter.builder("hallmark_detect_near_duplicates")
                .description("analyst texts answered with an earlier near-duplicate's answer (probing defence)")
                .register(registry);
        this.detectTimer = Timer.builder("hallmark_detect_seconds").description("time to test one /v1/detect request")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    @Override
    public void mount(Router r) {
        r.post("/v1/detect").handler(body).handler(this::detect);
    }

    /** What one request asks for. */
    private record Request(List<DetectionEngine.Input> inputs, String scheme, double alpha, boolean localize,
            boolean tokenScores, List<String> keyIds) {}

    private void detect(RoutingContext ctx) {
        ApiTokens.Principal who = Auth.principal(ctx);
        Audience audience = Audience.of(who.isAdmin());
        Request q;
        try {
            q = request(JsonBody.parse(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE), ctx.body().buffer(), FIELDS),
                    audience);
        } catch (Problem p) {
            ctx.fail(p);
            return;
        }
        long t0 = System.nanoTime();
        work.respond(ctx, () -> {
            // one unit was charged when the request was authenticated; one more per further text now,
            // and the tokens' units once they are known
            if (q.inputs().size() > 1) {
                auth.charge(who, q.inputs().size() - 1);
            }
            // admins test every key; analysts their tenant's and the shared ones
            KeyStore.Family family = keys.family(KeysResource.scope(who), q.scheme(), q.keyIds());
            List<int[]> ids = engine.prepare(q.inputs(), family, audience);
            long tokens = 0;
            for (int[] x : ids) {
                tokens += x.length;
            }
            long tokenUnits = ServiceConfig.detectUnits(ids.size(), tokens) - ids.size();
            if (tokenUnits > 0) {
                auth.charge(who, tokenUnits);
            }
            if (audience == Audience.ANALYST) {
                budget.charge(who.tokenId(), who.tenant(), ids.size(), tokens);
            }
            ObjectNode out = F.objectNode();
            out.put("alpha", q.alpha());
            out.put("correction", q.localize() ? "weighted-holm" : "holm");
            ArrayNode kt = out.putArray("keys_tested");
            family.keyIds().forEach(kt::add);
            ArrayNode st = out.putArray("schemes_tested");
            family.keyed().stream().map(k -> k.scheme().toString()).distinct().forEach(st::add);
            out.put("quantized", audience == Audience.ANALYST);
            out.put("disclosure", audience.text());
            ArrayNode rs = out.putArray("results");
            DetectionEngine.Ask ask = new DetectionEngine.Ask(family, q.alpha(), q.localize(), q.tokenScores(), audience);
            int near = 0;
            int detected = 0;
            for (int i = 0; i < ids.size(); i++) {
                ProbeIndex.Answer earlier = null;
                boolean dup = false;
                if (audience == Audience.ANALYST) {
                    // texts of one request are looked up in order: the second of two near-identical texts is a probe too
                    ProbeIndex.Match m = probes.record(who.tenant(), MinHash.signature(ids.get(i)), true);
                    earlier = m.answer();
                    dup = m.nearDuplicate();
                }
                ObjectNode res = engine.detect(i, ids.get(i), q.inputs().get(i).text(), ask, earlier, dup);
                near += dup ? 1 : 0;
                detected += "watermarked".equals(res.path("verdict").asText()) ? 1 : 0;
                rs.add(res);
            }
            textsTested.increment(ids.size());
            String detail = String.format(Locale.ROOT, "%d text%s, %d tokens, %d watermarked, alpha %s, %s",
                    ids.size(), ids.size() == 1 ? "" : "s", tokens, detected, q.alpha(), audience.text());
            if (near > 0) {
                nearDuplicates.increment(near);
                detail += ", " + near + " near-duplicate" + (near == 1 ? "" : "s") + " of earlier texts (earlier answers repeated)";
                if (probes.hit(who.tokenId(), near)) {
                    auth.audit(ctx, "detect.probing", String.join(",", family.keyIds()), probes.hits(who.tokenId())
                            + " texts from this token were near-duplicates of texts tenant '" + who.tenant()
                            + "' was answered before (an oracle probing pattern: each got the earlier answer)");
                }
            }
            auth.audit(ctx, "detect", target(family), detail);
            detectTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            return out;
        });
    }

    private static String target(KeyStore.Family family) {
        String t = family.keyIds().isEmpty() ? family.keyed().get(0).scheme().toString() : String.join(",", family.keyIds());
        return t.length() > 200 ? t.substring(0, 197) + "..." : t;
    }

    private Request request(JsonBody b, Audience audience) {
        List<DetectionEngine.Input> inputs = inputs(b);
        String scheme = b.string("scheme", null);
        double alpha = b.number("alpha", 1e-3);
        if (!(alpha > 0 && alpha < 1)) {
            throw Problem.invalid("'alpha' (the false-positive rate) must be in (0, 1), got " + alpha);
        }
        disclosure.checkAlpha("alpha", alpha, audience);
        boolean localize = b.bool("localize", true);
        boolean tokenScores = b.bool("include_token_scores", false);
        if (tokenScores && audience != Audience.ADMIN) {
            throw Problem.forbidden("per-token scores are returned to admin tokens only (they would reveal the watermark's green lists)");
        }
        return new Request(inputs, scheme, alpha, localize, tokenScores, b.strings("key_ids"));
    }

    private List<DetectionEngine.Input> inputs(JsonBody b) {
        int given = (b.has("text") ? 1 : 0) + (b.has("texts") ? 1 : 0) + (b.has("ids") ? 1 : 0);
        if (given != 1) {
            throw Problem.invalid("give exactly one of 'text' (a string), 'texts' (an array of strings) or 'ids' "
                    + "(an array of token-id arrays); got " + given);
        }
        List<DetectionEngine.Input> in = new ArrayList<>();
        if (b.has("text")) {
            in.add(new DetectionEngine.Input(b.string("text", null), null));
        } else if (b.has("texts")) {
            for (String t : b.strings("texts")) {
                in.add(new DetectionEngine.Input(t, null));
            }
        } else {
            for (int[] ids : b.idRows("ids")) {
                in.add(new DetectionEngine.Input(null, ids));
            }
        }
        if (in.isEmpty()) {
            throw Problem.invalid("nothing to test: the batch is empty");
        }
        if (in.size() > maxBatchTexts) {
            throw Problem.tooLarge("a batch holds at most " + maxBatchTexts + " texts, got " + in.size());
        }
        return in;
    }
}
