package dev.hallmark.tools.bench;

import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.interop.internal.KgwReference;
import dev.hallmark.interop.SynthIdKeys;
import dev.hallmark.scheme.HfKgwKeyed;
import dev.hallmark.scheme.HfKgwScheme;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * Detection throughput of the interop schemes on 16,384 token ids drawn uniformly from the Qwen3
 * vocabulary (seed 42), one thread, tokens per second: text sampled from random logits, as in the
 * golden vectors, where no seed repeats, so every scored token costs one green-list walk (about
 * 0.22 V generator outputs on average at gamma 0.25). The shared caches are emptied before every pass.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 2)
@Fork(1)
public class InteropRandomBench {

    static final int TOKENS = 16_384;

    @Param({"hf-kgw:gamma=0.25,scheme=selfhash,vocab=151669,ignore_repeated_ngrams=true",
            "hf-kgw:gamma=0.25,scheme=lefthash,vocab=151669,ignore_repeated_ngrams=true",
            "synthid-ref:ngram_len=5,context_history=1024"})
    public String scheme;

    private Detector detector;
    private KgwReference kgw;
    private int[] ids;
    private DetectOptions options;

    @Setup(Level.Trial)
    public void setup() {
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
        SplittableRandom r = new SplittableRandom(42);
        ids = new int[TOKENS];
        for (int i = 0; i < TOKENS; i++) {
            ids[i] = r.nextInt(InteropBench.VOCAB);
        }
    }

    @Setup(Level.Invocation)
    public void clearCaches() {
        if (kgw != null) {
            kgw.clearCache();
        }
    }

    @Benchmark
    @OperationsPerInvocation(TOKENS)
    public DetectionResult random() {
        return detector.detect(ids, options);
    }
}
