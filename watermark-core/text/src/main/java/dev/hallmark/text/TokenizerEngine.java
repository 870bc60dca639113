package dev.hallmark.text;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which implementation tokenizes: {@link #FAST} (pure-Java byte-level BPE, {@link FastBpeTokenizer})
 * or {@link #HF} (DJL's binding of Hugging Face tokenizers, {@link HfTokenizer}). Both produce the
 * same ids for every input the fast engine accepts; see docs/tokenizer.md.
 */
public enum TokenizerEngine {
    /** The pure-Java byte-level BPE tokenizer. */
    FAST,
    /** Hugging Face tokenizers through DJL (native library). */
    HF;

    /**
     * Opens {@code tokenizerJson} with this engine.
     *
     * @throws UnsupportedTokenizerException if this is {@link #FAST} and the file uses a feature
     *     the fast engine does not implement (the message names it)
     */
    public TextTokenizer open(Path tokenizerJson) {
        return this == FAST ? FastBpeTokenizer.open(tokenizerJson) : HfTokenizer.open(tokenizerJson);
    }

    /**
     * Opens {@code tokenizerJson} with this engine; the fast engine keeps the file's compiled form in
     * {@code compiledDir} to load faster next time ({@link FastBpeTokenizer#open(Path, Path)}), HF
     * ignores the directory.
     */
    public TextTokenizer open(Path tokenizerJson, Path compiledDir) {
        return this == FAST ? FastBpeTokenizer.open(tokenizerJson, compiledDir) : HfTokenizer.open(tokenizerJson);
    }

    /** The lower-case name used on command lines and in configs: {@code fast} or {@code hf}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code fast} or {@code hf} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static TokenizerEngine parse(String s) {
        Objects.requireNonNull(s, "engine");
        for (TokenizerEngine e : values()) {
            if (e.id().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown tokenizer engine '" + s + "'; expected one of "
                + Arrays.stream(values()).map(TokenizerEngine::id).collect(Collectors.joining(", ")));
    }
}
