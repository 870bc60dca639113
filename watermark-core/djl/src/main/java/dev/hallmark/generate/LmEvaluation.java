package dev.hallmark.generate;

import java.util.Objects;

/**
 * Held-out perplexity of a {@link TransformerLm} and of a unigram baseline on the same tokens.
 *
 * <p>The stream is cut into consecutive windows of {@code maxContext} tokens; every token after the
 * first of its window is scored given the preceding tokens of its window (so contexts are 0 to
 * maxContext-1 tokens long). Tokens outside the id map get probability 0 under the compact output
 * layer, so both models are scored only on targets inside the map; {@link Result#coverage()} says
 * which fraction of targets that is. The unigram model is {@code p(i) = (c_i + 1) / (C + N)} over
 * the map's N ids, with counts {@code c_i} from the training stream.
 *
 * <p>Perplexity = {@code exp(mean negative log-likelihood in nats)}.
 */
public final class LmEvaluation {

    private LmEvaluation() {
    }

    /**
     * @param tokensScored targets inside the id map that were scored
     * @param tokensTotal all targets
     * @param modelPerplexity the model's perplexity
     * @param unigramPerplexity the add-one unigram baseline's perplexity on the same targets
     */
    public record Result(long tokensScored, long tokensTotal, double modelPerplexity, double unigramPerplexity) {
        /** Fraction of targets inside the id map. */
        public double coverage() {
            return tokensTotal == 0 ? 0 : (double) tokensScored / tokensTotal;
        }
    }

    /** Evaluates {@code model} on {@code heldout}, with unigram counts from {@code train}. */
    public static Result evaluate(TransformerLm model, int[] train, int[] heldout, int batchSize) {
        Objects.requireNonNull(model, "model");
        IdMap map = model.idMap();
        int n = map.size();
        long[] counts = new long[n];
        long total = 0;
        for (int t : train) {
            int i = map.indexOf(t);
            if (i < n) {
                counts[i]++;
                total++;
            }
        }
        double[] uniLogp = new double[n];
        for (int i = 0; i < n; i++) {
            uniLogp[i] = Math.log((counts[i] + 1.0) / (total + n));
        }
        int ctx = model.maxContext();
        int windows = heldout.length / ctx;
        double nllModel = 0;
        double nllUni = 0;
        long scored = 0;
        long all = 0;
        for (int w0 = 0; w0 < windows; w0 += batchSize) {
            int b = Math.min(batchSize, windows - w0);
            int[][] rows = new int[b][ctx];
            for (int i = 0; i < b; i++) {
                System.arraycopy(heldout, (w0 + i) * ctx, rows[i], 0, ctx);
            }
            float[][][] logits = model.fullLogits(rows);
            for (int i = 0; i < b; i++) {
                for (int t = 0; t + 1 < ctx; t++) {
                    all++;
                    int target = map.indexOf(rows[i][t + 1]);
                    if (target == n) {
                        continue;
                    }
                    float[] l = logits[i][t];
                    double max = Double.NEGATIVE_INFINITY;
                    for (float v : l) {
                        max = Math.max(max, v);
                    }
                    double sum = 0;
                    for (float v : l) {
                        sum += Math.exp(v - max);
                    }
                    nllModel -= l[target] - max - Math.log(sum);
                    nllUni -= uniLogp[target];
                    scored++;
                }
            }
        }
        if (scored == 0) {
            throw new IllegalArgumentException("no held-out target inside the id map (held-out stream of "
                    + heldout.length + " tokens, window " + ctx + ")");
        }
        return new Result(scored, all, Math.exp(nllModel / scored), Math.exp(nllUni / scored));
    }
}
