package dev.hallmark.scheme;

import dev.hallmark.interop.internal.KgwReference;
import dev.hallmark.interop.KgwSeeding;
import dev.hallmark.interop.internal.TorchRandperm;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Verification of text watermarked by the public KGW implementations: lm-watermarking
 * (Kirchenbauer et al., {@code extended_watermark_processor.py}) and the Hugging Face transformers
 * {@code WatermarkLogitsProcessor}. Green lists are reproduced bit for bit ({@link KgwReference}:
 * PyTorch's CPU MT19937 and {@code randperm}); no Hallmark key is involved, the "key" is the
 * reference's public hash key, part of the seeding name. Verification only ({@link #canEmbed()}
 * is false).
 *
 * <p>Spec: {@code hf-kgw:gamma=G,scheme=S,vocab=V,ignore_repeated_ngrams=B}, canonical in that
 * order, for example {@code hf-kgw:gamma=0.25,scheme=selfhash,vocab=151669,ignore_repeated_ngrams=true}.
 * <ul>
 *   <li>{@code gamma}: the green-list fraction the generator used (default 0.25); the green list
 *       holds {@code int(V * gamma)} ids.</li>
 *   <li>{@code scheme}: the seeding scheme name ({@link KgwSeeding#parse}): {@code lefthash},
 *       {@code selfhash}, {@code minhash}, {@code skipgram}, the free form
 *       {@code ff-<prf>-<h>-<True|False>[-<hash_key>]} (e.g. {@code ff-anchored_minhash_prf-4-True-15485863}),
 *       and transformers' variants {@code hf-lefthash[-<h>-<hashing_key>]},
 *       {@code hf-selfhash[-<h>-<hashing_key>]}. The hash key defaults to 15485863. Default
 *       {@code selfhash} (lm-watermarking's default).</li>
 *   <li>{@code vocab}: V, the size of the permuted vocabulary (lm-watermarking: {@code len(tokenizer.get_vocab())};
 *       transformers: {@code model.config.vocab_size}). Required: the permutation depends on it,
 *       and a wrong V silently yields unrelated green lists.</li>
 *   <li>{@code ignore_repeated_ngrams}: how {@code tokens_scored} is counted, as the reference
 *       detector's flag (default true): each distinct n-gram once, or every n-gram. It does not
 *       change the p-value, which is always computed on independent units (see {@link HfKgwKeyed}).</li>
 * </ul>
 *
 * <p>{@link #contextWidth()} is {@code n - 1} for the scored n-gram length
 * {@code n = context_width + 1 - self_salt}: the first {@code n - 1} tokens of a text are context
 * only, as in the reference.
 *
 * @param gamma                the green-list fraction, in (0, 1)
 * @param seeding              the reference seeding scheme
 * @param vocab                V
 * @param ignoreRepeatedNgrams the reference detector's counting flag
 */
public record HfKgwScheme(double gamma, KgwSeeding seeding, int vocab, boolean ignoreRepeatedNgrams)
        implements Scheme {

    public static final String NAME = "hf-kgw";

    /** Validates (same bounds as the reference: {@code int(V * gamma) >= 1}, torch's randperm range). */
    public HfKgwScheme {
        Objects.requireNonNull(seeding, "seeding");
        if (!(gamma > 0 && gamma < 1)) {
            throw new IllegalArgumentException("hf-kgw: gamma must be in (0, 1), got " + gamma);
        }
        if (vocab < 2 || vocab >= TorchRandperm.MAX_N) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "hf-kgw: vocab must be in [2, %d), got %d", TorchRandperm.MAX_N, vocab));
        }
        if ((int) (vocab * gamma) < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "hf-kgw: int(vocab * gamma) = int(%d * %s) is 0, the green list would be empty", vocab, gamma));
        }
    }

    static HfKgwScheme from(SpecParams p) {
        p.requireOnly(Set.of("gamma", "scheme", "vocab", "ignore_repeated_ngrams"));
        String vocabText = p.getString("vocab", null);
        if (vocabText == null) {
            throw p.invalid("vocab", "is required for hf-kgw: give the generator's vocabulary size V "
                    + "(transformers: model.config.vocab_size; lm-watermarking: len(tokenizer.get_vocab())), "
                    + "e.g. vocab=151669; the green lists depend on it");
        }
        KgwSeeding seeding;
        try {
            seeding = KgwSeeding.parse(p.getString("scheme", "selfhash"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scheme spec '" + p.spec() + "': " + e.getMessage(), e);
        }
        try {
            return new HfKgwScheme(p.getDouble("gamma", 0.25), seeding, p.getInt("vocab", 0),
                    p.getBoolean("ignore_repeated_ngrams", true));
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("scheme spec")) {
                throw e;
            }
            throw new IllegalArgumentException("scheme spec '" + p.spec() + "': " + e.getMessage(), e);
        }
    }

    /** @return the scored n-gram length {@code context_width + 1 - self_salt} */
    public int ngramLength() {
        return seeding.ngramLength();
    }

    /** @return {@code int(V * gamma)}, the green-list size */
    public int greenlistSize() {
        return (int) (vocab * gamma);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int contextWidth() {
        return ngramLength() - 1;
    }

    /** Verification only: Hallmark does not generate with third-party schemes. */
    @Override
    public boolean canEmbed() {
        return false;
    }

    @Override
    public KeyKind keyKind() {
        return KeyKind.NONE;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.hfKgw(this);
    }

    @Override
    public String toString() {
        return NAME + ":gamma=" + SpecParams.num(gamma) + ",scheme=" + seeding.name() + ",vocab=" + vocab
                + ",ignore_repeated_ngrams=" + ignoreRepeatedNgrams;
    }
}
