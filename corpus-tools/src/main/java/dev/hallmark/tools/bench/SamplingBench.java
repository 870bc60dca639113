package dev.hallmark.tools.bench;

import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
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
 * One sampling step (full-vocabulary logits in, token out) with top-p 0.95, with and without the
 * watermark, at the vocabulary sizes of Qwen3 (151,669) and a 32,000-entry model. The logits
 * cycle through 64 pre-drawn vectors l_i = 4 z_i (z standard normal), which gives nuclei of a
 * few hundred tokens: a high-entropy step, the expensive case for the watermark. Repeated-context
 * skipping is off, so every step is watermarked.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SamplingBench {

    @Param({"151669", "32000"})
    public int vocab;

    @Param({"plain", "kgw", "gumbel", "synthid"})
    public String mode;

    private WatermarkSampler sampler;
    private float[][] logits;
    private int[] context;
    private SplittableRandom random;
    private int step;

    @Setup
    public void setup() {
        SamplingConfig cfg = new SamplingConfig(1.0, 0, 0.95, false);
        sampler = mode.equals("plain") ? WatermarkSampler.plain(cfg, vocab)
                : WatermarkSampler.watermarked(Scheme.parse(mode), WatermarkKey.fromSecret(new byte[32]), cfg, vocab);
        SplittableRandom r = new SplittableRandom(7);
        logits = new float[64][vocab];
        for (float[] l : logits) {
            for (int i = 0; i < vocab; i++) {
                double u = r.nextDouble();
                double v = r.nextDouble();
                l[i] = (float) (4 * Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v));
            }
        }
        context = new int[1024];
        for (int i = 0; i < context.length; i++) {
            context[i] = r.nextInt(vocab);
        }
        random = new SplittableRandom(8);
    }

    @Benchmark
    public int step() {
        int s = step++ & 1023;
        int ctxLen = Math.max(8, s);
        return sampler.next(logits[s & 63], context, 0, ctxLen, random);
    }
}
