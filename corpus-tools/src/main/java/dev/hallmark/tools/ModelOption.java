package dev.hallmark.tools;

import dev.hallmark.generate.Models;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.text.TextTokenizer;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Mixin {@code [--model DIR]}: a language model directory, else the committed default model. */
public final class ModelOption {

    @Option(names = "--model",
            description = "Language model directory (default: the committed default model, datasets/models/default).")
    Path model;

    /** The directory given, or null for the default model. */
    public Path given() {
        return model;
    }

    /** The directory given, else the default model's. */
    public Path path() {
        return model != null ? model : Defaults.modelPath();
    }

    /** Loads the model and checks that it speaks the tokenizer's vocabulary (the caller closes it). */
    public TransformerLm load(TextTokenizer tokenizer) {
        TransformerLm lm = Defaults.loadModel(model);
        if (lm.vocabularySize() != tokenizer.vocabularySize()) {
            lm.close();
            throw new IllegalArgumentException("model vocabulary " + lm.vocabularySize()
                    + " does not match the tokenizer's " + tokenizer.vocabularySize());
        }
        return lm;
    }
}
