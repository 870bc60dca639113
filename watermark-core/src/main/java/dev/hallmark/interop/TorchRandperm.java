package dev.hallmark.interop;

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
    /** {@code reciprocal[i] = floor((2^64 - 1) / (n - i)) + 1} (mod 2^64), for i < steps. */
    private final long[] reciprocal;

    private TorchRandperm(int n, int k) {
        this.n = n;
        this.k = k;
        this.steps = Math.min(k, n - 1);
        this.reciprocal = new long[steps];
        for (int i = 0; i < steps; i++) {
            reciprocal[i] = Long.divideUnsigned(-1L, n - i) + 1;
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
        int i = 0;
        while (i < steps) {
            // Consume the generator a block at a time: plain array reads in the inner loop, with a
            // single induction variable b (step i = b + shift) so bounds checks hoist out.
            final int[] block = rng.block();
            final int start = rng.blockPosition();
            final int end = Math.min(block.length, start + (steps - i));
            final int shift = i - start;
            for (int b = start; b < end; b++) {
                final int step = b + shift;
                final long c = rec[b + shift];
                if (pos != step) {
                    // Pulled into position `step` iff random % (n - step) == pos - step, tested
                    // without the remainder: r - q >= 0 and divisible by n - step.
                    long rq = Integer.toUnsignedLong(block[b]) - (pos - step);
                    if (rq >= 0 && divisible(rq, c)) {
                        rng.advance(b + 1 - start);
                        return true;
                    }
                } else {
                    int z = fastMod(block[b], c, n - step);
                    if (z == 0) {
                        rng.advance(b + 1 - start);
                        return true;
                    }
                    pos = step + z;
                }
            }
            rng.advance(end - start);
            i += end - start;
        }
        // Only reachable without early exit; when k == n the last position needs no step.
        return pos < k;
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

    /** Whether {@code d} divides {@code a}, for {@code 0 <= a < 2^32} and {@code c} the reciprocal of d. */
    static boolean divisible(long a, long c) {
        // For 0 <= a < 2^32 and c = floor((2^64-1)/d) + 1: d divides a iff a * c <= c - 1 (unsigned).
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
