package dev.hallmark.detect;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * The exact sum of finite doubles, independent of the order of the additions and of how the
 * terms were split between partial sums: {@link #doubleValue()} is the correctly rounded
 * (round-half-even) value of the mathematically exact sum.
 *
 * <p>Why: a corpus-level score sum S is reduced across threads, Spark tasks or files in an order
 * nobody controls. Plain {@code double} addition is not associative, so S (and the p-value,
 * statistic and z-score taken from it) would change in the last bits with the partitioning;
 * integer-valued scores (KGW, SynthID) are exact either way, but Gumbel's {@code -ln(1-r)} are
 * not. With this accumulator the result of a corpus detection is a function of the multiset
 * of scored tuples only.
 *
 * <p>Algorithm: a fixed-point "long accumulator" (Kulisch) covering every finite double. Every
 * finite double is m * 2^(e-1075) with an integer m below 2^53 and 1 &lt;= e &lt;= 2046 (subnormals:
 * e = 1), so it is an integer multiple of 2^-1074 below 2^2098. The accumulator keeps that
 * integer in 67 digits of base 2^32, each held in a {@code long} so that carries can wait:
 * an addition adds the (at most three) 32-bit chunks of m * 2^((e-1) mod 32) to three adjacent
 * digits, and carries are propagated only every 2^30 additions (each digit then stays below
 * 2^62 in magnitude). Cost: a few integer operations per term, no allocation. Rounding to a
 * double happens only in {@link #doubleValue()}, through {@link BigDecimal} (exact).
 *
 * <p>Negative terms are allowed (the digits are signed until normalised). Infinite and NaN terms
 * are rejected. Mergeable: {@link #add(ExactSum)}; portable as {@link #state()} /
 * {@link #ofState(long[])} (e.g. to ship partial sums between JVMs). Not thread-safe.
 */
public final class ExactSum {

    /** Digits of 32 bits: 67 * 32 = 2144 bits, more than the 2098 + 64 the largest sums need. */
    static final int DIGITS = 67;
    private static final long LOW32 = 0xFFFF_FFFFL;
    private static final int NORMALIZE_EVERY = 1 << 30;
    /** 2^-1074 as an exact decimal: 5^1074 / 10^1074. */
    private static final BigDecimal ULP_MIN = new BigDecimal(BigInteger.valueOf(5).pow(1074), 1074);

    private final long[] digits = new long[DIGITS];
    private int pending;
    private long count;

    public ExactSum() {}

    /** Adds one finite term. */
    public void add(double x) {
        long bits = Double.doubleToRawLongBits(x);
        int e = (int) ((bits >>> 52) & 0x7FF);
        if (e == 0x7FF) {
            throw new IllegalArgumentException("cannot add a non-finite value: " + x);
        }
        count++;
        long m = bits & 0xF_FFFF_FFFF_FFFFL;
        if (e == 0) {
            if (m == 0) {
                return; // +0 or -0
            }
            e = 1; // subnormal: no implicit bit, same scale as the smallest normal exponent
        } else {
            m |= 1L << 52;
        }
        int shift = e - 1; // x = m * 2^shift * 2^-1074
        int i = shift >>> 5;
        int off = shift & 31;
        long c0 = (m << off) & LOW32;
        long rest = off == 0 ? m >>> 32 : m >>> (32 - off); // bits 32.. of m * 2^off (< 2^52)
        long c1 = rest & LOW32;
        long c2 = rest >>> 32;
        if (bits < 0) {
            digits[i] -= c0;
            digits[i + 1] -= c1;
            digits[i + 2] -= c2;
        } else {
            digits[i] += c0;
            digits[i + 1] += c1;
            digits[i + 2] += c2;
        }
        if (++pending == NORMALIZE_EVERY) {
            normalize();
        }
    }

    /** Adds every term of {@code other} (which is left unchanged). */
    public void add(ExactSum other) {
        normalize();
        other.normalize();
        for (int i = 0; i < DIGITS; i++) {
            digits[i] += other.digits[i];
        }
        count += other.count;
        pending = 1; // carries pending again; each digit is below 2^33 in magnitude
    }

    /** The number of terms added (zeros included). */
    public long count() {
        return count;
    }

    /** The exact sum rounded once to the nearest double (ties to even); 0.0 when empty. */
    public double doubleValue() {
        return exact().doubleValue();
    }

    /** The exact sum (trailing zeros stripped). */
    public BigDecimal exact() {
        normalize();
        BigInteger n = BigInteger.ZERO;
        for (int i = DIGITS - 1; i >= 0; i--) {
            n = n.shiftLeft(32).add(BigInteger.valueOf(digits[i]));
        }
        return n.signum() == 0 ? BigDecimal.ZERO : new BigDecimal(n).multiply(ULP_MIN).stripTrailingZeros();
    }

    /**
     * The state as {@code DIGITS + 1} longs (the normalised digits, then the term count), for
     * {@link #ofState(long[])}.
     */
    public long[] state() {
        normalize();
        long[] s = Arrays.copyOf(digits, DIGITS + 1);
        s[DIGITS] = count;
        return s;
    }

    /** Restores a sum from {@link #state()}. */
    public static ExactSum ofState(long[] state) {
        if (state.length != DIGITS + 1) {
            throw new IllegalArgumentException("an ExactSum state has " + (DIGITS + 1) + " longs, got " + state.length);
        }
        ExactSum s = new ExactSum();
        System.arraycopy(state, 0, s.digits, 0, DIGITS);
        s.count = state[DIGITS];
        s.pending = 1;
        return s;
    }

    /** Propagates carries so that digits 0..DIGITS-2 are in [0, 2^32) and the top digit carries the sign. */
    private void normalize() {
        if (pending == 0) {
            return;
        }
        long carry = 0;
        for (int i = 0; i < DIGITS - 1; i++) {
            long v = digits[i] + carry;
            carry = v >> 32; // arithmetic shift: floor division by 2^32
            digits[i] = v & LOW32;
        }
        digits[DIGITS - 1] += carry;
        pending = 0;
    }
}
