package dev.hallmark.tools;

import dev.hallmark.text.HfTokenizer;
import dev.hallmark.tools.attack.Paraphraser;

/** The paraphrase attack's engines. */
final class Paraphrasers {

    private Paraphrasers() {
    }

    /** The default: the project's LM. */
    static Paraphraser defaultParaphraser(HfTokenizer tokenizer) {
        throw new IllegalStateException("paraphrase needs the project's default language model "
                + "(dev.hallmark.generate), which this build does not include yet");
    }
}
