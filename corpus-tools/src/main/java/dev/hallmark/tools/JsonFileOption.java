package dev.hallmark.tools;

import dev.hallmark.detect.DetectionJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Mixin {@code [--out FILE]}: also write the command's results as pretty-printed JSON. */
public final class JsonFileOption {

    @Option(names = "--out", description = "Write the results as JSON here.")
    Path out;

    /** True if {@code --out} was given. */
    public boolean given() {
        return out != null;
    }

    public Path path() {
        return out;
    }

    /** Writes {@code value} (a record, a map or a tree) with Jackson, creating parent directories. */
    public void write(Object value) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        DetectionJson.mapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), value);
    }
}
