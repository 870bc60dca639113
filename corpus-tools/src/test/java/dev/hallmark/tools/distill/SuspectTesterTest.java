package dev.hallmark.tools.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.attribution.AccountCode;
import dev.hallmark.attribution.AccountKeys;
import dev.hallmark.detect.PositionFilter;
import dev.hallmark.scheme.Scheme;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SuspectTesterTest {

    @Test
    void promptExclusionModes() {
        int[] prompt = {1, 2, 3};
        int[] doc = {1, 2, 5, 2, 3};
        boolean[] tuples = new boolean[doc.length];
        boolean[] contexts = new boolean[doc.length];
        PositionFilter ft = SuspectTester.PromptExclusion.TUPLES.filter(prompt, 1);
        PositionFilter fc = SuspectTester.PromptExclusion.CONTEXTS.filter(prompt, 1);
        for (int t = 1; t < doc.length; t++) {
            tuples[t] = ft.accept(doc, t);
            contexts[t] = fc.accept(doc, t);
        }
        // tuples (1,2) and (2,3) are copies of the prompt; (2,5) and (5,2) are not
        assertFalse(tuples[1]);
        assertTrue(tuples[2]);
        assertTrue(tuples[3]);
        assertFalse(tuples[4]);
        // contexts 1, 2 and 3 occur in the prompt: only the position after 5 is kept
        assertFalse(contexts[1]);
        assertFalse(contexts[2]);
        assertTrue(contexts[3]);
        assertFalse(contexts[4]);
        assertTrue(SuspectTester.PromptExclusion.NONE.filter(prompt, 1).accept(doc, 1));
    }

    @Test
    void budgetsAreMeasuredAtDocumentBoundariesForEveryFilter() {
        AccountKeys keys = new AccountKeys(Pipeline.simulatedKey("t"), Scheme.parse("kgw"), new AccountCode(7, 7, 2));
        List<Pipeline.SuspectDoc> docs = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(1);
        for (int d = 0; d < 10; d++) {
            int[] c = new int[100];
            for (int i = 0; i < c.length; i++) {
                c[i] = r.nextInt(500);
            }
            docs.add(new Pipeline.SuspectDoc(new int[] {1, 2}, c));
        }
        Map<String, PositionFilter> filters = new LinkedHashMap<>();
        filters.put("off", PositionFilter.ALL);
        filters.put("even", (ids, t) -> ids[t - 1] % 2 == 0);
        SuspectTester st = new SuspectTester(keys, filters, SuspectTester.PromptExclusion.NONE, new long[] {5, 6}, 343,
                1e-3, 1);
        List<SuspectTester.Measurement> ms = st.run(docs, List.of(150L, 400L, 5000L));
        assertEquals(6, ms.size());
        assertEquals("off", ms.get(0).filter());
        assertEquals("even", ms.get(1).filter());
        assertEquals(200, ms.get(0).tokensRead(), "whole documents: the second one crosses 150");
        assertEquals(400, ms.get(2).tokensRead());
        assertEquals(1000, ms.get(4).tokensRead(), "the corpus ends before the last budget");
        assertEquals(5000, ms.get(4).budget());
        assertTrue(ms.get(5).tuplesScored() < ms.get(4).tuplesScored(), "the filter keeps fewer tuples");
        assertEquals(2, ms.get(0).harvesterLog10P().length);
        assertEquals(3, ms.get(0).threshold(), "degree 2, coalition 1: 3 groups");
    }

    @Test
    void filterSpecsParseAndRejectNonsense() {
        assertEquals(new SuspectTester.FilterSpec("off", SuspectTester.FilterSpec.Source.NONE, 0, 0),
                SuspectTester.FilterSpec.parse("off"));
        assertEquals(0, SuspectTester.FilterSpec.parse("served-all").top());
        assertEquals(250, SuspectTester.FilterSpec.parse("served-top-250").top());
        SuspectTester.FilterSpec both = SuspectTester.FilterSpec.parse("served-top-9+repeated-3");
        assertEquals(9, both.top());
        assertEquals(3, both.minRepeats());
        assertFalse(both.exact(), "built from watermarked served text: heuristic");
        SuspectTester.FilterSpec counterpart = SuspectTester.FilterSpec.parse("counterpart-top-20+repeated-2");
        assertEquals(SuspectTester.FilterSpec.Source.COUNTERPART, counterpart.source());
        assertTrue(counterpart.exact());
        assertEquals(SuspectTester.FilterSpec.Source.SUSPECT, SuspectTester.FilterSpec.parse("suspect-top-5").source());
        assertTrue(SuspectTester.FilterSpec.parse("suspect-top-5").exact());
        for (String bad : new String[] {"on", "served-top-0", "repeated-1", "repeated-x", "served-all+served-all",
                "off+repeated-2", "suspect-all", "counterpart-top-x", "served-all+counterpart-all"}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> SuspectTester.FilterSpec.parse(bad))
                    .getMessage().contains("filter '" + bad + "'"), bad);
        }
    }

    /** Zipf-like text with copied spans: many tuples repeat, as in real model output. */
    private static List<Pipeline.SuspectDoc> zipfDocs(SplittableRandom r) {
        List<Pipeline.SuspectDoc> docs = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            int[] c = new int[200];
            for (int i = 0; i < c.length; i++) {
                c[i] = (int) Math.floor(Math.pow(400, r.nextDouble())); // log-uniform ids: heavy repetition
            }
            for (int k = 0; k < 5; k++) {
                int len = 8 + r.nextInt(8);
                int src = r.nextInt(c.length - 2 * len);
                System.arraycopy(c, src, c, src + len + r.nextInt(c.length - src - 2 * len), len);
            }
            docs.add(new Pipeline.SuspectDoc(new int[] {1, 2, 3}, c));
        }
        return docs;
    }

    /**
     * Null side of the text-only filters: unwatermarked text, a fresh key per trial, 200 trials; the
     * account test with the repeat restriction (and without) rejects at 0.05 in at most 22 trials
     * (99.9% upper binomial bound), and calibration applies the same restriction.
     */
    @Test
    void repeatRestrictionKeepsTheNullValid() {
        SplittableRandom r = new SplittableRandom(2027);
        int[] rejections = new int[2];
        long[] tuples = new long[2];
        for (int trial = 0; trial < 200; trial++) {
            AccountKeys keys = new AccountKeys(Pipeline.simulatedKey("null " + trial), Scheme.parse("kgw"),
                    new AccountCode(7, 7, 2));
            List<SuspectTester.Variant> variants = List.of(new SuspectTester.Variant("off", PositionFilter.ALL, 0),
                    new SuspectTester.Variant("repeated-2", PositionFilter.ALL, 2));
            SuspectTester st = new SuspectTester(keys, variants, SuspectTester.PromptExclusion.CONTEXTS,
                    new long[] {10}, 343, 0.05, 1);
            List<SuspectTester.Measurement> ms = st.run(zipfDocs(r), List.of(2000L));
            for (int v = 0; v < 2; v++) {
                rejections[v] += ms.get(v).harvesterLog10P()[0] <= Math.log10(0.05) ? 1 : 0;
                tuples[v] += ms.get(v).tuplesScored();
            }
        }
        assertTrue(rejections[0] <= 22, "off: " + rejections[0]);
        assertTrue(rejections[1] <= 22, "repeated-2: " + rejections[1]);
        assertTrue(tuples[1] < tuples[0] / 2, "the restriction keeps the repeated tuples only: " + tuples[1] + " of "
                + tuples[0]);
        assertTrue(tuples[1] > 0);
        // calibration with the same restriction scores exactly the same tuples as the test
        List<Pipeline.SuspectDoc> docs = zipfDocs(new SplittableRandom(5));
        AccountKeys keys = new AccountKeys(Pipeline.simulatedKey("c"), Scheme.parse("kgw"), new AccountCode(7, 7, 2));
        SuspectTester.Variant rep = new SuspectTester.Variant("repeated-2", PositionFilter.ALL, 2);
        long scored = new SuspectTester(keys, List.of(rep), SuspectTester.PromptExclusion.CONTEXTS, new long[] {1}, 343,
                0.05, 1).run(docs, List.of(2000L)).get(0).tuplesScored();
        dev.hallmark.detect.CorpusAccumulator acc = new dev.hallmark.detect.CorpusAccumulator(
                dev.hallmark.scheme.KeyedScheme.of(Scheme.parse("kgw"), Pipeline.simulatedKey("k")),
                dev.hallmark.detect.ContextFilters.and(PositionFilter.ALL, SuspectTester.repeatedTuples(docs, 2, 1,
                        PositionFilter.ALL, SuspectTester.PromptExclusion.CONTEXTS)));
        for (Pipeline.SuspectDoc d : docs) {
            acc.accept(d.completion(), 0, d.completion().length,
                    SuspectTester.PromptExclusion.CONTEXTS.filter(d.prompt(), 1));
        }
        assertEquals(scored, acc.tokensScored());
        assertEquals(1, SuspectTester.calibrate(docs, List.of(Pipeline.simulatedKey("k")), Scheme.parse("kgw"), rep,
                SuspectTester.PromptExclusion.CONTEXTS).length);
    }

    /** The most-exposed innocent: a non-harvester, and no other non-harvester agrees with the harvesters more often. */
    @Test
    void mostExposedInnocentSharesTheMostPositionsWithTheHarvesters() {
        AccountCode code = new AccountCode(7, 7, 2);
        long[] harvesters = {5, 6, 200};
        long[] e = SuspectTester.mostExposedInnocent(code, harvesters, 343);
        assertTrue(e[0] >= 0 && e[0] != 5 && e[0] != 6 && e[0] != 200, "account " + e[0]);
        assertTrue(e[1] >= 1 && e[1] <= 2 * harvesters.length, "shared " + e[1]);
        int[][] hw = new int[harvesters.length][7];
        for (int j = 0; j < harvesters.length; j++) {
            code.codeword(harvesters[j], hw[j]);
        }
        int[] w = new int[7];
        int best = -1;
        long bestAccount = -1;
        for (long a = 0; a < 343; a++) {
            if (a == 5 || a == 6 || a == 200) {
                continue;
            }
            code.codeword(a, w);
            int agree = 0;
            for (int i = 0; i < 7; i++) {
                boolean any = false;
                for (int[] h : hw) {
                    any |= h[i] == w[i];
                }
                agree += any ? 1 : 0;
            }
            if (agree > best) {
                best = agree;
                bestAccount = a;
            }
        }
        assertEquals(bestAccount, e[0]);
        assertEquals(best, e[1]);
        assertEquals(-1, SuspectTester.mostExposedInnocent(code, new long[] {0, 1}, 2)[0], "every account harvested");
    }
}
