package dev.hallmark.text;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A tokenizer loaded from a Hugging Face {@code tokenizer.json}, used for watermarking: text in,
 * token ids out, with no special tokens added and no truncation, and ids back to text.
 *
 * <p>Both engines implement it with the same ids contract ({@link TokenizerEngine}): {@link HfTokenizer}
 * (DJL's binding of the Rust library) and {@link FastBpeTokenizer} (pure Java, byte-level BPE only).
 * Implementations are thread-safe until {@link #close()}.
 */
public interface TextTokenizer extends AutoCloseable {

    /** The file this tokenizer was loaded from. */
    Path path();

    /** Which implementation this is (reports record it next to the tokenizer file). */
    TokenizerEngine engine();

    /**
     * Number of token ids: one more than the largest id of the model vocabulary or the added
     * (special) tokens. 151,669 for Qwen3.
     */
    int vocabularySize();

    /**
     * Token ids of {@code text}, without added special tokens and without truncation; special
     * tokens written in the text (e.g. {@code <|im_end|>}) are recognised, as HF does.
     *
     * @param text any string; the empty string gives an empty array
     */
    int[] encode(String text);

    /**
     * Encodes many texts; an implementation may spread the work over several threads.
     *
     * @return one id array per text, in order
     */
    default int[][] encodeBatch(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        int[][] out = new int[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = encode(Objects.requireNonNull(texts.get(i), "texts contains null"));
        }
        return out;
    }

    /**
     * Text of {@code ids[off .. off+len)}, special tokens kept.
     *
     * @throws IllegalArgumentException if an id is outside {@code [0, vocabularySize())}
     */
    String decode(int[] ids, int off, int len);

    /** Text of all of {@code ids}. */
    default String decode(int[] ids) {
        return decode(ids, 0, ids.length);
    }

    /** Releases native or cached resources; closing twice is harmless. */
    @Override
    void close();
}
