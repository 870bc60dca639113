package dev.hallmark.embed;

import dev.hallmark.interop.internal.VllmPrf;
import dev.hallmark.key.VllmKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.scheme.Tuples;
import dev.hallmark.scheme.VllmDualKeyGumbelScheme;
import dev.hallmark.scheme.VllmGumbelScheme;
import dev.hallmark.scheme.VllmKeyed;
import dev.hallmark.scheme.VllmSbwScheme;
import dev.hallmark.scheme.VllmScheme;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Generates text that vLLM's own detectors recognise: the sampling rules of vLLM's watermarkers
 * ({@code vllm/v1/watermarking}), with the same PRF, contexts and de-duplication.
 * <ul>
 *   <li><b>Contexts</b>: only generated tokens count; the context of a step is the last W generated
 *       tokens, -1 where fewer than W exist (the prompt is never part of it).</li>
 *   <li><b>De-duplication</b> ({@link VllmGeneration#scope()}): a step whose context equals the
 *       (-1-padded) context of an earlier history position among the last {@code maxHistory}
 *       positions is sampled without the watermark. {@code single_turn} searches the generated
 *       tokens, {@code all} the prompt too and also skips the first W steps (partial contexts),
 *       {@code none} never skips.</li>
 *   <li><b>gumbel</b>: the first index maximising {@code float32(logit + float32(-log(-log u)))} with
 *       u from the Philox PRF. Tokens whose logit cannot reach the current best (the noise lies in
 *       [-2.82, 16.64]) are not evaluated: the result is the same.</li>
 *   <li><b>dual_key_gumbel</b>: alpha 0 and 1 are gumbel with key_a and key_b; otherwise one routing
 *       draw per step ({@code random.nextDouble() >= 1 - alpha} selects key B), skipped steps
 *       included, as vLLM draws it.</li>
 *   <li><b>sbw</b>: logits plus {@code delta} on green tokens (float32), then the ordinary draw;
 *       skipped steps draw from the unbiased logits.</li>
 *   <li><b>Ordinary draws</b> ({@link VllmGeneration#greedy()}): the first largest logit, or a
 *       softmax draw from the given logits with {@code random}.</li>
 * </ul>
 *
 * <p><b>Logits.</b> The sampler uses the logits as given: pass what vLLM's watermarker sees (for
 * gumbel, temperature-scaled with top-k / top-p masked as -infinity; for sbw, vLLM adds the bias
 * before temperature, so for temperature T pass logits / T and {@code delta / T}). Greedy requests
 * are not watermarked by vLLM's gumbel; that choice is the caller's.
 *
 * <p><b>Requests.</b> As a {@link TokenSampler}, {@code context} is the prompt followed by the
 * tokens generated so far: the first call after construction or {@link #reset()} takes its context
 * as the prompt; later calls must extend it. One instance per sequence; not thread-safe;
 * allocation-free per step after warm-up (the history buffer grows by doubling). The trace counters
 * ({@link #dedupSkips()} ...) are those of vLLM's golden tests.
 */
public final class VllmSampler implements TokenSampler {

    /** Largest Gumbel noise: u = 1 - 2^-24 (the largest uniform) gives -log(-log u). */
    private static final float MAX_NOISE = VllmPrf.gumbelNoise(-1);

    private final VllmKeyed keyed;
    private final VllmScheme scheme;
    private final VllmGeneration gen;
    private final int vocab;
    private final int w;
    private final int kind;
    private final VllmPrf prfA;
    private final VllmPrf prfB;
    private final double alpha;
    private final float delta;
    private final int[] state = new int[4];
    private final int[] block = new int[4];
    private final double[] cumulative;
    private final long[] tuple = new long[2];
    private final ContextIndex index = new ContextIndex(1024);

    /** [-1] * W + history (history = prompt + generated for scope ALL, else generated). */
    private int[] buf;
    private int bufLen;
    private int indexed;
    private int promptLen = -1;
    private int generated;

    private long dedupSkips;
    private long partialContextSkips;
    private long routingDraws;
    private long keyBRouted;
    private long keyBEffective;

    private VllmSampler(VllmKeyed keyed, VllmKey key, VllmGeneration gen, int vocab) {
        if (vocab < 1) {
            throw new IllegalArgumentException("vocabulary size must be >= 1, got " + vocab);
        }
        this.keyed = keyed;
        this.scheme = keyed.scheme();
        this.gen = Objects.requireNonNull(gen, "gen");
        this.vocab = vocab;
        this.w = scheme.context();
        if (scheme.vocab() > 0 && scheme.vocab() != vocab) {
            throw new IllegalArgumentException("scheme " + scheme + " declares vocab " + scheme.vocab()
                    + " but the sampler's vocabulary has " + vocab + " entries");
        }
        if (scheme instanceof VllmGumbelScheme) {
            kind = 0;
            prfA = VllmPrf.of(key.secretBits());
            prfB = null;
            alpha = 0;
        } else if (scheme instanceof VllmDualKeyGumbelScheme d) {
            kind = 1;
            prfA = VllmPrf.of(key.keyA().secretBits());
            prfB = VllmPrf.of(key.keyB().secretBits());
            alpha = d.alpha();
        } else {
            kind = 2;
            prfA = null;
            prfB = null;
            alpha = 0;
        }
        this.delta = (float) gen.sbwDelta();
        this.cumulative = gen.greedy() ? null : new double[vocab];
        this.buf = new int[Math.max(64, 2 * w)];
        reset();
    }

    /**
     * A sampler for a {@code vllm-*} scheme and vLLM's key.
     *
     * @param scheme         a {@link VllmScheme}
     * @param key            vLLM's key
     * @param gen            the generation settings
     * @param vocabularySize the number of logits per step
     * @throws IllegalArgumentException if the scheme is not a vLLM scheme
     */
    public static VllmSampler of(Scheme scheme, VllmKey key, VllmGeneration gen, int vocabularySize) {
        Objects.requireNonNull(key, "key");
        KeyedScheme k = KeyedScheme.of(scheme, key);
        return new VllmSampler((VllmKeyed) k, key, gen, vocabularySize);
    }

    @Override
    public int next(float[] logits, int[] context, int contextOffset, int contextLength, RandomGenerator random) {
        if (logits.length < vocab) {
            throw new IllegalArgumentException("logits has " + logits.length + " entries, the vocabulary has " + vocab);
        }
        absorbContext(context, contextOffset, contextLength);
        boolean skip = repeated();
        boolean routeB = kind == 1 && alpha == 1;
        if (kind == 1 && alpha > 0 && alpha < 1) {
            routingDraws++;
            routeB = random.nextDouble() >= 1 - alpha;
            if (routeB) {
                keyBRouted++;
                if (!skip) {
                    keyBEffective++;
                }
            }
        }
        if (skip) {
            dedupSkips++;
            if (generated < w) {
                partialContextSkips++;
            }
            return ordinary(logits, random);
        }
        if (kind == 2) {
            return sbw(logits, random);
        }
        (routeB ? prfB : prfA).absorb(buf, 0, bufLen, w, state);
        return gumbel(logits, routeB ? prfB : prfA);
    }

    /** Takes the prompt on the first call, then the tokens appended since the last call. */
    private void absorbContext(int[] context, int off, int len) {
        if (promptLen < 0) {
            promptLen = len;
            for (int i = 0; i < len; i++) {
                checkToken(context[off + i], i);
                if (gen.scope() == VllmGeneration.Scope.ALL) {
                    append(context[off + i]);
                }
            }
            return;
        }
        int known = promptLen + generated;
        if (len < known) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "context has %d tokens but this request "
                    + "already has %d (prompt %d + generated %d): call reset() before a new request", len, known,
                    promptLen, generated));
        }
        for (int i = known; i < len; i++) {
            checkToken(context[off + i], i);
            append(context[off + i]);
            generated++;
        }
    }

    private void checkToken(int v, int position) {
        if (v < 0 || v >= vocab) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "context token id %d at position %d is outside the vocabulary [0, %d)", v, position, vocab));
        }
    }

    private void append(int v) {
        if (bufLen == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[bufLen++] = v;
    }

    /** vLLM's repeated_context_mask for the current step. */
    private boolean repeated() {
        VllmGeneration.Scope scope = gen.scope();
        if (scope == VllmGeneration.Scope.NONE) {
            return false;
        }
        if (scope == VllmGeneration.Scope.ALL && generated < w) {
            return true;
        }
        int histLen = bufLen - w;
        // index the contexts of history positions [indexed, histLen): position j's context is buf[j .. j + w)
        for (; indexed < histLen; indexed++) {
            Tuples.of(buf, indexed, w - 1, buf[indexed + w - 1], tuple);
            index.put(tuple[0], tuple[1], indexed);
        }
        if (histLen == 0) {
            return false;
        }
        Tuples.of(buf, histLen, w - 1, buf[histLen + w - 1], tuple);
        int latest = index.latest(tuple[0], tuple[1]);
        int start = gen.maxHistory() > 0 ? Math.max(0, histLen - gen.maxHistory()) : 0;
        return latest >= start;
    }

    private int gumbel(float[] logits, VllmPrf prf) {
        // start from the largest logit (its value bounds which tokens can still win)
        int top = argmax(logits);
        int best = top;
        float bestVal = logits[top] + VllmPrf.gumbelNoise(prf.word(state, top));
        int lastBlock = -1;
        for (int v = 0; v < vocab; v++) {
            float l = logits[v];
            if (v == top || !(l + MAX_NOISE >= bestVal) || l == Float.NEGATIVE_INFINITY) {
                continue; // cannot reach the best: the noise is at most MAX_NOISE (NaN logits never win)
            }
            int b = v >>> 2;
            if (b != lastBlock) {
                prf.block(state, b, block);
                lastBlock = b;
            }
            float val = l + VllmPrf.gumbelNoise(block[v & 3]);
            if (val > bestVal || (val == bestVal && v < best)) {
                bestVal = val;
                best = v;
            }
        }
        return best;
    }

    private int sbw(float[] logits, RandomGenerator random) {
        int end = bufLen;
        int start = gen.scope() == VllmGeneration.Scope.ALL ? w + promptLen : w;
        // buf holds [-1]*w before position w; the generated tokens start at index `start`
        if (gen.greedy()) {
            int top = argmax(logits);
            float topVal = keyed.isGreen(buf, start, end, top) ? logits[top] + delta : logits[top];
            int best = top;
            for (int v = 0; v < vocab; v++) {
                float l = logits[v];
                if (v == top || !(l + delta >= topVal)) {
                    continue; // even green it stays below the best
                }
                float val = keyed.isGreen(buf, start, end, v) ? l + delta : l;
                if (val > topVal || (val == topVal && v < best)) {
                    topVal = val;
                    best = v;
                }
            }
            return best;
        }
        // exact draw from softmax(logits + delta * green) by rejection: propose from softmax(logits),
        // keep a green proposal, a red one with probability e^-delta (any number of proposals gives
        // the target law; after 64 the full scan below draws from that same law)
        double total = cdf(logits);
        double keepRed = Math.exp(-delta);
        for (int t = 0; t < 64; t++) {
            int v = draw(random.nextDouble() * total);
            if (keyed.isGreen(buf, start, end, v) || random.nextDouble() < keepRed) {
                return v;
            }
        }
        float max = logits[argmax(logits)];
        double acc = 0;
        for (int v = 0; v < vocab; v++) {
            float l = logits[v];
            double wgt = l == Float.NEGATIVE_INFINITY ? 0
                    : Math.exp((keyed.isGreen(buf, start, end, v) ? l + delta : l) - (double) max - delta);
            acc += wgt;
            cumulative[v] = acc;
        }
        return draw(random.nextDouble() * acc);
    }

    private int ordinary(float[] logits, RandomGenerator random) {
        if (gen.greedy()) {
            return argmax(logits);
        }
        return draw(random.nextDouble() * cdf(logits));
    }

    /** Fills the running sums of exp(logit - max); returns the total. */
    private double cdf(float[] logits) {
        float max = logits[argmax(logits)];
        double acc = 0;
        for (int v = 0; v < vocab; v++) {
            float l = logits[v];
            acc += l == Float.NEGATIVE_INFINITY ? 0 : Math.exp((double) l - max);
            cumulative[v] = acc;
        }
        return acc;
    }

    /** The first index whose running sum exceeds {@code x}, skipping zero-weight entries. */
    private int draw(double x) {
        int lo = 0;
        int hi = vocab - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        while (lo > 0 && cumulative[lo] == cumulative[lo - 1]) {
            lo--; // x at the very top: step back to an entry with weight
        }
        return lo;
    }

    /** The first index of the largest logit (torch.argmax), rejecting NaN and all -infinity. */
    private int argmax(float[] logits) {
        int best = -1;
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            float l = logits[v];
            if (l != l) {
                throw new IllegalArgumentException("logit at index " + v + " is NaN");
            }
            if (l > max) {
                max = l;
                best = v;
            }
        }
        if (best < 0) {
            throw new IllegalArgumentException("every logit is -infinity: nothing can be sampled");
        }
        if (max == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("logit at index " + best + " is +infinity");
        }
        return best;
    }

    /** Forgets the request: the next call's context is a new prompt. */
    @Override
    public void reset() {
        Arrays.fill(buf, 0, w, -1);
        bufLen = w;
        indexed = 0;
        index.clear();
        promptLen = -1;
        generated = 0;
        dedupSkips = 0;
        partialContextSkips = 0;
        routingDraws = 0;
        keyBRouted = 0;
        keyBEffective = 0;
    }

    @Override
    public int vocabularySize() {
        return vocab;
    }

    /** @return the keyed scheme (for detection with the same key) */
    public VllmKeyed keyedScheme() {
        return keyed;
    }

    /** Steps sampled without the watermark because their context repeated (vLLM's {@code dedup_skips}). */
    public long dedupSkips() {
        return dedupSkips;
    }

    /** Of those, the steps with fewer than W generated tokens ({@code partial_context_skips}). */
    public long partialContextSkips() {
        return partialContextSkips;
    }

    /** dual_key_gumbel with 0 &lt; alpha &lt; 1: routing draws made ({@code routing_draws}). */
    public long routingDraws() {
        return routingDraws;
    }

    /** Draws routed to key B ({@code key_b_routed}). */
    public long keyBRouted() {
        return keyBRouted;
    }

    /** Watermarked (not skipped) steps routed to key B ({@code key_b_effective}). */
    public long keyBEffective() {
        return keyBEffective;
    }
}
