package dev.hallmark.scheme;

import dev.hallmark.prf.Prf;

/**
 * 128-bit identities of (context, token) tuples, for de-duplication.
 *
 * <p>When the tuple has at most 7 token ids, each below 2^18 (true for vocabularies up to
 * 262,144 ids, Qwen3's 151,669 included), the identity is the exact packing of the ids (18 bits
 * each, with the count): equal identities mean equal tuples. Otherwise it is a 127-bit
 * key-independent SipHash fingerprint (two fixed public keys, top bit set so it cannot equal a
 * packed identity). A fingerprint collision merges two tuples; because the fingerprint does not
 * depend on the watermark key, which tuples merge is independent of their scores under the null,
 * so p-values stay valid; the chance of any collision among n tuples is at most n^2 / 2^128.
 */
public final class Tuples {

    private static final Prf FP1 = Prf.ofRawKey(0x48616c6c6d61726bL, 0x7475706c65206964L);
    private static final Prf FP2 = Prf.ofRawKey(0x7475706c65206964L, 0x48616c6c6d61726bL);
    private static final int BITS = 18;
    private static final int LIMIT = 1 << BITS;

    private Tuples() {}

    /**
     * Identity of the tuple {@code ids[from..from+len) || token}.
     */
    public static void of(int[] ids, int from, int len, int token, long[] out) {
        if (len == 1) {
            of(ids[from], token, out);
            return;
        }
        if (len <= 6 && token >= 0 && token < LIMIT && fits(ids, from, len)) {
            // A leading 1 bit followed by the (len + 1) ids, 18 bits each: the position of the
            // leading bit encodes the length, so tuples of different lengths never coincide.
            long hi = 0;
            long lo = 1; // leading sentinel bit
            // shift the 128-bit (hi, lo) left by 18 and add each id
            for (int i = 0; i < len; i++) {
                hi = (hi << BITS) | (lo >>> (64 - BITS));
                lo = (lo << BITS) | ids[from + i];
            }
            hi = (hi << BITS) | (lo >>> (64 - BITS));
            lo = (lo << BITS) | token;
            out[0] = hi; // at most 1 + 126 = 127 bits used: the top bit of hi stays 0
            out[1] = lo;
        } else {
            out[0] = FP1.hash(ids, from, len, token) | Long.MIN_VALUE;
            out[1] = FP2.hash(ids, from, len, token);
        }
    }

    /** Identity of the two-token tuple {@code (a, b)}. */
    public static void of(int a, int b, long[] out) {
        if (a >= 0 && a < LIMIT && b >= 0 && b < LIMIT) {
            out[0] = 0;
            out[1] = (1L << (2 * BITS)) | ((long) a << BITS) | b;
        } else {
            out[0] = FP1.hash(a, b) | Long.MIN_VALUE;
            out[1] = FP2.hash(a, b);
        }
    }

    private static boolean fits(int[] ids, int from, int len) {
        for (int i = from; i < from + len; i++) {
            if (ids[i] < 0 || ids[i] >= LIMIT) {
                return false;
            }
        }
        return true;
    }
}
