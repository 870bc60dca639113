package dev.hallmark.interop.internal;
import dev.hallmark.interop.KgwPrf;

import dev.hallmark.interop.KgwSeeding;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KgwSeedingTest {

    @ParameterizedTest
    @CsvSource({
        "lefthash, lefthash, ADDITIVE, 1, false, 15485863",
        "simple_1, lefthash, ADDITIVE, 1, false, 15485863",
        "ff-additive_prf-1-False, lefthash, ADDITIVE, 1, false, 15485863",
        "ff-additive_prf-1-False-15485863, lefthash, ADDITIVE, 1, false, 15485863",
        "selfhash, selfhash, ANCHORED_MINHASH, 4, true, 15485863",
        "algorithm-3, selfhash, ANCHORED_MINHASH, 4, true, 15485863",
        "ff-anchored_minhash_prf-4-True-15485863, selfhash, ANCHORED_MINHASH, 4, true, 15485863",
        "minhash, minhash, MINHASH, 4, false, 15485863",
        "skipgram, skipgram, SKIPGRAM, 5, false, 15485863",
        "ff-additive_prf-2-False-15485863, ff-additive_prf-2-False-15485863, ADDITIVE, 2, false, 15485863",
        "ff-anchored_minhash_prf-4-True-7, ff-anchored_minhash_prf-4-True-7, ANCHORED_MINHASH, 4, true, 7",
        "ff-simple_skip_prf-3-False, ff-simple_skip_prf-3-False-15485863, SIMPLE_SKIP, 3, false, 15485863",
        "ff-noncomm_prf-2-True-0, ff-noncomm_prf-2-True-0, NONCOMM, 2, true, 0",
        "hf-lefthash, hf-lefthash, HF_LEFTHASH, 1, false, 15485863",
        "hf-selfhash, hf-selfhash, HF_SELFHASH, 1, true, 15485863",
        "hf-selfhash-1-15485863, hf-selfhash, HF_SELFHASH, 1, true, 15485863",
        "hf-selfhash-4-42, hf-selfhash-4-42, HF_SELFHASH, 4, true, 42",
        "hf-lefthash-3-15485863, hf-lefthash-3-15485863, HF_LEFTHASH, 3, false, 15485863",
    })
    void parsesAndPrintsCanonically(String name, String canonical, KgwPrf prf, int width, boolean selfSalt, long key) {
        KgwSeeding s = KgwSeeding.parse(name);
        assertEquals(new KgwSeeding(prf, width, selfSalt, key), s);
        assertEquals(canonical, s.name());
        assertEquals(s, KgwSeeding.parse(s.name()), "round trip");
        assertEquals(width + 1 - (selfSalt ? 1 : 0), s.ngramLength());
    }

    @Test
    void everyPrfRoundTripsThroughItsFreeFormName() {
        SplittableRandom r = new SplittableRandom(3);
        for (KgwPrf prf : KgwPrf.values()) {
            for (int i = 0; i < 20; i++) {
                int width = r.nextInt(prf == KgwPrf.MINSKIPGRAM ? 2 : 1, 9);
                boolean salt = prf == KgwPrf.HF_SELFHASH || (prf != KgwPrf.HF_LEFTHASH && r.nextBoolean());
                long key = i == 0 ? Long.MAX_VALUE : r.nextLong(0, Long.MAX_VALUE);
                KgwSeeding s = new KgwSeeding(prf, width, salt, key);
                assertEquals(s, KgwSeeding.parse(s.name()), s.name());
                if (!prf.isTransformers()) {
                    assertEquals(prf, KgwPrf.fromReferenceName(prf.referenceName()));
                    assertEquals(s, KgwSeeding.parse("ff-" + prf.referenceName() + "-" + width + "-"
                            + (salt ? "True" : "False") + "-" + key));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "lefthash2", "ff-additive_prf-1", "ff-bogus_prf-1-False", "ff-additive_prf-x-False",
        "ff-additive_prf-0-False", "ff-additive_prf-1-false", "ff-additive_prf-1-False-", "ff-additive_prf-1-False--5",
        "ff-additive_prf-1-False-9223372036854775808", "ff-minskipgram_prf-1-False", "hf-selfhash-1", "hf-other-1-2",
        "ff-additive_prf-1-False-1-2", "ff-hf_selfhash-1-True"})
    void rejectsMalformedNamesWithAClearMessage(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KgwSeeding.parse(name));
        String m = e.getMessage();
        assertTrue(m.contains("seeding") || m.contains("PRF") || m.contains("minskipgram") || m.contains("context width"), m);
    }

    @Test
    void messagesNameTheProblem() {
        assertTrue(message("ff-bogus_prf-1-False").contains("unknown lm-watermarking PRF 'bogus_prf'"));
        assertTrue(message("ff-additive_prf-1-false").contains("must be True or False"));
        assertTrue(message("ff-additive_prf-1-False-9223372036854775808").contains("below 2^63"));
        assertTrue(message("ff-minskipgram_prf-1-False").contains("at least 2"));
        assertTrue(message("nonsense").contains("unknown seeding scheme 'nonsense'"));
        assertTrue(message("ff-additive_prf-0-False").contains("context width must be in [1, 256], got 0"));
    }

    @Test
    void validatesComponents() {
        assertThrows(IllegalArgumentException.class, () -> new KgwSeeding(KgwPrf.ADDITIVE, 1, false, -1));
        assertThrows(IllegalArgumentException.class, () -> new KgwSeeding(KgwPrf.HF_SELFHASH, 1, false, 1));
        assertThrows(IllegalArgumentException.class, () -> new KgwSeeding(KgwPrf.HF_LEFTHASH, 1, true, 1));
        assertThrows(IllegalArgumentException.class, () -> new KgwSeeding(null, 1, true, 1));
        assertThrows(IllegalArgumentException.class, () -> new KgwSeeding(KgwPrf.ADDITIVE, 257, false, 1));
    }

    @Test
    void mersenneRemainderMatchesPythonSemantics() {
        BigInteger m = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        SplittableRandom r = new SplittableRandom(11);
        long[] edge = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, 15485863L, -15485863L};
        for (int i = 0; i < 50_000; i++) {
            long a = i < 64 ? edge[i % 8] : r.nextLong();
            long b = i < 64 ? edge[i / 8] : (i % 3 == 0 ? r.nextLong(0, 1 << 20) : r.nextLong());
            BigInteger exact = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).mod(m);
            assertEquals(exact, new BigInteger(Long.toUnsignedString(PyIntMath.mulModMersenne64(a, b))),
                    a + " * " + b);
            BigInteger single = BigInteger.valueOf(a).mod(m);
            assertEquals(single, new BigInteger(Long.toUnsignedString(PyIntMath.modMersenne64(a))), Long.toString(a));
        }
    }

    private static String message(String name) {
        return assertThrows(IllegalArgumentException.class, () -> KgwSeeding.parse(name)).getMessage();
    }
}
