package dev.hallmark.tools;

import dev.hallmark.key.WatermarkKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.ArgGroup;

/** Mixin {@code [--key FILE | --keyring DIR]}: {@link KeyOptions} when the scheme may need no Hallmark key. */
public final class OptionalKeyOptions {

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    KeyOptions.Source source;

    /** True if {@code --key} or {@code --keyring} was given. */
    public boolean given() {
        return source != null;
    }

    /** The {@code --key} file, or null. */
    public Path keyFile() {
        return source == null ? null : source.key;
    }

    /** The {@code --keyring} directory, or null. */
    public Path keyring() {
        return source == null ? null : source.keyring;
    }

    /**
     * The key of {@code --key}, or every key of {@code --keyring}.
     *
     * @throws IllegalArgumentException if neither was given; {@code why} says what needs the key
     */
    public List<WatermarkKey> load(String why) throws IOException {
        if (source == null) {
            throw new IllegalArgumentException(why + " needs a key: give --key K.json or --keyring DIR");
        }
        return source.load();
    }
}
