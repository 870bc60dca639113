package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.service.Problem;
import dev.hallmark.service.ServiceConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.IntUnaryOperator;

/**
 * What a caller may see of a detection: the one place the service's disclosure policy lives. Every
 * answer that carries detection results (POST /v1/detect, scan reports, spans, per-document
 * views) is passed through it with the caller's {@link Audience}.
 *
 * <p><b>Admins</b> see everything: exact p-values, sums, statistics, counts, per-token scores on
 * request, every span and every flagged document.
 *
 * <p><b>Analysts</b> get answers from which the score cannot be solved (docs/threat-model.md):
 * <ul>
 *   <li>p-values as a conservative bucket of the ladder {@link #LADDER_LOG10} (1e-2, 1e-3, 1e-6,
 *       1e-12, 1e-24): {@code log10_p} / {@code p_value} are the smallest ladder value at or above
 *       the exact p-value, or 1 (bucket "p > 0.01") above the ladder; so a reported p is still a
 *       valid (conservative) p-value;
 *   <li>no score sum, statistic, z-score, skipped counts or interop unit sums; {@code tokens_seen}
 *       and {@code tokens_scored} rounded down to 2 significant digits ({@link #coarse});
 *   <li>alpha one of the ladder values up to {@link ServiceConfig.Analysts#maxAlpha()} (so the
 *       verdict, p <= alpha, is a function of the bucket: an analyst cannot move the decision
 *       boundary to where a probe sits), and texts of at least {@link ServiceConfig.Analysts#minTokens()}
 *       tokens ({@link #checkAlpha}, {@link #minTokens});
 *   <li>spans: at most {@value #ANALYST_SPANS_PER_KEY} per key (the most significant), their
 *       token boundaries widened to multiples of {@value #SPAN_GRID} tokens (character offsets
 *       follow the widened tokens), p as a bucket; only spans whose bucket is at most alpha
 *       ({@link #spans});
 *   <li>scanned documents are listed individually (top and flagged documents, and per-document
 *       views) only when their bucket is at most the report's alpha, they have at least the
 *       analyst minimum of tokens, and they are not near-duplicates of another document of the
 *       scan or of a text the tenant was answered before ({@link #listDocument}); counts and the
 *       p-value histogram are aggregates and stay.
 * </ul>
 */
public final class Disclosure {

    /** Who is asking. */
    public enum Audience {
        ADMIN, ANALYST;

        public static Audience of(boolean admin) {
            return admin ? ADMIN : ANALYST;
        }

        /** The name used in responses ({@code "disclosure"}). */
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The analysts' p-value ladder (log10 of the bounds), from the largest bound down. */
    public static final int[] LADDER_LOG10 = {-2, -3, -6, -12, -24};
    /** Analyst spans are widened to multiples of this many tokens. */
    public static final int SPAN_GRID = 50;
    /** Spans per key shown to analysts. */
    public static final int ANALYST_SPANS_PER_KEY = 2;

    /**
     * Result fields analysts never see: the score can be solved from them, or they are per token; and
     * vLLM's own score and p-value beside the exact ones ({@code reference_score},
     * {@code reference_p_value}: the score again, and a second function of it that can lie below the
     * exact p-value).
     */
    static final List<String> ADMIN_ONLY = List.of("score_sum", "statistic", "z_score", "skipped", "independent",
            "token_scores", "reference_score", "reference_p_value");

    private final int minTokens;
    private final ServiceConfig.Analysts analysts;

    public Disclosure(int minTokens, ServiceConfig.Analysts analysts) {
        this.minTokens = minTokens;
        this.analysts = analysts;
    }

    public static Disclosure of(ServiceConfig c) {
        return new Disclosure(c.minTokens(), c.analysts());
    }

    /** The fewest tokens a text must have to be tested for this audience. */
    public int minTokens(Audience a) {
        return a == Audience.ADMIN ? minTokens : Math.max(minTokens, analysts.minTokens());
    }

