package dev.hallmark.generate;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The committed default model: where it sits in the repository, and loading a model directory with a
 * clear error. This library does not look for the model by itself (no system properties, environment
 * or working directory): the application resolves the directory and passes it in.
 */
public final class Models {

    /** Setting (a system property in the applications) naming the model directory. */
    public static final String MODEL_PROPERTY = "hallmark.model";
    /** Setting (an environment variable in the applications) naming the model directory. */
    public static final String MODEL_ENV = "HALLMARK_MODEL";
    /** The default model's directory relative to the repository root. */
    public static final String RELATIVE = "datasets/models/default";

    private Models() {}

    /**
     * Loads a model directory written by {@link TransformerLm#save}, with an error naming where it
     * looked and how to point elsewhere.
     *
     * @param dir the model directory
     * @param source where {@code dir} came from, for the error message (e.g. "the default model")
     * @return the loaded model
     * @throws IllegalArgumentException if {@code dir} is not a directory
     */
    public static TransformerLm load(Path dir, String source) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model not found at " + dir.toAbsolutePath() + " (" + source
                    + "; run from the repository root, or set -D" + MODEL_PROPERTY + "=DIR or " + MODEL_ENV + ")");
        }
        return TransformerLm.load(dir);
    }
}
