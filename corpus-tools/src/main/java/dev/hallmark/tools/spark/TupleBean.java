package dev.hallmark.tools.spark;

import java.io.Serializable;

/**
 * One scored tuple on its way to the de-duplicating shuffle: {@code slot} is the key's index in
 * the ring, {@code (hi, lo)} the tuple identity {@link dev.hallmark.scheme.KeyedScheme#score}
 * wrote, {@code score} its score. Negative slots carry per-partition counters instead (see
 * {@link TupleScorer}). Public only because Spark's encoders require it.
 */
public final class TupleBean implements Serializable {
    private static final long serialVersionUID = 1L;
    private int slot;
    private long hi;
    private long lo;
    private double score;

    public TupleBean() {}

    void set(int slot, long hi, long lo, double score) {
        this.slot = slot;
        this.hi = hi;
        this.lo = lo;
        this.score = score;
    }

    public int getSlot() {
        return slot;
    }

    public void setSlot(int slot) {
        this.slot = slot;
    }

    public long getHi() {
        return hi;
    }

    public void setHi(long hi) {
        this.hi = hi;
    }

    public long getLo() {
        return lo;
    }

    public void setLo(long lo) {
        this.lo = lo;
    }

    public double getScore() {
        return score;
    }

    public void setScore(double score) {
        this.score = score;
    }
}
