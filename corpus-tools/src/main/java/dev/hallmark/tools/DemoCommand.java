package dev.hallmark.tools;

import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.generate.Generator;
import dev.hallmark.generate.Models;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.Tokenizers;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hallmark demo}: the whole loop on embedded defaults, in a minute: a fresh key, the
 * committed default model generating with and without each scheme's watermark, and detection.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Generate with the default model, with and without the watermark, and detect (embedded defaults).")
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    TokenizerOption tokenizer;

    @Option(names = "--tokens", defaultValue = "120", description = "Tokens per completion (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--schemes", defaultValue = "kgw,gumbel,synthid", split = ",",
            description = "Schemes to show (default: ${DEFAULT-VALUE}).")
    List<String> schemes;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        WatermarkKey key = WatermarkKey.generate(new SecureRandom());
        out.println("key " + key.id() + " (fresh, in memory only)");
        String prompt = "And it came to pass, when the king heard the words of the law, that";
        try (TextTokenizer tok = tokenizer.open(); TransformerLm lm = new ModelOption().load(tok)) {
            out.println("model " + lm.name() + " (" + lm.parameterCount() + " parameters), prompt: \"" + prompt + "\"");
            int[] p = tok.encode(prompt);
            Generator gen = Generator.of(lm, Generator.Options.of(tokens, Tokenizers.QWEN3_END_OF_TEXT), tok::decode);
            SamplingConfig cfg = SamplingConfig.defaults();
            for (String spec : schemes) {
                Scheme s = Scheme.parse(spec);
                KeyedScheme keyed = KeyedScheme.of(s, key);
                for (boolean marked : new boolean[] {true, false}) {
                    Generator.Generation g = gen.generate(List.of(p),
                            i -> marked ? WatermarkSampler.watermarked(keyed, cfg, lm.vocabularySize())
                                    : WatermarkSampler.plain(cfg, lm.vocabularySize()),
                            i -> new SplittableRandom(42)).get(0);
                    int[] ids = g.completionIds();
                    out.println();
                    out.println((marked ? "WATERMARKED " : "plain       ") + s + ":");
                    out.println("  " + tok.decode(ids).replace('\n', ' ').strip());
                    if (ids.length <= s.contextWidth()) {
                        out.println("  (too short to score)");
                        continue;
                    }
                    DetectionResult r = Detector.of(keyed).detect(ids, DetectOptions.defaults());
                    out.println(String.format(Locale.ROOT,
                            "  -> %s: p = %.3g (log10 p = %.1f), %d tokens scored, statistic %.3f",
                            r.watermarked() ? "watermark detected" : "no watermark", r.pValue(), r.log10P(),
                            r.tokensScored(), r.statistic()));
                }
            }
        }
        out.flush();
        return 0;
    }
}
