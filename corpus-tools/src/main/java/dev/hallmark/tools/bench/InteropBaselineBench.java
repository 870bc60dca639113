package dev.hallmark.tools.bench;

import dev.hallmark.interop.internal.KgwReference;
import dev.hallmark.interop.KgwSeeding;
import dev.hallmark.interop.internal.TorchMt19937;
import dev.hallmark.interop.internal.TorchRandperm;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Same-run baseline for {@link InteropRandomBench}: the reference KGW detector's algorithm, in Java.
 * Per scored token it seeds the generator, draws the full {@code randperm(V)} (V - 1 Fisher-Yates
 * steps over a V-entry array) and scans the first {@code int(V * gamma)} entries for the token, as
 * lm-watermarking's {@code _get_greenlist_ids} followed by {@code target in greenlist_ids} does in
 * PyTorch. Lefthash, V = 151,669, gamma 0.25, 64 uniformly random tokens per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 2)
@Fork(1)
public class InteropBaselineBench {

    static final int TOKENS = 64;

    private final int k = (int) (InteropBench.VOCAB * 0.25);
    private final int[] perm = new int[InteropBench.VOCAB];
    private final TorchMt19937 rng = TorchMt19937.seeded(0);
    private final KgwReference ref = KgwReference.of(KgwSeeding.lefthash(), InteropBench.VOCAB, 0.25);
    private int[] ids;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(42);
        ids = new int[TOKENS + 1];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(InteropBench.VOCAB);
        }
    }

    @Benchmark
    @OperationsPerInvocation(TOKENS)
    public int referenceAlgorithm() {
        int green = 0;
        for (int t = 1; t <= TOKENS; t++) {
            rng.manualSeed(ref.seed(ids, t - 1));
            TorchRandperm.full(rng, InteropBench.VOCAB, perm);
            int target = ids[t];
            for (int i = 0; i < k; i++) {
                if (perm[i] == target) {
                    green++;
                    break;
                }
            }
        }
        return green;
    }
}
