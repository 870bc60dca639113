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
 * coarse numbers make each query say far less (see docs/threat-model.md). Evidence is rounded
 * conservatively: p-values up and log10 p-values towards zero (towards p = 1), statistics and
 * z-scores towards zero, so a rounded number never overstates the evidence.
 */
public final class Quantize {

    /** Fields rounded to 2 significant digits for analysts. */
    public static final Set<String> ROUNDED = Set.of("score_sum", "statistic", "z_score", "log10_p", "p_value",
            "log10_p_unadjusted", "p_value_unadjusted");

    /**
     * Fields analysts never see: vLLM's own score and p-value beside the exact ones
     * ({@code reference_score}, {@code reference_p_value}). The score is {@code score_sum} again, and
     * vLLM's p-value is a second function of the score (for sbw, of vLLM's own count of repeated
     * coins), so together with the rounded exact p-value it would narrow the score down further; and
     * vLLM's dual-key and sbw approximations can lie below the exact p-value, which analysts' numbers
     * never do. Admins see both exactly.
     */
    public static final Set<String> ADMIN_ONLY = Set.of("reference_score", "reference_p_value");

    /** Of {@link #ROUNDED}: rounded up (towards p = 1). */
    private static final Set<String> P_VALUES = Set.of("p_value", "p_value_unadjusted");
    /** Of {@link #ROUNDED}: rounded towards zero (log10 p towards 0 is p towards 1; smaller statistics are weaker). */
    private static final Set<String> TOWARDS_ZERO = Set.of("log10_p", "log10_p_unadjusted", "statistic", "z_score");

    private Quantize() {}

    /** {@code v} to {@code digits} significant digits (half-even); 0, NaN and infinities unchanged. */
    public static double significant(double v, int digits) {
        if (v == 0 || !Double.isFinite(v)) {
            return v;
        }
        return new BigDecimal(v).round(new MathContext(digits, RoundingMode.HALF_EVEN)).doubleValue();
    }

    /** {@code v} to {@code digits} significant digits, rounded with {@code mode} (0, NaN and infinities unchanged). */
    public static double significant(double v, int digits, RoundingMode mode) {
        if (v == 0 || !Double.isFinite(v)) {
            return v;
        }
        return new BigDecimal(v).round(new MathContext(digits, mode)).doubleValue();
    }

    /** A p-value rounded up to 2 significant digits (never below the exact one), at most 1. */
    public static double pUp(double p) {
        return Math.min(1, significant(p, 2, RoundingMode.CEILING));
    }

    /** A log10 p-value rounded towards zero to 2 significant digits (never below the exact one). */
    public static double log10pUp(double lp) {
        return significant(lp, 2, RoundingMode.DOWN);
    }

    /** Rounds the {@link #ROUNDED} fields of {@code o} in place, conservatively. */
    static ObjectNode analystView(ObjectNode o) {
        for (String f : ROUNDED) {
            JsonNode n = o.get(f);
            if (n != null && n.isNumber()) {
                double v = n.doubleValue();
                o.put(f, P_VALUES.contains(f) ? pUp(v) : TOWARDS_ZERO.contains(f)
                        ? significant(v, 2, RoundingMode.DOWN) : significant(v, 2));
            }
        }
        JsonNode ind = o.get("independent");
        if (ind instanceof ObjectNode io && io.get("score_sum") != null && io.get("score_sum").isNumber()) {
            io.put("score_sum", significant(io.get("score_sum").doubleValue(), 2));
        }
        o.remove("token_scores");
        ADMIN_ONLY.forEach(o::remove);
        return o;
    }
}
