package dev.hallmark.scheme;

import dev.hallmark.key.VllmKey;

/**
 * vLLM's built-in text watermarks ({@code vllm/v1/watermarking}), verified bit for bit and embedded
 * compatibly ({@code dev.hallmark.embed.VllmSampler}):
 * <ul>
 *   <li>{@link VllmGumbelScheme} {@code vllm-gumbel:context=4,dedup=true}: vLLM {@code gumbel};</li>
 *   <li>{@link VllmDualKeyGumbelScheme} {@code vllm-dual-key-gumbel:context=4,alpha=0.1,dedup=true}:
 *       vLLM {@code dual_key_gumbel};</li>
 *   <li>{@link VllmSbwScheme} {@code vllm-sbw:scheme=selfhash,context=4,gamma=0.5,dedup=true}: vLLM
 *       {@code sbw} (also {@code scheme=lefthash}).</li>
 * </ul>
 * The key material is vLLM's unsigned 64-bit key ({@link VllmKey}, {@link Scheme.KeyKind#VLLM}).
 *
 * <p>Parameters common to all three, in any order:
 * <ul>
 *   <li>{@code context}: vLLM's {@code context_width} W, the number of preceding generated tokens
 *       that seed the PRF (at least 1);</li>
 *   <li>{@code dedup}: the detector's {@code deduplicate_contexts} (default true): a token whose
 *       context (the W preceding tokens, -1 before the start) was already seen is not scored;</li>
 *   <li>{@code vocab} (optional, printed only when given): the vocabulary size; token ids at or above
 *       it are rejected instead of scored;</li>
 *   <li>{@code key} (optional, never printed): the 64-bit key, for test vectors and demo keys. The
 *       canonical spec omits it, so reports never show it; they name the key by its id.</li>
 * </ul>
 * {@code vllm:algorithm=A,...} with vLLM's algorithm names ({@code gumbel}, {@code dual_key_gumbel},
 * {@code sbw}) is accepted as another way to write the same specs.
 *
 * <p>vLLM scores every position, the first ones with a partial context padded with -1, so
 * {@link #contextWidth()} (the context a position needs before it can be scored) is 0.
 */
public sealed interface VllmScheme extends Scheme permits VllmGumbelScheme, VllmDualKeyGumbelScheme, VllmSbwScheme {

    /** Name of the alias form {@code vllm:algorithm=...}. */
    String ALIAS = "vllm";
    /** Largest accepted context width (vLLM itself only warns above 16). */
    int MAX_CONTEXT = 1024;

    /** @return W, vLLM's {@code context_width} */
    int context();

    /** @return whether the detector skips tokens whose context was already seen (vLLM's default: true) */
    boolean dedup();

    /** @return the vocabulary size ids are checked against, or 0 when not given */
    int vocab();

    /** @return the key given as {@code key=N} in the spec, or {@code null} */
    VllmKey inlineKey();

    /** @return vLLM's algorithm name: {@code gumbel}, {@code dual_key_gumbel} or {@code sbw} */
    String algorithm();

    /** The same scheme without an inline key (what reports and key stores record). */
    VllmScheme withoutKey();

    /** 0: vLLM scores every token, padding missing context with -1. */
    @Override
    default int contextWidth() {
        return 0;
    }

    @Override
    default KeyKind keyKind() {
        return KeyKind.VLLM;
    }

    @Override
    default <R> R accept(Visitor<R> visitor) {
        return visitor.vllm(this);
    }
}
