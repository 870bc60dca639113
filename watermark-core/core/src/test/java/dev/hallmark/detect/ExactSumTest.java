package dev.hallmark.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.testing.RandomText;
import dev.hallmark.testing.TestKeys;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExactSumTest {

    /** Doubles over the whole finite range: subnormals, tiny, huge, both signs, exact cancellations. */
    private static double[] nastyTerms(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(6)) {
                case 0 -> x[i] = Double.longBitsToDouble(r.nextLong() & 0x7FFF_FFFF_FFFF_FFFFL); // any positive bits
                case 1 -> x[i] = Double.MIN_VALUE * r.nextInt(1 << 20); // subnormal
                case 2 -> x[i] = r.nextDouble() * Math.scalb(1.0, r.nextInt(-60, 60));
                case 3 -> x[i] = -x[Math.max(0, i - 1)]; // cancels the previous term exactly
                case 4 -> x[i] = -Math.log1p(-r.nextDouble()); // a Gumbel score
                default -> x[i] = -r.nextDouble() * 1e300;
            }
            if (!Double.isFinite(x[i])) {
                x[i] = 1.0;
            }
        }
        return x;
    }

    private static double bruteForce(double[] x) {
        BigDecimal s = BigDecimal.ZERO;
        for (double d : x) {
            s = s.add(new BigDecimal(d)); // new BigDecimal(double) is exact
        }
        return s.doubleValue();
    }

    @Test
    void equalsTheCorrectlyRoundedExactSumInAnyOrderAndSplit() {
        for (long seed = 1; seed <= 20; seed++) {
            double[] x = nastyTerms(seed, 500);
            double expected = bruteForce(x);
            ExactSum whole = new ExactSum();
            for (double d : x) {
                whole.add(d);
            }
            assertEquals(expected, whole.doubleValue(), "seed " + seed);
            // shuffled order, split over three partial sums merged through their portable state
            List<Double> l = new ArrayList<>();
            for (double d : x) {
                l.add(d);
            }
            Collections.shuffle(l, new Random(seed));
            ExactSum[] parts = {new ExactSum(), new ExactSum(), new ExactSum()};
            for (int i = 0; i < l.size(); i++) {
                parts[i % 3].add(l.get(i));
            }
            ExactSum merged = ExactSum.ofState(parts[0].state());
            merged.add(ExactSum.ofState(parts[1].state()));
            merged.add(parts[2]);
            assertEquals(expected, merged.doubleValue(), "seed " + seed);
            assertEquals(x.length, merged.count());
        }
    }

    @Test
    void naiveSummationWouldDependOnOrder() {
        // the reason this class exists: the same Gumbel scores summed in two orders differ
        SplittableRandom r = new SplittableRandom(3);
        double[] x = new double[10_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = -Math.log1p(-r.nextDouble());
        }
        double forward = 0;
        double backward = 0;
        for (int i = 0; i < x.length; i++) {
            forward += x[i];
            backward += x[x.length - 1 - i];
        }
        assertNotEquals(forward, backward, "pick another seed: this one does not show the effect");
        ExactSum s = new ExactSum();
        for (double d : x) {
            s.add(d);
        }
        assertEquals(bruteForce(x), s.doubleValue());
        BigDecimal exact = s.exact();
        assertEquals(0, exact.compareTo(sumExact(x)));
    }

    private static BigDecimal sumExact(double[] x) {
        BigDecimal s = BigDecimal.ZERO;
        for (double d : x) {
            s = s.add(new BigDecimal(d));
        }
        return s;
    }

    @Test
    void survivesManyCarriesAndExtremes() {
        ExactSum s = new ExactSum();
        for (int i = 0; i < 3_000_000; i++) {
            s.add(Double.MAX_VALUE);
            s.add(-Double.MAX_VALUE);
            s.add(Double.MIN_VALUE);
        }
        assertEquals(3_000_000 * Double.MIN_VALUE, s.doubleValue());
        ExactSum big = new ExactSum();
        big.add(Double.MAX_VALUE);
        big.add(Double.MAX_VALUE);
        assertEquals(0, new BigDecimal(Double.MAX_VALUE).multiply(BigDecimal.valueOf(2)).compareTo(big.exact()));
        assertEquals(Double.POSITIVE_INFINITY, big.doubleValue());
        assertEquals(0.0, new ExactSum().doubleValue());
        ExactSum z = new ExactSum();
        z.add(-0.0);
        z.add(0.0);
        assertEquals(0.0, z.doubleValue());
        assertEquals(2, z.count());
        assertEquals(new BigDecimal("0.1000000000000000055511151231257827021181583404541015625"), one(0.1).exact());
    }

    private static ExactSum one(double d) {
        ExactSum s = new ExactSum();
        s.add(d);
        return s;
    }

    @Test
    void rejectsNonFiniteTermsAndBadStates() {
        ExactSum s = new ExactSum();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.add(Double.NaN)).getMessage()
                .contains("cannot add a non-finite value: NaN"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.add(Double.NEGATIVE_INFINITY)).getMessage()
                .contains("non-finite"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExactSum.ofState(new long[3])).getMessage()
                .contains("an ExactSum state has 68 longs, got 3"));
    }

    @Test
    void gumbelCorpusResultDoesNotDependOnHowDocumentsWereSplit() {
        Scheme s = Scheme.parse("gumbel:context=2");
        KeyedScheme k = KeyedScheme.of(s, TestKeys.key(11));
        List<int[]> docs = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 40; i++) {
            docs.add(RandomText.generate(WatermarkSampler.watermarked(s, TestKeys.key(11), SamplingConfig.defaults(),
                    500), 4, 80, 2.0, r));
        }
        CorpusAccumulator forward = new CorpusAccumulator(k);
        docs.forEach(forward::accept);
        CorpusAccumulator backward = new CorpusAccumulator(k);
        for (int i = docs.size() - 1; i >= 0; i--) {
            backward.accept(docs.get(i));
        }
        CorpusAccumulator a = new CorpusAccumulator(k);
        CorpusAccumulator b = new CorpusAccumulator(k);
        for (int i = 0; i < docs.size(); i++) {
            (i % 3 == 0 ? a : b).accept(docs.get(i));
        }
        DetectionResult one = forward.result(1e-3);
        assertEquals(one, backward.result(1e-3));
        assertEquals(one, b.combine(a).result(1e-3));
        assertTrue(one.skippedRepeated() > 0, "a small vocabulary repeats tuples across documents");
        // and the aggregate factory reproduces it from the counts
        assertEquals(one, Detector.aggregate(k, one.tokensSeen(), one.tokensScored(), one.skippedContext(),
                one.skippedRepeated(), one.skippedFiltered(), one.scoreSum(), 1e-3));
    }

    @Test
    void aggregateChecksThatTheCountsAddUp() {
        KeyedScheme k = KeyedScheme.of(Scheme.parse("kgw"), TestKeys.key(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Detector.aggregate(k, 10, 5, 1, 1, 0, 3, 1e-3));
        assertEquals("counts do not add up: context 1 + filtered 0 + repeated 1 + scored 5 != seen 10", e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Detector.aggregate(k, 1, 1, 0, 0, 0, 1, 0))
                .getMessage().contains("false-positive rate must be in (0, 1)"));
        DetectionResult r = Detector.aggregate(k, 10, 9, 1, 0, 0, 9, 1e-3);
        assertEquals(1.0, r.statistic());
        assertEquals(9, r.tokensScored());
    }
}
