package dev.hallmark.scheme;

import dev.hallmark.interop.SynthIdKeys;
import dev.hallmark.key.VllmKey;
import dev.hallmark.key.WatermarkKey;
import java.util.Objects;

/**
 * A scheme bound to a key: the keyed functions that both the sampler (embedding) and the
 * detector (scoring) evaluate, so the two can never disagree.
 *
 * <p>Scoring model shared by every scheme: the token at position t with its preceding context
 * forms a <em>tuple</em>; the tuple determines the per-token score through the keyed PRF; and
 * under the null (text independent of the key) the scores of distinct tuples are independent
 * with a known distribution ({@link NullModel}). Detectors therefore score each distinct tuple
 * once. {@link #score(int[], int, long[])} also writes a 128-bit identity of the tuple that is the
 * exact token ids whenever they fit (see {@link Tuples}).
 *
 * <p>Instances are immutable and thread-safe.
 */
public sealed interface KeyedScheme permits KgwKeyed, GumbelKeyed, SynthIdKeyed, ReferenceKeyed {

    /**
     * Binds a scheme to a Hallmark key. For {@code hf-kgw} (which needs no key) the key is ignored
     * and may be {@code null}.
     *
     * @throws IllegalArgumentException if the scheme needs other key material ({@code synthid-ref}:
     *     use {@link #of(Scheme, SynthIdKeys)}) or a Hallmark scheme gets a {@code null} key
     */
    static KeyedScheme of(Scheme scheme, WatermarkKey key) {
        Objects.requireNonNull(scheme, "scheme");
        return scheme.accept(new Scheme.Visitor<KeyedScheme>() {
            @Override
            public KeyedScheme kgw(KgwScheme s) {
                return new KgwKeyed(s, requireKey(s, key));
            }

            @Override
            public KeyedScheme gumbel(GumbelScheme s) {
                return new GumbelKeyed(s, requireKey(s, key));
            }

            @Override
            public KeyedScheme synthId(SynthIdScheme s) {
                return new SynthIdKeyed(s, requireKey(s, key));
            }

            @Override
            public KeyedScheme hfKgw(HfKgwScheme s) {
                return new HfKgwKeyed(s);
            }

            @Override
            public KeyedScheme synthIdRef(SynthIdRefScheme s) {
                throw new IllegalArgumentException("scheme " + s + " verifies SynthID-Text with the generator's "
                        + "int64 keys, not a Hallmark key: supply them as a JSON array (SynthIdKeys; CLI --synthid-keys)");
            }

            @Override
            public KeyedScheme vllm(VllmScheme s) {
                throw new IllegalArgumentException("scheme " + s + " takes vLLM's 64-bit key, not a Hallmark key: "
                        + "a vLLM key file (hallmark keygen --vllm-key N --out K.json) or key=N in the spec");
            }
        });
    }

    /**
     * Binds a scheme that needs no key ({@link Scheme.KeyKind#NONE}: {@code hf-kgw}), or a
     * {@code vllm-*} scheme whose spec carries its key ({@code key=N}).
     *
     * @throws IllegalArgumentException naming the key material the scheme needs otherwise
     */
    static KeyedScheme of(Scheme scheme) {
        Objects.requireNonNull(scheme, "scheme");
        return switch (scheme.keyKind()) {
            case NONE -> of(scheme, (WatermarkKey) null);
            case SYNTHID_KEYS -> of(scheme, (WatermarkKey) null); // throws the explanation
            case VLLM -> {
                VllmKey inline = ((VllmScheme) scheme).inlineKey();
                if (inline == null) {
                    throw new IllegalArgumentException("scheme " + scheme + " needs vLLM's 64-bit key: key=N in the "
                            + "spec, or a vLLM key file (hallmark keygen --vllm-key N --out K.json; CLI --key K.json)");
                }
                yield of(scheme, inline);
            }
            case HALLMARK -> throw new IllegalArgumentException("scheme " + scheme
                    + " needs a Hallmark key (CLI: --key K.json or --keyring DIR)");
        };
    }

    /**
     * Binds a {@code vllm-*} scheme to vLLM's key (an inline {@code key=N} of the spec is ignored in
     * favour of {@code key}).
     *
     * @throws IllegalArgumentException if the scheme is not a vLLM scheme
     */
    static KeyedScheme of(Scheme scheme, VllmKey key) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(key, "key");
        if (scheme instanceof VllmScheme s) {
            return new VllmKeyed(s, key);
        }
        throw new IllegalArgumentException("a vLLM key binds only the vllm-* schemes, not " + scheme);
    }

    /**
     * Binds {@code synthid-ref} to the generator owner's SynthID keys.
     *
     * @throws IllegalArgumentException if the scheme is not {@code synthid-ref}
     */
    static KeyedScheme of(Scheme scheme, SynthIdKeys keys) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(keys, "keys");
        if (scheme instanceof SynthIdRefScheme s) {
            return new SynthIdRefKeyed(s, keys);
        }
        throw new IllegalArgumentException("SynthID keys bind only the synthid-ref scheme, not " + scheme);
    }

    private static WatermarkKey requireKey(Scheme s, WatermarkKey key) {
        if (key == null) {
            throw new IllegalArgumentException("scheme " + s + " needs a Hallmark key (CLI: --key K.json or --keyring DIR)");
        }
        return key;
    }

    Scheme scheme();

    /** The key's public id; {@code null} for schemes without a key ({@code hf-kgw}). */
    String keyId();

    /** The null distribution of the sum of per-tuple scores. */
    NullModel nullModel();

    /**
     * Scores the token at position {@code t} given its context {@code ids[t-h..t)} and writes the
     * identity of its tuple into {@code tupleOut[0], tupleOut[1]}. Requires
     * {@code t >= scheme().contextWidth()}.
     *
     * @return KGW 1 (green) or 0; Gumbel -ln(1 - r); SynthID the number of g-values equal to 1
     */
    double score(int[] ids, int t, long[] tupleOut);
}
