package dev.hallmark.tools.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
}
