package dev.hallmark.prf;

import dev.hallmark.key.WatermarkKey;
import java.util.Objects;

/**
 * The keyed pseudo-random function every Hallmark scheme draws its randomness from:
 * {@code (key, context token ids, candidate token id) -> 64 uniform bits}.
 *
 * <p>Construction: SipHash-2-4 (Aumasson and Bernstein, 2012) with a 128-bit key, over the message
 * made of the context token ids followed by the candidate id, each as a 32-bit little-endian word:
 * <pre>
 *   PRF_k(c_1..c_h, x) = SipHash-2-4_k( LE32(c_1) || ... || LE32(c_h) || LE32(x) )
 * </pre>
 * The 128-bit SipHash key is derived from the {@link WatermarkKey} for one named purpose
 * ({@link WatermarkKey#subkey}, BLAKE3 derive-key), so every scheme and every use inside a scheme
 * has an independent function. The message encoding is fixed (not the platform's byte order), so
 * outputs are identical on every JVM; {@code src/test/resources/prf/vectors.tsv} holds test vectors
 * and the tests check the implementation against an independent SipHash (Guava's).
 *
 * <p>Instances are immutable and thread-safe. Hashing allocates nothing.
 */
public final class Prf {

    private final long k0;
    private final long k1;

    private Prf(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** The PRF of {@code key} for a purpose label such as {@code "kgw/green/v1"}. */
    public static Prf of(WatermarkKey key, String purpose) {
        Objects.requireNonNull(key, "key");
        byte[] sk = key.subkey("prf/" + purpose, 16);
        return new Prf(readLongLE(sk, 0), readLongLE(sk, 8));
    }

    /** A PRF with an explicit 128-bit SipHash key {@code (k0, k1)}, as in the SipHash paper. */
    public static Prf ofRawKey(long k0, long k1) {
        return new Prf(k0, k1);
    }

    /** PRF of the message {@code context[off..off+len) || candidate}. */
    public long hash(int[] context, int off, int len, int candidate) {
        // small entry point so the JIT inlines it; the general loop lives in hashWords
        if (len == 1) {
            return hash(context[off], candidate);
        } else if (len == 0) {
            return hash(candidate);
        }
        return hashWords(context, off, len, candidate);
    }

    private long hashWords(int[] context, int off, int len, int candidate) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int words = len + 1;
        int i = 0;
        // full 8-byte blocks: two words each
        int end = off + len;
        int p = off;
        while (i + 2 <= words) {
            long lo = p < end ? context[p] : candidate;
            long hi = p + 1 < end ? context[p + 1] : candidate;
            long m = (lo & 0xffffffffL) | (hi << 32);
            p += 2;
            i += 2;
            v3 ^= m;
            for (int r = 0; r < 2; r++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        long b = ((long) (words * 4) & 0xff) << 56;
        if (i < words) {
            long last = p < end ? context[p] : candidate;
            b |= last & 0xffffffffL;
        }
        return finish(v0, v1, v2, v3, b);
    }

    /** PRF of the one-word message {@code x}. */
    public long hash(int x) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        return finish(v0, v1, v2, v3, (4L << 56) | (x & 0xffffffffL));
    }

    /** PRF of the two-word message {@code a || b} (same value as {@code hash(new int[]{a}, 0, 1, b)}). */
    public long hash(int a, int b) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        long m = (a & 0xffffffffL) | ((long) b << 32);
        v3 ^= m;
        for (int r = 0; r < 2; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        v0 ^= m;
        return finish(v0, v1, v2, v3, 8L << 56);
    }

    private static long finish(long v0, long v1, long v2, long v3, long b) {
        v3 ^= b;
        for (int r = 0; r < 2; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        v0 ^= b;
        v2 ^= 0xff;
        for (int r = 0; r < 4; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    /**
     * Reference SipHash-2-4 over an arbitrary byte message (slow path, for tests and documentation).
     */
    public static long sipHash24(long k0, long k1, byte[] msg) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int full = msg.length & ~7;
        for (int i = 0; i < full; i += 8) {
            long m = readLongLE(msg, i);
            v3 ^= m;
            for (int r = 0; r < 2; r++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        long b = ((long) msg.length & 0xff) << 56;
        for (int i = full; i < msg.length; i++) {
            b |= (msg[i] & 0xffL) << (8 * (i - full));
        }
        return finish(v0, v1, v2, v3, b);
    }

    /**
     * Maps 64 PRF bits to a double uniform on the open interval (0, 1): the midpoint of one of
     * 2^52 equal cells, {@code ((bits >>> 12) + 0.5) / 2^52}, exactly representable, so the
     * result is never 0 or 1 (a 53-bit version would round its top cell to 1.0).
     */
    public static double toUnitOpen(long bits) {
        return ((bits >>> 12) + 0.5) * 0x1.0p-52;
    }

    private static long readLongLE(byte[] b, int off) {
        long r = 0;
        for (int i = 7; i >= 0; i--) {
            r = (r << 8) | (b[off + i] & 0xffL);
        }
        return r;
    }
}
