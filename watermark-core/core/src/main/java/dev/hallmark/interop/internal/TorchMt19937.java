package dev.hallmark.interop.internal;

/**
 * The PyTorch CPU random generator ({@code torch.Generator(device="cpu")}), bit for bit.
 *
 * <p>PyTorch's {@code CPUGeneratorImpl} wraps a 32-bit Mersenne Twister (MT19937, Matsumoto and
 * Nishimura 1998) whose output stream is identical to C++ {@code std::mt19937}:
 * <ul>
 *   <li>{@link #manualSeed(long)} ({@code Generator.manual_seed(s)}): only the <em>low 32 bits</em>
 *       of the 64-bit seed are used: {@code state[0] = s & 0xffffffff},
 *       {@code state[j] = 1812433253 * (state[j-1] ^ (state[j-1] >>> 30)) + j} (mod 2<sup>32</sup>).
 *       Seeds that differ only above bit 31 give the same stream.</li>
 *   <li>{@link #random()} ({@code CPUGeneratorImpl::random()}): one tempered 32-bit output, returned
 *       here as a non-negative {@code long} in [0, 2<sup>32</sup>).</li>
 *   <li>{@link #random64()}: two outputs {@code r1, r2} combined as {@code (r1 << 32) | r2}.</li>
 * </ul>
 * Everything torch derives from this generator on CPU ({@code randperm}, {@code randint}) is
 * defined in terms of these three operations; see {@link TorchRandperm}.
 *
 * <p>Instances are mutable and not thread-safe (a generator is a stream); reseeding with
 * {@link #manualSeed(long)} reuses the state array, so a hot loop allocates nothing.
 *
 * <p>Reference: PyTorch {@code aten/src/ATen/core/MT19937RNGEngine.h} and
 * {@code CPUGeneratorImpl.cpp}; the known-answer values of C++ [rand.predef] hold
 * (seed 5489: the 10,000th output is 4123659995).
 */
public final class TorchMt19937 {

    static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    /** The current MT state; {@link #twist()} writes the next state into {@link #spare} and swaps. */
    private int[] state = new int[N];
    private int[] spare = new int[N];
    /** Scratch for the shifted views the vectorisable twist reads. */
    private final int[] scratch = new int[N];
    /** The current block of tempered outputs (tempering is done once per word, at twist time). */
    private final int[] tempered = new int[N];
    /** Index of the next output in {@link #tempered}; {@code N} means "twist first". */
    private int next;
    private long seed;

    private TorchMt19937(long seed) {
        manualSeed(seed);
    }

    /**
     * A generator seeded like {@code torch.Generator().manual_seed(seed)}.
     *
     * @param seed the 64-bit seed as torch receives it (two's complement bits for negative values,
     *             as PyTorch reinterprets a negative Python int); only the low 32 bits matter
     * @return a new generator
     */
    public static TorchMt19937 seeded(long seed) {
        return new TorchMt19937(seed);
    }

    /**
     * Reseeds in place, exactly like {@code Generator.manual_seed(seed)} on CPU.
     *
     * @param seed the seed; bits above 31 are ignored by the engine (kept for {@link #seed()})
     */
    public void manualSeed(long seed) {
        this.seed = seed;
        int[] s = state;
        int prev = (int) seed;
        s[0] = prev;
        for (int j = 1; j < N; j++) {
            prev = 1812433253 * (prev ^ (prev >>> 30)) + j;
            s[j] = prev;
        }
        next = N;
    }

    /** @return the seed last given to {@link #manualSeed(long)} (as given, all 64 bits) */
    public long seed() {
        return seed;
    }

    /**
     * One tempered MT19937 output, as {@code CPUGeneratorImpl::random()}.
     *
     * @return a value in [0, 2<sup>32</sup>)
     */
    public long random() {
        return Integer.toUnsignedLong(nextInt());
    }

    /**
     * Two outputs combined high word first, as {@code CPUGeneratorImpl::random64()}.
     *
     * @return {@code (random() << 32) | random()} as raw 64 bits
     */
    public long random64() {
        long hi = Integer.toUnsignedLong(nextInt());
        long lo = Integer.toUnsignedLong(nextInt());
        return (hi << 32) | lo;
    }

