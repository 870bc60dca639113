package dev.hallmark.interop.internal;

/**
 * A reusable open-addressing set of n-grams of one text, keyed by content, each remembered by the
 * offset of its first occurrence plus one boolean payload. Used to score every distinct n-gram once
 * (the reference's {@code Counter} over n-gram tuples). Generation stamps make {@link #reset} O(1);
 * the arrays grow only when a longer text arrives. Mutable, not thread-safe.
 */
public final class NgramTable {

    private int[] firstOffset = new int[0];
    private int[] stamp = new int[0];
    private boolean[] payload = new boolean[0];
    private int generation;
    private int mask;
    private int shift;

    private int[] tokens;
    private int n;

    /**
     * Prepares for the n-grams of {@code tokens}, at most {@code count} of them.
     *
     * @param tokens the text (its n-grams are looked up by offset)
     * @param n      n-gram length
     * @param count  maximum number of distinct n-grams
     */
    void reset(int[] tokens, int n, int count) {
        int bits = Math.max(4, 33 - Integer.numberOfLeadingZeros(Math.max(1, count)));
        int capacity = 1 << bits;
        if (firstOffset.length < capacity) {
            firstOffset = new int[capacity];
            stamp = new int[capacity];
            payload = new boolean[capacity];
            generation = 0;
        }
        generation++;
        if (generation == 0) {
            // Stamp wrap-around after 2^32 texts: clear once.
            java.util.Arrays.fill(stamp, 0);
            generation = 1;
        }
        mask = capacity - 1;
        shift = 64 - bits;
        this.tokens = tokens;
        this.n = n;
    }

    /**
     * Finds the slot of the n-gram at {@code offset}, inserting it if new.
     *
     * @return the slot index, or {@code -(slot + 1)} if the n-gram was inserted by this call
     */
    int findOrInsert(int offset) {
        final int[] t = tokens;
        long h = 0x243F6A8885A308D3L;
        for (int i = 0; i < n; i++) {
            h = (h ^ t[offset + i]) * 0x9E3779B97F4A7C15L;
        }
        h ^= h >>> 31;
        int slot = (int) ((h * 0xBF58476D1CE4E5B9L) >>> shift) & mask;
        while (true) {
            if (stamp[slot] != generation) {
                stamp[slot] = generation;
                firstOffset[slot] = offset;
                return -(slot + 1);
            }
            if (sameNgram(firstOffset[slot], offset)) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    private boolean sameNgram(int a, int b) {
        final int[] t = tokens;
        for (int i = 0; i < n; i++) {
            if (t[a + i] != t[b + i]) {
                return false;
            }
        }
        return true;
    }

    boolean payload(int slot) {
        return payload[slot];
    }

    void setPayload(int slot, boolean value) {
        payload[slot] = value;
    }

    /** Drops the reference to the last text. */
    void release() {
        tokens = null;
    }
}
