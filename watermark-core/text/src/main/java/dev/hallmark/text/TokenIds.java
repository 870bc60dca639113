package dev.hallmark.text;

import java.util.Arrays;

/**
 * A growable buffer of token ids that {@link FastBpeTokenizer#encodeTo} appends to, so that a
 * caller that reuses one buffer tokenizes without allocating. Not thread-safe.
 */
public final class TokenIds {

    private int[] ids;
    private int size;

    /** An empty buffer with room for 256 ids. */
    public TokenIds() {
        this(256);
    }

    /** An empty buffer with room for {@code capacity} ids before it grows. */
    public TokenIds(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0: " + capacity);
        }
        ids = new int[Math.max(capacity, 8)];
    }

    /** Number of ids held. */
    public int size() {
        return size;
    }

    /** The id at {@code index}. */
    public int get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " of " + size);
        }
        return ids[index];
    }

    /** The backing array: valid in {@code [0, size())}; replaced when the buffer grows. */
    public int[] array() {
        return ids;
    }

    /** Empties the buffer (keeps its capacity). */
    public void clear() {
        size = 0;
    }

    /** A copy of the ids. */
    public int[] toArray() {
        return Arrays.copyOf(ids, size);
    }

    void add(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
    }

    void addAll(int[] src, int from, int len) {
        if (size + len > ids.length) {
            ids = Arrays.copyOf(ids, Math.max(size + len, size * 2));
        }
        System.arraycopy(src, from, ids, size, len);
        size += len;
    }
}
