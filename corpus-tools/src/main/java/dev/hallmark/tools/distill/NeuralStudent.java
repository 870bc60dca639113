package dev.hallmark.tools.distill;

import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.generate.Generator;
import dev.hallmark.generate.IdMap;
import dev.hallmark.generate.LmTrainer;
import dev.hallmark.generate.TransformerConfig;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.tools.Progress;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The neural student: a {@link TransformerLm} trained with {@link LmTrainer} on a training mix
 * (documents joined by the end-of-text id), then sampled without any watermark on fresh prompts.
 */
public final class NeuralStudent implements AutoCloseable {

    private final TransformerLm lm;
    private final DistillConfig.Neural cfg;
    private final int eos;
    private final float finalLoss;

    private NeuralStudent(TransformerLm lm, DistillConfig.Neural cfg, int eos, float finalLoss) {
        this.lm = lm;
        this.cfg = cfg;
        this.eos = eos;
        this.finalLoss = finalLoss;
    }

    /** Trains a student on {@code docs} (token ids over a vocabulary of {@code vocab}). */
    public static NeuralStudent train(List<int[]> docs, int vocab, int eos, DistillConfig.Neural cfg, long seed,
            PrintWriter err) {
        long n = 0;
        for (int[] d : docs) {
            n += d.length + 1;
        }
        int[] stream = new int[Math.toIntExact(n)];
        int p = 0;
        for (int[] d : docs) {
            System.arraycopy(d, 0, stream, p, d.length);
            p += d.length;
            stream[p++] = eos;
        }
        TransformerConfig tc = new TransformerConfig(cfg.dModel(), cfg.layers(), cfg.heads(), cfg.ff(), cfg.context());
        IdMap map = topIds(stream, vocab, cfg.outputSize(), eos);
        LmTrainer.Options opts = new LmTrainer.Options(cfg.batch(), cfg.steps(), cfg.lr().floatValue(),
                Math.max(1, cfg.steps() / 20), 0.05f, 1.0f, seed);
        TransformerLm lm = TransformerLm.create(tc, map, eos, "distill-student", seed);
        try {
            LmTrainer trainer = new LmTrainer(lm, stream, opts);
            Progress bar = new Progress("neural student training (" + lm.parameterCount() + " parameters, "
                    + stream.length + " tokens)", cfg.steps(), err);
            trainer.train(cfg.steps(), null, cfg.steps(), (log, total) -> bar.step(1));
            bar.done();
            List<LmTrainer.StepLog> h = trainer.history();
            float last = 0;
            int m = Math.min(20, h.size());
            for (int i = h.size() - m; i < h.size(); i++) {
                last += h.get(i).loss() / m;
            }
            return new NeuralStudent(lm, cfg, eos, last);
        } catch (RuntimeException e) {
            lm.close();
            throw e;
        }
    }

    /** Mean training loss over the last 20 steps (nats per token). */
    public float finalLoss() {
        return finalLoss;
    }

    public long parameterCount() {
        return lm.parameterCount();
    }

    /** The trained model (e.g. to serve it over HTTP); closed with this student. */
    public dev.hallmark.generate.LanguageModel model() {
        return lm;
    }

    /**
     * Samples completions of up to {@code perPrompt} tokens (stopping at end of text), cycling
     * through the prompts in a seeded order, until {@code totalTokens} completion tokens.
     */
    public List<Pipeline.SuspectDoc> generate(List<int[]> prompts, int perPrompt, long totalTokens, long seed,
            int batch, PrintWriter err) {
        SamplingConfig sc = new SamplingConfig(cfg.temperature(), 0, cfg.topP(), false);
        Generator gen = Generator.of(lm, new Generator.Options(perPrompt, new int[] {eos}, List.of(), batch), null);
        List<Pipeline.SuspectDoc> out = new ArrayList<>();
        Progress bar = new Progress("neural student outputs (tokens)", totalTokens, err);
        long n = 0;
        int round = 0;
        long item = 0;
        while (n < totalTokens) {
            List<int[]> order = new ArrayList<>(prompts);
            Pipeline.shuffle(order, new SplittableRandom(seed + 7919L * round));
            for (int from = 0; from < order.size() && n < totalTokens; from += batch) {
                List<int[]> chunk = order.subList(from, Math.min(order.size(), from + batch));
                long base = item;
                List<Generator.Generation> g = gen.generate(chunk, i -> WatermarkSampler.plain(sc, lm.vocabularySize()),
                        i -> Pipeline.itemRandom(seed, base + i));
                item += chunk.size();
                for (Generator.Generation x : g) {
                    if (n >= totalTokens) {
                        break;
                    }
                    int[] c = x.completionIds();
                    if (n + c.length > totalTokens) {
                        c = Arrays.copyOf(c, (int) (totalTokens - n));
                    }
                    out.add(new Pipeline.SuspectDoc(x.promptIds(), c));
                    n += c.length;
                    bar.step(c.length);
                }
            }
            round++;
        }
        bar.done();
        return out;
    }

    /** The {@code size} most frequent ids of {@code tokens} (ties: smaller id), always with {@code mustHave}. */
    static IdMap topIds(int[] tokens, int vocab, int size, int mustHave) {
        long[] counts = new long[vocab];
        for (int t : tokens) {
            counts[t]++;
        }
        int distinct = 0;
        for (long c : counts) {
            distinct += c > 0 ? 1 : 0;
        }
        long[] keyed = new long[distinct];
        int j = 0;
        for (int i = 0; i < vocab; i++) {
            if (counts[i] > 0) {
                // sort by count descending, then id ascending
                keyed[j++] = ((Integer.MAX_VALUE - counts[i]) << 20) | i; // counts < 2^31: fits in 51 bits
            }
        }
        Arrays.sort(keyed);
        int take = Math.min(size, distinct);
        int[] ids = new int[take];
        boolean has = false;
        for (int i = 0; i < take; i++) {
            ids[i] = (int) (keyed[i] & ((1 << 20) - 1));
            has |= ids[i] == mustHave;
        }
        if (!has) {
            if (take == size) {
                ids[take - 1] = mustHave;
            } else {
                ids = Arrays.copyOf(ids, take + 1);
                ids[take] = mustHave;
            }
        }
        return IdMap.of(ids, vocab);
    }

    @Override
    public void close() {
        lm.close();
    }
}