    /**
     * Checks a requested false-positive rate for this audience.
     *
     * @param name the parameter's name, for the message
     * @throws Problem invalid-request when an analyst asks for a rate that is not on the ladder or
     *     above the analysts' maximum
     */
    public double checkAlpha(String name, double alpha, Audience a) {
        if (a == Audience.ADMIN) {
            return alpha;
        }
        List<String> allowed = new ArrayList<>();
        for (int l : LADDER_LOG10) {
            double v = Math.pow(10, l);
            if (v <= analysts.maxAlpha() * (1 + 1e-12)) {
                allowed.add("1e" + l);
                if (Math.abs(Math.log10(alpha) - l) < 1e-9) {
                    return alpha;
                }
            }
        }
        throw Problem.invalid("'" + name + "' for analyst tokens must be one of " + String.join(", ", allowed)
                + ", got " + fmt(alpha) + " (the verdict is then a function of the reported p-value bucket; a "
                + "large or arbitrary false-positive rate would let a caller move the decision boundary onto a "
                + "probe: admins may ask for any)");
    }

    private static String fmt(double d) {
        return Double.toString(d).toLowerCase(Locale.ROOT);
    }

    /** The conservative bucket bound of an exact log10 p (null/-infinity: far below the ladder): log10 of the bound. */
    public static int bucketLog10(double log10p) {
        int bound = 0;
        for (int l : LADDER_LOG10) {
            if (!(log10p > l)) { // NaN-safe: -infinity and NaN sink to the bottom
                bound = l;
            }
        }
        return bound;
    }

    /** The bucket as text: {@code "p <= 1e-6"}, or {@code "p > 0.01"} above the ladder. */
    public static String bucketLabel(double log10p) {
        int b = bucketLog10(log10p);
        return b == 0 ? "p > " + String.format(Locale.ROOT, "%s", 0.01) : "p <= 1e" + b;
    }

    /** {@code n} rounded down to 2 significant digits (137 -> 130, 8 -> 8). */
    public static long coarse(long n) {
        if (n < 100) {
            return Math.max(0, n);
        }
        long scale = 1;
        while (n / scale >= 100) {
            scale *= 10;
        }
        return n / scale * scale;
    }

    /**
     * One per-key result ({@code DetectionJson} fields with {@code log10_p_unadjusted} and
     * {@code p_value_unadjusted}, possibly more) as this audience may see it; changed in place.
     */
    public ObjectNode result(ObjectNode o, Audience a) {
        if (a == Audience.ADMIN) {
            return o;
        }
        ADMIN_ONLY.forEach(o::remove);
        for (String f : List.of("tokens_seen", "tokens_scored")) {
            if (o.get(f) != null && o.get(f).isIntegralNumber()) {
                o.put(f, coarse(o.get(f).asLong()));
            }
        }
        double lp = log10(o.get("log10_p"));
        putBucket(o, "log10_p", "p_value", lp);
        o.put("p_bucket", bucketLabel(lp));
        if (o.has("log10_p_unadjusted")) {
            putBucket(o, "log10_p_unadjusted", "p_value_unadjusted", log10(o.get("log10_p_unadjusted")));
        }
        return o;
    }

    private static double log10(JsonNode n) {
        return n == null || n.isNull() ? Double.NEGATIVE_INFINITY : n.asDouble();
    }

    private static void putBucket(ObjectNode o, String log10Field, String pField, double log10p) {
        int b = bucketLog10(log10p);
        o.put(log10Field, (double) b);
        if (pField != null) {
            o.put(pField, Math.pow(10, b));
        }
    }

    /** Whether a bucket bound counts as watermarked at {@code alpha} for analysts. */
    static boolean analystWatermarked(double log10p, double alpha) {
        int b = bucketLog10(log10p);
        return b < 0 && Math.pow(10, b) <= alpha;
    }

