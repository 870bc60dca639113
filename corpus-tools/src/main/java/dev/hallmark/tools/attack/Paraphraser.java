package dev.hallmark.tools.attack;

import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Rewrites token ids with a language model that does not know the watermark key (the paraphrase
 * attack's engine).
 */
public interface Paraphraser {

    /**
     * Rewrites {@code ids} at {@code strength}.
     *
     * @return the new ids and counts of what changed
     */
    Attack.Changed<int[]> paraphrase(int[] ids, double strength, RandomGenerator random);

    /** A short description of the model and method, recorded with the attack. */
    String describe();

    /** Counts as in {@link Attack.Changed}. */
    static Attack.Changed<int[]> changed(int[] ids, Map<String, Long> counts) {
        return new Attack.Changed<>(ids, counts);
    }
}
