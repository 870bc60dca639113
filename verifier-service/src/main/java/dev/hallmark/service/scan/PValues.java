package dev.hallmark.service.scan;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * p-values for display: two significant digits, rounded up (towards p = 1), so a displayed value
 * never overstates the evidence; from the report's {@code p_value} when it is a normal number (so
 * the page, the HTML report and the JSON agree), else from its exact {@code log10_p} (tails past
 * 1e-308). The web page's {@code fmtP} does the same.
 */
public final class PValues {

    private PValues() {}

    /**
     * {@code v} rounded up to 2 significant digits; a value already of 2 digits (as the analyst view
     * holds them) is unchanged, whatever its binary representation.
     */
    static BigDecimal up2(double v) {
        return new BigDecimal(v).round(new MathContext(12, RoundingMode.HALF_EVEN))
                .round(new MathContext(2, RoundingMode.CEILING));
    }

    /** The p-value as HTML ({@code 0.0031}, {@code 2.5&times;10<sup>-25</sup>}). */
    public static String html(JsonNode p, JsonNode log10p) {
        String[] me = parts(p, log10p);
        if (me == null) {
            return "n/a";
        }
        return me[1] == null ? me[0] : me[0] + "&times;10<sup>" + me[1] + "</sup>";
    }

    /** The p-value as plain text ({@code 0.0031}, {@code 2.5e-25}). */
    public static String text(JsonNode p, JsonNode log10p) {
        String[] me = parts(p, log10p);
        if (me == null) {
            return "n/a";
        }
        return me[1] == null ? me[0] : me[0] + "e" + me[1];
    }

    /** {mantissa, exponent} (exponent null for plain numbers >= 1e-4), or null if there is nothing to show. */
    private static String[] parts(JsonNode p, JsonNode log10p) {
        if (p != null && p.isNumber() && p.doubleValue() >= Double.MIN_NORMAL) {
            double v = Math.min(1, p.doubleValue());
            BigDecimal b = up2(v).min(BigDecimal.ONE);
            if (v >= 1e-4) {
                return new String[] {b.stripTrailingZeros().toPlainString(), null};
            }
            int e = b.precision() - b.scale() - 1;
            BigDecimal m = b.movePointRight(-e);
            return new String[] {m.setScale(1, RoundingMode.UNNECESSARY).toPlainString(), String.valueOf(e)};
        }
        if (log10p == null || !log10p.isNumber()) {
            return log10p != null && log10p.isNull() ? new String[] {"&lt; 1", "-308"} : null;
        }
        double lp = log10p.doubleValue();
        long e = (long) Math.floor(lp);
        BigDecimal m = up2(Math.pow(10, lp - e));
        if (m.compareTo(BigDecimal.TEN) >= 0) {
            m = BigDecimal.ONE;
            e++;
        }
        if (e >= -4) {
            return new String[] {String.format(Locale.ROOT, "%s", up2(Math.pow(10, lp)).stripTrailingZeros().toPlainString()),
                null};
        }
        return new String[] {m.setScale(1, RoundingMode.HALF_UP).toPlainString(), String.valueOf(e)};
    }
}
