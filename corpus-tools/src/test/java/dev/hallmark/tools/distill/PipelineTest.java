package dev.hallmark.tools.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PipelineTest {

    private static List<Pipeline.TeacherDoc> corpus(long[] accounts, int perAccount, int len) {
        List<Pipeline.TeacherDoc> out = new ArrayList<>();
        int id = 0;
        for (long a : accounts) {
            for (int i = 0; i < perAccount; i++) {
                int[] c = new int[len];
                Arrays.fill(c, 1000 + id++);
                out.add(new Pipeline.TeacherDoc(new int[] {1}, c, a));
            }
        }
        return out;
    }

    private static List<int[]> human(int docs, int len) {
        List<int[]> h = new ArrayList<>();
        for (int i = 0; i < docs; i++) {
            int[] d = new int[len];
            Arrays.fill(d, 5);
            h.add(d);
        }
        return h;
    }

    private static long watermarkedFrom(Pipeline.Mix m, int minId) {
        long n = 0;
        for (int[] d : m.docs()) {
            for (int x : d) {
                n += x >= minId ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void mixHitsRhoExactlyWithEqualSharesPerHarvester() {
        List<Pipeline.TeacherDoc> c = corpus(new long[] {7, 8, 9}, 50, 100); // 5,000 tokens per account
        Pipeline.Mix m = Pipeline.mix(c, new long[] {7, 8}, human(100, 300), 0.05, 20_000, new SplittableRandom(1));
        assertFalse(m.capped());
        assertEquals(1_000, m.watermarkedTokens());
        assertEquals(19_000, m.humanTokens());
        assertEquals(0.05, m.rho(), 1e-12);
        assertEquals(1_000, watermarkedFrom(m, 1000), "counted tokens are the ones in the documents");
        // equal shares: 500 tokens from each of accounts 7 (ids 1000..1049) and 8 (1050..1099); none from 9
        long from7 = 0;
        long from8 = 0;
        for (int[] d : m.docs()) {
            for (int x : d) {
                from7 += x >= 1000 && x < 1050 ? 1 : 0;
                from8 += x >= 1050 && x < 1100 ? 1 : 0;
                assertTrue(x < 1100 || x == 5, "account 9 did not harvest: " + x);
            }
        }
        assertEquals(500, from7);
        assertEquals(500, from8);
    }

    @Test
    void mixCapsTheTotalToKeepRhoWhenAHarvestIsTooSmall() {
        List<Pipeline.TeacherDoc> c = corpus(new long[] {7}, 10, 100); // 1,000 tokens
        Pipeline.Mix m = Pipeline.mix(c, new long[] {7}, human(100, 300), 0.1, 1_000_000, new SplittableRandom(2));
        assertTrue(m.capped());
        assertEquals(1_000, m.watermarkedTokens());
        assertEquals(9_000, m.humanTokens());
        Pipeline.Mix pure = Pipeline.mix(c, new long[0], human(1, 10), 1.0, 500, new SplittableRandom(3));
        assertEquals(500, pure.watermarkedTokens());
        assertEquals(0, pure.humanTokens());
        Pipeline.Mix none = Pipeline.mix(c, new long[] {7}, human(10, 100), 0.0, 800, new SplittableRandom(4));
        assertEquals(0, none.watermarkedTokens());
        assertEquals(800, none.humanTokens());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Pipeline.mix(c, new long[] {7}, human(1, 1), 1.5, 10, new SplittableRandom(5))).getMessage()
                .contains("rho must be in [0, 1]"));
    }

    @Test
    void accountsAreDistinctAndSharesAssignPromptsInOrder() {
        long[] a = Pipeline.drawAccounts(50, 60, new SplittableRandom(1));
        Set<Long> s = new HashSet<>();
        for (long x : a) {
            assertTrue(x >= 0 && x < 60);
            s.add(x);
        }
        assertEquals(50, s.size());
        long[] of = Pipeline.assignAccounts(8, List.of(0.5, 0.25, 0.25), new long[] {3, 4, 5});
        assertArrayEquals(new long[] {3, 3, 3, 3, 4, 4, 5, 5}, of);
    }

    @Test
    void simulatedKeysAreDeterministicAndDistinct() {
        assertEquals(Pipeline.simulatedKey("a").id(), Pipeline.simulatedKey("a").id());
        assertFalse(Pipeline.simulatedKey("a").id().equals(Pipeline.simulatedKey("b").id()));
    }

    @Test
    void studentOutputsReachTheBudgetAndReusePromptsAcrossRounds() {
        NgramModel m = NgramModel.fit(List.of(new int[] {1, 2, 3, 4, 5, 1, 2, 3}), 10, 2);
        List<int[]> prompts = List.of(new int[] {1}, new int[] {2}, new int[] {3});
        List<Pipeline.SuspectDoc> out = Pipeline.ngramOutputs(m, prompts, 7, 50, 9);
        assertEquals(50, out.stream().mapToInt(d -> d.completion().length).sum());
        assertEquals(8, out.size(), "7 docs of 7 tokens and one of 1");
        assertEquals(1, out.get(7).completion().length);
    }
}
