package dev.hallmark.embed;

import java.util.Locale;
import java.util.Objects;

/**
 * vLLM's generation-side watermark settings, as {@code WatermarkConfig} names them, for
 * {@link VllmSampler}.
 *
 * @param scope          {@code deduplicate_contexts}: which history is searched for the current
 *     context before a token is sampled; a repeated context is sampled without the watermark
 * @param maxHistory     {@code deduplicate_contexts_max_history}: the number of most recent history
 *     positions searched, or 0 for the whole scope (vLLM's {@code None}); vLLM's default is 8,192
 * @param sbwDelta       {@code sbw_delta}: the logit bias of green tokens (sbw only), >= 0
 * @param greedy         how the ordinary (unwatermarked) draws and the sbw draw pick a token: the
 *     first largest logit ({@code true}), or a softmax draw from the caller's random source
 */
public record VllmGeneration(Scope scope, int maxHistory, double sbwDelta, boolean greedy) {

    /** {@code deduplicate_contexts}. */
    public enum Scope {
        /** No search: every position is watermarked. */
        NONE,
        /** Search this request's generated tokens (vLLM's default). */
        SINGLE_TURN,
        /** Search the prompt too, and sample the first W generated tokens without the watermark. */
        ALL;

        /** @return vLLM's name: {@code none}, {@code single_turn}, {@code all} */
        public String vllmName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * @param name vLLM's name
         * @return the scope
         * @throws IllegalArgumentException naming the value if it is not none, single_turn or all
         */
        public static Scope parse(String name) {
            for (Scope s : values()) {
                if (s.vllmName().equals(name)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("deduplicate_contexts '" + name + "' is not one of none, single_turn, all");
        }
    }

    /** Validates. */
    public VllmGeneration {
        Objects.requireNonNull(scope, "scope");
        if (maxHistory < 0) {
            throw new IllegalArgumentException("deduplicate_contexts_max_history must be >= 1 (or 0 for the whole "
                    + "scope), got " + maxHistory);
        }
        if (!(sbwDelta >= 0) || Double.isInfinite(sbwDelta)) {
            throw new IllegalArgumentException("sbw_delta must be a finite number >= 0, got " + sbwDelta);
        }
    }

    /** vLLM's defaults: single_turn, history 8,192, delta 2, softmax draws. */
    public static VllmGeneration defaults() {
        return new VllmGeneration(Scope.SINGLE_TURN, 8192, 2.0, false);
    }

    public VllmGeneration withScope(Scope s) {
        return new VllmGeneration(s, maxHistory, sbwDelta, greedy);
    }

    public VllmGeneration withMaxHistory(int h) {
        return new VllmGeneration(scope, h, sbwDelta, greedy);
    }

    public VllmGeneration withSbwDelta(double d) {
        return new VllmGeneration(scope, maxHistory, d, greedy);
    }

    public VllmGeneration withGreedy(boolean g) {
        return new VllmGeneration(scope, maxHistory, sbwDelta, g);
    }
}
