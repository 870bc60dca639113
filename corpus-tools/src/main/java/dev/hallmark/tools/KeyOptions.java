package dev.hallmark.tools;

import dev.hallmark.key.KeyFile;
import dev.hallmark.key.KeyRing;
import dev.hallmark.key.WatermarkKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --key FILE | --keyring DIR}, shared by the commands that test one key or a whole key ring
 * (used as an exclusive {@code @ArgGroup}).
 */
public final class KeyOptions {

    @Option(names = "--key", description = "Key file.")
    Path key;

    @Option(names = "--keyring", description = "Directory of key files: test every key, Holm-corrected.")
    Path keyring;

    /** The key of {@code --key}, or every key of {@code --keyring}. */
    public List<WatermarkKey> load() throws IOException {
        return key != null ? List.of(KeyFile.read(key)) : KeyRing.load(keyring).keys();
    }
}
