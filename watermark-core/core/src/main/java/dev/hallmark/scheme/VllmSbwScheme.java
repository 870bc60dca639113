package dev.hallmark.scheme;

import dev.hallmark.interop.internal.VllmPrf;
import dev.hallmark.key.VllmKey;
import java.util.Locale;
import java.util.Set;

/**
 * vLLM's {@code sbw} watermark (Stateless Bernoulli Watermarking: {@code SBWWatermarker} /
 * {@code SBWWatermarkDetector}): a red/green logit bias where token v is green iff a Philox word keyed
 * by a per-(context, v) seed is below {@code int(gamma * 0x7FFFFFFF)} in its low 31 bits.
 * <ul>
 *   <li>{@code selfhash} (default; context 4): anchored min-hash seed
 *       {@code min(key h(v)^2, min_{c in ctx[1:]} key h(c) h(v))};</li>
 *   <li>{@code lefthash} (context 1 by default): {@code key * sum(ctx)}, as vLLM's generator computes
 *       it (its detector, in the versions read, sums hashed ids instead and so does not recognise its
 *       own lefthash output; Hallmark follows the generator, see docs/interop.md).</li>
 * </ul>
 * The detector counts green tokens W among T scored ones; vLLM's p-value is the normal
 * approximation of the z-score with the nominal gamma ({@code reference_p_value}), Hallmark's the
 * exact binomial tail with the exact green probability {@code int(gamma * 0x7FFFFFFF) / 2^31}, on
 * independent (seed, token) units.
 *
 * <p>Spec: {@code vllm-sbw:scheme=S,context=W,gamma=G,dedup=B[,vocab=V]} (canonical in that order;
 * bare {@code vllm-sbw} is selfhash, context 4, gamma 0.5, dedup true). The generator's bias
 * {@code delta} is a sampling setting ({@code dev.hallmark.embed.VllmGeneration}), not part of the spec.
 *
 * @param seeding   selfhash or lefthash
 * @param context   W
 * @param gamma     the green fraction, in (0, 1)
 * @param dedup     the detector's {@code deduplicate_contexts}
 * @param vocab     vocabulary size to check ids against, 0 for none
 * @param inlineKey a key given in the spec, or {@code null}
 */
public record VllmSbwScheme(Seeding seeding, int context, double gamma, boolean dedup, int vocab, VllmKey inlineKey)
        implements VllmScheme {

    public static final String NAME = "vllm-sbw";

    /** SBW's seeding schemes. */
    public enum Seeding {
        /** Anchored min-hash over the context (without its oldest token) and the candidate. */
        SELFHASH(4),
        /** The key times the sum of the context ids. */
        LEFTHASH(1);

        private final int defaultContext;

        Seeding(int defaultContext) {
            this.defaultContext = defaultContext;
        }

        /** @return vLLM's default context width for this seeding */
        public int defaultContext() {
            return defaultContext;
        }

        /** @return the spec value, {@code selfhash} or {@code lefthash} */
        public String specName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Validates. */
    public VllmSbwScheme {
        java.util.Objects.requireNonNull(seeding, "seeding");
        VllmSpecs.checkCommon(NAME, context, vocab);
        if (!(gamma > 0 && gamma < 1) || VllmPrf.sbwGammaThreshold(gamma) < 1) {
            throw new IllegalArgumentException(NAME + ": gamma must be in (0, 1) with int(gamma * 0x7FFFFFFF) >= 1, got "
                    + gamma);
        }
    }

    /** vLLM's defaults: selfhash, context 4, gamma 0.5, de-duplication on. */
    public static VllmSbwScheme defaults() {
        return new VllmSbwScheme(Seeding.SELFHASH, 4, 0.5, true, 0, null);
    }

    static VllmSbwScheme from(SpecParams p) {
        String s = p.getString("scheme", "selfhash");
        Seeding seeding = switch (s.toLowerCase(Locale.ROOT)) {
            case "selfhash" -> Seeding.SELFHASH;
            case "lefthash" -> Seeding.LEFTHASH;
            default -> throw p.invalid("scheme", "'" + s + "' is not an SBW seeding scheme (known: selfhash, lefthash)");
        };
        VllmSpecs.Common c = VllmSpecs.Common.parse(p, Set.of("scheme", "gamma"), seeding.defaultContext());
        double gamma = p.getDouble("gamma", 0.5);
        if (!(gamma > 0 && gamma < 1)) {
            throw p.invalid("gamma", "must be in (0, 1) (the green fraction), got " + SpecParams.num(gamma));
        }
        if (VllmPrf.sbwGammaThreshold(gamma) < 1) {
            throw p.invalid("gamma", "is so small that int(gamma * 0x7FFFFFFF) is 0: nothing would be green");
        }
        return new VllmSbwScheme(seeding, c.context(), gamma, c.dedup(), c.vocab(), c.key());
    }

    /** @return the exact probability that a token is green under the null, {@code int(gamma * 0x7FFFFFFF) / 2^31} */
    public double greenProbability() {
        return VllmPrf.sbwGammaThreshold(gamma) / 2147483648.0;
    }

    @Override
    public String algorithm() {
        return "sbw";
    }

    @Override
    public VllmSbwScheme withoutKey() {
        return new VllmSbwScheme(seeding, context, gamma, dedup, vocab, null);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The canonical spec; never includes the inline key. */
    @Override
    public String toString() {
        return NAME + ":scheme=" + seeding.specName() + ",context=" + context + ",gamma=" + SpecParams.num(gamma)
                + new VllmSpecs.Common(context, dedup, vocab, null).tail();
    }
}
