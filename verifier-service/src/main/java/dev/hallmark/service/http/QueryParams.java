package dev.hallmark.service.http;

import dev.hallmark.service.Problem;
import dev.hallmark.service.StrictNumbers;
import io.vertx.core.MultiMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Declarative query parameters: each {@link Param} says its name, how its text is parsed and
 * checked (failing with a problem that names it), and its default. A route lists its parameters
 * once; {@link #refuseUnknown} rejects any other.
 */
final class QueryParams {

    private QueryParams() {}

    /**
     * One query parameter.
     *
     * @param parse the value from its text; throws a {@link Problem} naming the parameter
     * @param absent the value when the parameter is not given
     */
    record Param<T>(String name, Function<String, T> parse, Supplier<T> absent) {

        /** The value in {@code q} (the first, if repeated), or the default. */
        T from(MultiMap q) {
            String v = q.get(name);
            return v == null ? absent.get() : parse.apply(v);
        }

        /** Whether {@code q} gives the parameter. */
        boolean given(MultiMap q) {
            return q.get(name) != null;
        }

        /** The same parameter with another default. */
        Param<T> orElse(Supplier<T> dflt) {
            return new Param<>(name, parse, dflt);
        }
    }

    /**
     * Fails with unknown-field on the first parameter of {@code q} that is not in {@code params},
     * and with invalid-request on a parameter given more than once (which one would count is a
     * guess; the answer must not depend on it).
     */
    static void refuseUnknown(MultiMap q, List<Param<?>> params) {
        Set<String> names = params.stream().map(Param::name).collect(Collectors.toSet());
        for (String p : q.names()) {
            if (!names.contains(p)) {
                throw Problem.unknownField("unknown query parameter '" + p + "'; allowed: "
                        + String.join(", ", names.stream().sorted().toList()));
            }
            int n = q.getAll(p).size();
            if (n > 1) {
                throw Problem.invalid("query parameter '" + p + "' is given " + n + " times; give it once");
            }
        }
    }

    /** Text of 1..{@code max} characters ({@code blankOk}: of any characters, else not only whitespace); null if absent. */
    static Param<String> text(String name, int max, boolean blankOk) {
        return text(name, max, blankOk, "'" + name + "' must be 1.." + max + " characters");
    }

    /** Like {@link #text(String, int, boolean)} with its own message. */
    static Param<String> text(String name, int max, boolean blankOk, String message) {
        return new Param<>(name, v -> {
            if ((blankOk ? v.isEmpty() : v.isBlank()) || v.length() > max) {
                throw Problem.invalid(message);
            }
            return v;
        }, () -> null);
    }

    /** One of {@code values}, each given by its {@code text} (the message lists them in this order); null if absent. */
    @SafeVarargs
    static <T> Param<T> choice(String name, Function<T, String> text, T... values) {
        Map<String, T> byText = new LinkedHashMap<>();
        for (T v : values) {
            byText.put(text.apply(v), v);
        }
        List<String> quoted = byText.keySet().stream().map(t -> "'" + t + "'").toList();
        String listed = quoted.size() == 1 ? quoted.get(0)
                : String.join(", ", quoted.subList(0, quoted.size() - 1)) + " or " + quoted.get(quoted.size() - 1);
        return new Param<>(name, v -> {
            T t = byText.get(v);
            if (t == null) {
                throw Problem.invalid("'" + name + "' must be " + listed + ", got '" + v + "'");
            }
            return t;
        }, () -> null);
    }

    /** A false-positive rate in (0, 1). */
    static Param<Double> falsePositiveRate(String name, double dflt) {
        return new Param<>(name, v -> {
            double a;
            try {
                a = StrictNumbers.decimal(v);
            } catch (NumberFormatException e) {
                throw Problem.invalid("'" + name + "' must be a decimal number in (0, 1) such as 0.001 or 1e-3, got '"
                        + v + "'");
            }
            if (!(a > 0 && a < 1)) {
                throw Problem.invalid("'" + name + "' (the false-positive rate) must be in (0, 1), got " + a);
            }
            return a;
        }, () -> dflt);
    }

    /** An integer in [min, max]; {@code message} gets the text given. */
    static Param<Integer> integer(String name, int min, int max, int dflt, Function<String, String> message) {
        return new Param<>(name, v -> {
            long n;
            try {
                n = StrictNumbers.integer(v);
            } catch (NumberFormatException e) {
                throw Problem.invalid(message.apply(v));
            }
            if (n < min || n > max) {
                throw Problem.invalid(message.apply(v));
            }
            return (int) n;
        }, () -> dflt);
    }

    /** Comma-separated values; null if absent or blank. */
    static Param<List<String>> list(String name) {
        return new Param<>(name, v -> v.isBlank() ? null : List.of(v.split(",")), () -> null);
    }
}
