package dev.hallmark.tools;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hallmark bench}: runs the JMH benchmarks bundled in the jar and prints the ratios that
 * docs/performance.md reports (each against a baseline measured in the same run).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run the JMH benchmarks (scoring throughput per scheme; sampling step with vs without",
            "watermark; tokenizer engines with --include TokenizerBench) and print ratios against the baseline",
            "measured in the same run. Also: --include PlainStepBench (the plain step vs the former implementation),",
            "BatchSamplingBench (batched sampling vs per-sequence samplers in a loop)."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--include", defaultValue = "ScoringBench|SamplingBench",
            description = "Regex of benchmark classes to run (default: ${DEFAULT-VALUE}).")
    String include;

    @Option(names = "--out", defaultValue = "bench-results.json", description = "JMH JSON results file (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--quick", description = "1 warm-up and 2 measurement iterations (for a smoke run; wide errors).")
    boolean quick;

    @Option(names = "--forks", defaultValue = "1", description = "JMH forks (default: ${DEFAULT-VALUE}).")
    int forks;

    @Override
    public Integer call() throws Exception {
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include("dev\\.hallmark\\.tools\\.bench\\.(" + include + ")")
                .forks(forks)
                .jvmArgsAppend("-Xmx2g")
                .result(out.toString())
                .resultFormat(ResultFormatType.JSON);
        if (quick) {
            b.warmupIterations(1).measurementIterations(2).warmupTime(TimeValue.seconds(1))
                    .measurementTime(TimeValue.seconds(1));
        }
        Collection<RunResult> results = new Runner(b.build()).run();
        summarize(results, spec.commandLine().getOut());
        return 0;
    }

    /** Thread CPU time per operation from the {@code CpuTime} secondary results, in microseconds (NaN if absent). */
    static double cpuMicrosPerOp(RunResult r) {
        org.openjdk.jmh.results.Result<?> nanos = r.getSecondaryResults().get("cpuNanos");
        org.openjdk.jmh.results.Result<?> calls = r.getSecondaryResults().get("calls");
        if (nanos == null || calls == null || calls.getScore() == 0) {
            return Double.NaN;
        }
        return nanos.getScore() / calls.getScore() / 1e3;
    }

    /** lm-watermarking's detector at V = 151,669 on this kind of machine (issue 8), tokens/s. */
    static final double REFERENCE_KGW_TOKENS_PER_SECOND = 512;

    static void summarize(Collection<RunResult> results, PrintWriter out) {
        Map<String, Double> sampling = new HashMap<>();
        Map<String, Double> tokenizerMbps = new java.util.TreeMap<>();
        Map<String, Map<String, Double>> pairs = new java.util.TreeMap<>();
        List<String> lines = new ArrayList<>();
        Double baseline = null;
        for (RunResult r : results) {
            if (r.getParams().getBenchmark().endsWith("InteropBaselineBench.referenceAlgorithm")) {
                baseline = r.getPrimaryResult().getScore();
            }
        }
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            double score = r.getPrimaryResult().getScore();
            double err = r.getPrimaryResult().getScoreError();
            String unit = r.getPrimaryResult().getScoreUnit();
            if (name.endsWith("ScoringBench.detect")) {
                lines.add(String.format(Locale.ROOT, "scoring  %-55s %8.2f M tokens/s/core (+- %.2f)",
                        r.getParams().getParam("scheme"), score / 1e6, err / 1e6));
            } else if (name.contains(".Interop")) {
                String what = name.endsWith("InteropBench.natural")
                        ? "natural text, " + r.getParams().getParam("cache") + " cache"
                        : name.endsWith("InteropRandomBench.random") ? "uniformly random ids"
                        : "reference algorithm in Java (full randperm per token)";
                String spec = r.getParams().getParam("scheme");
                // the 512 tokens/s and the same-run baseline are KGW detectors: no ratio for SynthID
                boolean kgw = spec == null || spec.startsWith("hf-kgw");
                String ratio = !kgw ? "" : String.format(Locale.ROOT, "%.1fx the reference's %.0f tokens/s",
                        score / REFERENCE_KGW_TOKENS_PER_SECOND, REFERENCE_KGW_TOKENS_PER_SECOND);
                if (kgw && baseline != null && !name.endsWith("referenceAlgorithm")) {
                    ratio += String.format(Locale.ROOT, ", %.1fx the same-run baseline", score / baseline);
                }
                lines.add(String.format(Locale.ROOT, "interop  %-45s %-70s %10.0f tokens/s (+- %.0f)  %s",
                        what, spec == null ? "" : spec, score, err, ratio));
            } else if (name.endsWith("TokenizerBench.tokenize")) {
                var bytes = r.getSecondaryResults().get("bytes");
                double mbps = bytes == null ? Double.NaN : bytes.getScore() / 1e6;
                double mbErr = bytes == null ? Double.NaN : bytes.getScoreError() / 1e6;
                String text = r.getParams().getParam("text");
                String engine = r.getParams().getParam("engine");
                tokenizerMbps.put(text + "/" + engine, mbps);
                lines.add(String.format(Locale.ROOT, "tokenize %-6s engine=%-5s %8.2f MB/s/core (+- %.2f)",
                        text, engine, mbps, mbErr));
            } else if (name.contains(".PlainStepBench.") || name.contains(".BatchSamplingBench.")) {
                boolean plainStep = name.contains(".PlainStepBench.");
                String method = r.getParams().getParam(plainStep ? "version" : "sampler");
                String key = plainStep
                        ? "plain " + r.getParams().getParam("logits") + " pool=" + r.getParams().getParam("pool")
                        : "batch " + r.getParams().getParam("batch") + " " + r.getParams().getParam("keys");
                pairs.computeIfAbsent(key, x -> new HashMap<>()).put(method, score);
                double cpuUs = cpuMicrosPerOp(r);
                pairs.get(key).put(method + "-cpu", cpuUs);
                lines.add(String.format(Locale.ROOT, "%-8s %-26s %-9s %10.1f %s (+- %.1f)  cpu %10.1f us/op",
                        plainStep ? "step" : "batch", key, method, score, unit, err, cpuUs));
            } else if (name.contains("SamplingBench.")) {
                String method = name.substring(name.lastIndexOf('.') + 1);
                String vocab = r.getParams().getParam("vocab");
                String mode = r.getParams().getParam("mode");
                sampling.put(method + "/" + vocab + "/" + mode, score);
                lines.add(String.format(Locale.ROOT, "sampling %-14s vocab=%-7s %-14s %10.3f %s/step (+- %.3f)",
                        method, vocab, mode, score, unit, err));
            }
        }
        lines.forEach(out::println);
        for (Map.Entry<String, Double> e : tokenizerMbps.entrySet()) {
            String text = e.getKey().substring(0, e.getKey().indexOf('/'));
            Double hf = tokenizerMbps.get(text + "/hf");
            if (e.getKey().endsWith("/fast") && hf != null) {
                out.println(String.format(Locale.ROOT, "tokenize %-6s fast / hf = %.1fx (same run)", text, e.getValue() / hf));
            }
        }
        // same-run ratios: the former step over the new one; per-sequence samplers in a loop over one batched call
        for (Map.Entry<String, Map<String, Double>> e : pairs.entrySet()) {
            Map<String, Double> m = e.getValue();
            if (m.containsKey("former") && m.containsKey("new")) {
                out.println(String.format(Locale.ROOT, "ratio    %-26s former / new step = %.2f (cpu time %.2f)",
                        e.getKey(), m.get("former") / m.get("new"), m.get("former-cpu") / m.get("new-cpu")));
            } else if (m.containsKey("loop") && m.containsKey("batched")) {
                int rows = Integer.parseInt(e.getKey().split(" ")[1]);
                out.println(String.format(Locale.ROOT,
                        "ratio    %-26s loop / batched = %.2f (cpu time %.2f; batched %.1f us, cpu %.1f us per row)",
                        e.getKey(), m.get("loop") / m.get("batched"), m.get("loop-cpu") / m.get("batched-cpu"),
                        m.get("batched") / rows, m.get("batched-cpu") / rows));
            }
        }
        // the watermark's added cost: measured on the prepared candidate set (fromCandidates, two
        // small numbers), as a share of the whole plain step from logits (step)
        for (Map.Entry<String, Double> e : new java.util.TreeMap<>(sampling).entrySet()) {
            String[] k = e.getKey().split("/");
            Double plainFrom = sampling.get(k[0] + "/" + k[1] + "/plain");
            Double plainStep = sampling.get("step/" + k[1] + "/plain");
            if (k[0].equals("fromCandidates") && !k[2].equals("plain") && plainFrom != null && plainStep != null) {
                double added = e.getValue() - plainFrom;
                Double wmStep = sampling.get("step/" + k[1] + "/" + k[2]);
                out.println(String.format(Locale.ROOT,
                        "watermark cost vocab=%-7s %-14s %+9.3f us/step on the candidates = %6.2f%% of the plain step "
                                + "(whole-step difference %+.1f us)",
                        k[1], k[2], added, 100 * added / plainStep, wmStep == null ? Double.NaN : wmStep - plainStep));
            }
        }
        out.flush();
    }
}
