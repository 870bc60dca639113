package dev.hallmark.scheme;

import java.util.Locale;
import java.util.Set;

/**
 * KGW red/green-list watermark (Kirchenbauer et al., "A Watermark for Large Language Models",
 * ICML 2023) and its Unigram special case (Zhao et al., "Provable Robust Watermarking for
 * AI-Generated Text", 2023).
 *
 * <p>A candidate token {@code x} after context {@code c} is <em>green</em> when the keyed PRF of
 * its seeding tuple falls below {@code gamma}: membership is decided per (context, candidate),
 * so a sampling step costs O(candidates), not O(vocabulary). Under the null each distinct tuple
 * is green with probability {@code gamma} independently, so the green count of {@code n}
 * distinct scored tuples is Binomial(n, gamma). Generation adds {@code delta} to green logits.
 *
 * <p>Seeding ({@code context} = h previous tokens):
 * <ul>
 *   <li>{@code lefthash}: tuple = (c_{t-h} .. c_{t-1}, x).
 *   <li>{@code selfhash}: min-hash anchored at the candidate, candidate included (the
 *       "SelfHash" of Kirchenbauer et al., "On the Reliability of Watermarks", 2023): over the
 *       window w = (c_{t-h} .. c_{t-1}, x) choose w* = argmin_i PRF_anchor(w_i, x); tuple =
 *       (w*, x). One edited context token changes the seed only if it was the minimum.
 *   <li>{@code context=0} is Unigram: tuple = (x), a fixed green list; spec name {@code unigram}.
 * </ul>
 *
 * <p>Canonical specs: {@code kgw:gamma=0.25,delta=2,context=1,seeding=lefthash} (the default of
 * bare {@code kgw}) and {@code unigram:gamma=0.5,delta=2} (bare {@code unigram}).
 */
public record KgwScheme(double gamma, double delta, int context, Seeding seeding) implements Scheme {

    public static final String NAME = "kgw";
    public static final String UNIGRAM = "unigram";

    /** How the PRF input is formed from the context. */
    public enum Seeding {
        LEFTHASH, SELFHASH;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public KgwScheme {
        if (!(gamma > 0 && gamma < 1)) {
            throw new IllegalArgumentException("kgw: gamma must be in (0, 1), got " + gamma);
        }
        if (!(delta > 0 && delta <= 100)) {
            throw new IllegalArgumentException("kgw: delta must be in (0, 100], got " + delta);
        }
        if (context < 0 || context > 16) {
            throw new IllegalArgumentException("kgw: context must be in [0, 16], got " + context);
        }
        if (seeding == null) {
            throw new IllegalArgumentException("kgw: seeding must be lefthash or selfhash");
        }
        if (context == 0 && seeding != Seeding.LEFTHASH) {
            throw new IllegalArgumentException("kgw: context=0 (unigram) has no seeding choice");
        }
    }

    /** Defaults of bare {@code kgw}. */
    public static KgwScheme defaults() {
        return new KgwScheme(0.25, 2.0, 1, Seeding.LEFTHASH);
    }

    /** Defaults of bare {@code unigram}. */
    public static KgwScheme unigramDefaults() {
        return new KgwScheme(0.5, 2.0, 0, Seeding.LEFTHASH);
    }

    static KgwScheme from(SpecParams p) {
        if (p.name().equals(UNIGRAM)) {
            p.requireOnly(Set.of("gamma", "delta"));
            KgwScheme d = unigramDefaults();
            return new KgwScheme(p.getDouble("gamma", d.gamma), p.getDouble("delta", d.delta), 0, Seeding.LEFTHASH);
        }
        p.requireOnly(Set.of("gamma", "delta", "context", "seeding"));
        KgwScheme d = defaults();
        int h = p.getInt("context", d.context);
        if (h == 0) {
            throw p.invalid("context", "= 0 is the unigram scheme: write unigram:gamma=..,delta=..");
        }
        String s = p.getString("seeding", d.seeding.text()).toLowerCase(Locale.ROOT);
        Seeding seeding = switch (s) {
            case "lefthash" -> Seeding.LEFTHASH;
            case "selfhash" -> Seeding.SELFHASH;
            default -> throw p.invalid("seeding", "must be lefthash or selfhash, got '" + s + "'");
        };
        try {
            return new KgwScheme(p.getDouble("gamma", d.gamma), p.getDouble("delta", d.delta), h, seeding);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scheme spec '" + p.spec() + "': " + e.getMessage(), e);
        }
    }

    /** Unigram: a fixed green list (context width 0). */
    public boolean isUnigram() {
        return context == 0;
    }

    @Override
    public String name() {
        return isUnigram() ? UNIGRAM : NAME;
    }

    @Override
    public int contextWidth() {
        return context;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.kgw(this);
    }

    @Override
    public String toString() {
        if (isUnigram()) {
            return UNIGRAM + ":gamma=" + SpecParams.num(gamma) + ",delta=" + SpecParams.num(delta);
        }
        return NAME + ":gamma=" + SpecParams.num(gamma) + ",delta=" + SpecParams.num(delta)
                + ",context=" + context + ",seeding=" + seeding.text();
    }
}
