package dev.hallmark.tools;

import dev.hallmark.key.KeyFile;
import dev.hallmark.key.KeyRing;
import dev.hallmark.key.WatermarkKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Mixin {@code --key FILE | --keyring DIR} (exactly one required): the watermark keys a command
 * tests. {@link OptionalKeyOptions} is the same choice for commands whose scheme may need no key.
 * Another way to name keys is one more option in {@link Source}.
 */
public final class KeyOptions {

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** The key of {@code --key}, or every key of {@code --keyring}. */
    public List<WatermarkKey> load() throws IOException {
        return source.load();
    }

    /** The exclusive group of key options, shared by {@link KeyOptions} and {@link OptionalKeyOptions}. */
    public static final class Source {

        @Option(names = "--key", description = "Key file.")
        Path key;

        @Option(names = "--keyring", description = "Directory of key files: test every key, Holm-corrected.")
        Path keyring;

        List<WatermarkKey> load() throws IOException {
            return key != null ? List.of(KeyFile.read(key)) : KeyRing.load(keyring).keys();
        }
    }
}
