package dev.hallmark.interop.internal;

/**
 * The integer arithmetic the reference implementations get from Python and PyTorch, in Java longs.
 *
 * <p>Two regimes occur in the reference code: tensor arithmetic on {@code int64} (wraps modulo
 * 2<sup>64</sup>, exactly Java's {@code long} arithmetic) and Python {@code int} arithmetic (arbitrary
 * precision; {@code %} is floor modulo). The seeding step {@code manual_seed(prf_key % (2**64 - 1))}
 * applies the latter to a value that may be negative (a wrapped tensor product) or wider than 64
 * bits (a Python product): {@link #modMersenne64(long)} and {@link #mulModMersenne64(long, long)}
 * compute that remainder exactly and return it as unsigned 64-bit bits.
 */
public final class PyIntMath {

    private PyIntMath() {
    }

    /**
     * {@code v % (2**64 - 1)} in Python for a signed 64-bit {@code v}, as unsigned bits.
     * Non-negative values are below the modulus and come back unchanged; a negative {@code v}
     * maps to {@code v + 2^64 - 1}, whose bit pattern is {@code v - 1}.
     */
    static long modMersenne64(long v) {
        return v >= 0 ? v : v - 1;
    }

    /**
     * {@code (a * b) % (2**64 - 1)} with Python's exact product and floor modulo, as unsigned bits.
     * Uses {@code 2^64 = 1 (mod 2^64 - 1)}: the 128-bit product {@code hi * 2^64 + lo} is congruent
     * to {@code hi + lo}.
     */
    static long mulModMersenne64(long a, long b) {
        long lo = a * b;
        long hi = Math.multiplyHigh(a, b);
        // hi is signed: its residue in [0, M) as unsigned bits.
        long hiRes = modMersenne64(hi);
        // lo is unsigned: 2^64 - 1 itself is congruent to 0.
        long loRes = lo == -1L ? 0L : lo;
        long sum = hiRes + loRes;
        if (Long.compareUnsigned(sum, hiRes) < 0) {
            // Carry out of 64 bits: 2^64 = 1 (mod M); the result stays below M.
            return sum + 1;
        }
        return sum == -1L ? 0L : sum;
    }

    /** Python/torch floor modulo for a positive modulus. */
    static long floorMod(long v, long m) {
        return Math.floorMod(v, m);
    }
}
