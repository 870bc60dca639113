package dev.hallmark.text;

/**
 * Thrown by {@link FastBpeTokenizer#open} when a {@code tokenizer.json} uses something the fast
 * engine does not implement (another model type, normalizer, pre-tokenizer, ...). The message names
 * the file and the unsupported part; {@link TokenizerEngine#HF} still opens such files.
 */
public final class UnsupportedTokenizerException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    UnsupportedTokenizerException(String message) {
        super(message);
    }
}
