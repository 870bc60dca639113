package dev.hallmark.scheme;

import java.util.Arrays;

/**
 * An open-addressing hash set of 128-bit tuple identities ({@link Tuples}), with an optional
 * double value per entry. The two halves of an identity sit next to each other in one
 * {@code long[]} (one cache line per probe); (0, 0) marks an empty slot, which no identity can
 * equal (a packed identity has its sentinel bit set, a fingerprint its top bit). Linear
 * probing, load factor at most 1/2, grows by doubling; allocation-free otherwise. Not thread-safe.
 */
public final class TupleSet {

    private long[] slots;
    private double[] values;
    private int mask;
    private int size;
    private final boolean withValues;

    /** An empty set sized for about {@code expected} entries. */
    public TupleSet(int expected, boolean withValues) {
        this.withValues = withValues;
        alloc(Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1);
    }

    private void alloc(int cap) {
        slots = new long[2 * cap];
        values = withValues ? new double[cap] : null;
        mask = cap - 1;
        size = 0;
    }

    private static int slot(long h, long l, int mask) {
        long x = (h * 0x9E3779B97F4A7C15L) ^ l;
        x ^= x >>> 29;
        x *= 0xBF58476D1CE4E5B9L;
        x ^= x >>> 32;
        return (int) x & mask;
    }

    /** Adds the tuple; returns true if it was not present. */
    public boolean add(long h, long l) {
        return addWithValue(h, l, 0.0);
    }

    /** Adds the tuple with a value; returns true if it was not present (the old value is kept otherwise). */
    public boolean addWithValue(long h, long l, double value) {
        if (h == 0 && l == 0) {
            throw new IllegalArgumentException("(0, 0) is not a tuple identity");
        }
        long[] s = slots;
        int i = slot(h, l, mask);
        while (true) {
            long sh = s[2 * i];
            long sl = s[2 * i + 1];
            if (sh == 0 && sl == 0) {
                break;
            }
            if (sh == h && sl == l) {
                return false;
            }
            i = (i + 1) & mask;
        }
        s[2 * i] = h;
        s[2 * i + 1] = l;
        if (withValues) {
            values[i] = value;
        }
        if (++size * 4 > s.length) {
            grow();
        }
        return true;
    }

    public boolean contains(long h, long l) {
        long[] s = slots;
        int i = slot(h, l, mask);
        while (true) {
            long sh = s[2 * i];
            long sl = s[2 * i + 1];
            if (sh == 0 && sl == 0) {
                return false;
            }
            if (sh == h && sl == l) {
                return true;
            }
            i = (i + 1) & mask;
        }
    }

    private void grow() {
        long[] old = slots;
        double[] ov = values;
        alloc(old.length); // twice the slot count: old.length / 2 slots before
        for (int i = 0; i < old.length / 2; i++) {
            if (old[2 * i] != 0 || old[2 * i + 1] != 0) {
                addWithValue(old[2 * i], old[2 * i + 1], ov == null ? 0.0 : ov[i]);
            }
        }
    }

    public int size() {
        return size;
    }

    /** Removes every entry, keeping the capacity. */
    public void clear() {
        if (size > 0) {
            Arrays.fill(slots, 0L);
            size = 0;
        }
    }

    /** Calls {@code action} for every entry. */
    public void forEach(EntryConsumer action) {
        for (int i = 0; i < slots.length / 2; i++) {
            if (slots[2 * i] != 0 || slots[2 * i + 1] != 0) {
                action.accept(slots[2 * i], slots[2 * i + 1], withValues ? values[i] : 0.0);
            }
        }
    }

    /** Receives one entry. */
    @FunctionalInterface
    public interface EntryConsumer {
        void accept(long hi, long lo, double value);
    }
}
