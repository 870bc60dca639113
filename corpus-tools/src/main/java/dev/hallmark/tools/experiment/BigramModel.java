package dev.hallmark.tools.experiment;

import dev.hallmark.embed.TokenSampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;

/**
 * A small smoothed bigram model over the {@code top} most frequent token ids of a training text:
 * the stand-in LM of fast tests (real token ids of the real tokenizer, so texts decode and
 * word-level attacks apply), not a model for results.
 *
 * <p>p(c | b) = (count(b, c) + beta p(c)) / (count(b) + beta) with beta = 5 and the unigram p(c)
 * of the kept ids; ids outside the kept set have probability 0 (logit -infinity). Logits cover ids
 * [0, max kept id], which keeps the per-step sampling cost small.
 */
public final class BigramModel implements TextModel {

    private static final double BETA = 5;

    private final int[] kept;
    private final int[] indexOf;
    private final float[] table; // kept.length x kept.length log-probabilities
    private final float[] unigram;
    private final int vocab;
    private final String description;

    private BigramModel(int[] kept, int[] indexOf, float[] table, float[] unigram, String description) {
        this.kept = kept;
        this.indexOf = indexOf;
        this.table = table;
        this.unigram = unigram;
        this.vocab = indexOf.length;
        this.description = description;
    }

    /**
     * Trains on token-id documents, keeping the {@code top} most frequent ids below
     * {@code idLimit} (a small id range keeps the logits vector, and so each sampling step, short;
     * byte-level BPE vocabularies give frequent tokens small ids).
     */
    public static BigramModel train(List<int[]> docs, int top, int idLimit) {
        Map<Integer, long[]> freq = new HashMap<>();
        long total = 0;
        for (int[] d : docs) {
            for (int id : d) {
                if (id < idLimit) {
                    freq.computeIfAbsent(id, k -> new long[1])[0]++;
                }
                total++;
            }
        }
        if (freq.isEmpty()) {
            throw new IllegalArgumentException("bigram model: no training tokens below id " + idLimit);
        }
        List<Map.Entry<Integer, long[]>> byFreq = new ArrayList<>(freq.entrySet());
        byFreq.sort((a, b) -> a.getValue()[0] != b.getValue()[0] ? Long.compare(b.getValue()[0], a.getValue()[0])
                : Integer.compare(a.getKey(), b.getKey()));
        int k = Math.min(top, byFreq.size());
        int[] kept = new int[k];
        int max = 0;
        for (int i = 0; i < k; i++) {
            kept[i] = byFreq.get(i).getKey();
            max = Math.max(max, kept[i]);
        }
        int[] indexOf = new int[max + 1];
        Arrays.fill(indexOf, -1);
        for (int i = 0; i < k; i++) {
            indexOf[kept[i]] = i;
        }
        double[] uni = new double[k];
        double[] counts = new double[k * k];
        double[] rowTotal = new double[k];
        double keptTotal = 0;
        for (int[] d : docs) {
            int prev = -1;
            for (int id : d) {
                int c = id < indexOf.length ? indexOf[id] : -1;
                if (c >= 0) {
                    uni[c]++;
                    keptTotal++;
                    if (prev >= 0) {
                        counts[prev * k + c]++;
                        rowTotal[prev]++;
                    }
                }
                prev = c;
            }
        }
        float[] unigram = new float[k];
        float[] table = new float[k * k];
        for (int c = 0; c < k; c++) {
            unigram[c] = (float) Math.log(uni[c] / keptTotal);
        }
        for (int b = 0; b < k; b++) {
            for (int c = 0; c < k; c++) {
                double p = (counts[b * k + c] + BETA * uni[c] / keptTotal) / (rowTotal[b] + BETA);
                table[b * k + c] = (float) Math.log(p);
            }
        }
        return new BigramModel(kept, indexOf, table, unigram,
                "bigram(top=" + k + ", beta=" + BETA + ", ids < " + (max + 1) + ", trained on " + total + " tokens)");
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public int vocabularySize() {
        return vocab;
    }

    /** Writes the next-token logits after {@code prev} (-1 or an unknown id: the unigram). */
    void logits(int prev, float[] out) {
        int k = kept.length;
        int b = prev >= 0 && prev < indexOf.length ? indexOf[prev] : -1;
        for (int c = 0; c < k; c++) {
            out[kept[c]] = b >= 0 ? table[b * k + c] : unigram[c];
        }
    }

    @Override
    public List<int[]> generate(List<int[]> prompts, int maxNewTokens, IntFunction<? extends TokenSampler> samplers,
            IntFunction<? extends RandomGenerator> randoms, IntConsumer done) {
        List<int[]> out = new ArrayList<>(prompts.size());
        float[] logits = new float[vocab];
        Arrays.fill(logits, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i);
            TokenSampler s = samplers.apply(i);
            RandomGenerator r = randoms.apply(i);
            int[] seq = Arrays.copyOf(p, p.length + maxNewTokens);
            int len = p.length;
            for (int t = 0; t < maxNewTokens; t++) {
                // ids outside the kept set stay -infinity; the kept ones are rewritten every step
                logits(len > 0 ? seq[len - 1] : -1, logits);
                int tok = s.next(logits, seq, 0, len, r);
                seq[len++] = tok;
            }
            out.add(Arrays.copyOfRange(seq, p.length, len));
            done.accept(1);
        }
        return out;
    }

    @Override
    public double[] logProbs(int[] prompt, int[] completion) {
        double[] lp = new double[completion.length];
        int k = kept.length;
        for (int t = 0; t < completion.length; t++) {
            int prev = t > 0 ? completion[t - 1] : prompt.length > 0 ? prompt[prompt.length - 1] : -1;
            int c = completion[t] < indexOf.length ? indexOf[completion[t]] : -1;
            if (c < 0) {
                lp[t] = Double.NEGATIVE_INFINITY;
                continue;
            }
            int b = prev >= 0 && prev < indexOf.length ? indexOf[prev] : -1;
            lp[t] = b >= 0 ? table[b * k + c] : unigram[c];
        }
        return lp;
    }

    @Override
    public int[] supportIds() {
        return kept.clone();
    }

    @Override
    public double[][] distributions(int[] seq, int[] positions) {
        int k = kept.length;
        double[][] out = new double[positions.length][k];
        for (int i = 0; i < positions.length; i++) {
            int prev = seq[positions[i] - 1];
            int b = prev >= 0 && prev < indexOf.length ? indexOf[prev] : -1;
            double sum = 0;
            for (int c = 0; c < k; c++) {
                out[i][c] = Math.exp(b >= 0 ? table[b * k + c] : unigram[c]);
                sum += out[i][c];
            }
            for (int c = 0; c < k; c++) {
                out[i][c] /= sum;
            }
        }
        return out;
    }

    @Override
    public int[] suppressedIds() {
        return new int[0];
    }

    @Override
    public void close() {
    }
}
