package dev.hallmark.scheme;

/**
 * An open-addressing hash set of 128-bit tuple identities ({@link Tuples}), with an optional
 * double value per entry. Grows by doubling at load factor 1/2; allocation-free otherwise.
 * Not thread-safe.
 */
public final class TupleSet {

    private long[] hi;
    private long[] lo;
    private double[] values;
    private boolean[] used;
    private int mask;
    private int size;
    private final boolean withValues;

    /** An empty set sized for about {@code expected} entries. */
    public TupleSet(int expected, boolean withValues) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        this.withValues = withValues;
        alloc(cap);
    }

    private void alloc(int cap) {
        hi = new long[cap];
        lo = new long[cap];
        used = new boolean[cap];
        values = withValues ? new double[cap] : null;
        mask = cap - 1;
        size = 0;
    }

    private static int slot(long h, long l, int mask) {
        long x = h * 0x9E3779B97F4A7C15L ^ l;
        x ^= x >>> 32;
        x *= 0xD6E8FEB86659FD93L;
        x ^= x >>> 32;
        return (int) x & mask;
    }

    /** Adds the tuple; returns true if it was not present. */
    public boolean add(long h, long l) {
        return addWithValue(h, l, 0.0);
    }

    /** Adds the tuple with a value; returns true if it was not present (the old value is kept otherwise). */
    public boolean addWithValue(long h, long l, double value) {
        int i = slot(h, l, mask);
        while (used[i]) {
            if (hi[i] == h && lo[i] == l) {
                return false;
            }
            i = (i + 1) & mask;
        }
        used[i] = true;
        hi[i] = h;
        lo[i] = l;
        if (withValues) {
            values[i] = value;
        }
        if (++size * 2 > hi.length) {
            grow();
        }
        return true;
    }

    public boolean contains(long h, long l) {
        int i = slot(h, l, mask);
        while (used[i]) {
            if (hi[i] == h && lo[i] == l) {
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    private void grow() {
        long[] oh = hi;
        long[] ol = lo;
        double[] ov = values;
        boolean[] ou = used;
        alloc(oh.length * 2);
        for (int i = 0; i < oh.length; i++) {
            if (ou[i]) {
                addWithValue(oh[i], ol[i], ov == null ? 0.0 : ov[i]);
            }
        }
    }

    public int size() {
        return size;
    }

    /** Removes every entry, keeping the capacity. */
    public void clear() {
        if (size > 0) {
            java.util.Arrays.fill(used, false);
            size = 0;
        }
    }

    /** Calls {@code action} for every entry. */
    public void forEach(EntryConsumer action) {
        for (int i = 0; i < hi.length; i++) {
            if (used[i]) {
                action.accept(hi[i], lo[i], withValues ? values[i] : 0.0);
            }
        }
    }

    /** Receives one entry. */
    @FunctionalInterface
    public interface EntryConsumer {
        void accept(long hi, long lo, double value);
    }
}
