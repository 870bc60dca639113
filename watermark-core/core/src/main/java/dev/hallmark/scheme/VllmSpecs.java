package dev.hallmark.scheme;

import dev.hallmark.key.VllmKey;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/** Spec parsing shared by the {@link VllmScheme} records. */
final class VllmSpecs {

    private VllmSpecs() {}

    /** Parses {@code vllm:algorithm=A,...} into the scheme of that algorithm. */
    static VllmScheme fromAlias(SpecParams p) {
        String algorithm = p.getString("algorithm", null);
        if (algorithm == null) {
            throw p.invalid("algorithm", "is required for vllm: gumbel, dual_key_gumbel or sbw");
        }
        String name = switch (algorithm.toLowerCase(Locale.ROOT)) {
            case "gumbel" -> VllmGumbelScheme.NAME;
            case "dual_key_gumbel" -> VllmDualKeyGumbelScheme.NAME;
            case "sbw" -> VllmSbwScheme.NAME;
            default -> throw p.invalid("algorithm", "'" + algorithm
                    + "' is not a vLLM watermarking algorithm (known: gumbel, dual_key_gumbel, sbw)");
        };
        SpecParams q = p.renamed(name, "algorithm");
        return switch (name) {
            case VllmGumbelScheme.NAME -> VllmGumbelScheme.from(q);
            case VllmDualKeyGumbelScheme.NAME -> VllmDualKeyGumbelScheme.from(q);
            default -> VllmSbwScheme.from(q);
        };
    }

    /** The parameters every vLLM spec shares, parsed and checked. */
    record Common(int context, boolean dedup, int vocab, VllmKey key) {

        static Common parse(SpecParams p, Set<String> own, int defaultContext) {
            Set<String> allowed = new LinkedHashSet<>(own);
            allowed.addAll(Set.of("context", "dedup", "vocab", "key"));
            p.requireOnly(allowed);
            int context = p.getInt("context", defaultContext);
            if (context < 1 || context > VllmScheme.MAX_CONTEXT) {
                throw p.invalid("context", "must be in [1, " + VllmScheme.MAX_CONTEXT + "] (vLLM's context_width), got "
                        + context);
            }
            int vocab = p.getInt("vocab", 0);
            if (p.getString("vocab", null) != null && vocab < 1) {
                throw p.invalid("vocab", "must be a vocabulary size >= 1, got " + vocab);
            }
            String keyText = p.getString("key", null);
            VllmKey key = null;
            if (keyText != null) {
                try {
                    key = VllmKey.parse(keyText);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("scheme spec '" + p.spec() + "': " + e.getMessage(), e);
                }
            }
            return new Common(context, p.getBoolean("dedup", true), vocab, key);
        }

        /** The common tail of the canonical spec. */
        String tail() {
            return ",dedup=" + dedup + (vocab > 0 ? ",vocab=" + vocab : "");
        }
    }

    /** Checks the range of vLLM's constructor for a record component. */
    static void checkCommon(String name, int context, int vocab) {
        if (context < 1 || context > VllmScheme.MAX_CONTEXT) {
            throw new IllegalArgumentException(name + ": context must be in [1, " + VllmScheme.MAX_CONTEXT + "], got " + context);
        }
        if (vocab < 0) {
            throw new IllegalArgumentException(name + ": vocab must be >= 1 (or 0 for none), got " + vocab);
        }
    }
}
