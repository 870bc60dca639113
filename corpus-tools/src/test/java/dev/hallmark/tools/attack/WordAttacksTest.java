package dev.hallmark.tools.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.tools.HumanText;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Word attacks change what they say. The texts are the first 30 documents of the repository's
 * human-text set (about 25,000 words). Tolerances: for attacks that change each word
 * independently (typo, case, and synonym/misspell below their eligible fraction) 5 binomial
 * standard deviations of the word fraction; for swap, whose moved words come in pairs, 5 standard
 * deviations of the pair count, doubled.
 */
class WordAttacksTest {

    static List<String> texts;
    static WordNet wordNet;

    @BeforeAll
    static void load() {
        texts = HumanText.read(HumanText.defaultPath(), "text").subList(0, 30);
        wordNet = WordNet.loadDefault();
    }

    static AttackResources resources() {
        return AttackResources.of(() -> wordNet, null, null, null);
    }

    @ParameterizedTest
    @CsvSource({"typo,0.05", "typo,0.3", "case,0.1", "case,0.4", "synonym,0.02", "synonym,0.035",
        "misspell,0.03", "misspell,0.05", "swap,0.1", "swap,0.3"})
    void measuredEditRateMatchesRequestedRate(String kind, double rate) {
        AttackChain chain = AttackChain.of(List.of(Attacks.create(kind, rate, resources())));
        long distance = 0;
        long words = 0;
        long eligible = 0;
        int i = 0;
        for (String t : texts) {
            AttackChain.Result r = chain.apply(AttackChain.Document.text(t), 2024, i++, null);
            assertEquals(Attack.Unit.WORD, r.unit());
            distance += r.distance();
            words += r.inputUnits();
            eligible += r.steps().get(0).changes().getOrDefault("eligible", (long) r.inputUnits());
        }
        assertTrue(words > 20_000, "enough words for a real check: " + words);
        assertTrue(eligible > 2 * rate * words, kind + ": the test rate must be well below the eligible fraction "
                + (double) eligible / words);
        double measured = (double) distance / words;
        double sd = kind.equals("swap") ? 2 * Math.sqrt(rate / 2 * (1 - rate / 2) / words)
                : Math.sqrt(rate * (1 - rate) / words);
        assertEquals(rate, measured, 5 * sd, kind + " at " + rate + ": measured word edit rate " + measured);
    }

    @ParameterizedTest
    @CsvSource({"typo", "case", "synonym", "misspell", "swap", "contraction"})
    void deterministicGivenSeedAndDifferentOtherwise(String kind) {
        double rate = switch (kind) {
            case "contraction" -> 0.5;
            case "synonym", "misspell" -> 0.03; // below the eligible fraction, so the choice is random
            default -> 0.1;
        };
        AttackChain chain = AttackChain.of(List.of(Attacks.create(kind, rate, resources())));
        String t = kind.equals("contraction") ? ContractionFixture.TEXT.repeat(5) : texts.get(0);
        String a = chain.apply(AttackChain.Document.text(t), 7, 0, null).document().text();
        String b = chain.apply(AttackChain.Document.text(t), 7, 0, null).document().text();
        String c = chain.apply(AttackChain.Document.text(t), 8, 0, null).document().text();
        assertEquals(a, b);
        assertNotEquals(a, c, kind + ": another seed gives another output");
        assertNotEquals(t, a);
    }

    @Test
    void separatorsAreKeptExactly() {
        String t = texts.get(1);
        for (String kind : List.of("typo", "case", "synonym", "misspell", "swap")) {
            String out = AttackChain.of(List.of(Attacks.create(kind, 0.3, resources())))
                    .apply(AttackChain.Document.text(t), 1, 0, null).document().text();
            assertEquals(t.replaceAll(Words.WORD.pattern(), "#"), out.replaceAll(Words.WORD.pattern(), "#"), kind);
        }
    }

    @Test
    void synonymsKeepMorphologyAndCapitalisation() {
        WordAttack syn = WordAttacks.synonym(0.1, wordNet);
        int changed = 0;
        for (int d = 0; d < 10; d++) {
            String t = texts.get(d);
            List<String> before = Words.list(t);
            List<String> after = Words.list(syn.apply(t, new java.util.SplittableRandom(d)).value());
            assertEquals(before.size(), after.size(), "a synonym is one word for one word");
            for (int i = 0; i < before.size(); i++) {
                String o = before.get(i);
                String n = after.get(i);
                if (o.equals(n)) {
                    continue;
                }
                changed++;
                String lo = o.toLowerCase(Locale.ROOT);
                assertFalse(wordNet.possiblyInflected(lo), o + " could be inflected and must not be replaced");
                assertTrue(wordNet.synonyms(lo).contains(n.toLowerCase(Locale.ROOT)), o + " -> " + n);
                assertEquals(WordAttacks.caseOf(o), WordAttacks.caseOf(n), o + " -> " + n + ": case pattern kept");
                assertTrue(n.chars().allMatch(Character::isLetter), "single words only: " + n);
            }
        }
        assertTrue(changed > 100, "the check saw enough replacements: " + changed);
    }

