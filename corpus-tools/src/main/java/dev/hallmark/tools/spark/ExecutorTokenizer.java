package dev.hallmark.tools.spark;

import dev.hallmark.tools.Defaults;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.TokenizerEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkFiles;

/**
 * The tokenizer of an executor JVM: loaded lazily on first use and then shared by every task of
 * that JVM (a Spark executor runs many tasks, in parallel, in one JVM; both engines are
 * thread-safe). Loading costs 0.1 s (the fast engine from its compiled cache) to a few seconds (HF,
 * or the fast engine's first parse of an 11 MB tokenizer.json), so loading it per task or per
 * record would dominate small tasks.
 *
 * <p>Where the file is found, in order: the path as given, if it exists on the executor (a shared
 * file system, or local mode); else the file of that name shipped with {@code spark-submit
 * --files} ({@link SparkFiles#get}); with no path given, the executor's default
 * ({@link dev.hallmark.tools.Defaults#tokenizerPath()}). The fast engine keeps its compiled form in
 * the executor's Hallmark cache ({@link Defaults#compiledTokenizerDir()}; an unwritable cache only
 * costs the speed-up). Tokenizers are never closed: they live as long as the JVM.
 */
final class ExecutorTokenizer {

    private static final Map<String, TextTokenizer> LOADED = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorTokenizer() {}

    /** The tokenizer for a job's {@code --tokenizer} option (null: the default) and engine. */
    static TextTokenizer get(String option, TokenizerEngine engine) {
        String k = engine.id() + "|" + (option == null ? "" : option);
        TextTokenizer t = LOADED.get(k);
        return t != null ? t : LOADED.computeIfAbsent(k, x -> load(option == null ? "" : option, engine));
    }

    /** How many tokenizers this JVM has loaded (for tests: once per JVM, engine and path). */
    static int loads() {
        return LOADS.get();
    }

    private static TextTokenizer load(String option, TokenizerEngine engine) {
        Path p = resolve(option);
        LOADS.incrementAndGet();
        return engine.open(p, Defaults.compiledTokenizerDir());
    }
    static Path resolve(String option) {
        if (option.isEmpty()) {
            return Defaults.tokenizerPath();
        }
        Path given = Path.of(option);
        if (Files.isRegularFile(given)) {
            return given;
        }
        Path fileName = given.getFileName();
        String shipped = null;
        if (fileName != null) {
            try {
                shipped = SparkFiles.get(fileName.toString());
            } catch (RuntimeException e) {
                // no SparkEnv (not inside Spark) or no file of that name: report below
            }
        }
        if (shipped != null && Files.isRegularFile(Path.of(shipped))) {
            return Path.of(shipped);
        }
        throw new IllegalArgumentException("tokenizer " + option + " not found on this executor: neither that path "
                + "nor a file '" + fileName + "' shipped with spark-submit --files"
                + (shipped == null ? "" : " (looked at " + shipped + ")"));
    }
}
