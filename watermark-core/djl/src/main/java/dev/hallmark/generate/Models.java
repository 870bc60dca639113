package dev.hallmark.generate;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the committed default model lives. Resolution order of {@link #defaultPath()}: system
 * property {@code hallmark.model}, environment variable {@code HALLMARK_MODEL},
 * {@code datasets/models/default} under the working directory, then the same path relative to
 * the repository that holds the running jar ({@code corpus-tools/target/hallmark.jar} or
 * {@code verifier-service/target/hallmark-verifier.jar} sit two levels below it).
 */
public final class Models {

    public static final String MODEL_PROPERTY = "hallmark.model";
    public static final String MODEL_ENV = "HALLMARK_MODEL";
    static final String RELATIVE = "datasets/models/default";

    private Models() {}

    public static Path defaultPath() {
        String p = System.getProperty(MODEL_PROPERTY);
        if (p == null || p.isBlank()) {
            p = System.getenv(MODEL_ENV);
        }
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        Path cwd = Path.of(RELATIVE);
        if (Files.isDirectory(cwd)) {
            return cwd;
        }
        try {
            Path jar = Path.of(Models.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path d = jar.getParent(); d != null; d = d.getParent()) {
                Path c = d.resolve(RELATIVE);
                if (Files.isDirectory(c)) {
                    return c;
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // fall through to the relative path, whose absence load() reports clearly
        }
        return cwd;
    }

    /** Loads the default model, with an error naming where it looked and how to point elsewhere. */
    public static TransformerLm loadDefault() {
        Path p = defaultPath();
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException("default model not found at " + p.toAbsolutePath()
                    + " (run from the repository root, or set -D" + MODEL_PROPERTY + "=DIR or " + MODEL_ENV + ")");
        }
        return TransformerLm.load(p);
    }
}