    @Test
    void wordNetLookupsOnHandCheckedWords() {
        // WordNet 3.0 noun "car" sense 1: car, auto, automobile, machine, motorcar
        assertEquals(List.of("auto", "automobile", "machine", "motorcar"), wordNet.synonyms("car"));
        assertEquals(List.of("large"), wordNet.synonyms("big"));
        assertEquals(List.of(), wordNet.synonyms("cars"), "plural: inflected");
        assertEquals(List.of(), wordNet.synonyms("saw"), "listed in verb.exc as the past of see");
        assertEquals(List.of(), wordNet.synonyms("running"), "-ing detaches to the verb run");
        assertEquals(List.of(), wordNet.synonyms("the"), "function word");
        assertEquals(WordNet.Pos.NOUN, wordNet.likelyPos("car"));
    }

    @Test
    void capitalisedWordsInMidSentenceAreLeftAlone() {
        String t = "They drove the Car and the car. Car parks.";
        String out = WordAttacks.synonym(1.0, wordNet).apply(t, new java.util.SplittableRandom(1)).value();
        List<String> w = Words.list(out);
        assertEquals("Car", w.get(3), "mid-sentence capital: probably a name");
        assertNotEquals("car", w.get(6));
        assertNotEquals("Car", w.get(7), "sentence start: replaced");
        assertTrue(Character.isUpperCase(w.get(7).charAt(0)));
    }

    @Test
    void typosAreSingleKeyboardEdits() {
        assertEquals("tyfhvb", WordAttacks.neighbours('g'), "g: t y above, f h beside, v b below");
        assertEquals("qwsz", WordAttacks.neighbours('a'), "a: q w above, s beside, z below");
        assertEquals("ol", WordAttacks.neighbours('p'));
        WordAttack typo = WordAttacks.typo(1.0);
        String t = texts.get(2);
        List<String> before = Words.list(t);
        List<String> after = Words.list(typo.apply(t, new java.util.SplittableRandom(3)).value());
        assertEquals(before.size(), after.size());
        for (int i = 0; i < before.size(); i++) {
            String o = before.get(i);
            String n = after.get(i);
            if (!o.chars().allMatch(c -> c < 128 && Character.isLetter(c))) {
                continue;
            }
            assertNotEquals(o, n);
            int d = EditDistance.levenshtein(o.chars().toArray(), n.chars().toArray());
            boolean transposition = d == 2 && o.length() == n.length() && sortedChars(o).equals(sortedChars(n));
            assertTrue(d == 1 || transposition, o + " -> " + n);
        }
    }

    private static String sortedChars(String s) {
        char[] c = s.toCharArray();
        java.util.Arrays.sort(c);
        return new String(c);
    }

    @Test
    void contractionsToggleBothWaysOnAHandWrittenFixture() {
        WordAttack c = WordAttacks.contraction(1.0);
        Attack.Changed<String> r = c.apply(ContractionFixture.TEXT, new java.util.SplittableRandom(1));
        assertEquals(ContractionFixture.TOGGLED, r.value());
        assertEquals(6L, r.changes().get("sites"));
        assertEquals(4L, r.changes().get("contracted"));
        assertEquals(2L, r.changes().get("expanded"));
        // each toggle is 2 word edits (do not -> don't: a substitution and a deletion); Levenshtein
        // may find a slightly cheaper alignment across neighbouring toggles, never a dearer one
        List<String> b = Words.list(ContractionFixture.TEXT);
        int d = EditDistance.levenshtein(b, Words.list(r.value()));
        assertTrue(d >= 6 && d <= 12, "distance " + d);
    }

    @Test
    void contractionRateIsPerSite() {
        String t = ContractionFixture.TEXT.repeat(400);
        Attack.Changed<String> r = WordAttacks.contraction(0.3).apply(t, new java.util.SplittableRandom(9));
        long sites = r.changes().get("sites");
        long toggled = r.changes().get("contracted") + r.changes().get("expanded");
        assertEquals(2400, sites);
        assertEquals(0.3, (double) toggled / sites, 5 * Math.sqrt(0.3 * 0.7 / sites));
        int d = EditDistance.levenshtein(Words.list(t), Words.list(r.value()));
        assertTrue(d >= toggled && d <= 2 * toggled, "distance " + d + " for " + toggled + " toggles");
    }

    @Test
    void caseChangesOnlyCase() {
        String t = texts.get(3);
        String out = WordAttacks.changeCase(0.5).apply(t, new java.util.SplittableRandom(2)).value();
        assertEquals(t.toLowerCase(Locale.ROOT), out.toLowerCase(Locale.ROOT));
        assertNotEquals(t, out);
    }

    /** A hand-written contraction fixture and its fully toggled form. */
    static final class ContractionFixture {
        static final String TEXT = "I am sure it is fine. We do not know; they can't say.\nDo not wait, it's late. ";
        static final String TOGGLED = "I'm sure it's fine. We don't know; they cannot say.\nDon't wait, it is late. ";
    }
}
