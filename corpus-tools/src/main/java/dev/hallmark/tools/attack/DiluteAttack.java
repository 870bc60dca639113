package dev.hallmark.tools.attack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Copy-paste dilution: the (watermarked) input is pasted, as one contiguous span, into a passage
 * of human text, so that a fraction {@code s} (the strength) of the output's tokens is human text
 * and {@code 1 - s} is the input.
 *
 * <p>For an input of n tokens, H = round(n s / (1 - s)) human tokens are needed. They are a
 * contiguous excerpt of a uniformly chosen human document long enough to supply them (if no
 * document is, several random documents are concatenated), starting at a uniform offset; the
 * input is inserted at a uniform position 0..H inside the excerpt. The changes record the human
 * tokens added, the input tokens, the measured watermarked fraction n / (n + H), the document and
 * the insertion point. As an edit distance this is H insertions, so the step's Levenshtein edit
 * rate is H / n = s / (1 - s); {@code watermarked_fraction} is the figure to read.
 */
final class DiluteAttack implements TokenAttack {

    private final double strength;
    private final List<int[]> human;

    DiluteAttack(double strength, List<int[]> human) {
        if (!(strength >= 0 && strength < 1)) {
            throw new IllegalArgumentException("dilute: strength is the human fraction of the output and must be in "
                    + "[0, 1), got " + strength);
        }
        this.strength = strength;
        this.human = Objects.requireNonNull(human, "human");
        if (human.isEmpty() || human.stream().allMatch(h -> h.length == 0)) {
            throw new IllegalArgumentException("dilute: the human-text pool is empty");
        }
    }

    @Override
    public String kind() {
        return "dilute";
    }

    @Override
    public double strength() {
        return strength;
    }

    @Override
    public Changed<int[]> apply(int[] ids, RandomGenerator random) {
        int n = ids.length;
        int h = (int) Math.round(n * strength / (1 - strength));
        List<Integer> fit = new ArrayList<>();
        for (int d = 0; d < human.size(); d++) {
            if (human.get(d).length >= h) {
                fit.add(d);
            }
        }
        int[] excerpt;
        long doc;
        if (!fit.isEmpty()) {
            int d = fit.get(random.nextInt(fit.size()));
            int[] src = human.get(d);
            int start = random.nextInt(src.length - h + 1);
            excerpt = java.util.Arrays.copyOfRange(src, start, start + h);
            doc = d;
        } else {
            excerpt = new int[h];
            int filled = 0;
            while (filled < h) {
                int[] src = human.get(random.nextInt(human.size()));
                int take = Math.min(src.length, h - filled);
                System.arraycopy(src, 0, excerpt, filled, take);
                filled += take;
            }
            doc = -1;
        }
        int at = random.nextInt(h + 1);
        int[] out = new int[n + h];
        System.arraycopy(excerpt, 0, out, 0, at);
        System.arraycopy(ids, 0, out, at, n);
        System.arraycopy(excerpt, at, out, at + n, h - at);
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("human_tokens", (long) h);
        m.put("input_tokens", (long) n);
        m.put("insert_at", (long) at);
        m.put("human_doc", doc);
        return new Changed<>(out, m);
    }

    /** The watermarked (input) fraction of the output, n / (n + H). */
    @Override
    public Map<String, Double> derived(Map<String, Long> changes) {
        long n = changes.get("input_tokens");
        long h = changes.get("human_tokens");
        return Map.of("watermarked_fraction", n + h == 0 ? Double.NaN : (double) n / (n + h));
    }
}
