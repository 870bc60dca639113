package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Set;

/**
 * Rounds what non-admin callers see. A detector that returns exact aggregates lets a caller learn
 * the green list by changing one token at a time and watching the score move (an oracle attack);
 * coarse numbers make each query say far less (see docs/threat-model.md).
 */
public final class Quantize {

    /** Fields rounded to 2 significant digits for analysts. */
    public static final Set<String> ROUNDED = Set.of("score_sum", "statistic", "z_score", "log10_p", "p_value",
            "log10_p_unadjusted", "p_value_unadjusted");

    private Quantize() {}

    /** {@code v} to {@code digits} significant digits (half-even); 0, NaN and infinities unchanged. */
    public static double significant(double v, int digits) {
        if (v == 0 || !Double.isFinite(v)) {
            return v;
        }
        return new BigDecimal(v).round(new MathContext(digits, RoundingMode.HALF_EVEN)).doubleValue();
    }

    /** Rounds the {@link #ROUNDED} fields of {@code o} in place. */
    static ObjectNode analystView(ObjectNode o) {
        for (String f : ROUNDED) {
            JsonNode n = o.get(f);
            if (n != null && n.isNumber()) {
                o.put(f, significant(n.doubleValue(), 2));
            }
        }
        JsonNode ind = o.get("independent");
        if (ind instanceof ObjectNode io && io.get("score_sum") != null && io.get("score_sum").isNumber()) {
            io.put("score_sum", significant(io.get("score_sum").doubleValue(), 2));
        }
        o.remove("token_scores");
        return o;
    }
}
