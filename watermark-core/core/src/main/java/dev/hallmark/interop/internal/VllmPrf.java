package dev.hallmark.interop.internal;

/**
 * The keyed functions of vLLM's built-in text watermarks ({@code vllm/v1/watermarking}), bit for bit:
 * the Gumbel PRF {@code philox4x32-10-v1} ({@code prfs/philox.py}, {@code prfs/base.py}) and the SBW
 * green test ({@code sbw.py}), both built on {@link Philox4x32}.
 *
 * <p><b>Contexts.</b> The context of the token at position t is the W tokens before it, oldest
 * first; positions before the start of the sequence are {@code -1} (vLLM pads with -1). The methods
 * here take a token array, the end of the context ({@code end = t}) and {@code start}, the first index
 * that belongs to the sequence: entries before {@code start} read as -1.
 *
 * <p><b>Gumbel PRF</b> for a 64-bit key {@code (k0, k1) = (key & 0xFFFFFFFF, key >>> 32)}: the state
 * {@code S = (0x574D4358, W, 0, 0)} absorbs the context four tokens at a time,
 * {@code S = philox(S ^ block, key = (k0 ^ offset, k1))}, a short last block padded with
 * {@code 0xFFFFFFFF - i}; the token's word is lane {@code t & 3} of
 * {@code philox((t >>> 2, S0, S1, S2), key = (k0 ^ S3, k1 ^ 0x574D544B))}, and the uniform is
 * {@code float32(((word >>> 8) + 1) / (2^24 + 1))}, computed in double and rounded once (as vLLM
 * does; in (0, 1)).
 *
 * <p><b>SBW</b>: Bob Jenkins' integer hash {@link #sbwHash}, a seed per (context, token)
 * ({@link #sbwSelfhashSeed}, {@link #sbwLefthashSeed}), and green iff
 * {@code (philox((v >>> 2, 0, 0, 0), key = seed)[v & 3] & 0x7FFFFFFF) < int(gamma * 0x7FFFFFFF)}.
 *
 * <p>Immutable and thread-safe.
 */
public final class VllmPrf {

    /** Initial state word 0 of the context absorption ({@code "WMCX"}). */
    public static final int CONTEXT_DOMAIN = 0x574D4358;
    /** Mixed into key word 1 of the token call ({@code "WMTK"}). */
    public static final int TOKEN_DOMAIN = 0x574D544B;
    /** 2^24 + 1, the uniform's denominator. */
    private static final double UNIFORM_DENOMINATOR = 16_777_217.0;

    private final int k0;
    private final int k1;

    private VllmPrf(long key) {
        this.k0 = (int) key;
        this.k1 = (int) (key >>> 32);
    }

    /**
     * @param key the 64 key bits (vLLM's unsigned key; dual-key Gumbel passes key_a or key_b)
     * @return the Gumbel PRF for that key
     */
    public static VllmPrf of(long key) {
        return new VllmPrf(key);
    }

    /** Context token {@code i} (index into {@code ids}), -1 before {@code start}. */
    private static int ctx(int[] ids, int start, int i) {
        return i >= start ? ids[i] : -1;
    }

    /**
     * Absorbs the context {@code ids[end - width .. end)} (entries before {@code start} read as -1)
     * into the four-word state that {@link #word(int[], int)} takes.
     *
     * @param state receives the state, length >= 4
     */
    public void absorb(int[] ids, int start, int end, int width, int[] state) {
        int s0 = CONTEXT_DOMAIN;
        int s1 = width;
        int s2 = 0;
        int s3 = 0;
        int base = end - width;
        for (int off = 0; off < width; off += 4) {
            int b0 = ctx(ids, start, base + off);
            int b1 = off + 1 < width ? ctx(ids, start, base + off + 1) : 0xFFFFFFFF - 1;
            int b2 = off + 2 < width ? ctx(ids, start, base + off + 2) : 0xFFFFFFFF - 2;
            int b3 = off + 3 < width ? ctx(ids, start, base + off + 3) : 0xFFFFFFFF - 3;
            Philox4x32.block(s0 ^ b0, s1 ^ b1, s2 ^ b2, s3 ^ b3, k0 ^ off, k1, state, 0);
            s0 = state[0];
            s1 = state[1];
            s2 = state[2];
            s3 = state[3];
        }
        state[0] = s0;
        state[1] = s1;
        state[2] = s2;
        state[3] = s3;
    }

