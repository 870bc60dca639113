package dev.hallmark.scheme;

/**
 * A watermarking scheme with its parameters: an immutable record with a canonical text spec.
 *
 * <p>{@link #toString()} returns the canonical spec (all parameters, fixed order), and
 * {@link #parse(String)} reads it back: {@code Scheme.parse(s).toString().equals(s)} for every
 * canonical {@code s}. A bare name ({@code kgw}, {@code unigram}, {@code gumbel}, {@code synthid},
 * {@code synthid-ref}) selects that scheme's documented defaults; parameters not given take their
 * defaults too ({@code hf-kgw} has a required parameter, {@code vocab}).
 *
 * <p>Hallmark's own schemes ({@link KgwScheme}, {@link GumbelScheme}, {@link SynthIdScheme}) embed
 * and verify with a Hallmark key. The interop schemes ({@link HfKgwScheme}, {@link SynthIdRefScheme})
 * verify text of third-party generators bit for bit and cannot embed; vLLM's watermarks
 * ({@link VllmScheme}) are verified bit for bit and can also be embedded compatibly
 * ({@code dev.hallmark.embed.VllmSampler}); {@link #keyKind()} says what key material each needs.
 *
 * <p>The hierarchy is sealed, and code that must handle every scheme does so through a
 * {@link Visitor}: adding a scheme adds a visitor method, so every place that does not handle it
 * fails to compile (Java 17 has no exhaustive pattern switch).
 */
public sealed interface Scheme permits KgwScheme, GumbelScheme, SynthIdScheme, HfKgwScheme, SynthIdRefScheme,
        VllmScheme {

    /** The scheme's name, the part of the spec before {@code ':'}. */
    String name();

    /**
     * Number of preceding tokens a position needs before it can be scored (the first
     * {@code contextWidth()} tokens of a text are counted as skipped).
     */
    int contextWidth();

    /** Whether the scheme can embed (some interop schemes only verify). */
    default boolean canEmbed() {
        return true;
    }

    /** What key material binds a scheme ({@link KeyedScheme#of(Scheme, dev.hallmark.key.WatermarkKey)}). */
    enum KeyKind {
        /** A Hallmark {@link dev.hallmark.key.WatermarkKey}. */
        HALLMARK,
        /** Nothing: the reference's hash key is public and part of the spec ({@code hf-kgw}). */
        NONE,
        /** The generator owner's int64 keys, {@link dev.hallmark.interop.SynthIdKeys} ({@code synthid-ref}). */
        SYNTHID_KEYS,
        /** vLLM's unsigned 64-bit key, {@link dev.hallmark.key.VllmKey} (the {@code vllm-*} schemes). */
        VLLM
    }

    /** The key material this scheme needs; Hallmark's own schemes need a Hallmark key. */
    default KeyKind keyKind() {
        return KeyKind.HALLMARK;
    }

    /** The canonical spec. */
    @Override
    String toString();

    /** Dispatches to the visitor method for this scheme. */
    <R> R accept(Visitor<R> visitor);

    /** One method per scheme. */
    interface Visitor<R> {
        R kgw(KgwScheme scheme);

        R gumbel(GumbelScheme scheme);

        R synthId(SynthIdScheme scheme);

        R hfKgw(HfKgwScheme scheme);

        R synthIdRef(SynthIdRefScheme scheme);

        R vllm(VllmScheme scheme);
    }

    /**
     * Parses a spec such as {@code kgw:gamma=0.25,delta=2,context=1,seeding=lefthash}.
     *
     * @throws IllegalArgumentException naming the spec and the problem (unknown scheme,
     *     unknown parameter, value out of range)
     */
    static Scheme parse(String spec) {
        SpecParams p = SpecParams.parse(spec);
        return switch (p.name()) {
            case KgwScheme.NAME, KgwScheme.UNIGRAM -> KgwScheme.from(p);
            case GumbelScheme.NAME -> GumbelScheme.from(p);
            case SynthIdScheme.NAME -> SynthIdScheme.from(p);
            case HfKgwScheme.NAME -> HfKgwScheme.from(p);
            case SynthIdRefScheme.NAME -> SynthIdRefScheme.from(p);
            case VllmGumbelScheme.NAME -> VllmGumbelScheme.from(p);
            case VllmDualKeyGumbelScheme.NAME -> VllmDualKeyGumbelScheme.from(p);
            case VllmSbwScheme.NAME -> VllmSbwScheme.from(p);
            case VllmScheme.ALIAS -> VllmSpecs.fromAlias(p);
            default -> throw new IllegalArgumentException("unknown scheme '" + p.name() + "' in spec '" + p.spec()
                    + "' (known: kgw, unigram, gumbel, synthid, hf-kgw, synthid-ref, vllm-gumbel, vllm-dual-key-gumbel,"
                    + " vllm-sbw)");
        };
    }
}
