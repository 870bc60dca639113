package dev.hallmark.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.key.VllmKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The radioactivity filters' context windows: unpadded (Hallmark's schemes, unchanged) and padded
 * (vLLM's schemes, which score every position with -1 before the document's first token).
 */
class ContextFiltersTest {

    @Test
    void windowOfASchemeIsVllmsContextWidthPadded() {
        assertEquals(new ContextFilters.Window(3, true), ContextFilters.Window.of(Scheme.parse("vllm-gumbel:context=3")));
        assertEquals(new ContextFilters.Window(1, true),
                ContextFilters.Window.of(Scheme.parse("vllm-sbw:scheme=lefthash")));
        assertEquals(new ContextFilters.Window(4, true), ContextFilters.Window.of(Scheme.parse("vllm-dual-key-gumbel")));
        assertEquals(0, Scheme.parse("vllm-gumbel:context=3").contextWidth(), "vLLM scores every position");
        assertEquals(new ContextFilters.Window(2, false),
                ContextFilters.Window.of(Scheme.parse("kgw:gamma=0.25,delta=2,context=2,seeding=lefthash")));
        assertEquals(new ContextFilters.Window(0, false), ContextFilters.Window.of(Scheme.parse("unigram")));
        assertEquals(0, ContextFilters.Window.of(Scheme.parse("vllm-gumbel")).firstPosition());
        assertEquals(2, new ContextFilters.Window(2, false).firstPosition());
        assertThrows(IllegalArgumentException.class, () -> new ContextFilters.Window(0, true));
    }

    @Test
    void servedContextsCountPaddedContextsOfTheServedDocuments() {
        ContextFilters.Window w = new ContextFilters.Window(2, true);
        PositionFilter f = ContextFilters.servedContexts(List.of(new int[] {5, 6, 7, 8}), w, 0);
        int[] same = {5, 6, 7, 9};
        assertTrue(f.accept(same, 0), "(-1, -1): every served document has it");
        assertTrue(f.accept(same, 1), "(-1, 5)");
        assertTrue(f.accept(same, 2), "(5, 6)");
        assertTrue(f.accept(same, 3), "(6, 7)");
        int[] other = {6, 5, 6, 7};
        assertTrue(f.accept(other, 0));
        assertFalse(f.accept(other, 1), "(-1, 6) was never served: 6 never started a served document");
        assertFalse(f.accept(other, 2), "(6, 5) was never served");
        assertTrue(f.accept(other, 3), "(5, 6)");

        // the most frequent contexts: (-1, -1) and (-1, 5) start all three documents
        PositionFilter top = ContextFilters.servedContexts(List.of(new int[] {5, 1, 2}, new int[] {5, 3, 4},
                new int[] {5, 1, 9}), w, 2);
        assertTrue(top.accept(new int[] {5, 1}, 0) && top.accept(new int[] {5, 1}, 1));
        assertFalse(top.accept(new int[] {5, 1, 2}, 2), "(5, 1) occurs twice, below the top 2");
        assertThrows(IllegalArgumentException.class, () -> ContextFilters.servedContexts(List.of(new int[] {1}),
                new ContextFilters.Window(0, false), 0));
    }

    @Test
    void paddedPositionsAreExcludedWhenTheirKnownTokensOccurInThePrompt() {
        int[] prompt = {1, 2, 3, 4, 5};
        PositionFilter f = ContextFilters.excludingPrompt(prompt, new ContextFilters.Window(3, true));
        int[] doc = {2, 3, 9, 1, 2, 3, 7};
        assertFalse(f.accept(doc, 0), "position 0 has no known context token: dropped whenever there is a prompt");
        assertFalse(f.accept(doc, 1), "[2] occurs in the prompt");
        assertFalse(f.accept(doc, 2), "[2, 3] occurs in the prompt");
        assertTrue(f.accept(doc, 3), "[2, 3, 9] does not");
        assertTrue(f.accept(doc, 4));
        assertTrue(f.accept(doc, 5));
        assertFalse(f.accept(doc, 6), "[1, 2, 3] occurs in the prompt");
        int[] fresh = {7, 2, 3, 4};
        assertFalse(f.accept(fresh, 0));
        assertTrue(f.accept(fresh, 1), "[7] is not in the prompt");
        assertTrue(f.accept(fresh, 2), "[7, 2] is not in the prompt");
        assertTrue(f.accept(fresh, 3), "[7, 2, 3] is not in the prompt");

        // a prompt shorter than W still excludes padded positions; an empty one nothing
        PositionFilter shortPrompt = ContextFilters.excludingPrompt(new int[] {2, 3}, new ContextFilters.Window(3, true));
        assertFalse(shortPrompt.accept(doc, 2));
        assertTrue(shortPrompt.accept(doc, 6));
        PositionFilter none = ContextFilters.excludingPrompt(new int[0], new ContextFilters.Window(3, true));
        assertTrue(none.accept(doc, 0) && none.accept(doc, 6));

        // unpadded windows are unchanged: only full contexts, from position h on
        PositionFilter h2 = ContextFilters.excludingPrompt(prompt, 2);
        assertFalse(h2.accept(doc, 2), "(2, 3) in the prompt");
        assertTrue(h2.accept(doc, 3), "(3, 9) not");
        assertEquals(h2.accept(doc, 5), ContextFilters.excludingPrompt(prompt, new ContextFilters.Window(2, false))
                .accept(doc, 5));
    }

    @Test
    void aVllmCompletionThatCopiesItsPromptScoresNothing() {
        KeyedScheme k = KeyedScheme.of(Scheme.parse("vllm-gumbel:context=4"), VllmKey.of(42));
        int[] doc = new int[60];
        for (int i = 0; i < doc.length; i++) {
            doc[i] = (i * 37 + 11) % 97;
        }
        ContextFilters.Window w = ContextFilters.Window.of(k.scheme());
        CorpusAccumulator copied = new CorpusAccumulator(k);
        copied.accept(doc, 0, doc.length, ContextFilters.excludingPrompt(doc.clone(), w));
        DetectionResult r = copied.result(1e-3);
        assertEquals(0, r.independent().count(), r.toString());
        assertEquals(doc.length, r.skippedFiltered(), "every position, the 4 padded ones included");

        CorpusAccumulator unrelated = new CorpusAccumulator(k);
        unrelated.accept(doc, 0, doc.length, ContextFilters.excludingPrompt(new int[] {500, 501, 502}, w));
        assertEquals(1, unrelated.result(1e-3).skippedFiltered(), "only position 0, for having a prompt at all");
    }
}
