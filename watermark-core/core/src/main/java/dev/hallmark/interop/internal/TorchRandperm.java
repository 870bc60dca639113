package dev.hallmark.interop.internal;

import java.util.Arrays;

/**
 * {@code torch.randperm(n, generator=g)} on CPU, bit for bit, with partial forms that run only the
 * shuffle steps a prefix needs.
 *
 * <p>PyTorch's {@code randperm_cpu} (for {@code n < 2^32 / 20}) starts from the identity and runs
 * <pre>
 *   for i in 0 .. n-2:  z = g.random() % (n - i);  swap(r[i], r[i + z])
 * </pre>
 * Step {@code i} fixes position {@code i} for good (later steps only touch positions {@code > i}),
 * so the first {@code k} entries of the permutation, and hence membership in them, are fully
 * determined by the first {@code min(k, n-1)} steps. KGW green lists are such prefixes
 * ({@code k = int(n * gamma)}), which is why a green-list test needs a quarter of the work of the
 * full permutation for gamma 0.25.
 *
 * <p>Two forms are offered:
 * <ul>
 *   <li>{@link #prefix(TorchMt19937, Workspace, int[], int)}: materialises the prefix through a reusable
 *       identity buffer; the positions a call touched are restored afterwards (every touched
 *       position {@code p} is simply reset to {@code p}), so repeated calls allocate nothing and
 *       cost O(k), not O(n).</li>
 *   <li>{@link #inPrefix(TorchMt19937, int)}: decides whether one value lands in the prefix
 *       without any array, by following that value's position through the swaps: with the value
 *       at position {@code p} (initially the value itself), step {@code i} either moves it
 *       ({@code p == i}: to {@code i + z}, or it stays at {@code i} if {@code z == 0}) or pulls it
 *       into position {@code i} ({@code i + z == p}). Once at a position {@code i < k} it is in the
 *       prefix for good, so the loop stops early.</li>
 * </ul>
 * Both draw exactly the same generator outputs as torch for the steps they run. The modulo
 * {@code random() % (n - i)} is computed with precomputed 64-bit reciprocals (Lemire, Kaser and
 * Kurz, "Faster remainder by direct computation", 2019), exact for all 32-bit operands.
 *
 * <p>An instance holds the reciprocal table for one {@code (n, k)} and is immutable and
 * thread-safe; {@link Workspace} holds the mutable buffer of {@link #prefix}.
 *
 * <p>Not reproduced: torch's path for {@code n >= 2^32 / 20} (it switches to {@code random64()} and
 * an inside-out shuffle), and CUDA's {@code randperm}, which is a different algorithm altogether
 * (green lists generated on GPU differ); the factory rejects the former.
 */
public final class TorchRandperm {

    /** Torch uses the loop above only below this size. */
    public static final long MAX_N = 0xFFFF_FFFFL / 20;

    private final int n;
    private final int k;
    private final int steps;
    /** {@code reciprocal[i] = floor((2^64 - 1) / (n - i)) + 1} (mod 2^64), for i &lt; steps. */
    private final long[] reciprocal;
    /**
     * 32-bit divisibility by {@code d = n - i = odd * 2^s} (Granlund and Montgomery 1994):
     * {@code oddInverse[i]} = inverse of the odd part mod 2^32, {@code oddLimit[i]} =
     * floor((2^32-1)/odd) (0 when odd == 1), {@code lowMask[i] = 2^s - 1}.
     */
    private final int[] oddInverse;
    private final int[] oddLimit;
    private final int[] lowMask;
    /** 0, 1, ..., 623: the loop index as an array, for the vectorised prefilter. */
    private static final int[] IOTA = new int[TorchMt19937.N];

    static {
        for (int i = 0; i < IOTA.length; i++) {
            IOTA[i] = i;
        }
    }

    private TorchRandperm(int n, int k) {
        this.n = n;
        this.k = k;
        this.steps = Math.min(k, n - 1);
        this.reciprocal = new long[steps];
        this.oddInverse = new int[steps];
        this.oddLimit = new int[steps];
        this.lowMask = new int[steps];
        for (int i = 0; i < steps; i++) {
            int d = n - i;
            reciprocal[i] = Long.divideUnsigned(-1L, d) + 1;
            int tz = Integer.numberOfTrailingZeros(d);
            int odd = d >>> tz;
            lowMask[i] = (1 << tz) - 1;
            if (odd == 1) {
                oddInverse[i] = 0;
                oddLimit[i] = 0;
            } else {
                oddInverse[i] = inverseMod32(odd);
                oddLimit[i] = (int) (0xFFFF_FFFFL / odd);
            }
        }
    }

