package dev.hallmark.tools;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.generate.Generator;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.key.KeyFile;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.Tokenizers;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hallmark generate}: watermarked (or plain) completions from a language model. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate completions for JSONL prompts (field \"prompt\") with the watermark applied at",
            "sampling time. Without --model, the committed default model (datasets/models/default)."})
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--key", description = "Key file (required unless --no-watermark).")
    Path key;

    @Option(names = "--scheme", paramLabel = "SPEC",
            description = "Scheme spec (default: the scheme the key file names, else kgw).")
    String scheme;

    @Option(names = "--prompts", required = true, description = "JSONL prompts with a \"prompt\" field (.gz ok).")
    Path prompts;

    @Option(names = "--out", required = true, description = "Output JSONL.")
    Path out;

    @Option(names = "--no-watermark", description = "Sample without the watermark (the same sampler otherwise).")
    boolean noWatermark;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--max-tokens", defaultValue = "200", description = "Tokens per completion (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Mixin
    SeedOption seed;

    @Option(names = "--batch-size", defaultValue = "8", description = "Sequences per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--limit", defaultValue = "0", description = "Use only the first N prompts (0 = all).")
    int limit;

    @Mixin
    TokenizerOption tokenizer;

    private static final ObjectWriter JSON = DetectionJson.mapper().writer();

    @Override
    public Integer call() throws Exception {
        if (!noWatermark && key == null) {
            throw new IllegalArgumentException("--key is required to watermark (or pass --no-watermark)");
        }
        KeyFile.Contents kf = noWatermark ? null : KeyFile.load(key);
        WatermarkKey k = kf == null ? null : kf.key();
        String schemeSpec = scheme != null ? scheme : kf != null && kf.scheme() != null ? kf.scheme() : "kgw";
        Scheme s;
        try {
            s = Scheme.parse(schemeSpec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((scheme == null && kf != null && kf.scheme() != null
                    ? "the key file's default scheme '" + schemeSpec + "': " : "") + e.getMessage(), e);
        }
        SamplingConfig cfg = sampling.config();
        long seed = this.seed.seed();
        List<String> promptTexts = new ArrayList<>();
        try (InputRecords in = InputRecords.open(prompts, InputRecords.Format.JSONL, "prompt")) {
            while (in.hasNext() && (limit <= 0 || promptTexts.size() < limit)) {
                InputRecords.Record r = in.next();
                if (r.text() == null) {
                    throw new IllegalArgumentException("prompts " + prompts + " line " + r.line() + ": needs a \"prompt\" string");
                }
                promptTexts.add(r.text());
            }
        }
        if (promptTexts.isEmpty()) {
            throw new IllegalArgumentException("prompts " + prompts + " holds no prompts");
        }
        Progress progress = new Progress("generate", promptTexts.size(), spec.commandLine().getErr());
        progress.show("loading the model");
        long[] tokens = {0};
        int written = 0;
        try (TextTokenizer tok = tokenizer.open(); TransformerLm lm = model.load(tok)) {
            KeyedScheme keyed = k == null ? null : KeyedScheme.of(s, k);
            int vocab = lm.vocabularySize();
            Generator gen = Generator.of(lm, Generator.Options.of(maxTokens, Tokenizers.QWEN3_END_OF_TEXT)
                    .withBatchSize(batchSize), tok::decode);
            progress.show("0 tokens");
            try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                for (int from = 0; from < promptTexts.size(); from += batchSize) {
                    int to = Math.min(promptTexts.size(), from + batchSize);
                    List<int[]> ids = new ArrayList<>();
                    for (int i = from; i < to; i++) {
                        ids.add(tok.encode(promptTexts.get(i)));
                    }
                    int base = from;
                    List<Generator.Generation> gens = gen.generate(ids,
                            i -> keyed == null ? WatermarkSampler.plain(cfg, vocab)
                                    : WatermarkSampler.watermarked(keyed, cfg, vocab),
                            i -> new SplittableRandom(seed * 0x9E3779B97F4A7C15L + base + i),
                            (n, finished) -> {
                                tokens[0] += n;
                                progress.detail(tokens[0] + " tokens");
                                progress.step(finished);
                            });
                    for (int i = 0; i < gens.size(); i++) {
                        w.write(JSON.writeValueAsString(
                                record(promptTexts.get(from + i), gens.get(i), tok, s, k, lm, from + i, seed)));
                        w.write('\n');
                        written++;
                    }
                }
            }
            progress.done();
        }
        spec.commandLine().getOut().println("wrote " + written + " record" + (written == 1 ? "" : "s") + " to " + out
                + " (" + tokens[0] + " completion tokens)");
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * One line of the output JSONL, serialised by Jackson with these names in snake case. The
     * radioactivity and attribution commands read {@code completion_ids} and {@code prompt_ids}.
     *
     * @param scheme the scheme's spec, or {@code none} with {@code --no-watermark}
     * @param keyId the key's public id (null without a watermark)
     * @param stopReason why generation stopped, lower case
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Completion(String id, String prompt, String completion, int[] completionIds, int[] promptIds,
            String scheme, String keyId, String model, String stopReason, double temperature, double topP, int topK,
            long seed) {
    }

    private Completion record(String prompt, Generator.Generation g, TextTokenizer tok, Scheme s, WatermarkKey k,
            TransformerLm lm, int index, long seed) {
        return new Completion("gen-" + index, prompt, tok.decode(g.completionIds()), g.completionIds(), g.promptIds(),
                k == null ? "none" : s.toString(), k == null ? null : k.id(), lm.name(),
                g.stopReason().name().toLowerCase(Locale.ROOT), sampling.temperature(), sampling.topP(),
                sampling.topK(), seed);
    }
}
