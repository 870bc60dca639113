package dev.hallmark.tools;

import dev.hallmark.scheme.Scheme;
import picocli.CommandLine.Option;

/** Mixin {@code --scheme SPEC} (required): the watermark scheme, as its canonical text spec. */
public final class SchemeOption {

    @Option(names = "--scheme", required = true, description = "Scheme spec, e.g. kgw, gumbel, synthid, "
            + "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash (docs/schemes.md; the third-party hf-kgw:..., "
            + "synthid-ref:..., vllm-gumbel:..., vllm-dual-key-gumbel:... and vllm-sbw:... in docs/interop.md).")
    String scheme;

    /** The spec as given. */
    public String spec() {
        return scheme;
    }

    /** The parsed scheme (a bad spec is an {@link IllegalArgumentException} naming the problem). */
    public Scheme parse() {
        return Scheme.parse(scheme);
    }
}
