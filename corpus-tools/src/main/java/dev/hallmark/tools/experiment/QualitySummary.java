package dev.hallmark.tools.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.hallmark.tools.Progress;
import dev.hallmark.tools.attack.EditDistance;
import java.util.Arrays;
import java.util.List;

/**
 * The quality stage's result for one generated set (one entry of {@code quality} in the results):
 * perplexity under the model itself, distinct-n, lengths, how much re-tokenization changes the
 * ids, spike entropy, and one example text.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record QualitySummary(String generator, int texts, double perplexityMedian, double perplexityMean,
        @JsonProperty("distinct_1") double distinct1, @JsonProperty("distinct_2") double distinct2,
        @JsonProperty("distinct_3") double distinct3, double tokensMean, double retokenizedTokensMean,
        double retokenizationEditRate, double spikeEntropyMean, double spikeEntropyMedian, int spikeEntropySteps,
        String example) {

    /** Measures one generated set (log-probabilities in batches of 16 texts). */
    static QualitySummary of(Generation.Generated g, List<int[]> prompts, TextModel model, Parallel parallel,
            Progress progress) {
        int n = g.completions().length;
        double[] ppl = new double[n];
        double[][] distinct = new double[3][n];
        double[] retokRate = new double[n];
        double[] tokens = new double[n];
        double[] retokTokens = new double[n];
        for (int from = 0; from < n; from += 16) {
            int to = Math.min(n, from + 16);
            List<double[]> lps = model.logProbs(prompts.subList(from, to), Arrays.asList(g.completions()).subList(from, to));
            for (int i = from; i < to; i++) {
                ppl[i] = Quality.perplexity(lps.get(i - from));
            }
            progress.step(to - from);
        }
        parallel.forEach(n, i -> {
            int[] ids = g.completions()[i];
            for (int k = 0; k < 3; k++) {
                distinct[k][i] = Quality.distinctN(ids, k + 1);
            }
            tokens[i] = ids.length;
            retokTokens[i] = g.retokenized()[i].length;
            retokRate[i] = ids.length == 0 ? Double.NaN
                    : (double) EditDistance.levenshtein(ids, g.retokenized()[i]) / ids.length;
        });
        double[] allSpikes = Arrays.stream(g.spikes()).flatMapToDouble(Arrays::stream).toArray();
        return new QualitySummary(g.generator(), n, Quality.median(ppl), Quality.mean(ppl), Quality.mean(distinct[0]),
                Quality.mean(distinct[1]), Quality.mean(distinct[2]), Quality.mean(tokens), Quality.mean(retokTokens),
                Quality.mean(retokRate), Quality.mean(allSpikes), Quality.median(allSpikes), allSpikes.length,
                g.texts().length > 0 ? g.texts()[0] : "");
    }
}
