package dev.hallmark.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Tails} against arbitrary-precision reference values.
 *
 * <p>The references are in {@code src/test/resources/stats/tail-references.csv}, written by
 * {@code src/test/python/gen_tail_references.py} with mpmath (provenance in the file header).
 * Tolerance, fixed before looking at the results: the returned log10 p must be within
 * {@value #REL_TOL} relative of the reference, {@code |got - ref| <= REL_TOL * |ref|}, with an
 * absolute floor of {@value #ABS_FLOOR} that only matters for references that underflow the double
 * range (e.g. log10 P = -1.6e-350, which parses to -0.0). A relative bound on log10 p near 0 is a
 * relative bound on the small complementary tail, so it is not weaker there.
 *
 * <p>The maximum relative error per distribution is printed (this is the "measured accuracy" quoted
 * in docs/statistics.md).
 */
class TailsReferenceTest {

    static final double REL_TOL = 1e-11;
    static final double ABS_FLOOR = 1e-300;

    record Row(String distribution, Map<String, String> params, String x, double log10Upper, int line) {
    }

    private static List<Row> rows;

    @BeforeAll
    static void load() throws IOException {
        rows = new ArrayList<>();
        try (InputStream in = TailsReferenceTest.class.getResourceAsStream("/stats/tail-references.csv")) {
            assertTrue(in != null, "tail-references.csv missing from the test classpath");
            final BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int no = 0;
            boolean header = false;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                if (!header) {
                    assertEquals("distribution,parameters,x,log10_upper", line);
                    header = true;
                    continue;
                }
                final String[] f = line.split(",", -1);
                assertEquals(4, f.length, "line " + no);
                final Map<String, String> params = new HashMap<>();
                if (!f[1].isEmpty()) {
                    for (String kv : f[1].split(";")) {
                        final String[] p = kv.split("=", 2);
                        params.put(p[0], p[1]);
                    }
                }
                rows.add(new Row(f[0], params, f[2], Double.parseDouble(f[3]), no));
            }
        }
    }

    private static double compute(Row row) {
        switch (row.distribution()) {
            case "binomial":
                return Tails.log10BinomialUpper(Long.parseLong(row.x()), Long.parseLong(row.params().get("n")),
                    Double.parseDouble(row.params().get("p")));
            case "gamma":
                return Tails.log10GammaUpper(Double.parseDouble(row.x()), Double.parseDouble(row.params().get("shape")));
            case "normal":
                return Tails.log10NormalUpper(Double.parseDouble(row.x()));
            default:
                throw new AssertionError("unknown distribution " + row.distribution());
        }
    }

    private static void check(String distribution, int minRows) {
        double maxRel = 0;
        Row worst = null;
        int count = 0;
        final List<String> failures = new ArrayList<>();
        for (Row row : rows) {
            if (!row.distribution().equals(distribution)) {
                continue;
            }
            count++;
            final double got = compute(row);
            final double ref = row.log10Upper();
            final double err = Math.abs(got - ref);
            final double rel = err / Math.max(Math.abs(ref), ABS_FLOOR);
            if (!(err <= REL_TOL * Math.abs(ref) + ABS_FLOOR)) {
                failures.add(String.format(Locale.ROOT, "line %d %s %s x=%s: got %.17g, ref %.17g, rel err %.3g",
                    row.line(), distribution, row.params(), row.x(), got, ref, rel));
            }
            if (rel > maxRel) {
                maxRel = rel;
                worst = row;
            }
        }
        System.out.printf(Locale.ROOT, "accuracy %-8s %4d reference values, max relative error of log10 p = %.2e%s%n",
            distribution, count, maxRel,
            worst == null ? "" : " (line " + worst.line() + ": " + worst.params() + " x=" + worst.x() + ")");
        assertTrue(count >= minRows, "expected at least " + minRows + " " + distribution + " rows, found " + count);
        assertTrue(failures.isEmpty(), failures.size() + " values outside tolerance:\n" + String.join("\n", failures));
    }

    @Test
    void binomialMatchesMpmath() {
        check("binomial", 500);
    }

    @Test
    void gammaMatchesMpmath() {
        check("gamma", 200);
    }

    @Test
    void normalMatchesMpmath() {
        check("normal", 30);
    }

    @Test
    void referencesReachTheExtremeTails() {
        // guards the data file itself: the extreme cases the issue asks for must be present
        final double minBinomial = rows.stream().filter(r -> r.distribution().equals("binomial"))
            .mapToDouble(Row::log10Upper).min().orElse(0);
        final double minGamma = rows.stream().filter(r -> r.distribution().equals("gamma"))
            .mapToDouble(Row::log10Upper).min().orElse(0);
        final double minNormal = rows.stream().filter(r -> r.distribution().equals("normal"))
            .mapToDouble(Row::log10Upper).min().orElse(0);
        assertTrue(minBinomial < -100_000, "binomial references reach " + minBinomial);
        assertTrue(minGamma < -10_000, "gamma references reach " + minGamma);
        assertTrue(minNormal < -10_000, "normal references reach " + minNormal);
        assertTrue(rows.stream().anyMatch(r -> r.distribution().equals("binomial")
            && r.params().get("n").equals("5000000000")), "n = 5e9 present");
    }
}
