package dev.hallmark.tools;

import dev.hallmark.generate.Models;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.text.Tokenizers;
import dev.hallmark.tools.experiment.LmTextModel;
import dev.hallmark.tools.experiment.ModelParaphraser;
import dev.hallmark.tools.experiment.TextModel;
import dev.hallmark.tools.attack.Paraphraser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Opening the project's LM for experiments and for the paraphrase attack. */
final class Paraphrasers {

    private Paraphrasers() {
    }

    /**
     * The project's default LM (or the model directory {@code dir}) as an experiment model; Qwen3's
     * end-of-text and chat special tokens and the model's begin token are never generated, so
     * every text has full length.
     */
    static LmTextModel openModel(Path dir, int batchSize) {
        Path d = dir != null ? dir : Defaults.modelPath();
        if (!Files.isDirectory(d)) {
            throw new IllegalArgumentException("language model not found at " + d.toAbsolutePath()
                    + " (give model.path in the config, or set -D" + Models.MODEL_PROPERTY + "=DIR)");
        }
        TransformerLm lm = TransformerLm.load(d);
        int eot = Tokenizers.QWEN3_END_OF_TEXT;
        int[] banned = Arrays.stream(new int[] {eot, eot + 1, eot + 2, lm.beginTokenId()}).distinct()
                .filter(id -> id < lm.vocabularySize()).toArray();
        return LmTextModel.of(lm, batchSize, banned, d);
    }

    /** The paraphraser of an experiment: in-context re-generation by the experiment's model. */
    static Paraphraser forExperiment(TextModel model) {
        return new ModelParaphraser(model);
    }
}
