package dev.hallmark.tools;

import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.TokenSampler;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.generate.Generator;
import dev.hallmark.generate.LanguageModel;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.text.TextTokenizer;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.random.RandomGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hallmark bench-generate}: generation throughput of a language model without and with each
 * watermark scheme, measured interleaved in one run, and the split of each step between the model
 * (forward pass + logits into the full vocabulary) and the sampler.
 *
 * <p>Why not JMH: JMH measures one parameter combination after the other, each in its own block of
 * iterations; on a shared machine whose load drifts over minutes, a ratio between two blocks
 * compares two different machines. Here every round runs every (batch size, mode) once, in an
 * order rotated from round to round, on the same prompts, and the ratio to plain is taken within
 * each round (then the median over rounds). A round 0 warms up and is discarded. Generation is a
 * stateful loop of a few seconds per measurement, far above timer resolution, so JMH's
 * nanosecond-scale machinery is not needed; the model step and the sampler are timed by wrapping
 * the {@link LanguageModel.Session} and the {@link TokenSampler} (two clock reads per call, against
 * calls of hundreds of microseconds).
 *
 * <p>Both wall time ({@code System.nanoTime}) and the thread's CPU time are recorded. With one
 * PyTorch thread (the default here: {@code --torch-threads 1}, and run with
 * {@code OMP_NUM_THREADS=1}) the forward pass runs on the calling thread, so CPU time covers all
 * the work and is far less sensitive to other jobs on the machine than wall time.
 */
@Command(name = "bench-generate", mixinStandardHelpOptions = true,
        description = {"Generation tokens/s without and with each watermark scheme, interleaved in one run, with",
            "the model's and the sampler's share of each step. Ratios are to plain sampling in the same round."})
