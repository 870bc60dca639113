package dev.hallmark.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the project's default tokenizer ({@code tokenizer.json} of Qwen3) is found, and opening it.
 *
 * <p>Resolution order of {@link #defaultPath()}:
 * <ol>
 *   <li>system property {@code hallmark.tokenizer} (a path to a {@code tokenizer.json});
 *   <li>environment variable {@code HALLMARK_TOKENIZER};
 *   <li>{@code <cache>/tokenizers/qwen3/tokenizer.json}, where {@code <cache>} is {@link #cacheDir()}.
 * </ol>
 * The file is put in the cache by {@code datasets/fetch-tokenizer.sh}, which the Maven build of
 * {@code watermark-core} runs (checksum-verified); see {@code datasets/tokenizer/DATASHEET.md}.
 */
public final class Tokenizers {

    /** System property naming the tokenizer file. */
    public static final String TOKENIZER_PROPERTY = "hallmark.tokenizer";
    /** Environment variable naming the tokenizer file. */
    public static final String TOKENIZER_ENV = "HALLMARK_TOKENIZER";
    /** System property naming the hallmark cache directory. */
    public static final String CACHE_PROPERTY = "hallmark.cache";
    /** Environment variable naming the hallmark cache directory. */
    public static final String CACHE_ENV = "HALLMARK_CACHE";

    /** Vocabulary size of the default (Qwen3) tokenizer, special tokens included. */
    public static final int QWEN3_VOCABULARY_SIZE = 151_669;
    /** Id of Qwen3's {@code <|endoftext|>}. */
    public static final int QWEN3_END_OF_TEXT = 151_643;

    private Tokenizers() {
    }

    /**
     * The hallmark cache directory: system property {@code hallmark.cache}, else env
     * {@code HALLMARK_CACHE}, else {@code ~/.cache/hallmark}.
     */
    public static Path cacheDir() {
        String p = System.getProperty(CACHE_PROPERTY);
        if (p == null || p.isBlank()) {
            p = System.getenv(CACHE_ENV);
        }
        if (p == null || p.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".cache", "hallmark");
        }
        return Path.of(p);
    }

    /** The default tokenizer file path (see the class comment); the file may not exist. */
    public static Path defaultPath() {
        return resolve().path;
    }

    /**
     * Opens the default tokenizer.
     *
     * @throws UncheckedIOException if the file is missing (the message names the path tried, where
     *     it came from, and how to fetch it) or cannot be read
     */
    public static HfTokenizer openDefault() {
        Resolved r = resolve();
        if (!Files.isRegularFile(r.path)) {
            throw new UncheckedIOException(new IOException(missingMessage(r.path, r.source)));
        }
        return HfTokenizer.open(r.path);
    }

    static String missingMessage(Path path, String source) {
        return "tokenizer file not found: " + path + " (from " + source + "). Fetch it with "
                + "'bash datasets/fetch-tokenizer.sh' (or any 'mvn package' of the project, which runs it), "
                + "or point -D" + TOKENIZER_PROPERTY + "=... or " + TOKENIZER_ENV + " at a tokenizer.json";
    }

    private record Resolved(Path path, String source) {
    }

    private static Resolved resolve() {
        String p = System.getProperty(TOKENIZER_PROPERTY);
        if (p != null && !p.isBlank()) {
            return new Resolved(Path.of(p), "system property " + TOKENIZER_PROPERTY);
        }
        p = System.getenv(TOKENIZER_ENV);
        if (p != null && !p.isBlank()) {
            return new Resolved(Path.of(p), "environment variable " + TOKENIZER_ENV);
        }
        return new Resolved(cacheDir().resolve("tokenizers").resolve("qwen3").resolve("tokenizer.json"),
                "the hallmark cache default");
    }
}
