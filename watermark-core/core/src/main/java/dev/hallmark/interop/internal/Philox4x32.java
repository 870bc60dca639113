package dev.hallmark.interop.internal;

/**
 * The Philox4x32-10 counter-based generator (Salmon, Moraes, Dror and Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3", SC 2011; the Random123 reference): a 128-bit counter
 * {@code (c0, c1, c2, c3)} encrypted under a 64-bit key {@code (k0, k1)} in ten rounds.
 *
 * <p>One round: {@code (hi0, lo0) = mulhilo(0xD2511F53, c0)}, {@code (hi1, lo1) = mulhilo(0xCD9E8D57, c2)},
 * then {@code c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)}; between rounds the key is bumped by the
 * Weyl constants {@code (0x9E3779B9, 0xBB67AE85)} modulo 2<sup>32</sup>. All words are unsigned
 * 32-bit values held in Java {@code int}s; the 32x32 products are formed in a {@code long} from the
 * zero-extended operands, whose high half is {@code p >>> 32}.
 *
 * <p>Known answer (Random123 {@code kat_vectors}): counter 0, key 0 gives
 * {@code 6627e8d5 e169c58d bc57ac4c 9b00dbd8}.
 */
public final class Philox4x32 {

    static final long M0 = 0xD2511F53L;
    static final long M1 = 0xCD9E8D57L;
    static final int W0 = 0x9E3779B9;
    static final int W1 = 0xBB67AE85;
    private static final long MASK = 0xFFFF_FFFFL;

    private Philox4x32() {}

    /**
     * Encrypts one counter block.
     *
     * @param out receives the four output words at {@code out[off .. off + 4)}
     */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out, int off) {
        for (int r = 0; r < 10; r++) {
            long p0 = (c0 & MASK) * M0;
            long p1 = (c2 & MASK) * M1;
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        out[off] = c0;
        out[off + 1] = c1;
        out[off + 2] = c2;
        out[off + 3] = c3;
    }

    /**
     * One output word of a block: word {@code lane} (0..3) of {@link #block}. Allocation-free, for
     * the hot paths that need a single lane.
     */
    public static int word(int c0, int c1, int c2, int c3, int k0, int k1, int lane) {
        for (int r = 0; r < 10; r++) {
            long p0 = (c0 & MASK) * M0;
            long p1 = (c2 & MASK) * M1;
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        return switch (lane & 3) {
            case 0 -> c0;
            case 1 -> c1;
            case 2 -> c2;
            default -> c3;
        };
    }
}
