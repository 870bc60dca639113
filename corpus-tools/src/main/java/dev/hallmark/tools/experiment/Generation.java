package dev.hallmark.tools.experiment;

import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.TokenSampler;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.tools.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * The generation stage: the experiment's prompts, and the texts the model writes for them with
 * each scheme's watermark (and without one), decoded and re-encoded as a detector sees them.
 */
final class Generation {

    private Generation() {
    }

    /**
     * A generated set.
     *
     * @param generator {@code none} or the scheme's spec
     * @param completions the sampled token ids
     * @param texts their decoded text
     * @param retokenized the text encoded again: what a detector sees of a pasted text
     * @param spikes the spike entropy of every sampling step, per text
     */
    record Generated(String generator, int[][] completions, String[] texts, int[][] retokenized, double[][] spikes) {
    }

    /** {@code texts} prompts, in an order shuffled by the seed (repeated if there are fewer prompts). */
    static List<int[]> prompts(ExperimentConfig cfg, Experiment.Inputs in) {
        List<String> all = new ArrayList<>(in.prompts());
        SplittableRandom r = new SplittableRandom(Experiment.seed(cfg.seed(), 1));
        for (int i = all.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            String t = all.get(i);
            all.set(i, all.get(j));
            all.set(j, t);
        }
        List<int[]> out = new ArrayList<>(cfg.texts());
        for (int i = 0; i < cfg.texts(); i++) {
            out.add(in.codec().encode(all.get(i % all.size())));
        }
        return out;
    }

    /**
     * Generates one set: every prompt gets {@code maxTokens} tokens, watermarked with
     * {@code scheme} under {@code key} (plain sampling if {@code scheme} is null), sampled with the
     * random stream of ({@code genIndex}, prompt index).
     */
    static Generated generate(ExperimentConfig cfg, Experiment.Inputs in, Parallel parallel, String label,
            Scheme scheme, WatermarkKey key, List<int[]> prompts, double modulus, int genIndex, Progress progress) {
        int n = prompts.size();
        int vocab = in.model().vocabularySize();
        SamplingConfig sc = cfg.sampling();
        KeyedScheme keyed = scheme == null ? null : KeyedScheme.of(scheme, key);
        ProbedSampler[] probes = new ProbedSampler[n];
        IntFunction<TokenSampler> samplers = i -> {
            TokenSampler base = keyed == null ? WatermarkSampler.plain(sc, vocab) : WatermarkSampler.watermarked(keyed, sc, vocab);
            probes[i] = new ProbedSampler(base, in.model().suppressedIds(), sc.temperature(), modulus);
            return probes[i];
        };
        List<int[]> comps = in.model().generate(prompts, cfg.maxTokens(), samplers,
                i -> new SplittableRandom(Experiment.seed(cfg.seed(), 2, genIndex, i)), progress::step);
        int[][] c = comps.toArray(new int[0][]);
        String[] texts = new String[n];
        int[][] retok = new int[n][];
        double[][] spikes = new double[n][];
        parallel.forEach(n, i -> {
            texts[i] = in.codec().decode(c[i]);
            retok[i] = in.codec().encode(texts[i]);
            spikes[i] = probes[i].spikes();
        });
        return new Generated(label, c, texts, retok, spikes);
    }
}