    /** The raw 32-bit word for {@code token} after an absorbed context {@code state}. */
    public int word(int[] state, int token) {
        return Philox4x32.word(token >>> 2, state[0], state[1], state[2], k0 ^ state[3], k1 ^ TOKEN_DOMAIN, token);
    }

    /**
     * The four raw words of tokens {@code 4 b .. 4 b + 3} after an absorbed context {@code state}
     * (one Philox call serves four consecutive token ids).
     *
     * @param out receives the words at {@code out[0 .. 4)}
     */
    public void block(int[] state, int b, int[] out) {
        Philox4x32.block(b, state[0], state[1], state[2], k0 ^ state[3], k1 ^ TOKEN_DOMAIN, out, 0);
    }

    /**
     * The raw word for {@code token} after the context {@code ids[end - width .. end)}, without a
     * state array (allocation-free and thread-safe: the scoring path).
     */
    public int word(int[] ids, int start, int end, int width, int token) {
        int base = end - width;
        if (width <= 4 && base >= start) {
            return wordShort(ids, base, width, token);
        }
        int s0 = CONTEXT_DOMAIN;
        int s1 = width;
        int s2 = 0;
        int s3 = 0;
        for (int off = 0; off < width; off += 4) {
            int c0 = s0 ^ ctx(ids, start, base + off);
            int c1 = s1 ^ (off + 1 < width ? ctx(ids, start, base + off + 1) : 0xFFFFFFFF - 1);
            int c2 = s2 ^ (off + 2 < width ? ctx(ids, start, base + off + 2) : 0xFFFFFFFF - 2);
            int c3 = s3 ^ (off + 3 < width ? ctx(ids, start, base + off + 3) : 0xFFFFFFFF - 3);
            int rk0 = k0 ^ off;
            int rk1 = k1;
            // Philox4x32-10 inline: four output words are needed as the next state
            for (int r = 0; r < 10; r++) {
                long p0 = (c0 & 0xFFFF_FFFFL) * Philox4x32.M0;
                long p1 = (c2 & 0xFFFF_FFFFL) * Philox4x32.M1;
                int n0 = (int) (p1 >>> 32) ^ c1 ^ rk0;
                int n2 = (int) (p0 >>> 32) ^ c3 ^ rk1;
                c1 = (int) p1;
                c3 = (int) p0;
                c0 = n0;
                c2 = n2;
                rk0 += Philox4x32.W0;
                rk1 += Philox4x32.W1;
            }
            s0 = c0;
            s1 = c1;
            s2 = c2;
            s3 = c3;
        }
        return Philox4x32.word(token >>> 2, s0, s1, s2, k0 ^ s3, k1 ^ TOKEN_DOMAIN, token);
    }

    /** {@link #word(int[], int, int, int, int)} for a context of at most 4 tokens, all inside the sequence. */
    private int wordShort(int[] ids, int base, int width, int token) {
        int c0 = CONTEXT_DOMAIN ^ ids[base];
        int c1 = width ^ (width > 1 ? ids[base + 1] : 0xFFFFFFFF - 1);
        int c2 = width > 2 ? ids[base + 2] : 0xFFFFFFFF - 2;
        int c3 = width > 3 ? ids[base + 3] : 0xFFFFFFFF - 3;
        int rk0 = k0;
        int rk1 = k1;
        for (int r = 0; r < 10; r++) {
            long p0 = (c0 & 0xFFFF_FFFFL) * Philox4x32.M0;
            long p1 = (c2 & 0xFFFF_FFFFL) * Philox4x32.M1;
            int n0 = (int) (p1 >>> 32) ^ c1 ^ rk0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ rk1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            rk0 += Philox4x32.W0;
            rk1 += Philox4x32.W1;
        }
        return Philox4x32.word(token >>> 2, c0, c1, c2, k0 ^ c3, k1 ^ TOKEN_DOMAIN, token);
    }

