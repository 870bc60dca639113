package dev.hallmark.scheme;

import dev.hallmark.key.VllmKey;
import java.util.Set;

/**
 * vLLM's {@code gumbel} watermark ({@code GumbelWatermarker} / {@code GumbelWatermarkDetector}):
 * Gumbel-max sampling with the Philox PRF {@code philox4x32-10-v1} keyed by the 64-bit key itself.
 * Detection sums {@code -ln(1 - u)} over the scored tokens; under the null the sum of n scores is
 * Gamma(n, 1), whose tail vLLM already computes exactly (Hallmark reports the same value, in log
 * space, also where vLLM's double underflows to 0).
 *
 * <p>Spec: {@code vllm-gumbel:context=W,dedup=B[,vocab=V]} (canonical in that order; bare
 * {@code vllm-gumbel} is {@code context=4,dedup=true}); see {@link VllmScheme} for the parameters and
 * the inline {@code key=N}.
 *
 * @param context   W, vLLM's {@code context_width}
 * @param dedup     the detector's {@code deduplicate_contexts}
 * @param vocab     vocabulary size to check ids against, 0 for none
 * @param inlineKey a key given in the spec, or {@code null}
 */
public record VllmGumbelScheme(int context, boolean dedup, int vocab, VllmKey inlineKey) implements VllmScheme {

    public static final String NAME = "vllm-gumbel";

    /** Validates. */
    public VllmGumbelScheme {
        VllmSpecs.checkCommon(NAME, context, vocab);
    }

    /** vLLM's defaults: context 4, de-duplication on, no vocabulary check, no key. */
    public static VllmGumbelScheme defaults() {
        return new VllmGumbelScheme(4, true, 0, null);
    }

    static VllmGumbelScheme from(SpecParams p) {
        VllmSpecs.Common c = VllmSpecs.Common.parse(p, Set.of(), 4);
        return new VllmGumbelScheme(c.context(), c.dedup(), c.vocab(), c.key());
    }

    @Override
    public String algorithm() {
        return "gumbel";
    }

    @Override
    public VllmGumbelScheme withoutKey() {
        return new VllmGumbelScheme(context, dedup, vocab, null);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The canonical spec; never includes the inline key. */
    @Override
    public String toString() {
        return NAME + ":context=" + context + new VllmSpecs.Common(context, dedup, vocab, null).tail();
    }
}