    /**
     * Prefix machinery for the first {@code k} entries of {@code randperm(n)}.
     *
     * @param n permutation size, in [1, {@link #MAX_N})
     * @param k prefix length, in [0, n]
     * @return the (immutable) prefix helper
     */
    public static TorchRandperm of(int n, int k) {
        if (n < 1 || n >= MAX_N) {
            throw new IllegalArgumentException(
                    "randperm size must be in [1, " + MAX_N + ") (torch uses another algorithm above), got " + n);
        }
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("prefix length must be in [0, " + n + "], got " + k);
        }
        return new TorchRandperm(n, k);
    }

    /** @return the permutation size n */
    public int size() {
        return n;
    }

    /** @return the prefix length k */
    public int prefixLength() {
        return k;
    }

    /**
     * The full {@code torch.randperm(n, generator=rng)} (all {@code n - 1} steps) into {@code out}.
     *
     * @param rng the generator, advanced by {@code n - 1} outputs
     * @param n   permutation size, in [1, {@link #MAX_N})
     * @param out destination of length at least {@code n}
     */
    public static void full(TorchMt19937 rng, int n, int[] out) {
        if (n < 1 || n >= MAX_N) {
            throw new IllegalArgumentException(
                    "randperm size must be in [1, " + MAX_N + ") (torch uses another algorithm above), got " + n);
        }
        if (out.length < n) {
            throw new IllegalArgumentException("output needs " + n + " slots, has " + out.length);
        }
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        for (int i = 0; i < n - 1; i++) {
            int j = i + (int) (rng.random() % (n - i));
            int t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
    }

    /**
     * Whether {@code value} is among the first k entries of {@code randperm(n)} drawn from
     * {@code rng}; allocation-free, stops as soon as the answer is known.
     *
     * @param rng   the generator (freshly seeded by the caller); advanced by up to {@code min(k, n-1)}
     *              outputs
     * @param value a value in [0, n)
     * @return true iff {@code value} is in the prefix
     */
    public boolean inPrefix(TorchMt19937 rng, int value) {
        if (value < 0 || value >= n) {
            throw new IllegalArgumentException("value must be in [0, " + n + "), got " + value);
        }
        final long[] rec = reciprocal;
        final int steps = this.steps;
        final int n = this.n;
        int pos = value;
        // Before step `pos`, step i pulls the value iff random % (n - i) == pos - i, i.e. iff
        // (random + (n - pos)) is divisible by n - i: one constant offset until the value moves.
        long offset = n - pos;
        int i = 0;
        while (i < steps) {
            // Consume the generator a block at a time: plain array reads in the inner loop, with a
            // single induction variable b (step i = b + shift) so bounds checks hoist out.
            final int[] block = rng.block();
            final int start = rng.blockPosition();
            final int end = Math.min(block.length, start + (steps - i));
            final int shift = i - start;
            int b = start;
            while (b < end) {
                final int stop = Math.min(end, pos - shift);
                if (b < stop && mayPull(block, b, stop, shift, pos)) {
                    for (; b < stop; b++) {
                        final long c = rec[b + shift];
                        if (divisible(Integer.toUnsignedLong(block[b]) + offset, c)) {
                            rng.advance(b + 1 - start);
                            return true;
                        }
                    }
                }
                b = Math.max(b, stop);
                if (b < end) {
                    // The step at the value's own position: it stays (z == 0, so it is in the
                    // prefix for good) or moves to step + z.
                    final int step = b + shift;
                    final int z = fastMod(block[b], rec[step], n - step);
                    b++;
                    if (z == 0) {
                        rng.advance(b - start);
                        return true;
                    }
                    pos = step + z;
                    offset = n - pos;
                }
            }
            rng.advance(end - start);
            i += end - start;
        }
        // Only reachable without early exit; when k == n the last position needs no step.
        return pos < k;
    }

    /**
     * A filter with no false negatives for "some step {@code i = b + shift}, {@code b} in
     * [from, to), pulls the value at {@code pos}", i.e. {@code block[b] % (n - i) == pos - i}.
     * It tests whether {@code x = block[b] - (pos - i)} (mod 2^32) is divisible by {@code n - i}
     * with 32-bit arithmetic only: x times the inverse of the odd part at most floor((2^32-1)/odd),
     * and the low bits zero. That is exact whenever {@code block[b] >= pos - i} (x did not wrap);
     * a wrapped x (probability below 2^-14 per step at V = 151,669) may report a hit that the exact
     * 64-bit test then rejects. Branch-free with an AND reduction, every array read at one offset:
     * the shape C2 vectorises.
     *
     * <p>The sign bit of {@code y | (limit - y) | -(x & mask)} is 0 exactly when y &lt;= limit (both
     * below 2^31 when y is non-negative; a negative y sets the bit itself) and the low bits are 0.
     */
    private boolean mayPull(int[] block, int from, int to, int shift, int pos) {
        final int[] inv = oddInverse;
        final int[] lim = oddLimit;
        final int[] mask = lowMask;
        final int[] iota = IOTA;
        final int k = shift - pos;
        int acc = -1;
        for (int b = from; b < to; b++) {
            int x = block[b] + iota[b] + k;
            int y = x * inv[b + shift];
            acc &= y | (lim[b + shift] - y) | -(x & mask[b + shift]);
        }
        return acc >= 0;
    }

    /** The inverse of an odd {@code a} modulo 2^32 (Newton iteration, 5 steps from a). */
    static int inverseMod32(int a) {
        int x = a; // correct to 3 bits for odd a
        for (int i = 0; i < 4; i++) {
            x *= 2 - a * x;
        }
        return x;
    }

    /**
     * Writes the first k entries of {@code randperm(n)} drawn from {@code rng} into
     * {@code out[off .. off+k)}, in permutation order.
     *
     * @param rng the generator (freshly seeded by the caller); advanced by {@code min(k, n-1)} outputs
     * @param workspace a workspace of this size (see {@link #newWorkspace()}); left as found
     * @param out destination
     * @param off offset into {@code out}
     */
    public void prefix(TorchMt19937 rng, Workspace workspace, int[] out, int off) {
        if (workspace.perm.length != n) {
            throw new IllegalArgumentException(
                    "workspace is for n=" + workspace.perm.length + ", this randperm has n=" + n);
        }
        if (off < 0 || out.length - off < k) {
            throw new IllegalArgumentException("output needs " + k + " slots from offset " + off);
        }
        final int[] perm = workspace.perm;
        final int[] touched = workspace.touched;
        final long[] rec = reciprocal;
        final int n = this.n;
        int i = 0;
        while (i < steps) {
            final int[] block = rng.block();
            final int start = rng.blockPosition();
            final int end = Math.min(block.length, start + (steps - i));
            for (int b = start; b < end; b++, i++) {
                int j = i + fastMod(block[b], rec[i], n - i);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
                touched[i] = j;
            }
            rng.advance(end - start);
        }
        System.arraycopy(perm, 0, out, off, k);
        // Restore the identity: only positions i < steps and the swap partners were written.
        for (int r = 0; r < steps; r++) {
            int j = touched[r];
            perm[j] = j;
            perm[r] = r;
        }
    }

    /** @return a fresh workspace for {@link #prefix}: an identity array of size n plus k indices */
    public Workspace newWorkspace() {
        return new Workspace(n, steps);
    }

    /**
     * The reusable identity buffer for {@link #prefix}. Mutable, not thread-safe; one per thread.
     */
    public static final class Workspace {
        private final int[] perm;
        private final int[] touched;

        private Workspace(int n, int steps) {
            perm = new int[n];
            Arrays.setAll(perm, i -> i);
            touched = new int[steps];
        }

        /** @return true iff the buffer is the identity (a check for tests) */
        boolean isIdentity() {
            for (int i = 0; i < perm.length; i++) {
                if (perm[i] != i) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Whether {@code d} divides {@code a}, for {@code a >= 0} with {@code a * d < 2^64}, where
     * {@code c = floor((2^64-1)/d) + 1} is the reciprocal of d (Lemire, Kaser and Kurz 2019).
     */
    static boolean divisible(long a, long c) {
        // Write c * d = 2^64 + e with 0 <= e < d. If d | a, then a * c mod 2^64 = a * e / d < a
        // <= floor((2^64-1)/d) = c - 1. Otherwise, with r = a mod d > 0, a * c mod 2^64 =
        // r * 2^64 / d + a * e / d, which is below 2^64 and at least 2^64 / d > c - 1.
        // Callers: a < 2^33 (a 32-bit output plus an offset below 2^31), d < 2^28.
        return a * c + Long.MIN_VALUE <= (c - 1) + Long.MIN_VALUE;
    }

    /**
     * {@code Integer.toUnsignedLong(a) % d} for {@code 1 <= d < 2^31} via a precomputed reciprocal
     * {@code c = floor((2^64-1)/d) + 1}: the remainder is the high 64 bits of {@code (c * a mod 2^64) * d}.
     */
    static int fastMod(int a, long c, int d) {
        long low = c * Integer.toUnsignedLong(a);
        // Unsigned high word of low * d (d > 0): signed high word plus the correction for low's sign bit.
        return (int) (Math.multiplyHigh(low, d) + ((low >> 63) & d));
    }
}
