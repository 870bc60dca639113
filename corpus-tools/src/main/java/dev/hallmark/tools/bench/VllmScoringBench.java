package dev.hallmark.tools.bench;

import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * Detection throughput of vLLM's watermarks on token ids, one thread, tokens per second, beside
 * Hallmark's own {@code gumbel} in the same run (the baseline): 4,096 ids drawn uniformly from the
 * Qwen3 vocabulary (151,669), vLLM's counting (context de-duplication) and Hallmark's unit
 * de-duplication included, p-values included (exact and vLLM's own).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class VllmScoringBench {

    static final int TOKENS = 4096;

    @Param({"gumbel",
            "vllm-gumbel:context=4,dedup=true,key=42",
            "vllm-sbw:scheme=selfhash,context=4,gamma=0.5,dedup=true,key=42",
            "vllm-sbw:scheme=lefthash,context=1,gamma=0.5,dedup=true,key=42",
            "vllm-dual-key-gumbel:context=4,alpha=0.1,dedup=true,key=42"})
    public String scheme;

    private Detector detector;
    private int[] ids;
    private DetectOptions options;

    @Setup
    public void setup() {
        Scheme s = Scheme.parse(scheme);
        KeyedScheme keyed = s.keyKind() == Scheme.KeyKind.VLLM ? KeyedScheme.of(s)
                : KeyedScheme.of(s, WatermarkKey.fromSecret(new byte[32]));
        detector = Detector.of(keyed);
        SplittableRandom r = new SplittableRandom(42);
        ids = new int[TOKENS];
        for (int i = 0; i < TOKENS; i++) {
            ids[i] = r.nextInt(151_669);
        }
        options = DetectOptions.defaults();
    }

    /** Score is tokens per second (one operation = one token). */
    @Benchmark
    @OperationsPerInvocation(TOKENS)
    public DetectionResult detect() {
        return detector.detect(ids, options);
    }
}
