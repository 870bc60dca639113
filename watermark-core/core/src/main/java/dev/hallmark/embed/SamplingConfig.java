package dev.hallmark.embed;

/**
 * Decoding settings applied before the watermark: temperature, then top-k, then top-p (nucleus)
 * over the temperature-scaled distribution.
 *
 * @param temperature divides the logits; must be > 0 (use a small value for near-greedy)
 * @param topK keep the k most likely tokens; 0 disables
 * @param topP keep the smallest set of most likely tokens whose probability reaches p (after
 *     top-k, renormalised); 1 disables
 * @param skipRepeatedContexts when true, a step whose watermark context already occurred earlier
 *     in the same sequence is sampled without the watermark (as vLLM does), so repeated text is
 *     not pushed into loops and the detector, which scores each tuple once, loses nothing
 * @param kgwRejection KGW / Unigram only: draw by rejection (propose from the unwatermarked
 *     candidates, keep a green proposal, keep a red one with probability e^-delta) instead of
 *     reweighting every candidate. The output follows exactly the same distribution, with about
 *     e^delta / (1 + (e^delta - 1) G) PRF calls per step (G: the candidates' green mass) instead of
 *     one per candidate; it consumes the random source differently, so for the same seed the
 *     tokens differ from the default. Off by default (the committed corpora and experiments were
 *     generated with the per-candidate scan).
 */
public record SamplingConfig(double temperature, int topK, double topP, boolean skipRepeatedContexts,
        boolean kgwRejection) {

    public SamplingConfig {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a positive finite number, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0 (0 disables), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1] (1 disables), got " + topP);
        }
    }

    /** The settings with the default per-candidate KGW reweighting ({@code kgwRejection} off). */
    public SamplingConfig(double temperature, int topK, double topP, boolean skipRepeatedContexts) {
        this(temperature, topK, topP, skipRepeatedContexts, false);
    }

    /** Temperature 1, no top-k, top-p 0.95, repeated contexts skipped. */
    public static SamplingConfig defaults() {
        return new SamplingConfig(1.0, 0, 0.95, true);
    }

    public SamplingConfig withTemperature(double t) {
        return new SamplingConfig(t, topK, topP, skipRepeatedContexts, kgwRejection);
    }

    public SamplingConfig withTopK(int k) {
        return new SamplingConfig(temperature, k, topP, skipRepeatedContexts, kgwRejection);
    }

    public SamplingConfig withTopP(double p) {
        return new SamplingConfig(temperature, topK, p, skipRepeatedContexts, kgwRejection);
    }

    public SamplingConfig withSkipRepeatedContexts(boolean skip) {
        return new SamplingConfig(temperature, topK, topP, skip, kgwRejection);
    }

    public SamplingConfig withKgwRejection(boolean rejection) {
        return new SamplingConfig(temperature, topK, topP, skipRepeatedContexts, rejection);
    }
}
