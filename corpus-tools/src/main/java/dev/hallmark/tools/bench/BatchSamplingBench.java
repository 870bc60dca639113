package dev.hallmark.tools.bench;

import dev.hallmark.embed.BatchSampler;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One decoding step of a batch of sequences at V = 151,669 (issue 12): {@link BatchSampler#sample}
 * over the batch's rows in one array, against one {@link WatermarkSampler} per sequence called in a
 * loop on the same rows (the same tokens), in the same run. Top-p 0.95, temperature 1, flat logits
 * (4 z) from a pool of 64 rows; {@code keys=kgw} gives every sequence its own key (one per
 * account), repeated-context skipping off so every step is watermarked. Score: microseconds per
 * batch step. {@code sampler} varies fastest in JMH's order, so the two runs of a pair follow each
 * other (the machine's load drifts over minutes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BatchSamplingBench {

    private static final int POOL = 64;
    private static final int VOCAB = 151_669;

    @Param({"1", "8", "64"})
    public int batch;

    @Param({"plain", "kgw"})
    public String keys;

    @Param({"loop", "batched"})
    public String sampler;

    private float[] rows;
    private BatchSampler batched; // null for sampler=loop
    private WatermarkSampler[] perSequence;
    private SplittableRandom[] randoms;
    private int[] slots;
    private int[][] contexts;
    private int[] offsets;
    private int[] lengths;
    private int[] tokens;
    private int step;

    @Setup
    public void setup() {
        SamplingConfig cfg = new SamplingConfig(1.0, 0, 0.95, false);
        rows = Logits.rows("flat", VOCAB, POOL, 7);
        boolean useBatch = sampler.equals("batched");
        batched = useBatch ? BatchSampler.create(VOCAB, batch) : null;
        perSequence = new WatermarkSampler[batch];
        randoms = new SplittableRandom[batch];
        slots = new int[batch];
        contexts = new int[batch][];
        offsets = new int[batch];
        lengths = new int[batch];
        tokens = new int[batch];
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < batch; i++) {
            KeyedScheme keyed = null;
            if (keys.equals("kgw")) {
                byte[] secret = new byte[32];
                r.nextBytes(secret);
                keyed = KeyedScheme.of(Scheme.parse("kgw"), WatermarkKey.fromSecret(secret));
            }
            // both ways draw the same tokens from the same streams
            if (useBatch) {
                batched.open(i, cfg, keyed, new SplittableRandom(100 + i));
            } else {
                perSequence[i] = keyed == null ? WatermarkSampler.plain(cfg, VOCAB)
                        : WatermarkSampler.watermarked(keyed, cfg, VOCAB);
                randoms[i] = new SplittableRandom(100 + i);
            }
            slots[i] = i;
            contexts[i] = new int[64];
            for (int j = 0; j < 64; j++) {
                contexts[i][j] = r.nextInt(VOCAB);
            }
            lengths[i] = 32;
        }
    }

    private int firstRow() {
        // batches of consecutive rows cycling through the pool; the context window slides so that
        // contexts change from step to step
        int s = step++;
        for (int i = 0; i < batch; i++) {
            offsets[i] = s & 31;
        }
        return (s * batch) % POOL;
    }

    /**
     * One decoding step: all rows in one {@link BatchSampler} call ({@code sampler=batched}), or one
     * per-sequence sampler per row called in a loop on the same rows ({@code sampler=loop}).
     */
    @Benchmark
    public int step(CpuTime cpu) {
        int first = firstRow();
        cpu.begin();
        int last = 0;
        if (batched != null) {
            batched.sample(rows, first * VOCAB, VOCAB, batch, slots, contexts, offsets, lengths, tokens);
            last = tokens[batch - 1];
        } else {
            for (int i = 0; i < batch; i++) {
                last = perSequence[i].next(rows, (first + i) * VOCAB, contexts[i], offsets[i], lengths[i], randoms[i]);
            }
        }
        cpu.end();
        return last;
    }
}
