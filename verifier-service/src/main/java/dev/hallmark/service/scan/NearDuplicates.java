package dev.hallmark.service.scan;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The near-duplicate structure of one scan's corpus: the MinHash band keys ({@link MinHash#bandKeys})
 * of every document, counted, so that at report time a document can be asked "does another document
 * of this corpus share a band with you?" ({@link #clustered}). Documents of such a cluster are
 * probes of each other (the same text with a few tokens changed) and their per-document results are
 * not listed individually to analysts ({@link Disclosure}).
 *
 * <p>Memory is bounded: the first {@value #MAX_TRACKED_DOCUMENTS} documents are tracked (an open
 * addressing table of long keys and saturating one-byte counts, about 20 bytes per band key); later
 * documents are not, and are then never listed individually to analysts. Saved and restored with a
 * scan's checkpoint. Not thread-safe.
 */
final class NearDuplicates {

    static final int MAX_TRACKED_DOCUMENTS = 1 << 18;

    private long[] keys = new long[1 << 10];
    private byte[] counts = new byte[1 << 10];
    private int size;
    private long tracked;

    /**
     * Adds a document's band keys.
     *
     * @return whether the document is tracked (false past {@value #MAX_TRACKED_DOCUMENTS})
     */
    boolean add(long[] bandKeys) {
        if (tracked >= MAX_TRACKED_DOCUMENTS) {
            return false;
        }
        tracked++;
        for (long k : bandKeys) {
            int i = find(k);
            if (keys[i] == 0) {
                keys[i] = k;
                counts[i] = 1;
                if (++size * 2 > keys.length) {
                    grow();
                }
            } else if (counts[i] < 2) {
                counts[i] = 2;
            }
        }
        return true;
    }

    /** Whether any of the band keys (of a tracked document) was also added by another document. */
    boolean clustered(long[] bandKeys) {
        for (long k : bandKeys) {
            int i = find(k);
            if (keys[i] == k && counts[i] >= 2) {
                return true;
            }
        }
        return false;
    }

    long tracked() {
        return tracked;
    }

    private int find(long k) {
        int mask = keys.length - 1;
        int i = (int) MinHash.mix(k) & mask;
        while (keys[i] != 0 && keys[i] != k) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void grow() {
        long[] ok = keys;
        byte[] oc = counts;
        keys = new long[ok.length * 2];
        counts = new byte[ok.length * 2];
        for (int j = 0; j < ok.length; j++) {
            if (ok[j] != 0) {
                int i = find(ok[j]);
                keys[i] = ok[j];
                counts[i] = oc[j];
            }
        }
    }

    void write(DataOutput out) throws IOException {
        out.writeLong(tracked);
        out.writeInt(size);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                out.writeLong(keys[i]);
                out.writeByte(counts[i]);
            }
        }
    }

    static NearDuplicates read(DataInput in) throws IOException {
        NearDuplicates d = new NearDuplicates();
        d.tracked = in.readLong();
        int n = in.readInt();
        if (n < 0 || d.tracked < 0 || d.tracked > MAX_TRACKED_DOCUMENTS) {
            throw new IOException("corrupt near-duplicate state");
        }
        for (int j = 0; j < n; j++) {
            long k = in.readLong();
            byte c = in.readByte();
            if (k == 0) {
                throw new IOException("corrupt near-duplicate state: empty key");
            }
            int i = d.find(k);
            d.keys[i] = k;
            d.counts[i] = c;
            if (++d.size * 2 > d.keys.length) {
                d.grow();
            }
        }
        return d;
    }
}