    /**
     * {@code torch.randint(0, bound, ...)} for one element on CPU with {@code bound < 2^32}:
     * {@code random() % bound} (no rejection: the reference's modulo bias is reproduced).
     *
     * @param bound exclusive upper bound, in [1, 2<sup>32</sup>)
     * @return a value in [0, bound)
     */
    public long randint(long bound) {
        if (bound < 1 || bound > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(
                    "randint bound must be in [1, 2^32) (torch switches to random64 above), got " + bound);
        }
        return random() % bound;
    }

    /** Raw tempered output as an int (the 32 bits of {@link #random()}); the hot-path form. */
    int nextInt() {
        if (next >= N) {
            twist();
        }
        return tempered[next++];
    }

    /**
     * Bulk access for hot loops: makes outputs available and returns the block that holds them;
     * the next output is {@code block[blockPosition()]} and the block holds outputs up to index
     * {@code N - 1}. Callers consume with {@link #advance(int)}.
     */
    int[] block() {
        if (next >= N) {
            twist();
        }
        return tempered;
    }

    /** @return index in {@link #block()} of the next output */
    int blockPosition() {
        return next;
    }

    /** Marks {@code count} outputs of the current block as consumed. */
    void advance(int count) {
        next += count;
    }

    /**
     * Regenerates all N words (MT19937 "next_state") and tempers them, into a second buffer.
     *
     * <p>The recurrence is {@code s'[k] = s[k+M] ^ twist(s[k], s[k+1])} (reading already new words
     * {@code s'[k-(N-M)]} for {@code k >= N-M}), with {@code twist(a, b) = (((a & UPPER) | (b & LOWER)) >>> 1)
     * ^ (b odd ? MATRIX_A : 0)}. It is computed in passes in which every array is read and written at
     * one offset only (shifted views come from {@code System.arraycopy}), the shape HotSpot's C2
     * auto-vectoriser accepts; a loop reading one array at two offsets (k and k+1) stays scalar and
     * was 3x slower.
     */
    private void twist() {
        final int[] s = state;
        final int[] ns = spare;
        final int[] u = scratch;
        final int d = N - M;
        // u[k] = s[k+1]; ns[k] = twist(s[k], s[k+1]) for k < N-1
        System.arraycopy(s, 1, u, 0, N - 1);
        for (int k = 0; k < N - 1; k++) {
            int y = (s[k] & UPPER_MASK) | (u[k] & LOWER_MASK);
            ns[k] = (y >>> 1) ^ ((y & 1) * MATRIX_A);
        }
        // k < N-M: ^= s[k+M]
        System.arraycopy(s, M, u, 0, d);
        for (int k = 0; k < d; k++) {
            ns[k] ^= u[k];
        }
        // N-M <= k < 2(N-M): ^= ns[k-(N-M)], words that are final already
        System.arraycopy(ns, 0, u, 0, d);
        for (int j = 0; j < d; j++) {
            ns[j + d] ^= u[j];
        }
        // 2(N-M) <= k < N-1: ^= ns[k-(N-M)], final after the previous pass
        final int rest = N - 1 - 2 * d;
        System.arraycopy(ns, d, u, 0, rest);
        for (int j = 0; j < rest; j++) {
            ns[j + 2 * d] ^= u[j];
        }
        int y = (s[N - 1] & UPPER_MASK) | (ns[0] & LOWER_MASK);
        ns[N - 1] = ns[M - 1] ^ (y >>> 1) ^ ((y & 1) * MATRIX_A);
        final int[] t = tempered;
        for (int i = 0; i < N; i++) {
            t[i] = temper(ns[i]);
        }
        state = ns;
        spare = s;
        next = 0;
    }

    private static int temper(int v) {
        v ^= v >>> 11;
        v ^= (v << 7) & 0x9d2c5680;
        v ^= (v << 15) & 0xefc60000;
        v ^= v >>> 18;
        return v;
    }
}
