package dev.hallmark.scheme;

import dev.hallmark.interop.internal.SynthIdReference;
import java.util.Locale;
import java.util.Set;

/**
 * Verification of text watermarked by DeepMind's SynthID-Text reference implementation
 * ({@code google-deepmind/synthid-text}, {@code SynthIDLogitsProcessor}), bit for bit: its n-gram
 * hash, g-values and context-repetition mask ({@link SynthIdReference}). The owner's int64 keys
 * ({@link dev.hallmark.interop.SynthIdKeys}, one per layer) take the place of a Hallmark key; the
 * number of layers is the number of keys. Verification only ({@link #canEmbed()} is false).
 *
 * <p>Spec: {@code synthid-ref:ngram_len=N,context_history=H[,eos_token_id=E]}, canonical in that
 * order; bare {@code synthid-ref} is {@code synthid-ref:ngram_len=5,context_history=1024}
 * (the reference's defaults). {@code eos_token_id} is optional and printed only when given: the
 * reference masks every n-gram ending at or after the first EOS token.
 *
 * <p>{@link #contextWidth()} is {@code ngram_len - 1}: the first {@code ngram_len - 1} tokens are
 * context only (the reference's g-value rows start at position {@code ngram_len - 1}).
 *
 * @param ngramLen       n, at least 2
 * @param contextHistory size of the repeated-context history, at least 1
 * @param eosTokenId     the EOS id to mask from, or -1 for none
 */
public record SynthIdRefScheme(int ngramLen, int contextHistory, int eosTokenId) implements Scheme {

    public static final String NAME = "synthid-ref";

    /** Largest accepted n-gram length (a sanity bound; the reference uses 2 to about 10). */
    public static final int MAX_NGRAM_LEN = 64;
    /** Largest accepted context history. */
    public static final int MAX_CONTEXT_HISTORY = 1 << 20;

    /** Validates. */
    public SynthIdRefScheme {
        if (ngramLen < 2 || ngramLen > MAX_NGRAM_LEN) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "synthid-ref: ngram_len must be in [2, %d], got %d", MAX_NGRAM_LEN, ngramLen));
        }
        if (contextHistory < 1 || contextHistory > MAX_CONTEXT_HISTORY) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "synthid-ref: context_history must be in [1, %d], got %d", MAX_CONTEXT_HISTORY, contextHistory));
        }
        if (eosTokenId < -1) {
            throw new IllegalArgumentException("synthid-ref: eos_token_id must be a token id >= 0, got " + eosTokenId);
        }
    }

    /** The reference's defaults: n-gram length 5, history 1,024, no EOS masking. */
    public static SynthIdRefScheme defaults() {
        return new SynthIdRefScheme(5, SynthIdReference.DEFAULT_CONTEXT_HISTORY, -1);
    }

    static SynthIdRefScheme from(SpecParams p) {
        p.requireOnly(Set.of("ngram_len", "context_history", "eos_token_id"));
        SynthIdRefScheme d = defaults();
        int eos = p.getInt("eos_token_id", -1);
        if (p.getString("eos_token_id", null) != null && eos < 0) {
            throw p.invalid("eos_token_id", "must be a token id >= 0, got " + eos);
        }
        try {
            return new SynthIdRefScheme(p.getInt("ngram_len", d.ngramLen), p.getInt("context_history", d.contextHistory),
                    eos);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scheme spec '" + p.spec() + "': " + e.getMessage(), e);
        }
    }

    /** @return whether EOS masking is on */
    public boolean masksEos() {
        return eosTokenId >= 0;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int contextWidth() {
        return ngramLen - 1;
    }

    /** Verification only. */
    @Override
    public boolean canEmbed() {
        return false;
    }

    @Override
    public KeyKind keyKind() {
        return KeyKind.SYNTHID_KEYS;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.synthIdRef(this);
    }

    @Override
    public String toString() {
        return NAME + ":ngram_len=" + ngramLen + ",context_history=" + contextHistory
                + (masksEos() ? ",eos_token_id=" + eosTokenId : "");
    }
}
