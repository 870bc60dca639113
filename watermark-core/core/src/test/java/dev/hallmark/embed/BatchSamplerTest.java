package dev.hallmark.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The batched sampler must give every row the token a {@link WatermarkSampler} with the same
 * settings gives for the same logits, context and random stream: over every scheme, plain rows,
 * per-row keys, temperatures, top-k / top-p, rows that finish early and slots reused by new
 * sequences, in both row layouts; without allocating per step; with clear errors.
 */
class BatchSamplerTest {

    private static final int VOCAB = 32_000;
    private static final String[] SCHEMES = {
        "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", "kgw:gamma=0.25,delta=2,context=3,seeding=selfhash",
        "unigram", "gumbel", "synthid", null};
    private static final SamplingConfig[] CONFIGS = {
        SamplingConfig.defaults(), new SamplingConfig(0.7, 0, 0.9, true), new SamplingConfig(1.3, 40, 1.0, false),
        new SamplingConfig(1.0, 0, 0.95, false, true), new SamplingConfig(0.9, 20, 0.8, true)};

    /** One sequence as the reference sees it: its own sampler, stream and context. */
    private static final class Sequence {
        final int slot;
        final WatermarkSampler reference;
        final SplittableRandom referenceRandom;
        final int[] context = new int[256];
        int length;

        Sequence(int slot, WatermarkSampler reference, long seed, SplittableRandom init) {
            this.slot = slot;
            this.reference = reference;
            this.referenceRandom = new SplittableRandom(seed);
            this.length = 1 + init.nextInt(6);
            for (int i = 0; i < length; i++) {
                context[i] = init.nextInt(VOCAB);
            }
        }
    }

    private static KeyedScheme keyed(String spec, int account) {
        if (spec == null) {
            return null;
        }
        byte[] secret = new byte[32];
        secret[0] = (byte) account;
        secret[1] = (byte) (account >> 8);
        return KeyedScheme.of(Scheme.parse(spec), WatermarkKey.fromSecret(secret));
    }

    @ParameterizedTest(name = "flat layout: {0}")
    @ValueSource(booleans = {true, false})
    void sameTokensAsOnePerSequenceSamplerEach(boolean flatLayout) {
        int slots = 12;
        BatchSampler batch = BatchSampler.create(VOCAB, slots);
        SplittableRandom r = new SplittableRandom(flatLayout ? 1 : 2);
        float[][] pool = FastPathEqualityTest.pool("flat", VOCAB, 6, 3);
        float[][] peaked = FastPathEqualityTest.pool("peaked", VOCAB, 6, 4);
        List<Sequence> running = new ArrayList<>();
        int opened = 0;
        int finished = 0;
        float[] flat = new float[slots * (VOCAB + 13)];
        float[][] rows = new float[slots][];
        int[] slotOfRow = new int[slots];
        int[][] contexts = new int[slots][];
        int[] offsets = new int[slots];
        int[] lengths = new int[slots];
        int[] tokens = new int[slots];
        int stride = VOCAB + 13;
        for (int step = 0; step < 120; step++) {
            // new sequences take the free slots (mixed schemes, keys, settings, and plain rows)
            for (int slot = 0; slot < slots; slot++) {
                if (!batch.isOpen(slot) && r.nextInt(3) > 0) {
                    String spec = SCHEMES[opened % SCHEMES.length];
                    SamplingConfig cfg = CONFIGS[r.nextInt(CONFIGS.length)];
                    KeyedScheme k = keyed(spec, opened);
                    long seed = 1000 + opened;
                    batch.open(slot, cfg, k, new SplittableRandom(seed));
                    WatermarkSampler ref = k == null ? WatermarkSampler.plain(cfg, VOCAB)
                            : WatermarkSampler.watermarked(k, cfg, VOCAB);
                    running.add(new Sequence(slot, ref, seed, r));
                    opened++;
                }
            }
            int n = running.size();
            for (int row = 0; row < n; row++) {
                Sequence s = running.get(row);
                float[] src = (row % 3 == 0 ? peaked : pool)[r.nextInt(6)];
                int shift = r.nextInt(VOCAB);
                float[] l = new float[VOCAB];
                System.arraycopy(src, shift, l, 0, VOCAB - shift);
                System.arraycopy(src, 0, l, VOCAB - shift, shift);
                System.arraycopy(l, 0, flat, 5 + row * stride, VOCAB);
                rows[row] = l;
                slotOfRow[row] = s.slot;
                // one shared context array for some rows, their own for others, with offsets
                contexts[row] = s.context;
                offsets[row] = Math.max(0, s.length - 40);
                lengths[row] = s.length - offsets[row];
            }
            if (flatLayout) {
                batch.sample(flat, 5, stride, n, slotOfRow, contexts, offsets, lengths, tokens);
            } else {
                batch.sample(rows, n, slotOfRow, contexts, offsets, lengths, tokens);
            }
            for (int row = n - 1; row >= 0; row--) {
                Sequence s = running.get(row);
                int expected = s.reference.next(rows[row], s.context, offsets[row], lengths[row], s.referenceRandom);
                assertEquals(expected, tokens[row], "step " + step + " row " + row + " slot " + s.slot);
                s.context[s.length++] = tokens[row];
                assertEquals(s.reference.watermarkedSteps(), batch.watermarkedSteps(s.slot));
                assertEquals(s.reference.plainSteps(), batch.plainSteps(s.slot));
                // rows finish at different times; their slots are reused by new sequences
                if (s.length >= 200 || r.nextInt(25) == 0) {
                    batch.close(s.slot);
                    running.remove(row);
                    finished++;
                }
            }
        }
        assertTrue(finished > 20 && opened > 40, "sequences finished early and slots were reused: " + finished);
    }

