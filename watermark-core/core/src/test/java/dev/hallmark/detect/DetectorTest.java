package dev.hallmark.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.key.KeyRing;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.testing.RandomText;
import dev.hallmark.testing.TestKeys;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DetectorTest {

    private static final int VOCAB = 2_000;

    private static int[] watermarked(Scheme s, WatermarkKey k, int n, long seed) {
        return RandomText.generate(WatermarkSampler.watermarked(s, k, SamplingConfig.defaults(), VOCAB), 8, n, 2.0,
                new SplittableRandom(seed));
    }

    private static int[] plain(int n, long seed) {
        return RandomText.generate(WatermarkSampler.plain(SamplingConfig.defaults(), VOCAB), 8, n, 2.0,
                new SplittableRandom(seed));
    }

    @Test
    void countsSkippedTokensAndRepeatsExplicitly() {
        Scheme s = Scheme.parse("kgw:gamma=0.25,delta=2,context=2,seeding=lefthash");
        int[] ids = {1, 2, 3, 4, 1, 2, 3, 4, 9};
        DetectionResult r = Detector.of(s, TestKeys.key(1)).detect(ids, DetectOptions.defaults().withTokenScores(true));
        assertEquals(9, r.tokensSeen());
        assertEquals(2, r.skippedContext());
        // tuples: (1,2,3) (2,3,4) (3,4,1) (4,1,2) then (1,2,3) (2,3,4) repeat, (3,4,9) new
        assertEquals(5, r.tokensScored());
        assertEquals(2, r.skippedRepeated());
        assertTrue(Double.isNaN(r.tokenScores()[0]));
        assertTrue(Double.isNaN(r.tokenScores()[6]), "the repeat is not scored");
        assertFalse(Double.isNaN(r.tokenScores()[8]));
    }

    @Test
    void emptyAndTooShortTextsAreClearErrors() {
        Detector d = Detector.of(Scheme.parse("gumbel"), TestKeys.key(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.detect(new int[0], DetectOptions.defaults()));
        assertEquals("empty text: nothing to score", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> d.detect(new int[] {1, 2, 3, 4}, DetectOptions.defaults()));
        assertTrue(e.getMessage().contains("text too short: 4 tokens, but scheme gumbel:context=4 needs at least 5"),
                e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DetectOptions.defaults().withAlpha(0))
                .getMessage().contains("false-positive rate must be in (0, 1)"));
    }

    @Test
    void corpusAccumulatorDeduplicatesAcrossDocumentsAndCombines() {
        Scheme s = Scheme.parse("kgw");
        KeyedScheme k = KeyedScheme.of(s, TestKeys.key(2));
        List<int[]> docs = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            docs.add(watermarked(s, TestKeys.key(2), 60, i));
        }
        docs.add(docs.get(0).clone()); // an exact duplicate document adds nothing
        CorpusAccumulator all = new CorpusAccumulator(k);
        CorpusAccumulator a = new CorpusAccumulator(k);
        CorpusAccumulator b = new CorpusAccumulator(k);
        for (int i = 0; i < docs.size(); i++) {
            all.accept(docs.get(i));
            (i % 2 == 0 ? a : b).accept(docs.get(i));
        }
        DetectionResult one = all.result(1e-3);
        DetectionResult merged = a.combine(b).result(1e-3);
        assertEquals(one.tokensScored(), merged.tokensScored());
        assertEquals(one.scoreSum(), merged.scoreSum());
        assertEquals(one.skippedRepeated(), merged.skippedRepeated());
        assertEquals(one.tokensSeen(), merged.tokensSeen());
        assertEquals(31, all.documents());
        assertTrue(one.skippedRepeated() >= 60 - 1, "the duplicate document's tuples are skipped");
        assertTrue(one.watermarked());
        // null side: the same corpus under an unrelated key is not detected
        CorpusAccumulator other = new CorpusAccumulator(KeyedScheme.of(s, TestKeys.key(3)));
        docs.forEach(other::accept);
        assertFalse(other.result(1e-3).watermarked());
    }

    private static CorpusAccumulator roundTrip(CorpusAccumulator a, KeyedScheme k) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        a.writeState(new DataOutputStream(bo));
        return CorpusAccumulator.readState(k, PositionFilter.ALL, new DataInputStream(new ByteArrayInputStream(bo.toByteArray())));
    }

    @Test
    void savedStateResumesExactlyWhereItStopped() throws IOException {
        for (String spec : List.of("kgw", "gumbel:context=2", "hf-kgw:gamma=0.25,scheme=ff-additive_prf-1-False-15485863,vocab="
                + VOCAB + ",ignore_repeated_ngrams=true", "hf-kgw:gamma=0.25,scheme=ff-additive_prf-1-False-15485863,vocab="
                + VOCAB)) {
            Scheme s = Scheme.parse(spec);
            KeyedScheme k = s.keyKind() == Scheme.KeyKind.NONE ? KeyedScheme.of(s) : KeyedScheme.of(s, TestKeys.key(7));
            List<int[]> docs = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                docs.add(i % 3 == 0 ? plain(70, i) : watermarked(Scheme.parse("kgw"), TestKeys.key(7), 70, i));
            }
            docs.add(docs.get(1).clone());
            CorpusAccumulator whole = new CorpusAccumulator(k);
            CorpusAccumulator first = new CorpusAccumulator(k);
            for (int i = 0; i < docs.size(); i++) {
                whole.accept(docs.get(i));
                if (i < 11) {
                    first.accept(docs.get(i));
                }
            }
            CorpusAccumulator resumed = roundTrip(first, k);
            assertEquals(first.result(1e-3), resumed.result(1e-3), spec + ": the restored state gives the same result");
            for (int i = 11; i < docs.size(); i++) {
                resumed.accept(docs.get(i));
            }
            assertEquals(whole.result(1e-3), resumed.result(1e-3), spec + ": resumed = uninterrupted");
            assertEquals(whole.documents(), resumed.documents());
        }
        KeyedScheme k = KeyedScheme.of(Scheme.parse("kgw"), TestKeys.key(7));
        CorpusAccumulator a = new CorpusAccumulator(k);
        a.accept(plain(50, 1));
        assertTrue(assertThrows(IOException.class, () -> roundTrip(a, KeyedScheme.of(Scheme.parse("kgw"), TestKeys.key(8))))
                .getMessage().contains("the state belongs to kgw"), "another key's state is refused");
        byte[] junk = {1, 2, 3, 4, 0, 0, 0, 1};
        assertTrue(assertThrows(IOException.class, () -> CorpusAccumulator.readState(k, PositionFilter.ALL,
                new DataInputStream(new ByteArrayInputStream(junk)))).getMessage().contains("bad magic"));
    }

    @Test
    void multiKeyDetectionFindsTheRightKeyWithHolmCorrection() {
        Scheme s = Scheme.parse("kgw");
        List<WatermarkKey> keys = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            keys.add(TestKeys.key(300 + i));
        }
        MultiKeyDetector m = MultiKeyDetector.of(s, KeyRing.of(keys));
        int[] text = watermarked(s, keys.get(17), 200, 9);
        MultiKeyDetector.Result r = m.detect(text, DetectOptions.defaults());
        assertEquals(List.of(keys.get(17).id()), r.detectedKeyIds());
        for (int i = 0; i < 50; i++) {
            assertTrue(r.adjusted().get(i).log10P() >= r.raw().get(i).log10P(), "correction never lowers a p-value");
        }
        assertTrue(m.detect(plain(200, 10), DetectOptions.defaults()).detectedKeyIds().isEmpty());
    }

    @Test
    void windowedDetectionLocalisesAWatermarkedSpan() {
        Scheme s = Scheme.parse("kgw");
        WatermarkKey key = TestKeys.key(4);
        int[] human1 = plain(300, 11);
        int[] marked = watermarked(s, key, 200, 12);
        int[] human2 = plain(300, 13);
        int[] doc = new int[800];
        System.arraycopy(human1, 0, doc, 0, 300);
        System.arraycopy(marked, 8, doc, 300, 200);
        System.arraycopy(human2, 0, doc, 500, 300);
        WindowedDetector.Result r = WindowedDetector.of(KeyedScheme.of(s, key)).detect(doc, DetectOptions.defaults());
        assertFalse(r.spans().isEmpty());
        for (WindowedDetector.Span sp : r.spans()) {
            int overlap = Math.min(sp.end(), 500) - Math.max(sp.start(), 300);
            assertTrue(overlap > (sp.end() - sp.start()) / 2, "span " + sp + " lies mostly in [300, 500)");
        }
        assertTrue(r.bestLog10P() < -3);
        // null side: all-human document, no span reported
        int[] allHuman = new int[800];
        System.arraycopy(human1, 0, allHuman, 0, 300);
        System.arraycopy(plain(500, 14), 0, allHuman, 300, 500);
        assertTrue(WindowedDetector.of(KeyedScheme.of(s, key)).detect(allHuman, DetectOptions.defaults()).spans().isEmpty());
    }
}
