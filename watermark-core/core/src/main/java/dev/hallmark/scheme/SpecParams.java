package dev.hallmark.scheme;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code name:key=value,key=value} syntax shared by all scheme specs, with strict checks:
 * unknown, duplicate or malformed parameters are errors naming the spec. Numbers print in a
 * canonical form (no trailing zeros, no exponent) so that specs round-trip.
 */
public final class SpecParams {

    private final String spec;
    private final String name;
    private final Map<String, String> values;

    private SpecParams(String spec, String name, Map<String, String> values) {
        this.spec = redact(spec);
        this.name = name;
        this.values = values;
    }

    /**
     * The spec with the value of any {@code key} parameter replaced by {@code <redacted>}: a secret
     * key given inside a spec ({@code vllm-*:key=N}) must not reach a message or a log.
     */
    public static String redact(String spec) {
        return spec == null ? null : KEY_VALUE.matcher(spec).replaceAll("$1key=<redacted>");
    }

    private static final java.util.regex.Pattern KEY_VALUE =
            java.util.regex.Pattern.compile("(?i)((?:^|[:,])\\s*)key\\s*=[^,]*");

    /** The same parameters under another scheme name, without {@code drop} (for spec aliases). */
    SpecParams renamed(String newName, String drop) {
        Map<String, String> v = new LinkedHashMap<>(values);
        v.remove(drop);
        return new SpecParams(spec, newName, v);
    }

    /** Splits a spec into its name and parameters. */
    public static SpecParams parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty scheme spec");
        }
        String s = spec.strip();
        int colon = s.indexOf(':');
        String name = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
        Map<String, String> values = new LinkedHashMap<>();
        if (colon >= 0) {
            String rest = s.substring(colon + 1);
            if (rest.isEmpty()) {
                throw new IllegalArgumentException("scheme spec '" + redact(spec) + "': no parameters after ':'");
            }
            for (String part : rest.split(",", -1)) {
                int eq = part.indexOf('=');
                if (eq <= 0 || eq == part.length() - 1) {
                    throw new IllegalArgumentException("scheme spec '" + redact(spec) + "': parameter '" + redact(part)
                            + "' is not of the form key=value");
                }
                String k = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                String v = part.substring(eq + 1).strip();
                if (values.put(k, v) != null) {
                    throw new IllegalArgumentException("scheme spec '" + redact(spec) + "': parameter '" + k
                            + "' given twice");
                }
            }
        }
        return new SpecParams(spec, name, values);
    }

    public String name() {
        return name;
    }

    /** The spec as given, with any {@code key} value redacted ({@link #redact}). */
    public String spec() {
        return spec;
    }

    /** Fails if a parameter other than {@code allowed} was given. */
    public void requireOnly(Set<String> allowed) {
        for (String k : values.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException("scheme spec '" + spec + "': unknown parameter '" + k
                        + "' for scheme " + name + " (allowed: " + String.join(", ", allowed) + ")");
            }
        }
    }

    public double getDouble(String key, double dflt) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("scheme spec '" + spec + "': " + key + "=" + v + " is not a number");
        }
    }

    public int getInt(String key, int dflt) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("scheme spec '" + spec + "': " + key + "=" + v + " is not an integer");
        }
    }

    public long getLong(String key, long dflt) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("scheme spec '" + spec + "': " + key + "=" + v + " is not an integer");
        }
    }

    public boolean getBoolean(String key, boolean dflt) {
        String v = values.get(key);
        if (v == null) {
            return dflt;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("scheme spec '" + spec + "': " + key + "=" + v
                    + " is not true or false");
        };
    }

    public String getString(String key, String dflt) {
        String v = values.get(key);
        return v == null ? dflt : v;
    }

    /** Fails with a message naming the spec and the parameter. */
    public IllegalArgumentException invalid(String key, String why) {
        return new IllegalArgumentException("scheme spec '" + spec + "': " + key + " " + why);
    }

    /** Canonical number text: {@code 2.0 -> "2"}, {@code 0.25 -> "0.25"}, {@code 1e-4 -> "0.0001"}. */
    public static String num(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}
