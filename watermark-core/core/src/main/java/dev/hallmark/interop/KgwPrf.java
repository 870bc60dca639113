package dev.hallmark.interop;

import java.util.Locale;

/**
 * The context hash functions ("PRFs") of the reference KGW implementations: how the
 * {@code context_width} tokens handed to the seeding step become the seed of the PyTorch generator
 * that permutes the vocabulary.
 *
 * <p>Notation: {@code c[0..w)} the context tokens (for self-salted schemes the last one is the
 * candidate token itself), {@code K} the hash key, {@code T[x] = table[x mod 1,000,003] + 1} with
 * {@code table = randperm(1,000,003)} (mod is floor modulo). Operations marked <em>wrap</em> are
 * int64 tensor arithmetic (mod 2<sup>64</sup>, signed); the others are exact Python integers.
 * The seed handed to {@code manual_seed} is the result {@code mod 2^64 - 1} (Python floor
 * modulo), of which the generator keeps the low 32 bits.
 *
 * <p>lm-watermarking ({@code alternative_prf_schemes.py}, table seeded 2971215073):
 * <ul>
 *   <li>{@link #ADDITIVE}: {@code K * sum(c)}</li>
 *   <li>{@link #MULTIPLICATIVE}: {@code K * prod(c)} (the product wraps)</li>
 *   <li>{@link #MINFUNC}: {@code K * min(c)}</li>
 *   <li>{@link #SIMPLE_SKIP}: {@code prod(T[K * c[i]] for i = 0, 2, 4, ...)} (wrap)</li>
 *   <li>{@link #SKIPGRAM}: {@code T[K * c[0]]} (wrap)</li>
 *   <li>{@link #ANCHORED_SKIPGRAM}: {@code T[K * c[0]] * T[K * c[w-1]]} (wrap)</li>
 *   <li>{@link #MINHASH}: {@code min(T[K * c[i]])} (wrap)</li>
 *   <li>{@link #ANCHORED_MINHASH}: {@code min(K * T[c[i]] * T[c[w-1]])} (wrap, signed minimum)</li>
 *   <li>{@link #MINSKIPGRAM}: {@code min over i < j of T[K * c[i]] * T[K * c[j]]} (wrap; w >= 2)</li>
 *   <li>{@link #NONCOMM}: {@code k = K; for x in c: k = (k * T[k * x]) mod 2^32} (wrap)</li>
 *   <li>{@link #POSITION}: {@code sum(K * c[i] * (i + 1))} (wrap)</li>
 * </ul>
 * Hugging Face transformers ({@code WatermarkLogitsProcessor}, table seeded with {@code K} itself):
 * <ul>
 *   <li>{@link #HF_LEFTHASH}: {@code K * c[w-1]} (only the last token, whatever w is)</li>
 *   <li>{@link #HF_SELFHASH}: {@code min(K * T_K[c[i]] * T_K[c[w-1]])} (wrap), like
 *       {@link #ANCHORED_MINHASH} but over a table seeded with the hashing key</li>
 * </ul>
 */
public enum KgwPrf {
    MULTIPLICATIVE("multiplicative_prf"),
    ADDITIVE("additive_prf"),
    MINFUNC("minfunc_prf"),
    SIMPLE_SKIP("simple_skip_prf"),
    SKIPGRAM("skipgram_prf"),
    ANCHORED_SKIPGRAM("anchored_skipgram_prf"),
    MINHASH("minhash_prf"),
    ANCHORED_MINHASH("anchored_minhash_prf"),
    MINSKIPGRAM("minskipgram_prf"),
    NONCOMM("noncomm_prf"),
    POSITION("position_prf"),
    HF_LEFTHASH("hf_lefthash"),
    HF_SELFHASH("hf_selfhash");

    private final String referenceName;

    KgwPrf(String referenceName) {
        this.referenceName = referenceName;
    }

    /** @return the name lm-watermarking's {@code prf_lookup} uses (e.g. {@code anchored_minhash_prf}) */
    public String referenceName() {
        return referenceName;
    }

    /** @return true for the Hugging Face transformers variants */
    public boolean isTransformers() {
        return this == HF_LEFTHASH || this == HF_SELFHASH;
    }

    /** @return true if the PRF reads the permutation table */
    public boolean usesTable() {
        switch (this) {
            case MULTIPLICATIVE:
            case ADDITIVE:
            case MINFUNC:
            case POSITION:
            case HF_LEFTHASH:
                return false;
            default:
                return true;
        }
    }

    /**
     * The lm-watermarking PRF with this reference name.
     *
     * @param name e.g. {@code additive_prf}
     * @return the PRF
     * @throws IllegalArgumentException for unknown names (the message lists the known ones)
     */
    public static KgwPrf fromReferenceName(String name) {
        for (KgwPrf p : values()) {
            if (!p.isTransformers() && p.referenceName.equals(name)) {
                return p;
            }
        }
        StringBuilder known = new StringBuilder();
        for (KgwPrf p : values()) {
            if (!p.isTransformers()) {
                known.append(known.length() == 0 ? "" : ", ").append(p.referenceName);
            }
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "unknown lm-watermarking PRF '%s'; known: %s", name, known));
    }
}
