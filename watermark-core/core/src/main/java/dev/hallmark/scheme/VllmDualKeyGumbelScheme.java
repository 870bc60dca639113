package dev.hallmark.scheme;

import dev.hallmark.key.VllmKey;
import java.util.Set;

/**
 * vLLM's {@code dual_key_gumbel} watermark ({@code DualKeyGumbelWatermarker} /
 * {@code DualKeyGumbelWatermarkDetector}): two Gumbel watermarks with the derived keys
 * {@code key_a} and {@code key_b} (SHA-256 of the domain and the key, {@link VllmKey#keyA()}); at
 * generation each position is routed to key B with probability alpha. The detector scores
 * {@code (1 - alpha) s_A + alpha s_B} per token (early fusion).
 *
 * <p>Under the null the score is a sum of n independent {@code (1 - alpha) E + alpha E'}
 * (E, E' Exp(1)): Hallmark computes its exact hypoexponential tail
 * ({@link dev.hallmark.stats.Hypoexponential}); vLLM moment-matches a Gamma(n / v, 1) to score / v
 * ({@code v = (1 - alpha)^2 + alpha^2}), exact only for alpha in {0, 1/2, 1}, reported as
 * {@code reference_p_value}.
 *
 * <p>Spec: {@code vllm-dual-key-gumbel:context=W,alpha=A,dedup=B[,vocab=V]} (canonical in that order;
 * defaults context 4, alpha 0.1, dedup true). alpha is the detector's weight of key B, in [0, 1].
 *
 * @param context   W
 * @param alpha     the weight of key B (and, when generating, the probability of routing to key B)
 * @param dedup     the detector's {@code deduplicate_contexts}
 * @param vocab     vocabulary size to check ids against, 0 for none
 * @param inlineKey a key given in the spec, or {@code null}
 */
public record VllmDualKeyGumbelScheme(int context, double alpha, boolean dedup, int vocab, VllmKey inlineKey)
        implements VllmScheme {

    public static final String NAME = "vllm-dual-key-gumbel";

    /** Validates. */
    public VllmDualKeyGumbelScheme {
        VllmSpecs.checkCommon(NAME, context, vocab);
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException(NAME + ": alpha must be in [0, 1] (the weight of key B), got " + alpha);
        }
    }

    /** vLLM's defaults: context 4, alpha 0.1, de-duplication on. */
    public static VllmDualKeyGumbelScheme defaults() {
        return new VllmDualKeyGumbelScheme(4, 0.1, true, 0, null);
    }

    static VllmDualKeyGumbelScheme from(SpecParams p) {
        VllmSpecs.Common c = VllmSpecs.Common.parse(p, Set.of("alpha"), 4);
        double alpha = p.getDouble("alpha", 0.1);
        if (!(alpha >= 0 && alpha <= 1)) {
            throw p.invalid("alpha", "must be in [0, 1] (the weight of key B), got " + SpecParams.num(alpha));
        }
        return new VllmDualKeyGumbelScheme(c.context(), alpha, c.dedup(), c.vocab(), c.key());
    }

    @Override
    public String algorithm() {
        return "dual_key_gumbel";
    }

    @Override
    public VllmDualKeyGumbelScheme withoutKey() {
        return new VllmDualKeyGumbelScheme(context, alpha, dedup, vocab, null);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The canonical spec; never includes the inline key. */
    @Override
    public String toString() {
        return NAME + ":context=" + context + ",alpha=" + SpecParams.num(alpha)
                + new VllmSpecs.Common(context, dedup, vocab, null).tail();
    }
}
