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
 * (4 z) from a pool of 64 rows; {@code kgw} gives every sequence its own key (one per account),
 * repeated-context skipping off so every step is watermarked. Score: microseconds per batch step.
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
    public String mode;

    private float[] rows;
    private BatchSampler batched;
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
        batched = BatchSampler.create(VOCAB, batch);
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
            if (mode.equals("kgw")) {
                byte[] secret = new byte[32];
                r.nextBytes(secret);
                keyed = KeyedScheme.of(Scheme.parse("kgw"), WatermarkKey.fromSecret(secret));
            }
            // both implementations draw from the same kind of stream; each has its own
            batched.open(i, cfg, keyed, new SplittableRandom(100 + i));
            perSequence[i] = keyed == null ? WatermarkSampler.plain(cfg, VOCAB)
                    : WatermarkSampler.watermarked(keyed, cfg, VOCAB);
            randoms[i] = new SplittableRandom(100 + i);
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

    /** All rows in one call. */
    @Benchmark
    public int batched() {
        int first = firstRow();
        batched.sample(rows, first * VOCAB, VOCAB, batch, slots, contexts, offsets, lengths, tokens);
        return tokens[batch - 1];
    }

    /** One per-sequence sampler per row, called in a loop on the same rows. */
    @Benchmark
    public int loop() {
        int first = firstRow();
        int last = 0;
        for (int i = 0; i < batch; i++) {
            last = perSequence[i].next(rows, (first + i) * VOCAB, contexts[i], offsets[i], lengths[i], randoms[i]);
        }
        return last;
    }
}
