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
 * skipping is off, so every step is watermarked. {@code kgw-rejection} is KGW drawn by rejection
 * ({@link dev.hallmark.embed.SamplingConfig#kgwRejection()}).
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

    @Param({"plain", "kgw", "kgw-rejection", "gumbel", "synthid"})
    public String mode;

    private WatermarkSampler sampler;
    private float[][] logits;
    private int[] context;
    private SplittableRandom random;
    private int step;

    @Setup
    public void setup() {
        SamplingConfig cfg = new SamplingConfig(1.0, 0, 0.95, false);
        if (mode.equals("plain")) {
            sampler = WatermarkSampler.plain(cfg, vocab);
        } else if (mode.equals("kgw-rejection")) {
            sampler = WatermarkSampler.watermarked(Scheme.parse("kgw"), WatermarkKey.fromSecret(new byte[32]),
                    cfg.withKgwRejection(true), vocab);
        } else {
            sampler = WatermarkSampler.watermarked(Scheme.parse(mode), WatermarkKey.fromSecret(new byte[32]), cfg, vocab);
        }
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
        candIds = new int[64][];
        candProbs = new double[64][];
        for (int v = 0; v < 64; v++) {
            nucleus(logits[v], 0.95, v);
        }
    }

    private int[][] candIds;
    private double[][] candProbs;

    /** The top-p nucleus of softmax(l), most likely first, computed here in double precision. */
    private void nucleus(float[] l, double p, int slot) {
        double max = Double.NEGATIVE_INFINITY;
        for (float f : l) {
            max = Math.max(max, f);
        }
        double[] w = new double[l.length];
        double total = 0;
        for (int i = 0; i < l.length; i++) {
            w[i] = Math.exp(l[i] - max);
            total += w[i];
        }
        Integer[] order = new Integer[l.length];
        for (int i = 0; i < l.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(w[b], w[a]));
        int n = 0;
        double cum = 0;
        while (cum < p * total) {
            cum += w[order[n++]];
        }
        candIds[slot] = new int[n];
        candProbs[slot] = new double[n];
        for (int j = 0; j < n; j++) {
            candIds[slot][j] = order[j];
            candProbs[slot][j] = w[order[j]] / cum;
        }
    }

    /**
     * The same steps from the nucleus already selected (as a serving stack that computes top-p next
     * to the model would hand it over): the plain draw vs the watermark over those candidates, so
     * the watermark's own added cost is the difference of two small numbers.
     */
    @Benchmark
    public int fromCandidates() {
        int s = step++ & 1023;
        int ctxLen = Math.max(8, s);
        int v = s & 63;
        return sampler.nextFromCandidates(candIds[v], candProbs[v], candIds[v].length, context, 0, ctxLen, random);
    }

    @Benchmark
    public int step() {
        int s = step++ & 1023;
        int ctxLen = Math.max(8, s);
        return sampler.next(logits[s & 63], context, 0, ctxLen, random);
    }
}
