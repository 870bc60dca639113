package dev.hallmark.tools.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.attribution.AccountCode;
import dev.hallmark.attribution.AccountKeys;
import dev.hallmark.detect.PositionFilter;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The distillation pipeline in miniature, in seconds: a synthetic "human" Markov text over 1,000
 * ids; a bigram teacher that serves a KGW (context 1) watermark through one coded account of
 * 24,000; bigram students trained on mixes; their outputs on fresh prompts tested exactly as in
 * {@code hallmark distill}.
 *
 * <p>Pre-stated levels: the radioactivity test at alpha = 1e-3; account attribution at a
 * family-wise alpha = 1e-3 with coalition bound d = 1 (3 of 16 groups).
 */
class MiniatureDistillationTest {

    static final int VOCAB = 1000;
    static final double ALPHA = 1e-3;
    static final int COALITION = 1;
    static final long ACCOUNTS = 24_000;
    static final Scheme KGW = Scheme.parse("kgw:gamma=0.25,delta=2,context=1");

    static List<int[]> human;
    static List<int[]> harvestPrompts;
    static List<int[]> freshPrompts;
    static WatermarkKey master;
    static AccountKeys labKeys;
    static long harvester;
    static List<Pipeline.TeacherDoc> watermarked;
    static List<Pipeline.TeacherDoc> plain;

    /** Markov text: each id has 8 successors with Zipf-like weights. */
    static List<int[]> markov(int docs, int len, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        SplittableRandom structure = new SplittableRandom(99); // the same "language" for every seed
        int[][] succ = new int[VOCAB][8];
        for (int[] s : succ) {
            for (int j = 0; j < s.length; j++) {
                s[j] = structure.nextInt(VOCAB);
            }
        }
        List<int[]> out = new ArrayList<>();
        for (int d = 0; d < docs; d++) {
            int[] doc = new int[len];
            doc[0] = r.nextInt(VOCAB);
            for (int t = 1; t < len; t++) {
                double u = r.nextDouble();
                int j = (int) Math.min(7, Math.floor(8 * u * u)); // low indices more likely
                doc[t] = succ[doc[t - 1]][j];
            }
            out.add(doc);
        }
        return out;
    }

    static List<int[]> prefixes(List<int[]> docs, int len) {
        List<int[]> p = new ArrayList<>();
        for (int[] d : docs) {
            p.add(Arrays.copyOf(d, len));
        }
        return p;
    }

    static List<Pipeline.TeacherDoc> teacher(AccountKeys keys, long seed) {
        NgramLanguageModel lm = new NgramLanguageModel(NgramModel.fit(human, VOCAB, 2), "mini-teacher");
        long[] accountOf = new long[harvestPrompts.size()];
        Arrays.fill(accountOf, harvester);
        List<Pipeline.TeacherDoc> out = new ArrayList<>();
        Pipeline.generateTeacher(lm, harvestPrompts, 0, accountOf, keys, SamplingConfig.defaults(), 100, 16,
                new int[0], seed, out::addAll);
        return out;
    }

    @BeforeAll
    static void setUp() {
        human = markov(400, 250, 1); // 100,000 tokens
        harvestPrompts = prefixes(markov(120, 6, 2), 6);
        freshPrompts = prefixes(markov(200, 6, 3), 6);
        master = Pipeline.simulatedKey("miniature master");
        labKeys = new AccountKeys(master, KGW, AccountCode.defaults());
        harvester = 17_017;
        watermarked = teacher(labKeys, 5);
        plain = teacher(null, 5);
    }

    static List<SuspectTester.Measurement> student(List<Pipeline.TeacherDoc> corpus, double rho, AccountKeys scoring,
            long seed) {
        Pipeline.Mix mix = Pipeline.mix(corpus, corpus == plain ? new long[0] : new long[] {harvester}, human, rho,
                60_000, new SplittableRandom(seed));
        NgramModel student = NgramModel.fit(mix.docs(), VOCAB, 2);
        List<Pipeline.SuspectDoc> out = Pipeline.ngramOutputs(student, freshPrompts, 100, 20_000, seed + 1);
        SuspectTester t = new SuspectTester(scoring, Map.of("off", PositionFilter.ALL),
                SuspectTester.PromptExclusion.CONTEXTS, new long[] {harvester},
                ACCOUNTS, ALPHA, COALITION);
        return t.run(out, List.of(20_000L));
    }

