package dev.hallmark.scheme;

import java.util.Set;

/**
 * Gumbel-max / exponential-minimum watermark (Aaronson 2022; the scheme vLLM ships).
 *
 * <p>For context c (the previous {@code context} tokens) every candidate i gets
 * r_i = U(PRF(c, i)) uniform on (0, 1), and the next token is argmax_i r_i^(1/p_i) (equivalently
 * argmax_i ln(r_i)/p_i) over the candidates' probabilities p_i. For a fixed context and a
 * uniformly random key this picks i with probability exactly p_i: the scheme is distortion-free
 * per step. Detection sums s = -ln(1 - r_{x_t}) over distinct scored tuples; under the null each
 * term is Exp(1), so the sum of n terms is Gamma(n, 1).
 *
 * <p>Canonical spec: {@code gumbel:context=4} (the default of bare {@code gumbel}).
 */
public record GumbelScheme(int context) implements Scheme {

    public static final String NAME = "gumbel";

    public GumbelScheme {
        if (context < 1 || context > 16) {
            throw new IllegalArgumentException("gumbel: context must be in [1, 16], got " + context);
        }
    }

    public static GumbelScheme defaults() {
        return new GumbelScheme(4);
    }

    static GumbelScheme from(SpecParams p) {
        p.requireOnly(Set.of("context"));
        try {
            return new GumbelScheme(p.getInt("context", defaults().context));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scheme spec '" + p.spec() + "': " + e.getMessage(), e);
        }
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
        return visitor.gumbel(this);
    }

    @Override
    public String toString() {
        return NAME + ":context=" + context;
    }
}
