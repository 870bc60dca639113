package dev.hallmark.embed;

import java.util.Arrays;

/**
 * Open-addressing map from a 128-bit context identity to the latest history position that had it:
 * answers vLLM's "did this context occur at a position >= start?" in O(1) instead of a scan of the
 * history. Not thread-safe.
 */
final class ContextIndex {

    private long[] hi;
    private long[] lo;
    private int[] pos;
    private int size;
    private int mask;

    ContextIndex(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
        hi = new long[cap];
        lo = new long[cap];
        pos = new int[cap];
        Arrays.fill(pos, -1);
        mask = cap - 1;
    }

    /** Records that position {@code p} (increasing over calls) had the context (h, l). */
    void put(long h, long l, int p) {
        if (2 * (size + 1) > pos.length) {
            grow();
        }
        int i = slot(h, l);
        if (pos[i] < 0) {
            hi[i] = h;
            lo[i] = l;
            size++;
        }
        pos[i] = p;
    }

    /** @return the latest position with context (h, l), or -1 */
    int latest(long h, long l) {
        return pos[slot(h, l)];
    }

    void clear() {
        Arrays.fill(pos, -1);
        size = 0;
    }

    private int slot(long h, long l) {
        long x = (h * 0x9E3779B97F4A7C15L) ^ l;
        x ^= x >>> 29;
        x *= 0xBF58476D1CE4E5B9L;
        int i = (int) (x ^ (x >>> 32)) & mask;
        while (pos[i] >= 0 && (hi[i] != h || lo[i] != l)) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void grow() {
        long[] oh = hi;
        long[] ol = lo;
        int[] op = pos;
        int cap = op.length * 2;
        hi = new long[cap];
        lo = new long[cap];
        pos = new int[cap];
        Arrays.fill(pos, -1);
        mask = cap - 1;
        size = 0;
        for (int i = 0; i < op.length; i++) {
            if (op[i] >= 0) {
                put(oh[i], ol[i], op[i]);
            }
        }
    }
}
