package dev.hallmark.tools.spark;

import dev.hallmark.tools.Defaults;
import dev.hallmark.text.HfTokenizer;
import dev.hallmark.text.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkFiles;

/**
 * The tokenizer of an executor JVM: loaded lazily on first use and then shared by every task of
 * that JVM (a Spark executor runs many tasks, in parallel, in one JVM; the native tokenizer is
 * thread-safe). Loading a 11 MB tokenizer.json costs about a second, so loading it per task or
 * per record would dominate small tasks.
 *
 * <p>Where the file is found, in order: the path as given, if it exists on the executor (a shared
 * file system, or local mode); else the file of that name shipped with {@code spark-submit
 * --files} ({@link SparkFiles#get}); with no path given, the executor's default
 * ({@link dev.hallmark.tools.Defaults#tokenizerPath()}). Tokenizers are never closed: they live as long as the JVM.
 */
final class ExecutorTokenizer {

    private static final Map<String, HfTokenizer> LOADED = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorTokenizer() {}

    /** The tokenizer for a job's {@code --tokenizer} option (null: the default). */
    static HfTokenizer get(String option) {
        String k = option == null ? "" : option;
        HfTokenizer t = LOADED.get(k);
        return t != null ? t : LOADED.computeIfAbsent(k, ExecutorTokenizer::load);
    }

    /** How many tokenizers this JVM has loaded (for tests: once per JVM and path). */
    static int loads() {
        return LOADS.get();
    }

    private static HfTokenizer load(String option) {
        Path p = resolve(option);
        LOADS.incrementAndGet();
        return HfTokenizer.open(p);
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
