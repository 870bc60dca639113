package dev.hallmark.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Holm and Bonferroni on hand-computed examples, plus properties on seeded random inputs. */
class MultipleTestingTest {

    private static double[] log10(double... p) {
        return Arrays.stream(p).map(Math::log10).toArray();
    }

    @Test
    void holmOnAHandComputedExample() {
        // p = (0.01, 0.04, 0.03, 0.005), m = 4. Sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06,
        // 0.04*1 = 0.04 -> running max 0.02, 0.03, 0.06, 0.06. Back in input order:
        final double[] adjusted = MultipleTesting.holmLog10(log10(0.01, 0.04, 0.03, 0.005));
        assertArrayEquals(log10(0.03, 0.06, 0.06, 0.02), adjusted, 1e-15);
        // Bonferroni: each times 4
        assertArrayEquals(log10(0.04, 0.16, 0.12, 0.02),
            MultipleTesting.bonferroniLog10(log10(0.01, 0.04, 0.03, 0.005)), 1e-15);
    }

    @Test
    void holmCapsAtOneAndHandlesTies() {
        // 0.5 * 2 = 1 -> capped at 1; 0.6 * 1 = 0.6 < running max 1 -> 1
        assertArrayEquals(new double[] {0.0, 0.0}, MultipleTesting.holmLog10(log10(0.6, 0.5)), 0.0);
        // three equal p = 0.01: 0.03, 0.02 -> 0.03, 0.01 -> 0.03
        assertArrayEquals(log10(0.03, 0.03, 0.03), MultipleTesting.holmLog10(log10(0.01, 0.01, 0.01)), 1e-15);
    }

    @Test
    void holmWorksFarBelowTheDoubleRange() {
        // sorted: -5000 (x4), -4000 (x3), -3000 (x2), -1 (x1)
        final double[] in = {-3000, -5000, -1, -4000};
        final double[] expected = {-3000 + Math.log10(2), -5000 + Math.log10(4), -1, -4000 + Math.log10(3)};
        assertArrayEquals(expected, MultipleTesting.holmLog10(in), 1e-12);
        assertArrayEquals(new double[] {-3000, -5000, -1, -4000}, in, 0.0, "input must not be modified");
        // negative infinity (p = 0 exactly) stays there
        assertArrayEquals(new double[] {Double.NEGATIVE_INFINITY, -1},
            MultipleTesting.holmLog10(new double[] {Double.NEGATIVE_INFINITY, -1}), 0.0);
        assertEquals(0, MultipleTesting.holmLog10(new double[0]).length);
    }

    @Test
    void holmAgreesWithTheLinearScaleDefinitionAndSitsBetweenRawAndBonferroni() {
        final SplittableRandom rnd = new SplittableRandom(20240611L);
        for (int trial = 0; trial < 500; trial++) {
            final int m = 1 + rnd.nextInt(30);
            final double[] p = new double[m];
            for (int i = 0; i < m; i++) {
                // mix of large and small p-values, some repeated
                p[i] = rnd.nextInt(5) == 0 && i > 0 ? p[i - 1] : Math.pow(10, -8 * rnd.nextDouble());
            }
            // reference: the textbook definition on the linear scale
            final Integer[] order = new Integer[m];
            for (int i = 0; i < m; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> Double.compare(p[x], p[y]));
            final double[] ref = new double[m];
            double run = 0;
            for (int r = 0; r < m; r++) {
                run = Math.max(run, Math.min(1.0, (m - r) * p[order[r]]));
                ref[order[r]] = run;
            }
            final double[] lp = log10(p);
            final double[] holm = MultipleTesting.holmLog10(lp);
            final double[] bonf = MultipleTesting.bonferroniLog10(lp);
            for (int i = 0; i < m; i++) {
                assertEquals(Math.log10(ref[i]), holm[i], 1e-13, "trial " + trial + " i " + i);
                assertTrue(holm[i] >= lp[i] && holm[i] <= bonf[i] + 1e-15 && holm[i] <= 0, "trial " + trial);
            }
        }
    }

