package dev.hallmark.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Where the project's default tokenizer ({@code tokenizer.json} of Qwen3) is found, and opening it.
 *
 * <p>This library reads no system property or environment variable itself: the application passes
 * its lookups in ({@code Tokenizers.locate(System::getProperty, System::getenv)}), so an embedding
 * application decides where configuration comes from. Resolution order of {@link #locate}:
 * <ol>
 *   <li>setting {@value #TOKENIZER_PROPERTY} of the first lookup (a path to a {@code tokenizer.json});
 *   <li>setting {@value #TOKENIZER_ENV} of the second lookup;
 *   <li>{@code <cache>/tokenizers/qwen3/tokenizer.json}, where {@code <cache>} is {@link #cacheDir}.
 * </ol>
 * The file is put in the cache by {@code datasets/fetch-tokenizer.sh}, which the Maven build of
 * {@code hallmark-text} runs (checksum-verified); see {@code datasets/tokenizer/DATASHEET.md}.
 */
public final class Tokenizers {

    /** Setting (a system property in the applications) naming the tokenizer file. */
    public static final String TOKENIZER_PROPERTY = "hallmark.tokenizer";
    /** Setting (an environment variable in the applications) naming the tokenizer file. */
    public static final String TOKENIZER_ENV = "HALLMARK_TOKENIZER";
    /** Setting (a system property in the applications) naming the hallmark cache directory. */
    public static final String CACHE_PROPERTY = "hallmark.cache";
    /** Setting (an environment variable in the applications) naming the hallmark cache directory. */
    public static final String CACHE_ENV = "HALLMARK_CACHE";

    /** Vocabulary size of the default (Qwen3) tokenizer, special tokens included. */
    public static final int QWEN3_VOCABULARY_SIZE = 151_669;
    /** Id of Qwen3's {@code <|endoftext|>}. */
    public static final int QWEN3_END_OF_TEXT = 151_643;

    private Tokenizers() {
    }

    /**
     * Where a tokenizer file was found and which setting named it (for error messages).
     *
     * @param path the {@code tokenizer.json} (it may not exist)
     * @param source which setting named it
     */
    public record Location(Path path, String source) {
        /** Checks both parts are present. */
        public Location {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(source, "source");
        }

        /**
         * Opens the tokenizer at this location.
         *
         * @return the tokenizer
         * @throws UncheckedIOException if the file is missing (the message names the path, where it
         *     came from, and how to fetch it) or cannot be read
         */
        public HfTokenizer open() {
            if (!Files.isRegularFile(path)) {
                throw new UncheckedIOException(new IOException(missingMessage(path, source)));
            }
            return HfTokenizer.open(path);
        }

        /**
         * Opens the tokenizer at this location with {@code engine}; the fast engine keeps the
         * file's compiled form in {@code compiledDir} ({@link TokenizerEngine#open(Path, Path)}).
         *
         * @throws UncheckedIOException if the file is missing (the message names the path, where it
         *     came from, and how to fetch it) or cannot be read
         */
        public TextTokenizer open(TokenizerEngine engine, Path compiledDir) {
            Objects.requireNonNull(engine, "engine");
            if (!Files.isRegularFile(path)) {
                throw new UncheckedIOException(new IOException(missingMessage(path, source)));
            }
            return engine.open(path, compiledDir);
        }
    }

    /**
     * The hallmark cache directory: setting {@value #CACHE_PROPERTY} of {@code properties}, else
     * {@value #CACHE_ENV} of {@code environment}, else {@code <user.home>/.cache/hallmark} with
     * {@code user.home} from {@code properties}.
     *
     * @param properties lookup of named settings, e.g. {@code System::getProperty}
     * @param environment lookup of environment variables, e.g. {@code System::getenv}
     * @return the cache directory (it may not exist)
     */
    public static Path cacheDir(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        String p = properties.apply(CACHE_PROPERTY);
        if (blank(p)) {
            p = environment.apply(CACHE_ENV);
        }
        if (blank(p)) {
            String home = properties.apply("user.home");
            return Path.of(blank(home) ? "." : home, ".cache", "hallmark");
        }
        return Path.of(p);
    }

    /**
     * The Qwen3 {@code tokenizer.json} inside a hallmark cache directory.
     *
     * @param cacheDir the cache directory
     * @return {@code <cacheDir>/tokenizers/qwen3/tokenizer.json}
     */
    public static Path qwen3In(Path cacheDir) {
        return cacheDir.resolve("tokenizers").resolve("qwen3").resolve("tokenizer.json");
    }

    /**
     * Resolves the default tokenizer file (see the class comment); the file may not exist.
     *
     * @param properties lookup of named settings, e.g. {@code System::getProperty}
     * @param environment lookup of environment variables, e.g. {@code System::getenv}
     * @return the location and which setting named it
     */
    public static Location locate(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        String p = properties.apply(TOKENIZER_PROPERTY);
        if (!blank(p)) {
            return new Location(Path.of(p), "setting " + TOKENIZER_PROPERTY);
        }
        p = environment.apply(TOKENIZER_ENV);
        if (!blank(p)) {
            return new Location(Path.of(p), "environment variable " + TOKENIZER_ENV);
        }
        return new Location(qwen3In(cacheDir(properties, environment)), "the hallmark cache default");
    }

    static String missingMessage(Path path, String source) {
        return "tokenizer file not found: " + path + " (from " + source + "). Fetch it with "
                + "'bash datasets/fetch-tokenizer.sh' (or any 'mvn package' of the project, which runs it), "
                + "or point -D" + TOKENIZER_PROPERTY + "=... or " + TOKENIZER_ENV + " at a tokenizer.json";
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
