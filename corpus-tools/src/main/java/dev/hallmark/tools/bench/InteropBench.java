package dev.hallmark.tools.bench;

import dev.hallmark.tools.Defaults;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.Detector;
import dev.hallmark.interop.internal.KgwReference;
import dev.hallmark.interop.SynthIdKeys;
import dev.hallmark.scheme.HfKgwKeyed;
import dev.hallmark.scheme.HfKgwScheme;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.TokenizerEngine;
import dev.hallmark.text.Tokenizers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Detection throughput of the interop schemes ({@code hf-kgw}, {@code synthid-ref}) at the Qwen3
 * vocabulary (151,669) on natural text, one thread, tokens per second. Compare with the reference
 * implementation's measured 512 tokens/s (lm-watermarking's detector, same vocabulary; see
 * docs/performance.md), with {@link InteropRandomBench} (uniformly random ids) and with
 * {@link InteropBaselineBench} (the reference's algorithm in Java, same run).
 *
 * <ul>
 *   <li>{@code natural}: the first 65,536 tokens of the human-text set (datasets/human-text, Qwen3
 *       tokenizer), one document after another; {@code cold} empties the shared caches before each
 *       pass (a first look at a corpus), {@code warm} keeps them (a verifier that has seen this kind
 *       of text before).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 2)
@Fork(1)
public class InteropBench {

    static final int NATURAL_TOKENS = 65_536;
    static final int VOCAB = 151_669;

    @Param({"hf-kgw:gamma=0.25,scheme=selfhash,vocab=151669,ignore_repeated_ngrams=true",
            "hf-kgw:gamma=0.25,scheme=lefthash,vocab=151669,ignore_repeated_ngrams=true",
            "synthid-ref:ngram_len=5,context_history=1024"})
    public String scheme;

    @Param({"cold", "warm"})
    public String cache;

    private Detector detector;
    private KgwReference kgw;
    private int[][] natural;
    private DetectOptions options;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        Scheme s = Scheme.parse(scheme);
        KeyedScheme keyed;
        if (s.keyKind() == Scheme.KeyKind.SYNTHID_KEYS) {
            SplittableRandom kr = new SplittableRandom(7);
            long[] keys = new long[30];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = kr.nextLong();
            }
            keyed = KeyedScheme.of(s, SynthIdKeys.of(keys));
        } else {
            keyed = KeyedScheme.of(s);
            HfKgwScheme hs = (HfKgwScheme) s;
            kgw = KgwReference.shared(hs.seeding(), hs.vocab(), hs.gamma());
        }
        detector = Detector.of(keyed);
        options = DetectOptions.defaults();
        natural = naturalText(NATURAL_TOKENS);
    }

    @Setup(Level.Invocation)
    public void clearCaches() {
        if (kgw != null && cache.equals("cold")) {
            kgw.clearCache();
        }
    }

    /** The first {@code tokens} tokens of datasets/human-text, as documents (the last one truncated). */
    static int[][] naturalText(int tokens) throws IOException {
        String repo = System.getProperty("hallmark.repo", ".");
        Path p = Path.of(repo, "datasets", "human-text", "human-text.jsonl.gz");
        if (!Files.exists(p)) {
            throw new IOException(p.toAbsolutePath() + " not found: run the benchmark from the repository root "
                    + "or set -Dhallmark.repo");
        }
        List<int[]> docs = new ArrayList<>();
        ObjectMapper om = new ObjectMapper();
        int left = tokens;
        try (TextTokenizer tok = Defaults.openTokenizer(null, TokenizerEngine.FAST);
                BufferedReader in = new BufferedReader(new InputStreamReader(
                        new GZIPInputStream(Files.newInputStream(p)), StandardCharsets.UTF_8))) {
            String line;
            while (left > 0 && (line = in.readLine()) != null) {
                int[] ids = tok.encode(om.readTree(line).get("text").asText());
                ids = Arrays.copyOf(ids, Math.min(ids.length, left));
                left -= ids.length;
                docs.add(ids);
            }
        }
        if (left > 0) {
            throw new IOException("human-text holds fewer than " + tokens + " tokens");
        }
        return docs.toArray(new int[0][]);
    }

    /** Natural text, document by document. */
    @Benchmark
    @OperationsPerInvocation(NATURAL_TOKENS)
    public long natural() {
        long scored = 0;
        for (int[] doc : natural) {
            scored += detector.detect(doc, options).tokensScored();
        }
        return scored;
    }

}
