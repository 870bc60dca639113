package dev.hallmark.tools.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.attribution.AccountCode;
import dev.hallmark.attribution.AccountKeys;
import dev.hallmark.attribution.AttributionAccumulator;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.scheme.Scheme;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The rival's attacks in miniature: a bigram teacher watermarked with KGW (h = 1), a bigram
 * student of its output; stealing + neutralisation and targeted paraphrase must weaken the
 * student's signal, and the neutralised distribution must be a distribution.
 */
class RemovalAttacksTest {

    private static final int VOCAB = 300;
    private static final long ACCOUNT = 5;

    @Test
    void neutralisationAndTargetedParaphraseWeakenTheInheritedWatermark() {
        NgramModel reference = NgramModel.fit(NgramModelTest.markovDocs(VOCAB - 10, 400, 120, 1), VOCAB, 2);
        AccountKeys keys = new AccountKeys(Pipeline.simulatedKey("attacks-test"),
                Scheme.parse("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash"), new AccountCode(11, 8, 2));
        List<int[]> prompts = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < 300; i++) {
            prompts.add(new int[] {r.nextInt(VOCAB - 10)});
        }
        long[] accountOf = new long[prompts.size()];
        java.util.Arrays.fill(accountOf, ACCOUNT);
        List<int[]> harvest = new ArrayList<>();
        Pipeline.generateNgramTeacher(reference, prompts, 0, accountOf, keys, new SamplingConfig(1.0, 0, 1.0, true), 150,
                -1, 3, harvest::add);
        NgramModel student = NgramModel.fit(harvest, VOCAB, 2);
        double plain = signal(keys, d -> student.generate(d, 150, r));
        assertTrue(plain < -10, "the student inherits the watermark: log10 p " + plain);

        RemovalAttacks.Stolen stolen = RemovalAttacks.steal(student, reference, harvest, 1e-4, 1);
        assertTrue(stolen.prefixes() > 50, "prefixes stolen: " + stolen.prefixes());
        RemovalAttacks.Neutralized wn = new RemovalAttacks.Neutralized(student, stolen, 8);
        double neutralised = signal(keys, d -> wn.generate(d, 150, r));
        assertTrue(neutralised > plain / 3, "neutralisation removes most of it: " + neutralised + " vs " + plain);
        // the neutralised law is normalised: probabilities over the vocabulary sum to 1
        int[] hist = {harvest.get(0)[0]};
        double sum = 0;
        for (int x = 0; x < VOCAB; x++) {
            sum += Math.exp(wn.logProb(hist, 1, x));
        }
        assertEquals(1.0, sum, 1e-9);

        long[] counts = new long[2];
        List<int[]> rewritten = RemovalAttacks.paraphrase(harvest, reference, 1.0, VOCAB, new SplittableRandom(4), counts);
        assertTrue(counts[0] > 0.1 * counts[1], "suspicious tokens rewritten: " + counts[0] + " of " + counts[1]);
        NgramModel paraphrased = NgramModel.fit(rewritten, VOCAB, 2);
        double tp = signal(keys, d -> paraphrased.generate(d, 150, r));
        assertTrue(tp > plain / 3, "targeted paraphrase removes most of it: " + tp + " vs " + plain);
        assertTrue(RemovalAttacks.perplexity(student, wn, harvest.subList(0, 20)) > 1);
        // two-token prefixes (a watermark of context width 2): keyed on the last two tokens
        RemovalAttacks.Stolen two = RemovalAttacks.steal(NgramModel.fit(harvest, VOCAB, 3),
                NgramModel.fit(NgramModelTest.markovDocs(VOCAB - 10, 400, 120, 1), VOCAB, 3), harvest, 1e-4, 2);
        assertEquals(2, two.prefixLength());
        assertTrue(two.prefixes() > 0);
    }

    @Test
    void attackSpecsParseAndRejectNonsense() {
        assertEquals("none", RemovalAttacks.Attack.parse(null).toString());
        assertEquals("paraphrase:0.5", RemovalAttacks.Attack.parse("paraphrase:0.5").toString());
        assertEquals(8.0, RemovalAttacks.Attack.parse("neutralize:8").strength());
        for (String bad : new String[] {"paraphrase", "paraphrase:0", "paraphrase:1.5", "neutralize:-1", "scrub:1"}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> RemovalAttacks.Attack.parse(bad)).getMessage()
                    .contains("attack '" + bad + "'"), bad);
        }
    }

    private static double signal(AccountKeys keys, java.util.function.Function<int[], int[]> student) {
        AttributionAccumulator acc = new AttributionAccumulator(keys);
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < 200; i++) {
            acc.accept(student.apply(new int[] {r.nextInt(VOCAB - 10)}));
        }
        return acc.accountResult(ACCOUNT, 1e-3).log10P();
    }
}
