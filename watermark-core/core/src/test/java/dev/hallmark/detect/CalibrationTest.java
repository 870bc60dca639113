package dev.hallmark.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.testing.HumanText;
import dev.hallmark.testing.RandomText;
import dev.hallmark.testing.TestKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CalibrationTest {

    private static List<WatermarkKey> keys(int n, long from) {
        List<WatermarkKey> k = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            k.add(TestKeys.key(from + i));
        }
        return k;
    }

    /** Null side: the committed human text, 20 never-deployed keys: every cell ok; duplicates are removed and counted. */
    @Test
    void humanTextHoldsAndDuplicatesAreRemoved() {
        List<int[]> docs = new ArrayList<>(HumanText.tokenized().subList(0, 60));
        docs.add(docs.get(3).clone());
        docs.add(docs.get(7).clone());
        Calibration.Report r = Calibration.run(docs, Scheme.parse("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash"),
                keys(20, 900), new int[] {50, 200, 100_000}, new double[] {0.01, 0.001});
        assertEquals(62, r.diagnostics().documentsIn());
        assertEquals(2, r.diagnostics().duplicatesRemoved());
        assertTrue(r.diagnostics().tuplesInSeveralDocuments() > 0);
        assertTrue(r.diagnostics().positionsInSharedTuples() > 0.3, "common bigrams recur across documents");
        assertEquals(6, r.cells().size());
        for (Calibration.Cell c : r.cells()) {
            if (c.length() == 100_000) {
                assertEquals("no-windows", c.verdict());
                continue;
            }
            assertEquals("ok", c.verdict(), c.toString());
            assertEquals(c.windows() * 20, c.tests());
            assertTrue(c.ci95Lower() <= c.rate() && c.rate() <= c.ci95Upper());
            assertTrue(c.keyClustered99Lower() <= c.rate() && c.rate() <= c.keyClustered99Upper());
        }
        assertTrue(r.nominalHolds(), r.verdict());
    }

    /**
     * The verdict can fail: a corpus in which every "never-deployed" key watermarked a quarter of the
     * documents is caught as anticonservative (each key's rate is about 1/4, far above alpha).
     */
    @Test
    void aCorpusCarryingOneOfTheKeysIsFlagged() {
        Scheme s = Scheme.parse("kgw");
        List<WatermarkKey> ks = keys(4, 40);
        List<int[]> docs = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 40; i++) {
            docs.add(RandomText.generate(WatermarkSampler.watermarked(s, ks.get(i % 4), SamplingConfig.defaults(), 1000),
                    8, 208, 2.0, r));
        }
        Calibration.Report rep = Calibration.run(docs, s, ks, new int[] {100}, new double[] {0.01});
        Calibration.Cell c = rep.cells().get(0);
        assertEquals("anticonservative", c.verdict(), c.toString());
        assertTrue(c.perKeyMinRate() > 0.15, "every key flags the windows of its own documents: " + c);
        assertFalse(rep.nominalHolds());
        assertTrue(rep.verdict().contains("do NOT hold"), rep.verdict());
    }

    @Test
    void badArgumentsAreNamed() {
        Scheme s = Scheme.parse("kgw");
        List<int[]> docs = List.of(new int[] {1, 2, 3});
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Calibration.run(docs, s, List.of(), new int[] {50}, new double[] {0.01})).getMessage()
                .contains("never-deployed key"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Calibration.run(docs, s, keys(1, 1), new int[] {1}, new double[] {0.01})).getMessage()
                .contains("lengths"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Calibration.run(docs, s, keys(1, 1), new int[] {50}, new double[] {1.5})).getMessage()
                .contains("alpha"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Calibration.run(docs, Scheme.parse("hf-kgw:gamma=0.25,scheme=ff-additive_prf-1-False-15485863,vocab=1000"), keys(1, 1),
                        new int[] {50}, new double[] {0.01})).getMessage().contains("Hallmark key"));
    }
}
