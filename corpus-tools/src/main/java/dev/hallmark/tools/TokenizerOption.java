package dev.hallmark.tools;

import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.TokenizerEngine;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Mixin {@code [--tokenizer FILE] [--engine fast|hf]}: the tokenizer.json for text input (else the
 * Hallmark default, Qwen3) and the engine that runs it (default {@code fast}, the pure-Java
 * byte-level BPE; {@code hf} is Hugging Face tokenizers through DJL). Both engines give the same ids.
 */
public final class TokenizerOption {

    @Option(names = "--tokenizer",
            description = "tokenizer.json (default: the Qwen3 tokenizer in the Hallmark cache).")
    Path tokenizer;

    @Option(names = "--engine", defaultValue = "fast", converter = EngineConverter.class, paramLabel = "fast|hf",
            description = "Tokenizer engine: fast (pure-Java byte-level BPE) or hf (Hugging Face tokenizers through "
                    + "DJL); identical ids (default: ${DEFAULT-VALUE}).")
    TokenizerEngine engine = TokenizerEngine.FAST;

    /** The file given, or null for the default. */
    public Path given() {
        return tokenizer;
    }

    /** The file given, else the default tokenizer's path. */
    public Path path() {
        return tokenizer != null ? tokenizer : Defaults.tokenizerPath();
    }

    /** The engine chosen ({@code --engine}, default {@link TokenizerEngine#FAST}). */
    public TokenizerEngine engine() {
        return engine;
    }

    /**
     * Opens the tokenizer with the chosen engine (the caller closes it); the fast engine loads from
     * its compiled cache under the Hallmark cache. A missing default names the path and how to fetch it.
     */
    public TextTokenizer open() {
        return Defaults.openTokenizer(tokenizer, engine);
    }

    /** {@code fast} / {@code hf}, case-insensitive; anything else is a usage error naming the choices. */
    public static final class EngineConverter implements CommandLine.ITypeConverter<TokenizerEngine> {
        @Override
        public TokenizerEngine convert(String value) {
            try {
                return TokenizerEngine.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
