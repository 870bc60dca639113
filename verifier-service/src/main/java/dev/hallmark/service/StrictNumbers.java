package dev.hallmark.service;

import java.util.regex.Pattern;

/**
 * Numbers as people write them in decimal, and nothing else. {@link Double#parseDouble} also takes
 * hexadecimal floats ({@code 0x1p-10}), {@code NaN}, {@code Infinity} and type suffixes
 * ({@code 1e-3d}), and {@link Long#parseLong} a leading {@code +}: a query parameter or option
 * written like that is a mistake (or a probe), so it is refused rather than read.
 */
public final class StrictNumbers {

    /** JSON's number grammar: optional minus, no leading zeros, optional fraction and exponent. */
    private static final Pattern DECIMAL = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
    private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]*)");

    private StrictNumbers() {}

    /**
     * A decimal number.
     *
     * @throws NumberFormatException if {@code s} is not a plain decimal number or is out of range
     */
    public static double decimal(String s) {
        if (s == null || s.length() > 64 || !DECIMAL.matcher(s).matches()) {
            throw new NumberFormatException("not a decimal number: '" + s + "'");
        }
        double d = Double.parseDouble(s);
        if (!Double.isFinite(d)) {
            throw new NumberFormatException("out of range: '" + s + "'");
        }
        return d;
    }

    /**
     * A decimal integer (no sign other than a leading minus, no leading zeros).
     *
     * @throws NumberFormatException if {@code s} is not one or does not fit a long
     */
    public static long integer(String s) {
        if (s == null || s.length() > 20 || !INTEGER.matcher(s).matches()) {
            throw new NumberFormatException("not a decimal integer: '" + s + "'");
        }
        return Long.parseLong(s);
    }
}
