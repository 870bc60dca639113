package dev.hallmark.detect;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON form of a {@link DetectionResult}, shared by the CLI, the service and the Spark job
 * so that every entry point reports the same fields under the same names.
 */
public final class DetectionJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DetectionJson() {}

    /**
     * Fields: scheme, key_id, tokens_seen, tokens_scored, skipped (context, repeated, filtered),
     * score_sum, statistic, z_score, log10_p, p_value, alpha, watermarked; for interop schemes
     * {@code independent} ({@code units}, {@code score_sum}: what log10_p is computed on, see
     * {@link DetectionResult#independent()}); {@code reference_score} and {@code reference_p_value}
     * when the reference detector reports its own p-value (vLLM, {@link DetectionResult#reference()});
     * token_scores only if present and
     * {@code includeTokenScores}.
     */
    public static ObjectNode toJson(DetectionResult r, boolean includeTokenScores) {
        ObjectNode o = JSON.createObjectNode();
        o.put("scheme", r.scheme());
        if (r.keyId() != null) {
            o.put("key_id", r.keyId());
        }
        o.put("tokens_seen", r.tokensSeen());
        o.put("tokens_scored", r.tokensScored());
        ObjectNode skipped = o.putObject("skipped");
        skipped.put("context", r.skippedContext());
        skipped.put("repeated", r.skippedRepeated());
        skipped.put("filtered", r.skippedFiltered());
        o.put("score_sum", r.scoreSum());
        putNumber(o, "statistic", r.statistic());
        putNumber(o, "z_score", r.zScore());
        putNumber(o, "log10_p", r.log10P());
        o.put("p_value", r.pValue());
        o.put("alpha", r.alpha());
        o.put("watermarked", r.watermarked());
        if (r.independent() != null) {
            ObjectNode ind = o.putObject("independent");
            ind.put("units", r.independent().count());
            ind.put("score_sum", r.independent().scoreSum());
        }
        if (r.reference() != null) {
            putNumber(o, "reference_score", r.reference().score());
            putNumber(o, "reference_p_value", r.reference().pValue());
        }
        if (includeTokenScores && r.tokenScores() != null) {
            ArrayNode a = o.putArray("token_scores");
            for (double d : r.tokenScores()) {
                if (Double.isNaN(d)) {
                    a.addNull();
                } else {
                    a.add(d);
                }
            }
        }
        return o;
    }

    /** JSON has no NaN or infinity: such values are written as null. */
    static void putNumber(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }

    public static ObjectMapper mapper() {
        return JSON;
    }
}
