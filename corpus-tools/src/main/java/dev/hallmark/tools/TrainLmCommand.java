package dev.hallmark.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.generate.IdMap;
import dev.hallmark.generate.LmEvaluation;
import dev.hallmark.generate.LmTrainer;
import dev.hallmark.generate.TransformerConfig;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.Tokenizers;
import dev.hallmark.tools.plot.Plots;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code hallmark train-lm}: trains the small transformer LM on a JSONL corpus, with a progress bar,
 * a resumable checkpoint, a loss curve (CSV + PNG + SVG) and held-out perplexity against a unigram
 * baseline.
 */
@Command(name = "train-lm", mixinStandardHelpOptions = true,
        description = {"Train the small causal transformer LM (DJL, PyTorch engine, CPU).",
            "Re-running with the same options resumes from the checkpoint in --checkpoint."})
public final class TrainLmCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--train", description = "training JSONL(.gz) with a \"text\" field (default: ${DEFAULT-VALUE})")
    Path train = Path.of("datasets/corpus/train.jsonl.gz");

    @Option(names = "--heldout", description = "held-out JSONL(.gz) for perplexity (default: ${DEFAULT-VALUE})")
    Path heldout = Path.of("datasets/corpus/heldout.jsonl.gz");

    @Option(names = "--out", description = "model output directory (default: ${DEFAULT-VALUE})")
    Path out = Path.of("datasets/build/models/default");

    @Option(names = "--checkpoint", description = "checkpoint directory (default: <out>/../<name>-checkpoint)")
    Path checkpoint;

    @Mixin
    TokenizerOption tokenizer;

    @Option(names = "--name", description = "model name (default: ${DEFAULT-VALUE})")
    String name = "hallmark-default";

    @Option(names = "--output-size", description = "ids in the output layer: the most frequent training ids (default: ${DEFAULT-VALUE})")
    int outputSize = 8192;

    @Option(names = "--d-model", description = "default: ${DEFAULT-VALUE}")
    int dModel = 192;

    @Option(names = "--layers", description = "default: ${DEFAULT-VALUE}")
    int layers = 3;

    @Option(names = "--heads", description = "default: ${DEFAULT-VALUE}")
    int heads = 3;

    @Option(names = "--ff", description = "feed-forward width (default: ${DEFAULT-VALUE})")
    int ff = 768;

    @Option(names = "--context", description = "max context / training window (default: ${DEFAULT-VALUE})")
    int context = 96;

    @Option(names = "--batch", description = "windows per step (default: ${DEFAULT-VALUE})")
    int batch = 12;

    @Option(names = "--steps", description = "optimizer steps (default: ${DEFAULT-VALUE})")
    int steps = 700;

    @Option(names = "--lr", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    float lr = 2e-3f;

    @Option(names = "--warmup", description = "warm-up steps (default: ${DEFAULT-VALUE})")
    int warmup = 35;

    @Option(names = "--weight-decay", description = "default: ${DEFAULT-VALUE}")
    float weightDecay = 0.05f;

    @Option(names = "--seed", description = "initialisation and data-order seed (default: ${DEFAULT-VALUE})")
    long seed = 20240601L;

    @Option(names = "--checkpoint-every", description = "steps between checkpoints (default: ${DEFAULT-VALUE})")
    int checkpointEvery = 50;

    @Option(names = "--stop-after", description = "stop (checkpointed) after this many steps in this run, to test resuming")
    Integer stopAfter;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        long t0 = System.nanoTime();
        Path ck = checkpoint != null ? checkpoint : out.toAbsolutePath().resolveSibling(out.getFileName() + "-checkpoint");
        int[] trainIds;
        int[] heldIds;
        int vocab;
        try (TextTokenizer tok = tokenizer.open()) {
            vocab = tok.vocabularySize();
            err.println("train-lm: tokenizing " + train + " and " + heldout);
            err.flush();
            trainIds = tokenizeStream(tok, Jsonl.readField(train, "text"));
            heldIds = tokenizeStream(tok, Jsonl.readField(heldout, "text"));
        }
        int eos = Tokenizers.QWEN3_END_OF_TEXT;
        if (eos >= vocab) {
            throw new IllegalArgumentException("tokenizer vocabulary " + vocab + " has no <|endoftext|> id " + eos);
        }
        IdMap map = topIds(trainIds, vocab, outputSize, eos);
        TransformerConfig cfg = new TransformerConfig(dModel, layers, heads, ff, context);
        LmTrainer.Options opts = new LmTrainer.Options(batch, steps, lr, warmup, weightDecay, 1.0f, seed);
        err.printf(Locale.ROOT, "train-lm: %,d train tokens, %,d held-out tokens, output layer %,d ids (%.2f%% of train tokens covered)%n",
                trainIds.length, heldIds.length, map.size(), 100.0 * covered(trainIds, map) / trainIds.length);
        err.printf(Locale.ROOT, "train-lm: %s, %,d parameters; %s%n", cfg, cfg.parameterCount(map.size()), opts);
        try (TransformerLm lm = TransformerLm.create(cfg, map, eos, name, seed)) {
            LmTrainer trainer = new LmTrainer(lm, trainIds, opts);
            if (trainer.restore(ck)) {
                err.printf(Locale.ROOT, "train-lm: resumed from %s at step %d%n", ck, trainer.step());
            }
            int until = stopAfter == null ? steps : Math.min(steps, trainer.step() + stopAfter);
            Progress bar = new Progress(err, trainer.step());
            trainer.train(until, ck, checkpointEvery, bar::onStep);
            bar.finish();
            writeLossCurve(trainer.history(), out);
            if (trainer.step() < steps) {
                err.printf(Locale.ROOT, "train-lm: stopped at step %d of %d; re-run the same command to resume%n",
                        trainer.step(), steps);
                return 0;
            }
            lm.save(out);
            long trainedAt = System.nanoTime();
            LmEvaluation.Result r = LmEvaluation.evaluate(lm, trainIds, heldIds, 16);
            Metrics m = new Metrics(lm.parameterCount(), trainIds.length, heldIds.length, map.size(),
                    (double) covered(trainIds, map) / trainIds.length, r.tokensScored(), r.tokensTotal(),
                    r.modelPerplexity(), r.unigramPerplexity(),
                    trainer.history().get(trainer.history().size() - 1).loss(), (trainedAt - t0) / 1e9,
                    opts.toString(), cfg.toString());
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.resolve("metrics.json").toFile(), m);
            err.printf(Locale.ROOT, "train-lm: held-out perplexity %.2f vs unigram %.2f on %,d of %,d targets (%.2f%% in the id map)%n",
                    r.modelPerplexity(), r.unigramPerplexity(), r.tokensScored(), r.tokensTotal(), 100 * r.coverage());
            err.printf(Locale.ROOT, "train-lm: model written to %s (%.1f s this run)%n", out, (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }

    /**
     * {@code metrics.json} next to the model: its size, the data, held-out perplexity against the
     * unigram baseline, the final training loss and the settings.
     */
    record Metrics(long parameters, int trainTokens, int heldoutTokens, int outputSize, double trainCoverage,
            long heldoutTargetsScored, long heldoutTargetsTotal, double heldoutPerplexity, double unigramPerplexity,
            float finalTrainLoss, double secondsThisRun, String options, String config) {
    }

    /** Token ids of all texts, each followed by {@code <|endoftext|>}. */
    static int[] tokenizeStream(TextTokenizer tok, List<String> texts) {
        int[][] enc = tok.encodeBatch(texts);
        int n = 0;
        for (int[] e : enc) {
            n += e.length + 1;
        }
        int[] s = new int[n];
        int p = 0;
        for (int[] e : enc) {
            System.arraycopy(e, 0, s, p, e.length);
            p += e.length;
            s[p++] = Tokenizers.QWEN3_END_OF_TEXT;
        }
        return s;
    }

    /** The {@code size} most frequent ids (ties: smaller id first), always including {@code mustHave}. */
    static IdMap topIds(int[] tokens, int vocab, int size, int mustHave) {
        long[] counts = new long[vocab];
        for (int t : tokens) {
            counts[t]++;
        }
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> counts[a] != counts[b] ? Long.compare(counts[b], counts[a]) : Integer.compare(a, b));
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < vocab && ids.size() < size; i++) {
            if (counts[order[i]] == 0) {
                break;
            }
            ids.add(order[i]);
        }
        if (!ids.contains(mustHave)) {
            if (ids.size() == size) {
                ids.remove(ids.size() - 1);
            }
            ids.add(mustHave);
        }
        return IdMap.of(ids.stream().mapToInt(Integer::intValue).toArray(), vocab);
    }

    static long covered(int[] tokens, IdMap map) {
        long c = 0;
        for (int t : tokens) {
            if (map.contains(t)) {
                c++;
            }
        }
        return c;
    }

    static void writeLossCurve(List<LmTrainer.StepLog> history, Path dir) throws IOException {
        if (history.isEmpty()) {
            return;
        }
        Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder("step,loss,learning_rate\n");
        double[] x = new double[history.size()];
        double[] y = new double[history.size()];
        double[] smooth = new double[history.size()];
        double ema = history.get(0).loss();
        for (int i = 0; i < history.size(); i++) {
            LmTrainer.StepLog l = history.get(i);
            csv.append(String.format(Locale.ROOT, "%d,%.6f,%.6g%n", l.step(), l.loss(), l.learningRate()));
            x[i] = l.step();
            y[i] = l.loss();
            ema = 0.95 * ema + 0.05 * l.loss();
            smooth[i] = ema;
        }
        Files.writeString(dir.resolve("loss.csv"), csv, StandardCharsets.UTF_8);
        Map<String, Plots.Series> series = new LinkedHashMap<>();
        series.put("train loss", new Plots.Series(x, y));
        series.put("EMA(0.95)", new Plots.Series(x, smooth));
        try {
            Plots.lineChart(Plots.LineChart.of("Training loss", "step", "cross-entropy (nats/token)"), series,
                    dir.resolve("loss"));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** A one-line progress bar with ETA, redrawn on stderr. */
    static final class Progress {
        private final PrintWriter err;
        private final long start = System.nanoTime();
        private final int firstStep;
        private long lastDraw;

        Progress(PrintWriter err, int firstStep) {
            this.err = err;
            this.firstStep = firstStep;
        }

        void onStep(LmTrainer.StepLog log, int total) {
            long now = System.nanoTime();
            if (now - lastDraw < 500_000_000L && log.step() != total) {
                return;
            }
            lastDraw = now;
            double perStep = (now - start) / 1e9 / Math.max(1, log.step() - firstStep);
            double eta = perStep * (total - log.step());
            int width = 30;
            int filled = (int) ((long) width * log.step() / total);
            err.printf(Locale.ROOT, "\r[%s%s] %d/%d %5.1f%% loss %.3f lr %.2e %.2f s/step ETA %dm%02ds ",
                    "#".repeat(filled), ".".repeat(width - filled), log.step(), total, 100.0 * log.step() / total,
                    log.loss(), log.learningRate(), perStep, (long) eta / 60, (long) eta % 60);
            err.flush();
        }

        void finish() {
            err.println();
            err.flush();
        }
    }
}
