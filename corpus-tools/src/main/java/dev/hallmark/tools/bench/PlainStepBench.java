package dev.hallmark.tools.bench;

import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The plain sampling step from full logits (issue 15): {@code WatermarkSampler.plain(...).next}
 * ({@code version=new}) against the same step as it was computed before (the {@link BaselineSampler}
 * copy, {@code version=former}), in the same run, on the same logits and random stream (both
 * return the same tokens; FastPathEqualityTest). {@code version} varies fastest in JMH's order, so
 * the two runs of a pair follow each other: on a shared machine whose load drifts over minutes,
 * their ratio compares like with like.
 * Top-p 0.95, temperature 1, at V = 151,669; the logits cycle through {@code pool} pre-drawn rows
 * of one {@link Logits} shape: 32 rows (19 MB) are read from memory at every step, as logits copied
 * from an accelerator would be; 4 rows (2.4 MB) stay in the last-level cache, as logits the CPU just
 * computed would.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PlainStepBench {

    @Param({"151669"})
    public int vocab;

    @Param({"32", "4"})
    public int pool;

    @Param({"flat", "peaked", "sparse"})
    public String logits;

    @Param({"former", "new"})
    public String version;

    private float[] rows;
    private WatermarkSampler sampler;
    private BaselineSampler baseline;
    private SplittableRandom random;
    private final int[] context = new int[8];
    private int step;

    @Setup
    public void setup() {
        SamplingConfig cfg = new SamplingConfig(1.0, 0, 0.95, false);
        rows = Logits.rows(logits, vocab, pool, 7);
        if (version.equals("new")) {
            sampler = WatermarkSampler.plain(cfg, vocab);
        } else {
            baseline = new BaselineSampler(cfg, vocab);
        }
        random = new SplittableRandom(8);
    }

    @Benchmark
    public int step(CpuTime cpu) {
        int row = step++ % pool;
        cpu.begin();
        int token = sampler == null ? baseline.next(rows, row * vocab, random)
                : sampler.next(rows, row * vocab, context, 0, context.length, random);
        cpu.end();
        return token;
    }
}