    /**
     * The spans of one text as this audience may see them (admins: unchanged).
     *
     * @param spans objects with {@code start_token}, {@code end_token}, {@code log10_p} (Bonferroni-
     *     corrected), {@code key_id} or {@code scheme}, and {@code start_char}/{@code end_char} when
     *     the input was text
     * @param tokens the text's length in tokens
     * @param charOffset the character offset of a token boundary (for text; null for token ids)
     * @param alpha the false-positive rate the spans were found at
     */
    public List<ObjectNode> spans(List<ObjectNode> spans, int tokens, IntUnaryOperator charOffset, double alpha,
            Audience a) {
        if (a == Audience.ADMIN) {
            return spans;
        }
        List<ObjectNode> out = new ArrayList<>();
        List<String> tests = new ArrayList<>();
        for (ObjectNode s : spans) {
            String t = s.path("key_id").asText(s.path("scheme").asText());
            if (!tests.contains(t)) {
                tests.add(t);
            }
        }
        for (String t : tests) {
            List<ObjectNode> mine = new ArrayList<>();
            for (ObjectNode s : spans) {
                if (t.equals(s.path("key_id").asText(s.path("scheme").asText()))
                        && analystWatermarked(log10(s.get("log10_p")), alpha)) {
                    mine.add(s);
                }
            }
            mine.sort(Comparator.comparingDouble(s -> log10(s.get("log10_p"))));
            List<ObjectNode> kept = new ArrayList<>();
            for (ObjectNode s : mine.subList(0, Math.min(ANALYST_SPANS_PER_KEY, mine.size()))) {
                kept.add(widen(s.deepCopy(), tokens, charOffset));
            }
            kept.sort(Comparator.comparingInt(s -> s.get("start_token").asInt()));
            // widened spans of one key that now overlap or touch become one
            for (ObjectNode s : kept) {
                ObjectNode last = out.isEmpty() ? null : out.get(out.size() - 1);
                if (last != null && t.equals(last.path("key_id").asText(last.path("scheme").asText()))
                        && s.get("start_token").asInt() <= last.get("end_token").asInt()) {
                    last.put("end_token", Math.max(last.get("end_token").asInt(), s.get("end_token").asInt()));
                    if (last.has("end_char") && s.has("end_char")) {
                        last.put("end_char", Math.max(last.get("end_char").asInt(), s.get("end_char").asInt()));
                    }
                    double lp = Math.min(last.get("log10_p").asDouble(), s.get("log10_p").asDouble());
                    putBucket(last, "log10_p", last.has("p_value") ? "p_value" : null, lp);
                    last.put("p_bucket", bucketLabel(lp));
                } else {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static ObjectNode widen(ObjectNode s, int tokens, IntUnaryOperator charOffset) {
        int start = s.get("start_token").asInt() / SPAN_GRID * SPAN_GRID;
        int end = Math.min(tokens, (s.get("end_token").asInt() + SPAN_GRID - 1) / SPAN_GRID * SPAN_GRID);
        s.put("start_token", start);
        s.put("end_token", end);
        if (charOffset != null) {
            s.put("start_char", charOffset.applyAsInt(start));
            s.put("end_char", charOffset.applyAsInt(end));
        } else {
            s.remove("start_char");
            s.remove("end_char");
        }
        double lp = log10(s.get("log10_p"));
        putBucket(s, "log10_p", s.has("p_value") ? "p_value" : null, lp);
        s.put("p_bucket", bucketLabel(lp));
        return s;
    }

    /**
     * Whether one scanned document's own result may be listed to this audience (admins: always).
     *
     * @param log10p the document's Holm-adjusted log10 p
     * @param alpha the report's false-positive rate
     * @param tokens the document's tokens
     * @param nearDuplicate whether it is a near-duplicate of another document of the scan or of an
     *     earlier answer to the tenant (stored on the report entry as {@code near_duplicate})
     */
    public boolean listDocument(double log10p, double alpha, long tokens, boolean nearDuplicate, Audience a) {
        return a == Audience.ADMIN
                || (!nearDuplicate && tokens >= minTokens(a) && analystWatermarked(log10p, alpha));
    }

    /**
     * One per-document entry of a report or of a scan's per-document results log ({@code index},
     * {@code record}, {@code line}, {@code doc_id}, {@code tokens}, {@code key_id}, {@code log10_p},
     * {@code p_value}, {@code near_duplicate}, {@code spans}, ...) as this audience may see it, or
     * null when it may not be listed. Its spans go through {@link #spans} (their character offsets
     * from the entry's {@value #GRID_FIELD}, which no caller sees). Changed in place.
     */
    public ObjectNode document(ObjectNode d, double alpha, Audience a) {
        JsonNode grid = d.remove(GRID_FIELD);
        boolean near = d.path("near_duplicate").asBoolean(false);
        double lp = log10(d.get("log10_p"));
        if (d.has("tested") && !d.path("tested").asBoolean() && a == Audience.ANALYST) {
            return null; // too short to be tested: nothing an analyst may see on its own
        }
        if (!listDocument(lp, alpha, d.path("tokens").asLong(), near, a)) {
            return null;
        }
        if (a == Audience.ADMIN) {
            return d;
        }
        d.remove("near_duplicate");
        putBucket(d, "log10_p", "p_value", lp);
        d.put("p_bucket", bucketLabel(lp));
        if (d.has("watermarked")) {
            d.put("watermarked", true);
        }
        if (d.get("spans") instanceof ArrayNode sp) {
            List<ObjectNode> exact = new ArrayList<>();
            sp.forEach(x -> exact.add((ObjectNode) x));
            int tokens = (int) Math.min(Integer.MAX_VALUE, d.path("tokens").asLong());
            IntUnaryOperator chars = grid instanceof ArrayNode g && !g.isEmpty()
                    ? t -> g.get(Math.min(g.size() - 1, (t + SPAN_GRID - 1) / SPAN_GRID)).asInt() : null;
            ArrayNode out = d.putArray("spans");
            spans(exact, tokens, chars, alpha, a).forEach(out::add);
        }
        ADMIN_ONLY.forEach(d::remove);
        d.remove("token_offsets");
        return d;
    }

    /**
     * The field of a stored document entry that holds the character offset of every
     * {@value #SPAN_GRID}-th token boundary (and of the end), so that analysts' widened spans can
     * be placed in the text without the tokens; internal, removed from every answer.
     */
    public static final String GRID_FIELD = "span_grid_chars";

    /**
     * The character offsets {@link #document} needs to widen spans, from every token boundary's
     * offset ({@code offsets[0..n]}): those of tokens 0, {@value #SPAN_GRID}, 2 x {@value #SPAN_GRID},
     * ..., and of the end.
     */
    public static int[] grid(int[] offsets) {
        int n = offsets.length - 1;
        int[] g = new int[(n + SPAN_GRID - 1) / SPAN_GRID + 1];
        for (int i = 0; i < g.length; i++) {
            g[i] = offsets[Math.min(n, i * SPAN_GRID)];
        }
        return g;
    }

    /**
     * A stored scan report (JSON) as this audience may see it: admins the exact report, analysts
     * the bucketed corpus-level results and the documents they may see ({@link #document}); adds
     * {@code quantized} and {@code disclosure}, and for analysts {@code flagged_documents.withheld}.
     */
    public ObjectNode report(String reportJson, Audience a) {
        ObjectNode r;
        try {
            r = (ObjectNode) DetectionJson.mapper().readTree(reportJson);
        } catch (IOException e) {
            throw new IllegalStateException("stored report is not JSON", e);
        }
        r.put("quantized", a == Audience.ANALYST);
        r.put("disclosure", a.text());
        if (a == Audience.ADMIN) {
            for (JsonNode d : r.path("flagged_documents").path("documents")) {
                ((ObjectNode) d).remove(GRID_FIELD);
            }
            return r;
        }
        double alpha = r.path("alpha").asDouble(1e-3);
        for (JsonNode k : r.path("keys")) {
            result((ObjectNode) k, a);
        }
        if (r.get("top_documents") instanceof ArrayNode top) {
            ArrayNode kept = top.arrayNode();
            for (JsonNode d : top) {
                ObjectNode v = document((ObjectNode) d, alpha, a);
                if (v != null) {
                    kept.add(v);
                }
            }
            r.set("top_documents", kept);
        }
        if (r.get("flagged_documents") instanceof ObjectNode fl && fl.get("documents") instanceof ArrayNode docs) {
            ArrayNode kept = docs.arrayNode();
            for (JsonNode d : docs) {
                ObjectNode v = document((ObjectNode) d, alpha, a);
                if (v != null) {
                    kept.add(v);
                }
            }
            fl.set("documents", kept);
            fl.put("withheld", Math.max(0, fl.path("count").asLong() - kept.size()));
        }
        return r;
    }
}
