package dev.hallmark.attribution;

/**
 * A Reed-Solomon code over the prime field GF(q) assigning every account a codeword, as in
 * Kautz and Singleton's construction of disjunct matrices ("Nonrandom binary superimposed codes",
 * IEEE Trans. Inf. Theory, 1964).
 *
 * <p>Account a (0 &lt;= a &lt; q^(degree+1)) is the polynomial f_a(x) = sum_j c_j x^j whose
 * coefficients c_j are the base-q digits of a; its symbol at position i (0 &lt;= i &lt; length &lt;= q)
 * is f_a(i) mod q. Two different polynomials of degree at most {@code degree} agree on at most
 * {@code degree} points, so two accounts share at most {@code degree} of their {@code length}
 * (position, symbol) groups. Hence a coalition of d accounts covers at most
 * {@code degree * d} groups of any other account: requiring
 * {@link #threshold(int) degree * d + 1} positive groups before accusing means the coalition's
 * own signal can never, by itself, implicate an innocent account.
 *
 * @param q a prime: symbols per position (and the number of group keys a tuple is scored against)
 * @param length positions per codeword (at most q)
 * @param degree polynomial degree: capacity is q^(degree+1) accounts
 */
public record AccountCode(int q, int length, int degree) {

    public AccountCode {
        if (q < 2 || q > 65_521 || !isPrime(q)) {
            throw new IllegalArgumentException("account code: q must be a prime in [2, 65521], got " + q);
        }
        if (length < 1 || length > q) {
            throw new IllegalArgumentException("account code: length must be in [1, q=" + q + "], got " + length);
        }
        if (degree < 0 || degree >= length) {
            throw new IllegalArgumentException("account code: degree must be in [0, length), got " + degree);
        }
    }

    /** q = 31, length 16, degree 2: 29,791 accounts, 496 group keys, 31 scored per tuple. */
    public static AccountCode defaults() {
        return new AccountCode(31, 16, 2);
    }

    /** Number of accounts the code can name: q^(degree+1) (capped at Long.MAX_VALUE). */
    public long capacity() {
        long c = 1;
        for (int j = 0; j <= degree; j++) {
            if (c > Long.MAX_VALUE / q) {
                return Long.MAX_VALUE;
            }
            c *= q;
        }
        return c;
    }

    /** Number of (position, symbol) groups, each with its own key: q * length. */
    public int groups() {
        return q * length;
    }

    /** The group index of (position, symbol). */
    public int group(int position, int symbol) {
        return position * q + symbol;
    }

    /** The symbol of {@code account} at {@code position}. */
    public int symbol(long account, int position) {
        if (account < 0 || account >= capacity()) {
            throw new IllegalArgumentException("account " + account + " is outside the code's capacity " + capacity());
        }
        // Horner's rule over the base-q digits, most significant first
        long[] digits = new long[degree + 1];
        long a = account;
        for (int j = 0; j <= degree; j++) {
            digits[j] = a % q;
            a /= q;
        }
        long v = 0;
        for (int j = degree; j >= 0; j--) {
            v = (v * position + digits[j]) % q;
        }
        return (int) v;
    }

    /**
     * Writes the symbols of {@code account} at positions 0 .. length-1 into {@code out} (no
     * allocation; for scans over many accounts).
     */
    public void codeword(long account, int[] out) {
        if (account < 0 || account >= capacity()) {
            throw new IllegalArgumentException("account " + account + " is outside the code's capacity " + capacity());
        }
        if (out.length < length) {
            throw new IllegalArgumentException("codeword buffer of length " + out.length + " < code length " + length);
        }
        // the base-q digits once (digit j = (a / q^j) mod q), then Horner's rule per position
        int d0 = (int) (account % q);
        long rest = account / q;
        if (degree == 2) {
            long d1 = rest % q;
            long d2 = rest / q % q;
            for (int i = 0; i < length; i++) {
                // long: q may be up to 65,521, so products reach ~4.3e9
                out[i] = (int) (((d2 * i + d1) % q * i + d0) % q);
            }
            return;
        }
        int[] digits = new int[degree + 1];
        digits[0] = d0;
        for (int j = 1; j <= degree; j++) {
            digits[j] = (int) (rest % q);
            rest /= q;
        }
        for (int i = 0; i < length; i++) {
            long v = 0;
            for (int j = degree; j >= 0; j--) {
                v = (v * i + digits[j]) % q;
            }
            out[i] = (int) v;
        }
    }

    /**
     * Positive groups needed to accuse an account when at most {@code coalition} accounts
     * harvested: degree * coalition + 1.
     *
     * @throws IllegalArgumentException if that exceeds the code length (the code cannot separate
     *     coalitions that large)
     */
    public int threshold(int coalition) {
        if (coalition < 1) {
            throw new IllegalArgumentException("coalition bound must be >= 1, got " + coalition);
        }
        long t = (long) degree * coalition + 1;
        if (t > length) {
            throw new IllegalArgumentException("account code of length " + length + " and degree " + degree
                    + " separates coalitions of at most " + maxCoalition() + " accounts, not " + coalition);
        }
        return (int) t;
    }

    /** The largest coalition the code separates: floor((length - 1) / degree). */
    public int maxCoalition() {
        return degree == 0 ? Integer.MAX_VALUE : (length - 1) / degree;
    }

    private static boolean isPrime(int n) {
        for (int d = 2; (long) d * d <= n; d++) {
            if (n % d == 0) {
                return false;
            }
        }
        return n >= 2;
    }
}
