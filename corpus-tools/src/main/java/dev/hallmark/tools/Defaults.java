package dev.hallmark.tools;

import dev.hallmark.generate.Models;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.TokenizerEngine;
import dev.hallmark.text.Tokenizers;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the CLI finds its default tokenizer and model. The libraries read no system properties,
 * environment variables or working directory; this application does, here and only here:
 * <ul>
 *   <li>tokenizer: {@code -Dhallmark.tokenizer}, {@code HALLMARK_TOKENIZER}, else the hallmark cache
 *       ({@code -Dhallmark.cache}, {@code HALLMARK_CACHE}, {@code ~/.cache/hallmark}); the fast
 *       engine's compiled tokenizers in {@code <cache>/fastbpe};
 *   <li>model: {@code -Dhallmark.model}, {@code HALLMARK_MODEL}, {@code datasets/models/default} under
 *       the working directory, then the same path relative to the repository that holds the running
 *       jar ({@code corpus-tools/target/hallmark.jar} sits two levels below it).
 * </ul>
 */
public final class Defaults {

    private Defaults() {}

    /** The default tokenizer's location (the file may not exist). */
    public static Tokenizers.Location tokenizer() {
        return Tokenizers.locate(System::getProperty, System::getenv);
    }

    /**
     * The given tokenizer file, or the default one when {@code path} is null, opened with
     * {@code engine}; the fast engine keeps its compiled form in {@link #compiledTokenizerDir()}.
     */
    public static TextTokenizer openTokenizer(Path path, TokenizerEngine engine) {
        return path != null ? engine.open(path, compiledTokenizerDir())
                : tokenizer().open(engine, compiledTokenizerDir());
    }

    /** {@link #openTokenizer(Path, TokenizerEngine)} with the fast engine (the default everywhere). */
    public static TextTokenizer openTokenizer(Path path) {
        return openTokenizer(path, TokenizerEngine.FAST);
    }

    /** Where the fast engine keeps compiled tokenizers: {@code <hallmark cache>/fastbpe}. */
    public static Path compiledTokenizerDir() {
        return cacheDir().resolve("fastbpe");
    }

    /** The hallmark cache directory ({@code -Dhallmark.cache}, {@code HALLMARK_CACHE}, {@code ~/.cache/hallmark}). */
    public static Path cacheDir() {
        return Tokenizers.cacheDir(System::getProperty, System::getenv);
    }

    /** The default tokenizer file path. */
    public static Path tokenizerPath() {
        return tokenizer().path();
    }

    /** The default model directory (see the class comment); it may not exist. */
    public static Path modelPath() {
        String p = System.getProperty(Models.MODEL_PROPERTY);
        if (p == null || p.isBlank()) {
            p = System.getenv(Models.MODEL_ENV);
        }
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        Path cwd = Path.of(Models.RELATIVE);
        if (Files.isDirectory(cwd)) {
            return cwd;
        }
        try {
            Path jar = Path.of(Defaults.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path d = jar.getParent(); d != null; d = d.getParent()) {
                Path c = d.resolve(Models.RELATIVE);
                if (Files.isDirectory(c)) {
                    return c;
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // fall through to the relative path, whose absence loadModel() reports clearly
        }
        return cwd;
    }

    /** The given model directory, or the default one when {@code dir} is null. */
    public static TransformerLm loadModel(Path dir) {
        return dir != null ? TransformerLm.load(dir) : Models.load(modelPath(), "the default model");
    }
}