final class BenchGenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--prompts", defaultValue = "datasets/prompts/prompts.jsonl.gz",
            description = "JSONL prompts (field \"prompt\"; default: ${DEFAULT-VALUE}).")
    Path prompts;

    @Option(names = "--schemes", split = ",", defaultValue = "kgw,unigram,gumbel,synthid",
            description = "Watermark schemes to compare with plain sampling (default: ${DEFAULT-VALUE}).")
    List<String> schemes;

    @Option(names = "--batch-sizes", split = ",", defaultValue = "1,8",
            description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(names = "--tokens", defaultValue = "64", description = "New tokens per sequence per measurement (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--rounds", defaultValue = "5", description = "Measured rounds, after one warm-up round (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Temperature (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "0.95", description = "Nucleus mass (default: ${DEFAULT-VALUE}).")
    double topP;

    @Mixin
    SeedOption seed;

    @Option(names = "--torch-threads", defaultValue = "1",
            description = "PyTorch intra-op threads, set before the engine starts unless already set (default: ${DEFAULT-VALUE}).")
    int torchThreads;

    @Mixin
    JsonFileOption out;

    @Mixin
    TokenizerOption tokenizer;

    /** Accumulated timings of one measurement. */
    static final class Clock {
        long modelWallNs;
        long modelCpuNs;
        long samplerWallNs;
        long samplerCpuNs;
        long samplerCalls;
        long modelCalls;
    }

    /** One (round, batch, mode) measurement. */
    record Measurement(int round, int batch, String mode, long tokens, long wallNs, long cpuNs, long modelWallNs,
            long modelCpuNs, long samplerWallNs, long samplerCpuNs) {
        double tokensPerSecond() {
            return tokens * 1e9 / wallNs;
        }

        double tokensPerCpuSecond() {
            return tokens * 1e9 / cpuNs;
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static long cpuNow() {
        return THREADS.getCurrentThreadCpuTime();
    }

    @Override
    public Integer call() throws Exception {
        if (tokens < 1 || rounds < 1 || batchSizes.isEmpty()) {
            throw new IllegalArgumentException("--tokens and --rounds must be >= 1 and --batch-sizes not empty");
        }
        for (int b : batchSizes) {
            if (b < 1) {
                throw new IllegalArgumentException("batch sizes must be >= 1, got " + b);
            }
        }
        if (!THREADS.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure thread CPU time");
        }
        THREADS.setThreadCpuTimeEnabled(true);
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(torchThreads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> texts = Jsonl.readField(prompts, "prompt");
        int maxBatch = batchSizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (texts.size() < maxBatch) {
            throw new IllegalArgumentException("prompts " + prompts + " holds " + texts.size() + " prompts, need at least "
                    + maxBatch);
        }
        Map<String, Scheme> modes = new LinkedHashMap<>();
        modes.put("plain", null);
        for (String s : schemes) {
            Scheme sc = Scheme.parse(s);
            modes.put(sc.toString(), sc);
        }
        long seed = this.seed.seed();
        SplittableRandom kr = new SplittableRandom(seed);
        byte[] secret = new byte[WatermarkKey.SECRET_BYTES];
        kr.nextBytes(secret);
        WatermarkKey key = WatermarkKey.fromSecret(secret);
        SamplingConfig cfg = new SamplingConfig(temperature, 0, topP, true);
        List<String> modeNames = new ArrayList<>(modes.keySet());
        List<Measurement> all = new ArrayList<>();
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        try (TextTokenizer tok = tokenizer.open(); TransformerLm lm = model.load(tok)) {
            int vocab = lm.vocabularySize();
            Map<String, KeyedScheme> keyed = new LinkedHashMap<>();
            for (Map.Entry<String, Scheme> e : modes.entrySet()) {
                keyed.put(e.getKey(), e.getValue() == null ? null : KeyedScheme.of(e.getValue(), key));
            }
            err.printf(Locale.ROOT, "bench-generate: model %s, %d modes x batch sizes %s, %d tokens/sequence, 1 warm-up + %d"
                    + " rounds; load average %.2f%n", lm.name(), modeNames.size(), batchSizes, tokens, rounds, loadBefore);
            err.flush();
            Progress progress = new Progress("bench-generate", (long) (rounds + 1) * modeNames.size() * batchSizes.size(), err);
            for (int round = 0; round <= rounds; round++) {
                for (int bi = 0; bi < batchSizes.size(); bi++) {
                    int b = batchSizes.get((bi + round) % batchSizes.size());
                    List<int[]> ids = new ArrayList<>();
                    for (int i = 0; i < b; i++) {
                        ids.add(tok.encode(texts.get((round * maxBatch + i) % texts.size())));
                    }
                    for (int mi = 0; mi < modeNames.size(); mi++) {
                        String mode = modeNames.get((mi + round) % modeNames.size());
                        KeyedScheme ks = keyed.get(mode);
                        Measurement m = measure(lm, ids, b, round, mode, seed,
                                () -> ks == null ? WatermarkSampler.plain(cfg, vocab) : WatermarkSampler.watermarked(ks, cfg, vocab));
                        if (round > 0) {
                            all.add(m);
                        }
                        progress.step(1);
                    }
                }
            }
            progress.done();
        }
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        List<Summary> summaries = summarize(all, batchSizes, modeNames);
        print(o, summaries, loadBefore, loadAfter);
        if (out.given()) {
            out.write(new Report(model.path().toString(), tokens, rounds, temperature, topP,
                    System.getProperty("ai.djl.pytorch.num_threads"), System.getenv("OMP_NUM_THREADS"),
                    Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter, summaries, all));
            o.println("results written to " + out.path());
        }
        o.flush();
        return 0;
    }

    private Measurement measure(TransformerLm lm, List<int[]> prompts, int b, int round, String mode, long seed,
            java.util.function.Supplier<TokenSampler> samplers) {
        Clock clock = new Clock();
        TimedModel timed = new TimedModel(lm, clock);
        Generator g = Generator.of(timed, Generator.Options.of(tokens).withBatchSize(b), null);
        long w0 = System.nanoTime();
        long c0 = cpuNow();
        List<Generator.Generation> gens = g.generate(prompts, i -> new TimedSampler(samplers.get(), clock),
                i -> new SplittableRandom(seed * 1_000_003L + round * 1_009L + i));
        long cpu = cpuNow() - c0;
        long wall = System.nanoTime() - w0;
        long n = 0;
        for (Generator.Generation gen : gens) {
            n += gen.completionIds().length;
        }
        return new Measurement(round, b, mode, n, wall, cpu, clock.modelWallNs, clock.modelCpuNs, clock.samplerWallNs,
                clock.samplerCpuNs);
    }

    /** Medians over rounds for one (batch, mode). */
    record Summary(int batch, String mode, int rounds, double tokensPerSecond, double ratioToPlain,
            double tokensPerCpuSecond, double cpuRatioToPlain, double cpuRatioMin, double cpuRatioMax,
            double modelCpuUsPerToken, double samplerCpuUsPerToken, double samplerExtraCpuUsPerToken,
            double samplerShareCpu, double samplerShareWall) {
    }

    static List<Summary> summarize(List<Measurement> all, List<Integer> batchSizes, List<String> modes) {
        List<Summary> out = new ArrayList<>();
        for (int b : batchSizes) {
            for (String mode : modes) {
                List<Measurement> ms = all.stream().filter(m -> m.batch() == b && m.mode().equals(mode)).toList();
                if (ms.isEmpty()) {
                    continue;
                }
                double[] rate = new double[ms.size()];
                double[] cpuRate = new double[ms.size()];
                double[] ratio = new double[ms.size()];
                double[] cpuRatio = new double[ms.size()];
                double[] modelUs = new double[ms.size()];
                double[] samplerUs = new double[ms.size()];
                double[] extraUs = new double[ms.size()];
                double[] shareCpu = new double[ms.size()];
                double[] shareWall = new double[ms.size()];
                for (int i = 0; i < ms.size(); i++) {
                    Measurement m = ms.get(i);
                    Measurement plain = all.stream().filter(p -> p.round() == m.round() && p.batch() == b
                            && p.mode().equals("plain")).findFirst().orElseThrow();
                    rate[i] = m.tokensPerSecond();
                    cpuRate[i] = m.tokensPerCpuSecond();
                    ratio[i] = m.tokensPerSecond() / plain.tokensPerSecond();
                    cpuRatio[i] = m.tokensPerCpuSecond() / plain.tokensPerCpuSecond();
                    modelUs[i] = m.modelCpuNs() / 1e3 / m.tokens();
                    samplerUs[i] = m.samplerCpuNs() / 1e3 / m.tokens();
                    extraUs[i] = samplerUs[i] - plain.samplerCpuNs() / 1e3 / plain.tokens();
                    shareCpu[i] = (double) m.samplerCpuNs() / (m.samplerCpuNs() + m.modelCpuNs());
                    shareWall[i] = (double) m.samplerWallNs() / (m.samplerWallNs() + m.modelWallNs());
                }
                out.add(new Summary(b, mode, ms.size(), median(rate), median(ratio), median(cpuRate), median(cpuRatio),
                        Arrays.stream(cpuRatio).min().orElseThrow(), Arrays.stream(cpuRatio).max().orElseThrow(),
                        median(modelUs), median(samplerUs), median(extraUs), median(shareCpu), median(shareWall)));
            }
        }
        return out;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static void print(PrintWriter o, List<Summary> summaries, double loadBefore, double loadAfter) {
        o.printf(Locale.ROOT, "%-5s %-50s %9s %7s %11s %7s %13s %10s %10s %10s %8s%n", "batch", "mode", "tokens/s",
                "ratio", "tok/cpu-s", "ratio", "ratio range", "model us", "sampler us", "watermark", "sampler");
        o.printf(Locale.ROOT, "%-5s %-50s %9s %7s %11s %7s %13s %10s %10s %10s %8s%n", "", "", "(wall)", "(wall)", "",
                "(cpu)", "(cpu)", "cpu/token", "cpu/token", "us/token", "share");
        for (Summary s : summaries) {
            o.printf(Locale.ROOT, "%-5d %-50s %9.1f %7.3f %11.1f %7.3f %6.3f-%6.3f %10.1f %10.1f %+10.1f %7.1f%%%n",
                    s.batch(), s.mode(), s.tokensPerSecond(), s.ratioToPlain(), s.tokensPerCpuSecond(),
                    s.cpuRatioToPlain(), s.cpuRatioMin(), s.cpuRatioMax(), s.modelCpuUsPerToken(),
                    s.samplerCpuUsPerToken(), s.samplerExtraCpuUsPerToken(), 100 * s.samplerShareCpu());
        }
        o.println("watermark us/token: the sampler's CPU time per token minus plain sampling's in the same round");
        o.printf(Locale.ROOT, "medians over %d rounds (each column its own median); ratios to plain within each round;"
                + " load average %.2f before, %.2f after%n", summaries.isEmpty() ? 0 : summaries.get(0).rounds(),
                loadBefore, loadAfter);
    }

    /** The JSON file of {@code --out}: the settings, the medians per (batch, mode) and every measurement. */
    record Report(String model, int tokensPerSequence, int rounds, double temperature, double topP,
            String torchThreads, String ompNumThreads, int availableProcessors, double loadAverageBefore,
            double loadAverageAfter, List<Summary> summary, List<Measurement> measurements) {
    }

    /** Times every call of the wrapped sampler. */
    static final class TimedSampler implements TokenSampler {
        private final TokenSampler delegate;
        private final Clock clock;

        TimedSampler(TokenSampler delegate, Clock clock) {
            this.delegate = delegate;
            this.clock = clock;
        }

        @Override
        public int next(float[] logits, int[] context, int contextOffset, int contextLength, RandomGenerator random) {
            long w = System.nanoTime();
            long c = cpuNow();
            int t = delegate.next(logits, context, contextOffset, contextLength, random);
            clock.samplerCpuNs += cpuNow() - c;
            clock.samplerWallNs += System.nanoTime() - w;
            clock.samplerCalls++;
            return t;
        }

        @Override
        public int vocabularySize() {
            return delegate.vocabularySize();
        }

        @Override
        public void reset() {
            delegate.reset();
        }
    }

    /** Times every start/append of the wrapped model's sessions (forward pass + logits scatter). */
    static final class TimedModel implements LanguageModel {
        private final LanguageModel delegate;
        private final Clock clock;

        TimedModel(LanguageModel delegate, Clock clock) {
            this.delegate = delegate;
            this.clock = clock;
        }

        @Override
        public int vocabularySize() {
            return delegate.vocabularySize();
        }

        @Override
        public int maxContext() {
            return delegate.maxContext();
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public Session newSession(int batchSize) {
            Session s = delegate.newSession(batchSize);
            return new Session() {
                @Override
                public int batchSize() {
                    return s.batchSize();
                }

                @Override
                public void start(int[][] prompts, float[][] logits) {
                    long w = System.nanoTime();
                    long c = cpuNow();
                    s.start(prompts, logits);
                    record(w, c);
                }

                @Override
                public void append(int[] tokens, float[][] logits) {
                    long w = System.nanoTime();
                    long c = cpuNow();
                    s.append(tokens, logits);
                    record(w, c);
                }

                private void record(long w, long c) {
                    clock.modelCpuNs += cpuNow() - c;
                    clock.modelWallNs += System.nanoTime() - w;
                    clock.modelCalls++;
                }

                @Override
                public void close() {
                    s.close();
                }
            };
        }

        @Override
        public void close() {
            // the wrapped model is owned by the caller
        }
    }
}
