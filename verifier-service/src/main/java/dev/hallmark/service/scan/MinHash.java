package dev.hallmark.service.scan;

import java.util.Arrays;

/**
 * A MinHash signature of a token sequence, for spotting near-identical texts (probes that differ
 * from each other in a few tokens). Key-independent by construction: it sees token ids only, with
 * fixed constants, so whether two texts count as near-duplicates says nothing about the watermark.
 *
 * <p>Shingles are the {@value #SHINGLE} consecutive token ids at each position (a text shorter than
 * that is one shingle). Signature: one-permutation hashing (Li, Owen and Zhang 2012) into
 * {@value #BINS} bins (each shingle's 64-bit hash picks a bin by its top bits and competes for that
 * bin's minimum), with empty bins filled from the next non-empty bin to the right, offset by the
 * distance ("rotation" densification, Shrivastava and Li 2014). The fraction of equal bins of two
 * signatures estimates the Jaccard similarity of their shingle sets. One hash per token: cheap
 * enough to run on every scanned document.
 *
 * <p>Banding ({@link #bandKeys}): {@value #BANDS} bands of {@value #ROWS} bins; two signatures
 * share a band key with probability 1 - (1 - J^4)^8: 0.06 at J = 0.3, 0.40 at J = 0.5, 0.98 at
 * J = 0.8, 1 - 1e-9 at J = 0.95 (texts that differ in one token of 64).
 */
public final class MinHash {

    static final int SHINGLE = 4;
    static final int BINS = 32;
    static final int BANDS = 8;
    static final int ROWS = BINS / BANDS;
    private static final long EMPTY = Long.MAX_VALUE;

    private MinHash() {}

    /** The signature of {@code ids}. */
    public static long[] signature(int[] ids) {
        return signature(ids, ids.length);
    }

    /** The signature of {@code ids[0 .. len)} (an empty sequence has an all-empty signature). */
    static long[] signature(int[] ids, int len) {
        long[] bins = new long[BINS];
        Arrays.fill(bins, EMPTY);
        int n = Math.max(1, len - SHINGLE + 1);
        if (len == 0) {
            return bins;
        }
        for (int t = 0; t < n; t++) {
            long h = 0x9E3779B97F4A7C15L;
            int end = Math.min(len, t + SHINGLE);
            for (int i = t; i < end; i++) {
                h = mix(h ^ (ids[i] & 0xFFFFFFFFL) * 0xC2B2AE3D27D4EB4FL);
            }
            int bin = (int) (h >>> 59); // top 5 bits: 32 bins
            long v = h & 0x07FF_FFFF_FFFF_FFFFL;
            if (v < bins[bin]) {
                bins[bin] = v;
            }
        }
        densify(bins);
        return bins;
    }

    /** Fills each empty bin from the next non-empty one to its right (circular), offset by the distance. */
    private static void densify(long[] bins) {
        long[] src = bins.clone();
        for (int i = 0; i < BINS; i++) {
            if (src[i] != EMPTY) {
                continue;
            }
            for (int d = 1; d < BINS; d++) {
                long v = src[(i + d) % BINS];
                if (v != EMPTY) {
                    bins[i] = mix(v + d * 0x632BE59BD9B4E019L) & 0x07FF_FFFF_FFFF_FFFFL;
                    break;
                }
            }
        }
    }

    /** The estimated Jaccard similarity of two signatures: the fraction of equal bins. */
    static double similarity(long[] a, long[] b) {
        int same = 0;
        for (int i = 0; i < BINS; i++) {
            if (a[i] == b[i]) {
                same++;
            }
        }
        return same / (double) BINS;
    }

    /** The {@value #BANDS} band keys of a signature (band index mixed in, so equal keys mean the same band). */
    static long[] bandKeys(long[] sig) {
        long[] out = new long[BANDS];
        for (int b = 0; b < BANDS; b++) {
            long h = 0xD6E8FEB86659FD93L * (b + 1);
            for (int r = 0; r < ROWS; r++) {
                h = mix(h ^ sig[b * ROWS + r]);
            }
            out[b] = h == 0 ? 1 : h; // 0 marks an empty slot in LongCounts
        }
        return out;
    }

    /** SplitMix64's finaliser. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