    @Test
    void bonferroniSingleValue() {
        assertEquals(-7.0, MultipleTesting.bonferroniLog10(-10.0, 1000), 1e-15);
        assertEquals(0.0, MultipleTesting.bonferroniLog10(-2.0, 1000), 0.0); // capped
        assertEquals(-10.0, MultipleTesting.bonferroniLog10(-10.0, 1), 0.0);
        // many windows: m = 5e9
        assertEquals(-120412 + Math.log10(5e9), MultipleTesting.bonferroniLog10(-120412, 5_000_000_000L), 1e-9);
    }

    @Test
    void invalidInputIsRejectedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> MultipleTesting.holmLog10(new double[] {-1, Double.NaN}));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("index 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MultipleTesting.bonferroniLog10(new double[] {0.3}));
        assertTrue(e.getMessage().contains("<= 0") && e.getMessage().contains("0.3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MultipleTesting.bonferroniLog10(-3, 0));
        assertTrue(e.getMessage().contains("m must be >= 1"), e.getMessage());
        assertThrows(NullPointerException.class, () -> MultipleTesting.holmLog10(null));
    }

    @Test
    void weightedHolmWithEqualWeightsIsHolmAndMatchesTheDefinition() {
        SplittableRandom r = new SplittableRandom(17);
        for (int trial = 0; trial < 300; trial++) {
            int m = 1 + r.nextInt(12);
            double[] lp = new double[m];
            double[] w = new double[m];
            double[] eq = new double[m];
            double sum = 0;
            for (int i = 0; i < m; i++) {
                lp[i] = r.nextInt(5) == 0 ? Double.NEGATIVE_INFINITY : -6 * r.nextDouble();
                w[i] = r.nextInt(6) == 0 ? 0 : r.nextDouble();
                sum += w[i];
                eq[i] = 1.0 / m;
            }
            for (int i = 0; i < m; i++) {
                w[i] = sum == 0 ? 0 : w[i] / sum * (0.5 + 0.5 * r.nextDouble());
            }
            assertArrayEquals(MultipleTesting.holmLog10(lp), MultipleTesting.weightedHolmLog10(lp, eq), 1e-12);
            // brute force: the step-down procedure at many levels rejects exactly the adjusted <= alpha
            double[] adj = MultipleTesting.weightedHolmLog10(lp, w);
            for (double la : new double[] {-0.5, -1, -2, -3, -4, -5}) {
                boolean[] rej = new boolean[m];
                while (true) {
                    double remaining = 0;
                    for (int i = 0; i < m; i++) {
                        remaining += rej[i] ? 0 : w[i];
                    }
                    int best = -1;
                    for (int i = 0; i < m; i++) {
                        if (!rej[i] && w[i] > 0 && Math.pow(10, lp[i]) <= Math.pow(10, la) * w[i] / remaining
                                * (1 + 1e-12)) {
                            best = i;
                            break;
                        }
                    }
                    if (best < 0) {
                        break;
                    }
                    rej[best] = true;
                }
                for (int i = 0; i < m; i++) {
                    // away from the boundary the two agree exactly
                    if (Math.abs(adj[i] - la) > 1e-9) {
                        assertEquals(rej[i], adj[i] <= la, "trial " + trial + " level " + la + " index " + i);
                    }
                }
            }
            for (int i = 0; i < m; i++) {
                assertTrue(adj[i] >= lp[i] && adj[i] <= 0);
                if (w[i] == 0) {
                    assertEquals(0.0, adj[i], "weight 0 is never rejected");
                }
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> MultipleTesting.weightedHolmLog10(new double[] {-1, -1}, new double[] {0.7, 0.7}));
        assertThrows(IllegalArgumentException.class,
                () -> MultipleTesting.weightedHolmLog10(new double[] {-1}, new double[] {-0.1}));
        assertThrows(IllegalArgumentException.class,
                () -> MultipleTesting.weightedHolmLog10(new double[] {-1}, new double[] {0.5, 0.5}));
    }
}