    /** vLLM's {@code uint32_to_uniform}: {@code float32(((word >>> 8) + 1) / (2^24 + 1))}, in (0, 1). */
    public static float uniform(int word) {
        return (float) (((word >>> 8) + 1.0) / UNIFORM_DENOMINATOR);
    }

    /**
     * The detector's per-token score {@code -log1p(-(double) u)} for the word's uniform u, computed as
     * {@code -log(1 - u)}: {@code 1 - u} is exact in double for a float u, and the logarithm is the
     * fast intrinsic (both forms are within an ulp or so of the true value).
     */
    public static double score(int word) {
        return -Math.log(1.0 - uniform(word));
    }

    /**
     * The Gumbel noise vLLM adds to a logit, {@code -log(-log(u))} with both logarithms in float32
     * (each a double logarithm rounded to float, which reproduces PyTorch's CPU results on vLLM's
     * goldens).
     */
    public static float gumbelNoise(int word) {
        float u = uniform(word);
        float inner = (float) Math.log(u);
        return -(float) Math.log(-inner);
    }

    // ------------------------------------------------------------------------------------------
    // SBW

    /**
     * Bob Jenkins' integer hash of SBW ({@code _sbw_hashint}) in 32-bit wrapping arithmetic with
     * arithmetic right shifts, sign-extended: {@code h(-1) = 0}.
     */
    public static long sbwHash(int x) {
        int i = x + 1;
        i -= i << 6;
        i ^= i >> 17;
        i -= i << 9;
        i ^= i << 4;
        i -= i << 3;
        i ^= i << 10;
        i ^= i >> 15;
        return i;
    }

    /**
     * The selfhash (anchored min-hash) seed of candidate {@code v} after the context
     * {@code ids[end - width .. end)}: {@code min(key h(v)^2, min_{c in ctx[1:]} key h(c) h(v))} in
     * wrapping signed 64-bit arithmetic. The oldest context token is not used; with width 1 only
     * the self term remains.
     */
    public static long sbwSelfhashSeed(long key, int[] ids, int start, int end, int width, int v) {
        long hv = sbwHash(v);
        long kv = key * hv;
        long seed = kv * hv;
        for (int i = end - width + 1; i < end; i++) {
            long term = kv * sbwHash(ctx(ids, start, i));
            if (term < seed) {
                seed = term;
            }
        }
        return seed;
    }

    /**
     * The lefthash seed of SBW generation, {@code key * sum(ctx)} over the raw context ids (with -1
     * for padding), wrapping signed 64-bit. (vLLM's SBW detector, in the versions read, sums the
     * hashed ids instead; see docs/interop.md.)
     */
    public static long sbwLefthashSeed(long key, int[] ids, int start, int end, int width) {
        long sum = 0;
        for (int i = end - width; i < end; i++) {
            sum += ctx(ids, start, i);
        }
        return key * sum;
    }

    /** The green threshold {@code int(gamma * 0x7FFFFFFF)} (truncated, as Python's int()). */
    public static int sbwGammaThreshold(double gamma) {
        return (int) (gamma * 0x7FFF_FFFF);
    }

    /** The SBW word of token {@code v} under {@code seed}: lane {@code v & 3} of philox((v >>> 2, 0, 0, 0), seed). */
    public static int sbwWord(long seed, int v) {
        return Philox4x32.word(v >>> 2, 0, 0, 0, (int) seed, (int) (seed >>> 32), v);
    }

    /** Whether token {@code v} is green under {@code seed} for the threshold {@link #sbwGammaThreshold}. */
    public static boolean sbwGreen(long seed, int v, int gammaThreshold) {
        return (sbwWord(seed, v) & 0x7FFF_FFFF) < gammaThreshold;
    }
}
