package dev.hallmark.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.stats.BinomialInterval;
import dev.hallmark.testing.HumanText;
import dev.hallmark.testing.RandomText;
import dev.hallmark.testing.TestKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One family per document (keys x whole text x windows) with one alpha: null side on human text, and power. */
class DocumentFamilyTest {

    private static final int VOCAB = 1000;

    private static List<KeyedScheme> ring(Scheme s, int n, long from) {
        List<KeyedScheme> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(KeyedScheme.of(s, TestKeys.key(from + i)));
        }
        return keys;
    }

    /**
     * The 240 committed human documents against a 200-key ring at alpha = 1e-3, with localisation:
     * the number of documents with ANY report (a key verdict or a span under any key) must stay
     * within the pre-stated limit of Binomial(240, 1e-3) (P(count > limit) <= 0.5%). The per-key
     * window correction alone (WindowedDetector.detect per key) reported spans on 15-37 of them.
     */
    @Test
    void humanTextWithA200KeyRingStaysWithinTheBinomialBand() {
        double alpha = 1e-3;
        List<int[]> docs = HumanText.tokenized();
        assertEquals(240, docs.size());
        long limit = BinomialInterval.upperCountLimit(docs.size(), alpha, 0.005);
        assertEquals(2, limit, "pre-stated: at most 2 of 240 documents");
        for (String spec : new String[] {"kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", "gumbel:context=1"}) {
            List<KeyedScheme> keys = ring(Scheme.parse(spec), 200, 5000);
            DocumentFamily family = DocumentFamily.of(keys);
            int flagged = 0;
            int perKeyOnly = 0;
            int windowsTested = 0;
            for (int[] d : docs) {
                DocumentFamily.Result r = family.detect(d, DetectOptions.defaults().withAlpha(alpha), true);
                flagged += r.anyRejected() ? 1 : 0;
                // what each key's own window correction reports (the CLI before one family per document)
                boolean span = false;
                for (KeyedScheme k : keys) {
                    span |= !WindowedDetector.of(k).detect(d, DetectOptions.defaults().withAlpha(alpha)).spans().isEmpty();
                }
                perKeyOnly += span ? 1 : 0;
                windowsTested = Math.max(windowsTested, r.keys().get(0).windowsTested());
                assertEquals(200, r.keys().size());
            }
            assertTrue(windowsTested > 10, "windows were searched: " + windowsTested);
            System.out.printf(java.util.Locale.ROOT, "DocumentFamilyTest: %s: %d of %d human documents flagged "
                    + "(200 keys, alpha 1e-3, limit %d); per-key window correction alone: %d%n", spec, flagged,
                    docs.size(), limit, perKeyOnly);
            assertTrue(perKeyOnly > limit, "the test has teeth: correcting each key's windows alone flags "
                    + perKeyOnly + " documents");
            assertTrue(flagged <= limit, spec + ": " + flagged + " of 240 human documents flagged, limit " + limit);
        }
    }

    @Test
    void findsTheKeyAndItsSpanInAMixedDocumentAndNothingElse() {
        Scheme s = Scheme.parse("kgw");
        List<KeyedScheme> keys = ring(s, 50, 300);
        WatermarkKey k17 = TestKeys.key(317);
        int[] doc = new int[800];
        System.arraycopy(plain(300, 11), 0, doc, 0, 300);
        System.arraycopy(RandomText.generate(WatermarkSampler.watermarked(s, k17, SamplingConfig.defaults(), VOCAB), 8,
                208, 2.0, new SplittableRandom(12)), 8, doc, 300, 200);
        System.arraycopy(plain(300, 13), 0, doc, 500, 300);
        DocumentFamily.Result r = DocumentFamily.of(keys).detect(doc, DetectOptions.defaults(), true);
        assertEquals(50 * (1 + r.keys().get(0).windowsTested()), r.hypotheses());
        for (int i = 0; i < 50; i++) {
            DocumentFamily.KeyResult kr = r.keys().get(i);
            assertTrue(kr.adjusted().log10P() >= kr.raw().log10P(), "correction never lowers a p-value");
            if (i == 17) {
                assertFalse(kr.spans().isEmpty(), "the watermarked stretch is found");
                for (WindowedDetector.Span sp : kr.spans()) {
                    int overlap = Math.min(sp.end(), 500) - Math.max(sp.start(), 300);
                    assertTrue(overlap > (sp.end() - sp.start()) / 2, "span " + sp + " lies mostly in [300, 500)");
                }
            } else {
                assertTrue(kr.spans().isEmpty(), "no span under key " + i);
                assertFalse(kr.adjusted().watermarked(), "no verdict under key " + i);
            }
        }
        // the weights: half of alpha to the 50 whole-text tests, half to the 50 M windows
        int m = r.keys().get(0).windowsTested();
        assertEquals(0.5 / 50, r.wholeTextWeight(), 1e-15);
        assertEquals(0.5 / (50.0 * m), r.windowWeight(), 1e-15);
        // without localisation: plain Holm across keys, as MultiKeyDetector
        DocumentFamily.Result plain = DocumentFamily.of(keys).detect(doc, DetectOptions.defaults(), false);
        MultiKeyDetector.Result holm = MultiKeyDetector.of(keys).detect(doc, DetectOptions.defaults());
        for (int i = 0; i < 50; i++) {
            assertEquals(holm.adjusted().get(i).log10P(), plain.keys().get(i).adjusted().log10P(), 1e-12);
            assertTrue(plain.keys().get(i).spans().isEmpty());
        }
        assertEquals(50, plain.hypotheses());
    }

    @Test
    void shortTextsGiveTheWholeAlphaToTheWholeTextTests() {
        List<KeyedScheme> keys = ring(Scheme.parse("kgw"), 3, 7);
        DocumentFamily.Result r = DocumentFamily.of(keys).detect(plain(40, 3), DetectOptions.defaults(), true);
        assertEquals(3, r.hypotheses());
        assertEquals(1.0 / 3, r.wholeTextWeight(), 1e-15);
        assertEquals(0, r.windowWeight());
        assertThrows(IllegalArgumentException.class, () -> DocumentFamily.of(keys).withWholeTextShare(0));
        assertThrows(IllegalArgumentException.class, () -> DocumentFamily.of(List.of()));
    }

    private static int[] plain(int n, long seed) {
        return RandomText.generate(WatermarkSampler.plain(SamplingConfig.defaults(), VOCAB), 8, n, 2.0,
                new SplittableRandom(seed));
    }
}
