package dev.hallmark.scheme;

import java.util.Set;

/**
 * SynthID-Text tournament sampling (Dathathri et al., "Scalable watermarking for identifying
 * large language model outputs", Nature 634, 2024).
 *
 * <p>For context c (the previous {@code context} tokens, i.e. n-gram length context+1) every
 * candidate x has {@code layers} g-values g_l(c, x) in {0, 1}: bit l of PRF(c, x). Sampling runs a
 * tournament of {@code layers} rounds over the candidates' distribution:
 * <ul>
 *   <li>{@code leaves=2} (non-distortionary): per layer, with m = sum_x g_l(x) p(x),
 *       p(x) &lt;- p(x) (1 + g_l(x) - m). Averaged over keys the output distribution is unchanged.
 *   <li>{@code leaves=N>2} (distortionary, stronger signal): p(x) &lt;- p(x) (1 - (1 - m)^N) / m
 *       where g_l(x) = 1, else p(x) (1 - m)^(N-1).
 * </ul>
 * Detection counts the g-values equal to 1 over all layers and distinct scored tuples; under the
 * null they are fair coins, so the count over n tuples is Binomial(layers * n, 1/2). The reported
 * statistic is the mean g-value (the paper's Mean score).
 *
 * <p>Canonical spec: {@code synthid:context=4,layers=30,leaves=2} (default of bare {@code synthid}).
 */
public record SynthIdScheme(int context, int layers, int leaves) implements Scheme {

    public static final String NAME = "synthid";

    public SynthIdScheme {
        if (context < 1 || context > 16) {
            throw new IllegalArgumentException("synthid: context must be in [1, 16], got " + context);
        }
        if (layers < 1 || layers > 64) {
            throw new IllegalArgumentException("synthid: layers must be in [1, 64], got " + layers);
        }
        if (leaves < 2 || leaves > 64) {
            throw new IllegalArgumentException("synthid: leaves must be in [2, 64], got " + leaves);
        }
    }

    public static SynthIdScheme defaults() {
        return new SynthIdScheme(4, 30, 2);
    }

    static SynthIdScheme from(SpecParams p) {
        p.requireOnly(Set.of("context", "layers", "leaves"));
        SynthIdScheme d = defaults();
        try {
            return new SynthIdScheme(p.getInt("context", d.context), p.getInt("layers", d.layers),
                    p.getInt("leaves", d.leaves));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scheme spec '" + p.spec() + "': " + e.getMessage(), e);
        }
    }

    /** True for the non-distortionary two-leaf tournament. */
    public boolean distortionFree() {
        return leaves == 2;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int contextWidth() {
        return context;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.synthId(this);
    }

    @Override
    public String toString() {
        return NAME + ":context=" + context + ",layers=" + layers + ",leaves=" + leaves;
    }
}
