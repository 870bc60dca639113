package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.generate.Generator;
import dev.hallmark.generate.IdMap;
import dev.hallmark.generate.LmTrainer;
import dev.hallmark.generate.TransformerConfig;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.stats.Tails;
import dev.hallmark.testing.TestKeys;
import dev.hallmark.text.HfTokenizer;
import dev.hallmark.text.Tokenizers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole path on a real (tiny) neural model: the Qwen3 tokenizer, a transformer trained for a
 * few seconds on the first documents of the training corpus, watermarked and unwatermarked
 * generation through {@link Generator} + {@link WatermarkSampler} on held-out prompts, decoding
 * to text, re-tokenizing the text (as an analyst would receive it), and detection.
 *
 * <p>Pre-stated: the verdict is taken at {@link #ALPHA} = 1e-3. Detection side: every watermarked
 * completion is flagged with the generating key. Null side (asserted as carefully): unwatermarked
 * completions tested with the generating key and {@link #NULL_KEYS} never-used keys, and the
 * watermarked completions tested with those never-used keys; each set of null trials must not be
 * flagged more often than a binomial upper band allows, at alpha = 1e-3 and at a coarser 0.05
 * where a miscalibrated detector would show. Given the texts, the null trials of distinct keys are
 * independent (the PRF makes each key's scores independent), so the count of false positives is
 * at most Binomial(n, alpha) (exactly, up to the conservativeness of discrete tests). The band is
 * the smallest count c with P(X > c) <= {@link #BAND}, chosen before running.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WatermarkEndToEndTest {

    static final double ALPHA = 1e-3;
    static final double COARSE_ALPHA = 0.05;
    static final double BAND = 1e-4;
    static final int NULL_KEYS = 32;
    static final int PROMPTS = 12;
    static final int NEW_TOKENS = 96;

    private HfTokenizer tok;
    private TransformerLm lm;
    private List<int[]> prompts;
    private List<int[]> plainTexts;

    static Path repo() {
        String r = System.getProperty("hallmark.repo");
        return r == null ? Path.of("..") : Path.of(r);
    }

    static List<String> firstField(Path gz, String field, int n) throws IOException {
        List<String> out = new ArrayList<>();
        ObjectMapper om = new ObjectMapper();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(gz)),
                StandardCharsets.UTF_8))) {
            String line;
            while (out.size() < n && (line = r.readLine()) != null) {
                out.add(om.readTree(line).get(field).asText());
            }
        }
        return out;
    }

    @BeforeAll
    void trainAndGeneratePlain() throws IOException {
        tok = Tokenizers.locate(System::getProperty, System::getenv).open();
        int eos = Tokenizers.QWEN3_END_OF_TEXT;
        // ~40k tokens of real training text (the first KJV chapters), a 512-id output layer
        int[] train = TrainLmCommand.tokenizeStream(tok, firstField(repo().resolve("datasets/corpus/train.jsonl.gz"), "text", 30));
        IdMap map = TrainLmCommand.topIds(train, tok.vocabularySize(), 512, eos);
        lm = TransformerLm.create(new TransformerConfig(32, 2, 4, 64, 32), map, eos, "e2e-tiny", 7);
        LmTrainer trainer = new LmTrainer(lm, train, new LmTrainer.Options(8, 40, 3e-3f, 4, 0.01f, 1f, 7));
        trainer.train(40, null, 100, null);
        float first = trainer.history().get(0).loss();
        float last = trainer.history().get(39).loss();
        assertTrue(last < first - 0.5f, "the tiny model learned something: loss " + first + " -> " + last);

        prompts = new ArrayList<>();
        for (String p : firstField(repo().resolve("datasets/prompts/prompts.jsonl.gz"), "prompt", PROMPTS)) {
            prompts.add(tok.encode(p));
        }
        int vocab = lm.vocabularySize();
        plainTexts = generate(i -> WatermarkSampler.plain(SamplingConfig.defaults(), vocab), 5000);
    }

    @AfterAll
    void close() {
        if (lm != null) {
            lm.close();
        }
        if (tok != null) {
            tok.close();
        }
    }

    /** Generates one completion per prompt, decodes it and re-tokenizes the text. */
    private List<int[]> generate(java.util.function.IntFunction<WatermarkSampler> samplers, long seed) {
        Generator g = Generator.of(lm, Generator.Options.of(NEW_TOKENS).withBatchSize(PROMPTS), null);
        List<int[]> out = new ArrayList<>();
        for (Generator.Generation gen : g.generate(prompts, samplers, i -> new SplittableRandom(seed + i))) {
            assertEquals(NEW_TOKENS, gen.completionIds().length);
            out.add(tok.encode(tok.decode(gen.completionIds())));
        }
        return out;
    }

    /** Smallest c with P(Binomial(n, p) > c) <= BAND. */
    static int upperBand(int n, double p) {
        int c = 0;
        while (Tails.log10BinomialUpper(c + 1, n, p) > Math.log10(BAND)) {
            c++;
        }
        return c;
    }

    /** Counts null trials with p <= ALPHA and p <= COARSE_ALPHA, and asserts both bands. */
    static void assertNullSide(String what, List<int[]> texts, Scheme scheme, List<WatermarkKey> keys) {
        int n = 0;
        int flagged = 0;
        int coarse = 0;
        int belowHalf = 0;
        for (WatermarkKey k : keys) {
            Detector d = Detector.of(scheme, k);
            for (int[] t : texts) {
                DetectionResult r = d.detect(t, DetectOptions.defaults().withAlpha(ALPHA));
                assertTrue(r.tokensScored() >= 16, "scored " + r.tokensScored());
                n++;
                flagged += r.watermarked() ? 1 : 0;
                coarse += r.log10P() <= Math.log10(COARSE_ALPHA) ? 1 : 0;
                belowHalf += r.log10P() <= Math.log10(0.5) ? 1 : 0;
            }
        }
        String msg = String.format(Locale.ROOT, "%s, %s: %d trials, %d flagged at %.0e (band %d), %d at %.2f (band %d),"
                + " %d at 0.5", scheme, what, n, flagged, ALPHA, upperBand(n, ALPHA), coarse, COARSE_ALPHA,
                upperBand(n, COARSE_ALPHA), belowHalf);
        assertTrue(flagged <= upperBand(n, ALPHA), msg);
        assertTrue(coarse <= upperBand(n, COARSE_ALPHA), msg);
        // not a dead detector: a valid p-value is <= 0.5 about half the time (discrete tests a bit
        // less); a detector that always answered p = 1 would pass the two bands above
        assertTrue(belowHalf >= n / 4, msg);
    }

    static List<WatermarkKey> neverUsedKeys() {
        List<WatermarkKey> keys = new ArrayList<>();
        for (int i = 0; i < NULL_KEYS; i++) {
            keys.add(TestKeys.key(900_000 + i));
        }
        return keys;
    }

    @ParameterizedTest
    @ValueSource(strings = {"kgw", "unigram", "gumbel", "synthid"})
    void watermarkedTextIsDetectedAndUnwatermarkedTextIsNot(String spec) {
        Scheme scheme = Scheme.parse(spec);
        WatermarkKey key = TestKeys.key(spec.hashCode());
        KeyedScheme keyed = KeyedScheme.of(scheme, key);
        int vocab = lm.vocabularySize();
        List<int[]> marked = generate(i -> WatermarkSampler.watermarked(keyed, SamplingConfig.defaults(), vocab), 7000);

        // detection side: every watermarked completion, with the generating key
        Detector d = Detector.of(keyed);
        StringBuilder log = new StringBuilder();
        int detected = 0;
        for (int[] t : marked) {
            DetectionResult r = d.detect(t, DetectOptions.defaults().withAlpha(ALPHA));
            log.append(String.format(Locale.ROOT, " %.1f/%d", r.log10P(), r.tokensScored()));
            detected += r.watermarked() ? 1 : 0;
        }
        assertEquals(PROMPTS, detected, scheme + " watermarked, log10 p / tuples scored:" + log);

        // null side: the same prompts sampled without the watermark, with the generating key and
        // never-used keys; and the watermarked text itself with never-used keys
        List<WatermarkKey> keys = new ArrayList<>(neverUsedKeys());
        keys.add(key);
        assertNullSide("unwatermarked text", plainTexts, scheme, keys);
        assertNullSide("watermarked text, other keys", marked, scheme, neverUsedKeys());
    }

    @Test
    void bandsAreTheBinomialQuantilesTheyClaim() {
        // guards the helper every null assertion relies on
        assertEquals(0, upperBand(1, 1e-5), "P(X >= 1) = 1e-5 <= 1e-4");
        assertEquals(1, upperBand(1, 1e-3), "P(X >= 1) = 1e-3 > 1e-4");
        int n = 33 * PROMPTS;
        int c = upperBand(n, ALPHA);
        assertTrue(Tails.log10BinomialUpper(c + 1, n, ALPHA) <= Math.log10(BAND));
        assertTrue(Tails.log10BinomialUpper(c, n, ALPHA) > Math.log10(BAND));
        assertTrue(upperBand(n, COARSE_ALPHA) > n * COARSE_ALPHA, "the band lies above the mean");
    }
}
