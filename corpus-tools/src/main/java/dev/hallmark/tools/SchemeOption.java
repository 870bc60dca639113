package dev.hallmark.tools;

import dev.hallmark.scheme.Scheme;
import java.io.IOException;
import picocli.CommandLine.Option;

/**
 * Mixin {@code [--scheme SPEC]}: the watermark scheme, as its canonical text spec; when omitted,
 * the default scheme the key file names ({@code hallmark keygen --scheme SPEC} writes one).
 */
public final class SchemeOption {

    @Option(names = "--scheme", paramLabel = "SPEC", description = "Scheme spec, e.g. kgw, gumbel, synthid, "
            + "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash (docs/schemes.md; the third-party hf-kgw:..., "
            + "synthid-ref:..., vllm-gumbel:..., vllm-dual-key-gumbel:... and vllm-sbw:... in docs/interop.md). "
            + "Default: the scheme the key file names (hallmark keygen --scheme SPEC).")
    String scheme;

    /** The spec as given, or null. */
    public String spec() {
        return scheme;
    }

    /** True if {@code --scheme} was given. */
    public boolean given() {
        return scheme != null;
    }

    /**
     * The scheme of {@code --scheme}, required here (no key file to take a default from).
     *
     * @throws IllegalArgumentException naming the problem of a bad spec, or that the option is missing
     */
    public Scheme parse() {
        return parse((String) null);
    }

    /** Where a command's key files name their default scheme (read only when {@code --scheme} is not given). */
    @FunctionalInterface
    public interface KeyDefault {
        /** The default scheme spec, or null if the key file names none. */
        String scheme() throws IOException;
    }

    /**
     * The scheme of {@code --scheme}, else the one {@code keys} name (asked only then, so key files
     * that disagree matter only without {@code --scheme}).
     *
     * @throws IllegalArgumentException naming the problem: a bad spec, or neither given
     */
    public Scheme parse(KeyDefault keys) throws IOException {
        return scheme != null ? Scheme.parse(scheme) : parse(keys.scheme());
    }

    /**
     * The scheme of {@code --scheme}, else {@code keyDefault} (the default scheme of the key file
     * the command reads, or null if it names none).
     *
     * @throws IllegalArgumentException naming the problem: a bad spec, or neither given
     */
    public Scheme parse(String keyDefault) {
        if (scheme != null) {
            return Scheme.parse(scheme);
        }
        if (keyDefault == null) {
            throw new IllegalArgumentException("--scheme SPEC is required: the key file names no default scheme "
                    + "(hallmark keygen --scheme SPEC writes one into a key file)");
        }
        try {
            return Scheme.parse(keyDefault);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the key file's default scheme '" + keyDefault + "': " + e.getMessage()
                    + " (give --scheme SPEC)", e);
        }
    }
}
