package dev.hallmark.tools.bench;

import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.key.WatermarkKey;
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
 * Detection throughput on token ids, one thread: tokens scored per second per core, with
 * de-duplication, for each scheme. Input: 4,096 token ids drawn uniformly from the Qwen3
 * vocabulary (151,669), so nearly every tuple is distinct and gets scored.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ScoringBench {

    static final int TOKENS = 4096;

    @Param({"kgw", "kgw:gamma=0.25,delta=2,context=3,seeding=selfhash", "unigram", "gumbel", "synthid"})
    public String scheme;

    private Detector detector;
    private int[] ids;
    private DetectOptions options;

    @Setup
    public void setup() {
        detector = Detector.of(Scheme.parse(scheme), WatermarkKey.fromSecret(new byte[32]));
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
