package dev.hallmark.tools;

import dev.hallmark.key.KeyFile;
import dev.hallmark.key.KeyRing;
import dev.hallmark.key.VllmKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.VllmScheme;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds a {@code vllm-*} scheme to vLLM's key for the CLI: {@code key=N} in the spec, a vLLM key file
 * ({@code --key K.json}, written by {@code hallmark keygen --vllm-key N}), or a directory of them
 * ({@code --keyring DIR}, every key tested, Holm-corrected).
 */
public final class VllmKeys {

    private VllmKeys() {}

    /**
     * @param file the {@code --key} file, or null
     * @param ring the {@code --keyring} directory, or null
     */
    static List<KeyedScheme> bind(VllmScheme scheme, Path file, Path ring) throws IOException {
        List<KeyedScheme> out = new ArrayList<>();
        for (VllmKey k : load(scheme, file, ring)) {
            out.add(KeyedScheme.of(scheme, k));
        }
        return out;
    }

    /**
     * The vLLM keys a command tests: the spec's {@code key=N}, the {@code --key} file, or every key
     * of the {@code --keyring} directory.
     *
     * @param file the {@code --key} file, or null
     * @param ring the {@code --keyring} directory, or null
     * @throws IllegalArgumentException if none or two of them are given
     */
    public static List<VllmKey> load(VllmScheme scheme, Path file, Path ring) throws IOException {
        if (scheme.inlineKey() != null) {
            if (file != null || ring != null) {
                throw new IllegalArgumentException("scheme " + scheme + " has key=... in the spec and --key/--keyring "
                        + "was given too: give the vLLM key once");
            }
            return List.of(scheme.inlineKey());
        }
        if (file == null && ring == null) {
            throw new IllegalArgumentException("scheme " + scheme + " needs vLLM's 64-bit key: --key K.json (made by "
                    + "hallmark keygen --vllm-key N --out K.json), --keyring DIR of such files, or key=N in the spec");
        }
        return file != null ? List.of(KeyFile.readVllm(file)) : KeyRing.loadVllm(ring);
    }
}