    @Test
    void theTeacherServesTheAccountsWatermark() {
        assertEquals(120, watermarked.size());
        for (Pipeline.TeacherDoc d : watermarked) {
            assertEquals(harvester, d.account());
            assertEquals(100, d.completion().length);
        }
        // same prompts and seeds, with and without the watermark: different text
        assertTrue(!Arrays.equals(watermarked.get(0).completion(), plain.get(0).completion()));
        assertArrayEquals(watermarked.get(0).prompt(), plain.get(0).prompt());
    }

    /** rho = 100%: the student's outputs carry the harvesting account's watermark, and only its. */
    @Test
    void detectsRadioactivityAndFindsTheHarvesterAtFullDistillation() {
        SuspectTester.Measurement m = student(watermarked, 1.0, labKeys, 40).get(0);
        assertTrue(m.harvesterLog10P()[0] <= Math.log10(ALPHA), "account test log10 p " + m.harvesterLog10P()[0]);
        assertTrue(m.harvesterStatistic()[0] > 0.25, "green fraction above gamma: " + m.harvesterStatistic()[0]);
        assertTrue(m.scanLog10P() <= Math.log10(ALPHA), "lab-wide scan log10 p " + m.scanLog10P());
        assertEquals(harvester, m.scanBestAccount());
        assertArrayEquals(new long[] {harvester}, m.accused(), "accused " + Arrays.toString(m.accused()));
        assertEquals(1, m.found());
        assertEquals(0, m.falseAccused());
    }

    /**
     * The innocent account sharing the most groups with the harvester is reported with its own
     * account test (a global-null test only: shared groups carry the harvester's signal; at
     * experiment scale it rejects, see docs/experiments/distillation.md) and is not accused.
     */
    @Test
    void theMostExposedInnocentIsReportedButNotAccused() {
        SuspectTester.Measurement m = student(watermarked, 1.0, labKeys, 40).get(0);
        assertTrue(m.exposedInnocent() >= 0 && m.exposedInnocent() != harvester, "account " + m.exposedInnocent());
        assertEquals(2, m.exposedShared(), "one harvester, degree 2: at most 2 shared groups, and some account has 2");
        assertTrue(Double.isFinite(m.exposedLog10P()) && m.exposedLog10P() <= 0, "own-test log10 p " + m.exposedLog10P());
        assertFalse(Arrays.stream(m.accused()).anyMatch(a -> a == m.exposedInnocent()), "accused the innocent");
        assertEquals(0, m.falseAccused());
    }

    /**
     * rho = 0 (human text only), 20 trials each scored with a fresh never-deployed master key (so that
     * the trials are independent draws of the null): the radioactivity test rejects at level 0.05 in at
     * most 5 of 20 (99.9% upper binomial bound for a valid test), and at most one trial accuses anyone
     * (each trial's family-wise rate is at most 1e-3, so two or more has probability below 2e-4).
     */
    @Test
    void doesNotDetectAtRhoZero() {
        int rejections = 0;
        int accusingTrials = 0;
        for (int trial = 0; trial < 20; trial++) {
            AccountKeys fresh = new AccountKeys(Pipeline.simulatedKey("miniature fresh " + trial), KGW,
                    AccountCode.defaults());
            SuspectTester.Measurement m = student(watermarked, 0.0, fresh, 100 + trial).get(0);
            rejections += m.harvesterLog10P()[0] <= Math.log10(0.05) ? 1 : 0;
            accusingTrials += m.accused().length > 0 ? 1 : 0;
        }
        assertTrue(rejections <= 5, "rejections at 0.05: " + rejections + " of 20");
        assertTrue(accusingTrials <= 1, "trials with an accusation: " + accusingTrials);
        // the same student data with the lab's own key: rho = 0 means no watermarked token at all
        SuspectTester.Measurement lab = student(watermarked, 0.0, labKeys, 100).get(0);
        assertTrue(lab.harvesterLog10P()[0] > Math.log10(ALPHA), "lab key at rho = 0: " + lab.harvesterLog10P()[0]);
        assertEquals(0, lab.accused().length);
    }

    /**
     * Negative control: students distilled from the same teacher WITHOUT the watermark (rho = 100% of
     * unwatermarked teacher output), scored with the lab's key: 5 seeds, no rejection at alpha = 1e-3
     * (probability of a false one at most 5e-3) and no accusation.
     */
    @Test
    void controlDistilledFromTheUnwatermarkedTeacherIsNotAccused() {
        for (int seed = 0; seed < 5; seed++) {
            SuspectTester.Measurement m = student(plain, 1.0, labKeys, 200 + seed).get(0);
            assertTrue(m.harvesterLog10P()[0] > Math.log10(ALPHA), "seed " + seed + ": " + m.harvesterLog10P()[0]);
            assertEquals(0, m.accused().length, "seed " + seed + " accused " + Arrays.toString(m.accused()));
        }
    }
}
