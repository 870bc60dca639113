import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.Detector;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The VllmScoringBench scenario (4,096 ids uniform over 151,669, one thread, Detector.detect with
 * de-duplication and p-values) timed in thread CPU time instead of wall time: on a shared,
 * oversubscribed machine the wall-clock figure measures the queue for the core, the CPU-time figure
 * the cost per core. The schemes take turns, 1 CPU-second each, for 9 rounds (the first 2 are
 * warm-up); printed: the median and range of the last 7 rounds, and each median relative to
 * Hallmark's gumbel. Run from the repository root after building the CLI:
 *   java -cp corpus-tools/target/hallmark.jar docs/results/VllmScoringCpu.java
 */
public class VllmScoringCpu {

    public static void main(String[] args) {
        String[] specs = {"gumbel", "vllm-gumbel:context=4,dedup=true,key=42",
            "vllm-sbw:scheme=selfhash,context=4,gamma=0.5,dedup=true,key=42",
            "vllm-sbw:scheme=lefthash,context=1,gamma=0.5,dedup=true,key=42",
            "vllm-dual-key-gumbel:context=4,alpha=0.1,dedup=true,key=42"};
        int n = 4096;
        int[] ids = new int[n];
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(151_669);
        }
        Detector[] detectors = new Detector[specs.length];
        for (int i = 0; i < specs.length; i++) {
            Scheme s = Scheme.parse(specs[i]);
            detectors[i] = Detector.of(s.keyKind() == Scheme.KeyKind.VLLM ? KeyedScheme.of(s)
                    : KeyedScheme.of(s, WatermarkKey.fromSecret(new byte[32])));
        }
        ThreadMXBean tm = ManagementFactory.getThreadMXBean();
        int rounds = 9;
        int warmup = 2;
        double[][] perCpu = new double[specs.length][rounds - warmup];
        double sink = 0;
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < specs.length; i++) {
                long c0 = tm.getCurrentThreadCpuTime();
                long it = 0;
                while (tm.getCurrentThreadCpuTime() - c0 < 1_000_000_000L) {
                    sink += detectors[i].detect(ids, DetectOptions.defaults()).scoreSum();
                    it++;
                }
                long c1 = tm.getCurrentThreadCpuTime();
                if (round >= warmup) {
                    perCpu[i][round - warmup] = (double) it * n / (c1 - c0) * 1e3; // M tokens per CPU-second
                }
            }
        }
        double base = median(perCpu[0]);
        for (int i = 0; i < specs.length; i++) {
            double[] v = perCpu[i].clone();
            Arrays.sort(v);
            System.out.printf(Locale.ROOT, "%-66s %6.2f M tokens per CPU-second (range %.2f-%.2f)  x%.2f of gumbel%n",
                    specs[i], median(v), v[0], v[v.length - 1], median(v) / base);
        }
        if (sink == 42) {
            System.out.println();
        }
    }

    static double median(double[] x) {
        double[] v = x.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
