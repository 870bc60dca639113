package dev.hallmark.tools;

import dev.hallmark.key.KeyFile;
import dev.hallmark.key.VllmKey;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code hallmark keygen}: a new master key, or a child key derived from one. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {"Create a watermark key file (a new random master key, or a child derived from a master).",
            "Prints the key id; the secret is only ever written to the key file (mode 600).",
            "With --vllm-key N: a key file (type vllm) holding vLLM's 64-bit watermark key, for the vllm-* schemes."})
final class KeygenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, description = "Key file to write.")
    Path out;

    @Option(names = "--from", description = "Master key file to derive from (requires --derive).")
    Path from;

    @Option(names = "--derive", description = "Derivation path of the child key, e.g. account/123.")
    String derive;

    @Option(names = "--force", description = "Overwrite an existing key file.")
    boolean force;

    @Option(names = "--vllm-key", paramLabel = "N",
            description = "Write vLLM's watermark key N (0 to 2^64-1, as in --watermark-config '{\"key\": N}'); "
                    + "'-' reads it from standard input (keeps it out of the shell history).")
    String vllmKey;

    @Option(names = "--scheme", paramLabel = "SPEC", description = "Default scheme written into the key file, so "
            + "commands that read it need no --scheme (a derived key inherits its master's unless given).")
    String scheme;

    @Override
    public Integer call() throws Exception {
        if (vllmKey != null) {
            if (from != null || derive != null) {
                throw new IllegalArgumentException("--vllm-key writes vLLM's own key; it cannot be derived (--from/--derive)");
            }
            if (scheme != null) {
                throw new IllegalArgumentException("--scheme is for Hallmark keys; a vLLM key file names no default scheme "
                        + "(give --scheme vllm-... to the commands that read it)");
            }
            VllmKey key = VllmKey.parse(vllmKey.equals("-") ? readLine() : vllmKey);
            KeyFile.writeVllm(out, key, force);
            spec.commandLine().getOut().println(key.id() + "  (vLLM key)  -> " + out);
            return 0;
        }
        if ((from == null) != (derive == null)) {
            throw new IllegalArgumentException("--from and --derive go together: derive a child with "
                    + "--from master.json --derive account/123");
        }
        KeyFile.Contents master = from == null ? null : KeyFile.load(from);
        WatermarkKey key = master == null ? WatermarkKey.generate(new SecureRandom()) : master.key().derive(derive);
        String defaultScheme = scheme != null ? Scheme.parse(scheme).toString() : master == null ? null : master.scheme();
        KeyFile.write(out, key, defaultScheme, force);
        spec.commandLine().getOut().println(key.id() + (key.derivationPath() == null ? ""
                : "  (derived from " + key.parentId() + " at " + key.derivationPath() + ")")
                + (defaultScheme == null ? "" : "  scheme " + defaultScheme) + "  -> " + out);
        return 0;
    }

    private static String readLine() throws java.io.IOException {
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                java.nio.charset.StandardCharsets.UTF_8)).readLine();
        if (line == null) {
            throw new IllegalArgumentException("--vllm-key -: nothing on standard input");
        }
        return line;
    }
}
