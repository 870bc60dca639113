package dev.hallmark.tools.experiment;

import dev.hallmark.embed.TokenSampler;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntConsumer;
import java.util.random.RandomGenerator;

/**
 * The language model an experiment generates with and scores perplexity under: the project's
 * default LM in real sweeps, a small bigram model in tests.
 */
public interface TextModel extends AutoCloseable {

    /** A short description recorded in the results (name, size, file checksum). */
    String describe();

    /** Logits per step cover token ids [0, vocabularySize()). */
    int vocabularySize();

    /**
     * Generates exactly {@code maxNewTokens} tokens after each prompt (no early stop: callers
     * suppress end-of-text through the sampler).
     *
     * @param samplers a fresh sampler per prompt index
     * @param randoms the random source per prompt index
     * @param done called with the number of sequences finished, as they finish
     */
    List<int[]> generate(List<int[]> prompts, int maxNewTokens, IntFunction<? extends TokenSampler> samplers,
            IntFunction<? extends RandomGenerator> randoms, IntConsumer done);

    /**
     * Natural-log probabilities ln p(completion[t] | prompt, completion[0..t)) under the model at
     * temperature 1 (the oracle for perplexity).
     */
    double[] logProbs(int[] prompt, int[] completion);

    /** {@link #logProbs(int[], int[])} for many texts (models may batch them). */
    default List<double[]> logProbs(List<int[]> prompts, List<int[]> completions) {
        List<double[]> out = new java.util.ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            out.add(logProbs(prompts.get(i), completions.get(i)));
        }
        return out;
    }

    /** The ids the model gives positive probability, in the order of {@link #distributions}. */
    int[] supportIds();

    /**
     * The next-token distributions p(. | seq[0..pos)) over {@link #supportIds()} at each of
     * {@code positions} (each >= 1).
     */
    double[][] distributions(int[] seq, int[] positions);

    /** Token ids generation must never produce (e.g. end-of-text), so every text has full length. */
    int[] suppressedIds();

    @Override
    void close();
}
