package dev.hallmark.tools;

import dev.hallmark.text.HfTokenizer;
import dev.hallmark.text.Tokenizers;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Mixin {@code --tokenizer FILE}: the tokenizer.json for text input, else the Hallmark default (Qwen3). */
public final class TokenizerOption {

    @Option(names = "--tokenizer",
            description = "tokenizer.json (default: the Qwen3 tokenizer in the Hallmark cache).")
    Path tokenizer;

    /** The file given, or null for the default. */
    public Path given() {
        return tokenizer;
    }

    /** The file given, else the default tokenizer's path. */
    public Path path() {
        return tokenizer != null ? tokenizer : Defaults.tokenizerPath();
    }

    /** Opens the tokenizer (the caller closes it); a missing default names the path and how to fetch it. */
    public HfTokenizer open() {
        return Defaults.openTokenizer(tokenizer);
    }
}
