package dev.hallmark.service.store;

import dev.hallmark.scheme.HfKgwScheme;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.VllmScheme;
import dev.hallmark.service.Problem;
import java.util.List;

/**
 * Which token ids the tests of a {@link KeyStore.Family} can score, and whether text tokenized with
 * the service's tokenizer fits them. Only interop specs narrow or widen the range: {@code hf-kgw}
 * permutes exactly its {@code vocab} ids, and a {@code vllm-*} spec's optional {@code vocab} rejects
 * ids at or above it.
 */
final class TokenIdRange {

    /** How far above the tokenizer's vocabulary an {@code hf-kgw} vocab may be (model padding). */
    static final int VOCAB_PADDING = 1024;

    private TokenIdRange() {}

    static HfKgwScheme hfKgw(List<KeyedScheme> keyed) {
        for (KeyedScheme k : keyed) {
            if (k.scheme() instanceof HfKgwScheme h) {
                return h;
            }
        }
        return null;
    }

    /**
     * The largest token id + 1 the tests can score: the tokenizer's vocabulary, or for
     * {@code hf-kgw} the spec's {@code vocab} (token ids may then come from any tokenizer). A
     * {@code vllm-*} spec's {@code vocab} lowers the limit; when every test is a vLLM spec with a
     * {@code vocab}, the smallest one alone is the limit (vLLM's PRF does not depend on the
     * vocabulary, so the ids of a model with another tokenizer can be scored up to it).
     */
    static int limit(List<KeyedScheme> keyed, int tokenizerVocab) {
        HfKgwScheme h = hfKgw(keyed);
        if (h != null) {
            return h.vocab();
        }
        VllmScheme v = smallestVllmVocab(keyed);
        if (v == null) {
            return tokenizerVocab;
        }
        boolean allDeclared = keyed.stream().allMatch(k -> k.scheme() instanceof VllmScheme s && s.vocab() > 0);
        return allDeclared ? v.vocab() : Math.min(tokenizerVocab, v.vocab());
    }

    /** What the limit {@code idLimit} (from {@link #limit}) is, for messages. */
    static String limitName(List<KeyedScheme> keyed, int idLimit) {
        if (hfKgw(keyed) != null) {
            return "the scheme's vocab";
        }
        VllmScheme v = smallestVllmVocab(keyed);
        return v != null && v.vocab() == idLimit ? "the vocab of scheme " + v : "the tokenizer vocabulary";
    }

    /**
     * Text is tokenized with the service's tokenizer (vocabulary N). An {@code hf-kgw} spec
     * whose {@code vocab} V is below N cannot describe a model with that tokenizer (its ids
     * would fall outside the permuted range), and one far above it (more than
     * {@value #VOCAB_PADDING} ids: models pad N by a few hundred at most, e.g. Qwen3 151,936 =
     * 151,669 + 267) means another tokenizer: both silently test unrelated green lists. A
     * {@code vllm-*} spec whose {@code vocab} is below N would reject ids the tokenizer gives.
     *
     * @throws Problem vocab-mismatch naming both sizes
     */
    static void checkText(List<KeyedScheme> keyed, int tokenizerVocab) {
        VllmScheme v = smallestVllmVocab(keyed);
        if (v != null && v.vocab() < tokenizerVocab) {
            throw Problem.vocabMismatch("scheme " + v + ": vocab=" + v.vocab() + " is below the service's "
                    + "tokenizer vocabulary (" + tokenizerVocab + "), so text tokenized here can give ids the scheme "
                    + "rejects: the text was generated with another tokenizer, or the spec's vocab is wrong. Send "
                    + "the generator's token ids ('ids') instead of text");
        }
        HfKgwScheme h = hfKgw(keyed);
        if (h == null) {
            return;
        }
        if (h.vocab() < tokenizerVocab || h.vocab() > tokenizerVocab + VOCAB_PADDING) {
            throw Problem.vocabMismatch("scheme " + h + ": vocab=" + h.vocab() + " does not fit the service's "
                    + "tokenizer (vocabulary " + tokenizerVocab + "; a model using it has vocab between "
                    + tokenizerVocab + " and " + (tokenizerVocab + VOCAB_PADDING) + "): the text was generated "
                    + "with another tokenizer, or the spec's vocab is wrong. Send the generator's token ids "
                    + "('ids') instead of text, or fix vocab=");
        }
    }

    /** The vLLM spec with the smallest declared {@code vocab}, or null. */
    private static VllmScheme smallestVllmVocab(List<KeyedScheme> keyed) {
        VllmScheme best = null;
        for (KeyedScheme k : keyed) {
            if (k.scheme() instanceof VllmScheme s && s.vocab() > 0 && (best == null || s.vocab() < best.vocab())) {
                best = s;
            }
        }
        return best;
    }
}
