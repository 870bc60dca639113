package dev.hallmark.tools.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Token attacks change what they say: over 50 documents of 400 tokens (20,000 tokens) the
 * measured Levenshtein edit rate must be within 5 binomial standard deviations of the requested
 * rate r (sd = sqrt(r (1 - r) / 20000); a correct attack fails this with probability below 1e-6).
 */
class TokenAttacksTest {

    static final int DOCS = 50;
    static final int LEN = 400;

    static List<int[]> corpus(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> docs = new ArrayList<>();
        for (int d = 0; d < DOCS; d++) {
            int[] ids = new int[LEN];
            for (int i = 0; i < LEN; i++) {
                ids[i] = r.nextInt(5000);
            }
            docs.add(ids);
        }
        return docs;
    }

    @ParameterizedTest
    @CsvSource({"delete,0.05", "delete,0.3", "insert,0.05", "insert,0.3", "substitute,0.05", "substitute,0.3"})
    void measuredEditRateMatchesRequestedRate(String kind, double rate) {
        Attack a = Attacks.create(kind, rate, AttackResources.none());
        AttackChain chain = AttackChain.of(List.of(a));
        long distance = 0;
        long units = 0;
        long counted = 0;
        int i = 0;
        for (int[] doc : corpus(11)) {
            AttackChain.Result r = chain.apply(AttackChain.Document.ids(doc), 99, i++, null);
            distance += r.distance();
            units += r.inputUnits();
            AttackChain.Step s = r.steps().get(0);
            long c = s.changes().values().iterator().next();
            counted += c;
            int[] out = r.document().ids();
            switch (kind) {
                case "delete" -> {
                    assertEquals(c, doc.length - out.length);
                    assertEquals(c, r.distance(), "deleting k tokens is exactly k edits");
                    assertTrue(isSubsequence(out, doc));
                }
                case "insert" -> {
                    assertEquals(c, out.length - doc.length);
                    assertEquals(c, r.distance(), "inserting k tokens is exactly k edits");
                    assertTrue(isSubsequence(doc, out));
                }
                default -> {
                    assertEquals(doc.length, out.length);
                    assertEquals(c, hamming(doc, out), "every substituted token differs from the original");
                    assertTrue(r.distance() <= c);
                }
            }
        }
        assertEquals(DOCS * LEN, units);
        double measured = (double) distance / units;
        double sd = Math.sqrt(rate * (1 - rate) / units);
        assertEquals(rate, measured, 5 * sd, kind + " at " + rate + ": measured edit rate " + measured);
        if (kind.equals("substitute")) {
            assertTrue(distance >= 0.98 * counted, "Levenshtein is at most a hair below the substitution count");
        }
    }

    @Test
    void deterministicGivenSeedAndDifferentOtherwise() {
        int[] doc = corpus(3).get(0);
        for (String kind : List.of("delete", "insert", "substitute")) {
            AttackChain c = AttackChain.of(List.of(Attacks.create(kind, 0.2, AttackResources.none())));
            int[] a = c.apply(AttackChain.Document.ids(doc), 5, 0, null).document().ids();
            int[] b = c.apply(AttackChain.Document.ids(doc), 5, 0, null).document().ids();
            int[] other = c.apply(AttackChain.Document.ids(doc), 6, 0, null).document().ids();
            int[] otherDoc = c.apply(AttackChain.Document.ids(doc), 5, 1, null).document().ids();
            assertArrayEquals(a, b, kind);
            assertFalse(java.util.Arrays.equals(a, other), kind + ": another seed gives another output");
            assertFalse(java.util.Arrays.equals(a, otherDoc), kind + ": another document index gives another stream");
        }
    }

    @Test
    void zeroStrengthChangesNothingAndFullDeletionEmpties() {
        int[] doc = corpus(4).get(0);
        for (String kind : List.of("delete", "insert", "substitute")) {
            AttackChain.Result r = AttackChain.of(List.of(Attacks.create(kind, 0, AttackResources.none())))
                    .apply(AttackChain.Document.ids(doc), 1, 0, null);
            assertArrayEquals(doc, r.document().ids());
            assertEquals(0.0, r.editRate());
        }
        AttackChain.Result all = AttackChain.of(List.of(Attacks.create("delete", 1, AttackResources.none())))
                .apply(AttackChain.Document.ids(doc), 1, 0, null);
        assertEquals(0, all.document().ids().length);
        assertEquals(1.0, all.editRate());
    }

    @Test
    void substitutionOfAConstantDocumentIsReportedAsImpossible() {
        int[] doc = new int[100];
        AttackChain.Result r = AttackChain.of(List.of(Attacks.create("substitute", 0.5, AttackResources.none())))
                .apply(AttackChain.Document.ids(doc), 1, 0, null);
        assertArrayEquals(doc, r.document().ids());
        assertTrue(r.steps().get(0).changes().get("not_substitutable") > 20);
    }

    @Test
    void rejectsBadKindsAndStrengths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Attacks.create("shred", 0.1, AttackResources.none()));
        assertTrue(e.getMessage().contains("unknown attack kind 'shred'") && e.getMessage().contains("synonym"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("delete", 1.5, AttackResources.none()));
        assertTrue(e.getMessage().contains("attack delete: strength must be a rate in [0, 1], got 1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attacks.create("dilute", 1.0, AttackResources.none()));
        assertTrue(e.getMessage().contains("[0, 1)"), e.getMessage());
        IllegalStateException s = assertThrows(IllegalStateException.class,
                () -> Attacks.create("synonym", 0.1, AttackResources.none()));
        assertTrue(s.getMessage().contains("needs WordNet"), s.getMessage());
    }

    @Test
    void levenshteinOnHandComputedCases() {
        assertEquals(3, EditDistance.levenshtein(new int[] {1, 2, 3}, new int[] {}));
        assertEquals(0, EditDistance.levenshtein(new int[] {1, 2, 3}, new int[] {1, 2, 3}));
        // kitten -> sitting: the textbook 3
        assertEquals(3, EditDistance.levenshtein(chars("kitten"), chars("sitting")));
        // a transposition costs 2 in Levenshtein
        assertEquals(2, EditDistance.levenshtein(chars("abcd"), chars("acbd")));
        assertEquals(2, EditDistance.levenshtein(List.of("do", "not", "go"), List.of("don't", "go")));
        assertEquals(1, EditDistance.levenshtein(chars("flaw"), chars("flaws")));
        assertEquals(2, EditDistance.levenshtein(chars("flaw"), chars("lawn")));
    }

    static int[] chars(String s) {
        return s.chars().toArray();
    }

    static boolean isSubsequence(int[] sub, int[] of) {
        int j = 0;
        for (int x : of) {
            if (j < sub.length && sub[j] == x) {
                j++;
            }
        }
        return j == sub.length;
    }

    static int hamming(int[] a, int[] b) {
        int d = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] != b[i] ? 1 : 0;
        }
        return d;
    }
}
