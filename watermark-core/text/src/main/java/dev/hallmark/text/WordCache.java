package dev.hallmark.text;

/**
 * A per-thread, fixed-size, direct-mapped cache from a pre-token (its chars) to its token ids. A
 * colliding insert overwrites the slot, so the memory is fixed at construction: {@code slots}
 * keys of at most {@link #MAX_CHARS} chars and values of at most {@link #MAX_IDS} ids (about 1.5 MiB
 * at the default 16,384 slots). Longer pieces are not cached. Not thread-safe; lookups allocate
 * nothing.
 */
final class WordCache {

    static final int MAX_CHARS = 24;
    static final int MAX_IDS = 12;

    private final int mask;
    private final int[] hashes;
    private final byte[] keyLengths;
    private final char[] keys;
    private final byte[] valueLengths;
    private final int[] values;

    WordCache(int slots) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two: " + slots);
        }
        mask = slots - 1;
        hashes = new int[slots];
        keyLengths = new byte[slots];
        keys = new char[slots * MAX_CHARS];
        valueLengths = new byte[slots];
        values = new int[slots * MAX_IDS];
    }

    static int hash(char[] s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + s[i];
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h | 1; // never 0: 0 marks an empty slot
    }

    /** Appends the cached ids of {@code s[from, to)} to {@code out}; false on a miss. */
    boolean get(char[] s, int from, int to, int hash, TokenIds out) {
        int len = to - from;
        if (len > MAX_CHARS) {
            return false;
        }
        int slot = hash & mask;
        if (hashes[slot] != hash || keyLengths[slot] != len) {
            return false;
        }
        int k = slot * MAX_CHARS;
        for (int i = 0; i < len; i++) {
            if (keys[k + i] != s[from + i]) {
                return false;
            }
        }
        out.addAll(values, slot * MAX_IDS, valueLengths[slot]);
        return true;
    }

    /** Stores the ids {@code ids[idsFrom, idsTo)} for {@code s[from, to)}, if both fit. */
    void put(char[] s, int from, int to, int hash, int[] ids, int idsFrom, int idsTo) {
        int len = to - from;
        int n = idsTo - idsFrom;
        if (len > MAX_CHARS || n > MAX_IDS) {
            return;
        }
        int slot = hash & mask;
        hashes[slot] = hash;
        keyLengths[slot] = (byte) len;
        System.arraycopy(s, from, keys, slot * MAX_CHARS, len);
        valueLengths[slot] = (byte) n;
        System.arraycopy(ids, idsFrom, values, slot * MAX_IDS, n);
    }
}
