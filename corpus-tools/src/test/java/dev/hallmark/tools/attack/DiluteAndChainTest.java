package dev.hallmark.tools.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.text.HfTokenizer;
import dev.hallmark.text.Tokenizers;
import dev.hallmark.tools.HumanText;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Dilution, and chains that cross between text and token ids through the real tokenizer. */
class DiluteAndChainTest {

    static HfTokenizer tokenizer;
    static TokenCodec codec;
    static List<int[]> human;
    static List<String> texts;

    @BeforeAll
    static void load() {
        tokenizer = Tokenizers.locate(System::getProperty, System::getenv).open();
        codec = TokenCodec.of(tokenizer);
        texts = HumanText.read(HumanText.defaultPath(), "text");
        human = texts.subList(100, 160).stream().map(codec::encode).toList();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.5, 0.75, 0.9})
    void dilutionReachesTheRequestedHumanFractionAndKeepsTheSpanIntact(double s) {
        DiluteAttack a = new DiluteAttack(s, human);
        SplittableRandom r = new SplittableRandom(5);
        for (int d = 0; d < 20; d++) {
            int[] wm = codec.encode(texts.get(d));
            wm = Arrays.copyOf(wm, 100);
            Attack.Changed<int[]> c = a.apply(wm, r);
            int[] out = c.value();
            int at = c.changes().get("insert_at").intValue();
            assertArrayEquals(wm, Arrays.copyOfRange(out, at, at + wm.length), "the span is pasted whole");
            double humanFraction = 1 - a.derived(c.changes()).get("watermarked_fraction");
            // H is rounded to whole tokens: within 1/(n + H) of the request
            assertEquals(s, humanFraction, 1.0 / out.length);
            assertEquals(out.length - wm.length, c.changes().get("human_tokens"));
            // the rest is one contiguous excerpt of the named human document
            long doc = c.changes().get("human_doc");
            int[] rest = new int[out.length - wm.length];
            System.arraycopy(out, 0, rest, 0, at);
            System.arraycopy(out, at + wm.length, rest, at, out.length - at - wm.length);
            assertTrue(doc >= 0 && containsRun(human.get((int) doc), rest), "human text is an excerpt of doc " + doc);
        }
    }

    @Test
    void dilutionConcatenatesDocumentsWhenNoneIsLongEnough() {
        List<int[]> small = List.of(new int[] {1, 2, 3}, new int[] {4, 5});
        DiluteAttack a = new DiluteAttack(0.8, small);
        int[] wm = {100, 101, 102, 103, 104};
        Attack.Changed<int[]> c = a.apply(wm, new SplittableRandom(1));
        assertEquals(-1L, c.changes().get("human_doc"));
        assertEquals(25, c.value().length);
        assertEquals(0.2, a.derived(c.changes()).get("watermarked_fraction"), 1e-12);
        assertTrue(Arrays.stream(c.value()).filter(x -> x < 100).allMatch(x -> x >= 1 && x <= 5));
    }

    @Test
    void tokenAttackOnTextGoesThroughTheTokenizerAndIsMeasuredInTokens() {
        AttackChain chain = AttackChain.of(List.of(Attacks.create("delete", 0.2, AttackResources.none())));
        long dist = 0;
        long units = 0;
        for (int d = 0; d < 10; d++) {
            AttackChain.Result r = chain.apply(AttackChain.Document.text(texts.get(d)), 3, d, codec);
            assertEquals(Attack.Unit.TOKEN, r.unit());
            assertTrue(r.document().text() != null, "text in, text out");
            dist += r.distance();
            units += r.inputUnits();
        }
        // re-encoding the decoded result can merge or split a few tokens at the edit points, so the
        // tolerance is wider than for ids: 0.2 +- 0.03 over ~9,000 tokens
        assertTrue(units > 8000, "enough tokens: " + units);
        assertEquals(0.2, (double) dist / units, 0.03);
    }

    @Test
    void mixedChainRecordsEachStepAndIsReproducible() {
        AttackResources res = AttackResources.of(WordNet::loadDefault, () -> codec, () -> human, null);
        AttackChain chain = AttackChain.of(List.of(Attacks.create("synonym", 0.05, res),
                Attacks.create("substitute", 0.1, res), Attacks.create("typo", 0.1, res)));
        String t = texts.get(7);
        AttackChain.Result a = chain.apply(AttackChain.Document.text(t), 42, 0, codec);
        AttackChain.Result b = chain.apply(AttackChain.Document.text(t), 42, 0, codec);
        AttackChain.Result c = chain.apply(AttackChain.Document.text(t), 43, 0, codec);
        assertEquals(a.document().text(), b.document().text());
        assertNotEquals(a.document().text(), c.document().text());
        assertEquals(List.of("synonym", "substitute", "typo"), a.steps().stream().map(AttackChain.Step::kind).toList());
        assertEquals(List.of(Attack.Unit.WORD, Attack.Unit.TOKEN, Attack.Unit.WORD),
                a.steps().stream().map(AttackChain.Step::unit).toList());
        assertEquals(Attack.Unit.TOKEN, a.unit());
        for (AttackChain.Step s : a.steps()) {
            assertTrue(s.editRate() > 0.02 && s.editRate() < 0.2, s.kind() + " " + s.editRate());
        }
        // three rounds of edits compound: the overall rate is above each step's
        assertTrue(a.editRate() > a.steps().get(1).editRate(), "overall " + a.editRate());
    }

    @Test
    void idsInputWithWordAttackComesBackAsIds() {
        int[] ids = codec.encode(texts.get(4));
        AttackChain.Result r = AttackChain.of(List.of(WordAttacks.changeCase(0.3)))
                .apply(AttackChain.Document.ids(ids), 1, 0, codec);
        assertTrue(r.document().ids() != null);
        assertEquals(Attack.Unit.TOKEN, r.unit());
        assertTrue(r.editRate() > 0.1, "case changes alter tokens: " + r.editRate());
    }

    static boolean containsRun(int[] hay, int[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return needle.length == 0;
    }
}
