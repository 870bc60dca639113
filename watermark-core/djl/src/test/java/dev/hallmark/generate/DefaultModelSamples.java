package dev.hallmark.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.text.HfTokenizer;
import dev.hallmark.text.Tokenizers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/**
 * Prints sample completions of the committed default model for held-out prompts (plain softmax
 * sampling with the test sampler; no watermark). Used for the model card, not a test:
 * {@code java -cp <test classpath> dev.hallmark.generate.DefaultModelSamples <model dir> <prompts.jsonl.gz> <n> <T> <seed>}.
 */
public final class DefaultModelSamples {
    private DefaultModelSamples() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path prompts = Path.of(args[1]);
        int n = Integer.parseInt(args[2]);
        double temperature = Double.parseDouble(args[3]);
        long seed = Long.parseLong(args[4]);
        List<String> texts = new ArrayList<>();
        ObjectMapper om = new ObjectMapper();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(prompts)),
                StandardCharsets.UTF_8))) {
            String line;
            int i = 0;
            while ((line = r.readLine()) != null) {
                if (i++ % 97 == 0 && texts.size() < n) {
                    texts.add(om.readTree(line).get("prompt").asText());
                }
            }
        }
        try (HfTokenizer tok = Tokenizers.locate(System::getProperty, System::getenv).open(); TransformerLm lm = TransformerLm.load(model)) {
            List<int[]> ids = new ArrayList<>();
            for (String t : texts) {
                ids.add(tok.encode(t));
            }
            Generator g = Generator.of(lm, Generator.Options.of(60, Tokenizers.QWEN3_END_OF_TEXT), tok::decode);
            long t0 = System.nanoTime();
            List<Generator.Generation> out = g.generate(ids, i -> new SoftmaxTestSampler(lm.vocabularySize(), temperature),
                    i -> new SplittableRandom(seed + i));
            double secs = (System.nanoTime() - t0) / 1e9;
            int total = 0;
            for (int i = 0; i < out.size(); i++) {
                total += out.get(i).completionIds().length;
                System.out.println("PROMPT: " + texts.get(i).replace("\n", " / "));
                System.out.println("MODEL:  " + tok.decode(out.get(i).completionIds()).replace("\n", " / "));
                System.out.println();
            }
            System.out.printf(java.util.Locale.ROOT, "%d tokens in %.1f s (%.1f tokens/s, batch 8, temperature %.2f)%n",
                    total, secs, total / secs, temperature);
        }
    }
}
