package dev.hallmark.tools.attack;

import java.util.random.RandomGenerator;

/** An attack on token ids. */
public interface TokenAttack extends Attack {

    /**
     * Attacks {@code ids} (not modified).
     *
     * @return the new ids and what changed
     */
    Changed<int[]> apply(int[] ids, RandomGenerator random);

    @Override
    default Unit unit() {
        return Unit.TOKEN;
    }
}