    @Test
    void noAllocationPerStep() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int rows = 8;
        BatchSampler batch = BatchSampler.create(VOCAB, rows);
        float[] flat = new float[rows * VOCAB];
        float[][] pool = FastPathEqualityTest.pool("flat", VOCAB, rows, 9);
        for (int i = 0; i < rows; i++) {
            System.arraycopy(pool[i], 0, flat, i * VOCAB, VOCAB);
            batch.open(i, new SamplingConfig(1.0, 0, 0.95, false), keyed(SCHEMES[i % SCHEMES.length], i),
                    new SplittableRandom(i));
        }
        int[] slots = {0, 1, 2, 3, 4, 5, 6, 7};
        int[][] contexts = new int[rows][];
        int[] ctx = new SplittableRandom(5).ints(64, 0, VOCAB).toArray();
        java.util.Arrays.fill(contexts, ctx);
        int[] offsets = new int[rows];
        int[] lengths = new int[rows];
        java.util.Arrays.fill(lengths, 16);
        int[] tokens = new int[rows];
        for (int s = 0; s < 300; s++) { // warm up (JIT) the same steps
            java.util.Arrays.fill(offsets, s & 31);
            batch.sample(flat, 0, VOCAB, rows, slots, contexts, offsets, lengths, tokens);
        }
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int s = 0; s < 200; s++) {
            java.util.Arrays.fill(offsets, s & 31);
            batch.sample(flat, 0, VOCAB, rows, slots, contexts, offsets, lengths, tokens);
        }
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 200 steps of 8 rows");
    }

    @Test
    void errorsNameTheProblem() {
        BatchSampler b = BatchSampler.create(100, 4);
        SplittableRandom r = new SplittableRandom(1);
        b.open(0, SamplingConfig.defaults(), (KeyedScheme) null, r);
        b.open(1, SamplingConfig.defaults(), keyed("kgw", 1), new SplittableRandom(2));
        int[][] ctx = {{1, 2, 3}, {4, 5, 6}};
        int[] off = {0, 0};
        int[] len = {3, 3};
        int[] out = new int[2];
        float[] two = new float[200];
        assertTrue(assertThrows(IllegalStateException.class,
                () -> b.open(0, SamplingConfig.defaults(), (KeyedScheme) null, r)).getMessage().contains("already open"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> b.open(4, SamplingConfig.defaults(), (KeyedScheme) null, r)).getMessage().contains("outside [0, 4)"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> b.sample(two, 0, 100, 2, new int[] {0, 2}, ctx, off, len, out)).getMessage()
                .contains("row 1: slot 2 is not open"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> b.sample(two, 0, 100, 2, new int[] {1, 1}, ctx, off, len, out)).getMessage()
                .contains("slot 1 appears twice"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> b.sample(two, 0, 99, 2, new int[] {0, 1}, ctx, off, len, out)).getMessage()
                .contains("row stride 99 is below the vocabulary size 100"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> b.sample(two, 1, 100, 2, new int[] {0, 1}, ctx, off, len, out)).getMessage()
                .contains("do not fit in an array of 200"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> b.sample(two, 0, 100, 2, new int[] {0, 1}, ctx, off, new int[] {3, 4}, out)).getMessage()
                .contains("row 1: context [0, 0 + 4) is outside its array of 3"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> b.sample(two, 0, 100, 3, new int[] {0, 1}, ctx, off, len, out)).getMessage()
                .contains("rows = 3 exceeds"));
        float[] bad = new float[200];
        bad[100 + 17] = Float.NaN;
        assertEquals("row 1 (slot 1): logit at index 17 is NaN", assertThrows(IllegalArgumentException.class,
                () -> b.sample(bad, 0, 100, 2, new int[] {0, 1}, ctx, off, len, out)).getMessage());
        b.close(1);
        assertFalse(b.isOpen(1));
        assertTrue(assertThrows(IllegalStateException.class, () -> b.close(1)).getMessage().contains("not open"));
        // an empty step is fine and writes nothing
        int[] untouched = {-1};
        b.sample(two, 0, 100, 0, new int[0], new int[0][], new int[0], new int[0], untouched);
        assertArrayEquals(new int[] {-1}, untouched);
    }
}
