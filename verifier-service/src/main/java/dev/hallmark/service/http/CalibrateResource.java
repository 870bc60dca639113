package dev.hallmark.service.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.Calibration;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.service.Problem;
import dev.hallmark.service.scan.DetectionEngine;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code POST /v1/calibrate} (admins only): the detector's false-positive rates on the caller's
 * own unwatermarked text, per length and alpha, under never-deployed keys drawn for the request
 * and never stored ({@link Calibration}). Synchronous; the work (tokens x keys x lengths) is capped.
 */
final class CalibrateResource implements Resource {

    static final Set<String> FIELDS = Set.of("texts", "ids", "scheme", "keys", "lengths", "alphas", "seed");

    /** Token scorings one request may ask for (tokens x keys x lengths). */
    static final long MAX_WORK = 200_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private final DetectionEngine engine;
    private final Auth auth;
    private final Work work;
    private final BodyHandler body;

    CalibrateResource(DetectionEngine engine, Auth auth, Work work, BodyHandler body) {
        this.engine = engine;
        this.auth = auth;
        this.work = work;
        this.body = body;
    }

    @Override
    public void mount(Router r) {
        r.post("/v1/calibrate").handler(body).handler(auth::requireAdmin).handler(this::calibrate);
    }

    private void calibrate(RoutingContext ctx) {
        JsonBody b;
        try {
            b = JsonBody.parse(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE), ctx.body().buffer(), FIELDS);
        } catch (Problem p) {
            ctx.fail(p);
            return;
        }
        work.respond(ctx, () -> {
            String spec = b.string("scheme", null);
            if (spec == null) {
                throw Problem.invalid("'scheme' is required (a scheme spec with Hallmark keys, e.g. kgw or gumbel)");
            }
            Scheme scheme;
            try {
                scheme = Scheme.parse(spec);
            } catch (IllegalArgumentException e) {
                throw Problem.invalid("'scheme': " + e.getMessage());
            }
            if (scheme.keyKind() != Scheme.KeyKind.HALLMARK) {
                throw Problem.invalid("'scheme' " + scheme + " takes no Hallmark key: calibration draws never-deployed "
                        + "Hallmark keys");
            }
            double keysD = b.number("keys", 200);
            if (keysD != Math.rint(keysD) || keysD < 1 || keysD > 1000) {
                throw Problem.invalid("'keys' must be an integer in [1, 1000], got " + keysD);
            }
            int keys = (int) keysD;
            int[] lengths = ints(b, "lengths", new int[] {50, 100, 200, 400});
            for (int l : lengths) {
                if (l < 2) {
                    throw Problem.invalid("'lengths' must be >= 2 tokens each, got " + l);
                }
            }
            double[] alphas = doubles(b, "alphas", new double[] {0.01, 0.001});
            for (double a : alphas) {
                if (!(a > 0 && a < 1)) {
                    throw Problem.invalid("'alphas' must be in (0, 1) each, got " + a);
                }
            }
            List<int[]> docs = documents(b);
            long tokens = docs.stream().mapToLong(d -> d.length).sum();
            if (tokens * keys * lengths.length > MAX_WORK) {
                throw Problem.tooLarge(String.format(Locale.ROOT, "%d tokens x %d keys x %d lengths is more than %d token "
                        + "scorings: send fewer documents or keys (hallmark calibrate has no limit)", tokens, keys,
                        lengths.length, MAX_WORK));
            }
            long seed = b.has("seed") ? (long) b.number("seed", 0) : new SecureRandom().nextLong();
            Calibration.Report rep = Calibration.run(docs, scheme, neverDeployed(keys, seed), lengths, alphas);
            auth.audit(ctx, "calibrate", scheme.toString(), docs.size() + " documents, " + keys + " keys");
            return finite(JSON.valueToTree(rep));
        });
    }

    private List<int[]> documents(JsonBody b) {
        if (b.has("texts") == b.has("ids")) {
            throw Problem.invalid("give exactly one of 'texts' (an array of strings) or 'ids' (an array of token-id "
                    + "arrays)");
        }
        List<int[]> out = new ArrayList<>();
        if (b.has("texts")) {
            List<String> texts = b.strings("texts");
            if (!texts.isEmpty()) {
                out.addAll(List.of(engine.encode(texts)));
            }
        } else {
            List<int[]> rows = b.idRows("ids");
            for (int i = 0; i < rows.size(); i++) {
                int[] ids = rows.get(i);
                for (int j = 0; j < ids.length; j++) {
                    if (ids[j] < 0) {
                        throw Problem.invalid("'ids'[" + i + "][" + j + "] must be a token id (an integer >= 0)");
                    }
                }
                out.add(ids);
            }
        }
        if (out.isEmpty()) {
            throw Problem.invalid("nothing to calibrate on: no documents");
        }
        return out;
    }

    private static int[] ints(JsonBody b, String f, int[] dflt) {
        if (!b.has(f)) {
            return dflt;
        }
        JsonNode v = b.node(f);
        if (!v.isArray() || v.isEmpty()) {
            throw Problem.invalid("'" + f + "' must be a non-empty array of integers");
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isInt()) {
                throw Problem.invalid("'" + f + "'[" + i + "] must be an integer");
            }
            out[i] = v.get(i).intValue();
        }
        return out;
    }

    private static double[] doubles(JsonBody b, String f, double[] dflt) {
        if (!b.has(f)) {
            return dflt;
        }
        JsonNode v = b.node(f);
        if (!v.isArray() || v.isEmpty()) {
            throw Problem.invalid("'" + f + "' must be a non-empty array of numbers");
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isNumber()) {
                throw Problem.invalid("'" + f + "'[" + i + "] must be a number");
            }
            out[i] = v.get(i).doubleValue();
        }
        return out;
    }

    /** The report with NaN (a number that does not exist, e.g. no window of a length) as null: JSON has no NaN. */
    private static ObjectNode finite(JsonNode n) {
        ObjectNode o = (ObjectNode) n;
        for (JsonNode cell : o.get("cells")) {
            ObjectNode c = (ObjectNode) cell;
            List<String> names = new ArrayList<>();
            c.fieldNames().forEachRemaining(names::add);
            for (String f : names) {
                if (c.get(f).isNumber() && !Double.isFinite(c.get(f).doubleValue())) {
                    c.putNull(f);
                }
            }
        }
        return o;
    }

    /** K keys drawn for this request only: never deployed, never stored, never returned. */
    private static List<WatermarkKey> neverDeployed(int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<WatermarkKey> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            byte[] s = new byte[WatermarkKey.SECRET_BYTES];
            r.nextBytes(s);
            out.add(WatermarkKey.fromSecret(s));
        }
        return out;
    }
}
