package dev.hallmark.interop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TorchRandpermTest {

    /** torch's randperm_cpu loop, written plainly: identity, then swap(r[i], r[i + random() % (n - i)]). */
    static int[] textbookRandperm(long seed, int n) {
        TorchMt19937Test.TextbookMt g = new TorchMt19937Test.TextbookMt(seed);
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (g.next() % (n - i));
            int t = r[i];
            r[i] = r[i + z];
            r[i + z] = t;
        }
        return r;
    }

    @Test
    void fullMatchesTextbook() {
        for (int n : new int[] {1, 2, 3, 20, 1000, 50257}) {
            for (long seed : new long[] {0, 15485863L * 10, 2971215073L}) {
                int[] out = new int[n];
                TorchRandperm.full(TorchMt19937.seeded(seed), n, out);
                assertArrayEquals(textbookRandperm(seed, n), out, "n=" + n + " seed=" + seed);
            }
        }
    }

    @Test
    void prefixIsThePrefixOfTheFullPermutationAndRestoresTheWorkspace() {
        SplittableRandom r = new SplittableRandom(17);
        for (int trial = 0; trial < 60; trial++) {
            int n = trial < 5 ? trial + 1 : r.nextInt(2, 3000);
            int k = switch (trial % 4) {
                case 0 -> n;
                case 1 -> n - 1;
                case 2 -> 0;
                default -> r.nextInt(0, n + 1);
            };
            TorchRandperm rp = TorchRandperm.of(n, k);
            TorchRandperm.Workspace ws = rp.newWorkspace();
            TorchMt19937 g = TorchMt19937.seeded(0);
            for (int call = 0; call < 3; call++) {
                long seed = r.nextLong();
                int[] out = new int[k + 2];
                Arrays.fill(out, -7);
                g.manualSeed(seed);
                rp.prefix(g, ws, out, 1);
                int[] full = textbookRandperm(seed, n);
                assertArrayEquals(Arrays.copyOf(full, k), Arrays.copyOfRange(out, 1, k + 1),
                        "n=" + n + " k=" + k + " seed=" + seed);
                assertEquals(-7, out[0], "nothing written before the offset");
                assertEquals(-7, out[k + 1], "nothing written after the prefix");
                assertTrue(ws.isIdentity(), "workspace restored to the identity");
            }
        }
    }

    @Test
    void inPrefixAgreesWithMembershipForEveryValue() {
        SplittableRandom r = new SplittableRandom(23);
        for (int trial = 0; trial < 40; trial++) {
            int n = trial < 4 ? trial + 1 : r.nextInt(2, 400);
            int k = trial % 5 == 0 ? n : r.nextInt(0, n + 1);
            TorchRandperm rp = TorchRandperm.of(n, k);
            long seed = r.nextLong();
            boolean[] member = new boolean[n];
            int[] full = textbookRandperm(seed, n);
            for (int i = 0; i < k; i++) {
                member[full[i]] = true;
            }
            TorchMt19937 g = TorchMt19937.seeded(0);
            for (int v = 0; v < n; v++) {
                g.manualSeed(seed);
                assertEquals(member[v], rp.inPrefix(g, v), "n=" + n + " k=" + k + " v=" + v);
            }
        }
    }

    @Test
    void inPrefixAgreesWithMembershipAtProductionSize() {
        int n = 151669;
        int k = (int) (n * 0.25);
        TorchRandperm rp = TorchRandperm.of(n, k);
        TorchRandperm.Workspace ws = rp.newWorkspace();
        SplittableRandom r = new SplittableRandom(29);
        TorchMt19937 g = TorchMt19937.seeded(0);
        int[] green = new int[k];
        for (int trial = 0; trial < 6; trial++) {
            long seed = r.nextLong();
            g.manualSeed(seed);
            rp.prefix(g, ws, green, 0);
            int[] sorted = green.clone();
            Arrays.sort(sorted);
            // Every green id, plus as many random ids (mostly red).
            for (int i = 0; i < 200; i++) {
                int v = i % 2 == 0 ? green[r.nextInt(k)] : r.nextInt(n);
                g.manualSeed(seed);
                assertEquals(Arrays.binarySearch(sorted, v) >= 0, rp.inPrefix(g, v), "seed=" + seed + " v=" + v);
            }
        }
    }

    @Test
    void fastRemainderAndDivisibilityAreExact() {
        SplittableRandom r = new SplittableRandom(31);
        int[] divisors = {1, 2, 3, 7, 151669, 1_000_003, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
        int[] operands = {0, 1, 2, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 151668, 151669};
        for (int i = 0; i < 200_000; i++) {
            int d = i < 64 ? divisors[i % divisors.length] : r.nextInt(1, Integer.MAX_VALUE);
            int a = i < 64 ? operands[i / divisors.length] : r.nextInt();
            long c = Long.divideUnsigned(-1L, d) + 1;
            long ua = Integer.toUnsignedLong(a);
            assertEquals(ua % d, TorchRandperm.fastMod(a, c, d), "a=" + ua + " d=" + d);
            assertEquals(ua % d == 0, TorchRandperm.divisible(ua, c), "a=" + ua + " d=" + d);
        }
    }

    /**
     * Port cross-checks from INTEROP-NOTES (an independent re-implementation, not a reference run):
     * V=20, lefthash after token 10 (seed 15485863 * 10) gives green list [15, 9, 4, 12, 1]; the
     * hashing tables seeded 15485863 (transformers) and 2971215073 (lm-watermarking) start as listed.
     */
    @Test
    void portCrossChecks() {
        TorchRandperm rp = TorchRandperm.of(20, 5);
        int[] green = new int[5];
        rp.prefix(TorchMt19937.seeded(15485863L * 10), rp.newWorkspace(), green, 0);
        assertArrayEquals(new int[] {15, 9, 4, 12, 1}, green);
        assertArrayEquals(new int[] {138280, 994103, 467886, 915329, 149437},
                Arrays.copyOf(KgwSeeder.transformersTable(15485863L), 5));
        assertArrayEquals(new int[] {250534, 296009, 268311, 356494, 845733},
                Arrays.copyOf(KgwSeeder.lmwTable(), 5));
    }

    @Test
    void rejectsWhatTorchWouldComputeDifferently() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchRandperm.of((int) TorchRandperm.MAX_N, 1));
        assertTrue(e.getMessage().contains("another algorithm"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TorchRandperm.of(10, 11));
        assertTrue(e.getMessage().contains("prefix length must be in [0, 10]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TorchRandperm.of(0, 0));
        assertTrue(e.getMessage().contains("randperm size"), e.getMessage());
        TorchRandperm rp = TorchRandperm.of(10, 3);
        e = assertThrows(IllegalArgumentException.class, () -> rp.inPrefix(TorchMt19937.seeded(1), 10));
        assertTrue(e.getMessage().contains("[0, 10)"), e.getMessage());
        TorchRandperm.Workspace other = TorchRandperm.of(11, 3).newWorkspace();
        e = assertThrows(IllegalArgumentException.class, () -> rp.prefix(TorchMt19937.seeded(1), other, new int[3], 0));
        assertTrue(e.getMessage().contains("workspace is for n=11"), e.getMessage());
    }
}
