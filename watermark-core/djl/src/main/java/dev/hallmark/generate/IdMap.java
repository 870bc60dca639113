package dev.hallmark.generate;

import java.util.Arrays;
import java.util.Objects;

/**
 * The token ids a compact output layer covers: index {@code i} of the layer is token id
 * {@code id(i)} of the full vocabulary. Ids not covered map to {@link #unknownIndex()} on input and
 * get logit {@code -infinity} on output.
 */
public final class IdMap {

    private final int[] ids;
    private final int[] index;

    private IdMap(int[] ids, int[] index) {
        this.ids = ids;
        this.index = index;
    }

    /**
     * @param ids distinct token ids in {@code [0, vocabularySize)}; position = compact index
     * @param vocabularySize full vocabulary size
     */
    public static IdMap of(int[] ids, int vocabularySize) {
        Objects.requireNonNull(ids, "ids");
        if (vocabularySize <= 0) {
            throw new IllegalArgumentException("vocabularySize must be positive: " + vocabularySize);
        }
        if (ids.length == 0 || ids.length > vocabularySize) {
            throw new IllegalArgumentException("id map size " + ids.length + " must be in [1, " + vocabularySize + "]");
        }
        int[] index = new int[vocabularySize];
        Arrays.fill(index, -1);
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= vocabularySize) {
                throw new IllegalArgumentException("id " + id + " at position " + i + " outside [0, " + vocabularySize + ")");
            }
            if (index[id] >= 0) {
                throw new IllegalArgumentException("duplicate id " + id + " at positions " + index[id] + " and " + i);
            }
            index[id] = i;
        }
        return new IdMap(ids.clone(), index);
    }

    /** Number of covered ids (the output layer's width). */
    public int size() {
        return ids.length;
    }

    /** Full vocabulary size. */
    public int vocabularySize() {
        return index.length;
    }

    /** Index used on input for ids outside the map: {@link #size()}. */
    public int unknownIndex() {
        return ids.length;
    }

    /** Token id of compact index {@code i}. */
    public int id(int i) {
        return ids[i];
    }

    /** Compact index of {@code tokenId}, or {@link #unknownIndex()} if it is not covered. */
    public int indexOf(int tokenId) {
        if (tokenId < 0 || tokenId >= index.length) {
            throw new IllegalArgumentException("token id " + tokenId + " outside [0, " + index.length + ")");
        }
        int i = index[tokenId];
        return i < 0 ? ids.length : i;
    }

    /** True if {@code tokenId} is covered. */
    public boolean contains(int tokenId) {
        return tokenId >= 0 && tokenId < index.length && index[tokenId] >= 0;
    }

    /** A copy of the covered ids in compact order. */
    public int[] ids() {
        return ids.clone();
    }

    /**
     * Writes {@code compact[off .. off+size())} into {@code full} at the covered ids. Entries of
     * {@code full} at uncovered ids are not touched: fill them once with {@link #fillUncovered}.
     */
    public void scatter(float[] compact, int off, float[] full) {
        Objects.checkFromIndexSize(off, ids.length, compact.length);
        if (full.length < index.length) {
            throw new IllegalArgumentException("full logits length " + full.length + " < vocabulary size " + index.length);
        }
        for (int i = 0; i < ids.length; i++) {
            full[ids[i]] = compact[off + i];
        }
    }

    /** Sets every uncovered id of {@code full} to {@code -infinity}. */
    public void fillUncovered(float[] full) {
        for (int id = 0; id < index.length; id++) {
            if (index[id] < 0) {
                full[id] = Float.NEGATIVE_INFINITY;
            }
        }
    }
}
