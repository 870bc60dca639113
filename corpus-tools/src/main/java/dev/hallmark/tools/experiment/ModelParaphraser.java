package dev.hallmark.tools.experiment;

import dev.hallmark.tools.attack.Attack;
import dev.hallmark.tools.attack.Paraphraser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The paraphrase attack with a language model that does not know the key: each token (after the
 * first) is chosen for re-generation independently with probability s, and a chosen token is
 * replaced by a sample from the model's next-token distribution given the original text before it,
 * conditioned on differing from the original token (renormalised without it; temperature 1).
 * Unchosen tokens are kept.
 *
 * <p>So every re-generated token is what the model finds plausible in that place, unlike the
 * random substitution attack, and the token edit rate is about s (a little less where Levenshtein
 * finds a cheaper alignment). All chosen positions of a text are resampled from one forward pass
 * over the original text (teacher forcing): this is token-level rewriting in context, not a
 * semantic paraphrase, which a small causal LM without instruction tuning cannot do.
 */
public final class ModelParaphraser implements Paraphraser {

    private final TextModel model;
    private final int[] support;

    public ModelParaphraser(TextModel model) {
        this.model = Objects.requireNonNull(model, "model");
        this.support = model.supportIds();
    }

    @Override
    public String describe() {
        return "in-context token re-generation by " + model.describe();
    }

    @Override
    public Attack.Changed<int[]> paraphrase(int[] ids, double strength, RandomGenerator random) {
        List<Integer> chosen = new ArrayList<>();
        for (int t = 1; t < ids.length; t++) {
            if (random.nextDouble() < strength) {
                chosen.add(t);
            }
        }
        int[] pos = chosen.stream().mapToInt(Integer::intValue).toArray();
        double[][] dist = model.distributions(ids, pos);
        int[] out = ids.clone();
        long replaced = 0;
        long kept = 0;
        for (int i = 0; i < pos.length; i++) {
            double[] p = dist[i];
            int original = ids[pos[i]];
            double total = 0;
            for (int c = 0; c < p.length; c++) {
                if (support[c] != original) {
                    total += p[c];
                }
            }
            if (!(total > 0)) {
                kept++; // the model puts all its mass on the original token: nothing else to say
                continue;
            }
            double u = random.nextDouble() * total;
            double cum = 0;
            int pick = -1;
            for (int c = 0; c < p.length; c++) {
                if (support[c] == original) {
                    continue;
                }
                cum += p[c];
                pick = c;
                if (u < cum) {
                    break;
                }
            }
            out[pos[i]] = support[pick];
            replaced++;
        }
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("chosen", (long) pos.length);
        m.put("regenerated", replaced);
        if (kept > 0) {
            m.put("certain_kept", kept);
        }
        return new Attack.Changed<>(Arrays.copyOf(out, out.length), m);
    }
}
