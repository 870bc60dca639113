package dev.hallmark.tools.attack;

import java.util.random.RandomGenerator;

/** An attack on text, word by word; everything between words is kept unless the attack says otherwise. */
public interface WordAttack extends Attack {

    /**
     * Attacks {@code text}.
     *
     * @return the new text and what changed
     */
    Changed<String> apply(String text, RandomGenerator random);

    @Override
    default Unit unit() {
        return Unit.WORD;
    }
}
