package dev.hallmark.scheme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TupleSetTest {

    @Test
    void behavesLikeAHashSetThroughGrowth() {
        SplittableRandom r = new SplittableRandom(3);
        TupleSet s = new TupleSet(4, true);
        Map<List<Long>, Double> ref = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            long h = r.nextInt(50);
            long l = 1 + r.nextInt(400);
            double v = r.nextDouble();
            boolean added = s.addWithValue(h, l, v);
            boolean refAdded = !ref.containsKey(List.of(h, l));
            if (refAdded) {
                ref.put(List.of(h, l), v);
            }
            assertEquals(refAdded, added);
        }
        assertEquals(ref.size(), s.size());
        Map<List<Long>, Double> back = new HashMap<>();
        s.forEach((h, l, v) -> back.put(List.of(h, l), v));
        assertEquals(ref, back);
        assertTrue(s.contains(0, 1) == ref.containsKey(List.of(0L, 1L)));
        assertFalse(s.contains(99, 1));
        s.clear();
        assertEquals(0, s.size());
        assertFalse(s.contains(back.keySet().iterator().next().get(0), back.keySet().iterator().next().get(1)));
    }

    @Test
    void packedIdentitiesAreExactAndLengthAware() {
        long[] a = new long[2];
        long[] b = new long[2];
        Set<List<Long>> seen = new HashSet<>();
        int[] ctx = {5, 6, 7, 8, 9, 10};
        for (int len = 0; len <= 6; len++) {
            Tuples.of(ctx, 0, len, 11, a);
            assertTrue(seen.add(List.of(a[0], a[1])), "distinct lengths give distinct identities");
            assertTrue(a[0] >= 0, "packed identities keep the top bit clear");
        }
        Tuples.of(new int[] {1, 2}, 0, 1, 3, a);
        Tuples.of(new int[] {1, 3}, 0, 1, 2, b);
        assertNotEquals(List.of(a[0], a[1]), List.of(b[0], b[1]));
        Tuples.of(new int[] {4}, 0, 1, 9, a);
        Tuples.of(4, 9, b);
        assertEquals(List.of(a[0], a[1]), List.of(b[0], b[1]), "the two-token shortcut agrees");
        // ids beyond 18 bits or tuples longer than 7 fall back to a fingerprint with the top bit set
        Tuples.of(new int[] {1 << 20}, 0, 1, 9, a);
        assertTrue(a[0] < 0);
        Tuples.of(new int[] {1, 2, 3, 4, 5, 6, 7}, 0, 7, 9, a);
        assertTrue(a[0] < 0);
    }
}
