package dev.hallmark.tools;

import dev.hallmark.key.KeyFile;
import dev.hallmark.key.KeyRing;
import dev.hallmark.key.WatermarkKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

    /** The default scheme the key file (or the key ring's files) name, or null: see {@link Source#defaultScheme()}. */
    public String defaultScheme() throws IOException {
        return source.defaultScheme();
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

        /**
         * The default scheme of the key file, or the one the key ring's files agree on (files
         * naming none take it), or null if none names one.
         *
         * @throws IllegalArgumentException if the ring's files name different schemes
         */
        String defaultScheme() throws IOException {
            if (key != null) {
                // a vLLM key file names no default scheme: its scheme is always given (vllm-*)
                return KeyFile.TYPE_VLLM.equals(KeyFile.type(key)) ? null : KeyFile.load(key).scheme();
            }
            KeyRing ring = KeyRing.load(keyring);
            Map<String, String> named = new TreeMap<>();
            for (WatermarkKey k : ring.keys()) {
                String s = ring.scheme(k.id());
                if (s != null) {
                    named.put(k.id(), s);
                }
            }
            if (new HashSet<>(named.values()).size() > 1) {
                throw new IllegalArgumentException("the key files of " + keyring + " name different default schemes "
                        + named + ": give --scheme SPEC");
            }
            return named.isEmpty() ? null : named.values().iterator().next();
        }
    }
}
