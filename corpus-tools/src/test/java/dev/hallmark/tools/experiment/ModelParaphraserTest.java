package dev.hallmark.tools.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.text.HfTokenizer;
import dev.hallmark.text.Tokenizers;
import dev.hallmark.tools.HumanText;
import dev.hallmark.tools.attack.Attack;
import dev.hallmark.tools.attack.AttackChain;
import dev.hallmark.tools.attack.AttackResources;
import dev.hallmark.tools.attack.Attacks;
import dev.hallmark.tools.attack.TokenCodec;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The paraphrase attack with a bigram stand-in model: it re-generates about the requested
 * fraction of tokens (5 binomial sd over ~12,000 tokens), only with ids the model can produce,
 * never keeping the original at a chosen position, reproducibly.
 */
class ModelParaphraserTest {

    static HfTokenizer tok;
    static BigramModel model;
    static List<int[]> docs;

    @BeforeAll
    static void load() {
        tok = Tokenizers.locate(System::getProperty, System::getenv).open();
        TokenCodec codec = TokenCodec.of(tok);
        List<int[]> human = HumanText.tokens(HumanText.defaultPath(), codec);
        model = BigramModel.train(human.subList(0, 40), 500, 32768);
        docs = human.subList(100, 130).stream().map(d -> Arrays.copyOf(d, Math.min(d.length, 400))).toList();
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.4})
    void regeneratesTheRequestedFractionWithTheModelsTokens(double s) {
        ModelParaphraser p = new ModelParaphraser(model);
        AttackChain chain = AttackChain.of(List.of(Attacks.create("paraphrase", s,
                AttackResources.of(null, null, null, () -> p))));
        long dist = 0;
        long units = 0;
        long regenerated = 0;
        java.util.Set<Integer> support = new java.util.HashSet<>();
        Arrays.stream(model.supportIds()).forEach(support::add);
        for (int d = 0; d < docs.size(); d++) {
            int[] in = docs.get(d);
            AttackChain.Result r = chain.apply(AttackChain.Document.ids(in), 5, d, null);
            int[] out = r.document().ids();
            assertEquals(in.length, out.length);
            for (int t = 0; t < in.length; t++) {
                if (in[t] != out[t]) {
                    assertTrue(support.contains(out[t]), "regenerated ids come from the model");
                }
            }
            Attack.Changed<int[]> again = p.paraphrase(in, s, AttackChain.random(5, d, 0));
            assertArrayEquals(out, again.value(), "reproducible from the seed");
            regenerated += r.steps().get(0).changes().get("regenerated");
            dist += r.distance();
            units += r.inputUnits();
        }
        double sd = Math.sqrt(s * (1 - s) / units);
        assertEquals(s, (double) regenerated / units, 5 * sd, "chosen and regenerated fraction");
        assertTrue(dist <= regenerated && dist >= 0.95 * regenerated, dist + " vs " + regenerated);
        assertFalse(Arrays.equals(docs.get(0), p.paraphrase(docs.get(0), s, new SplittableRandom(1)).value()));
    }
}
