package dev.hallmark.tools;

import dev.hallmark.text.HfTokenizer;
import dev.hallmark.tools.attack.Paraphraser;
import dev.hallmark.tools.experiment.TextModel;
import java.nio.file.Path;

/** The paraphrase attack's engines. */
final class Paraphrasers {

    private Paraphrasers() {
    }

    /** The project's default LM as an experiment model ({@code dir} null: the repository's). */
    static TextModel defaultModel(Path dir, HfTokenizer tokenizer) {
        throw new IllegalStateException("model 'default' needs the project's default language model "
                + "(dev.hallmark.generate), which this build does not include yet; use 'model: bigram' to try the pipeline");
    }

    /** The paraphraser of an experiment: re-generation by the experiment's model. */
    static Paraphraser forExperiment(TextModel model, HfTokenizer tokenizer) {
        throw new IllegalStateException("paraphrase needs the project's default language model "
                + "(dev.hallmark.generate), which this build does not include yet");
    }

    /** The default: the project's LM. */
    static Paraphraser defaultParaphraser(HfTokenizer tokenizer) {
        throw new IllegalStateException("paraphrase needs the project's default language model "
                + "(dev.hallmark.generate), which this build does not include yet");
    }
}
