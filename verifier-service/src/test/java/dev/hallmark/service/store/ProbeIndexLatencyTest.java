package dev.hallmark.service.store;

import dev.hallmark.service.PgServer;
import dev.hallmark.service.scan.ProbeIndex;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measurement, not a check (run with {@code -Dhallmark.bench=true}; docs/deployment.md quotes it):
 * the time of one analyst look-up ({@link ProbeIndex#record}) in memory only, and shared through
 * H2 and PostgreSQL with two indexes on one store taking turns (so every look-up first reads the
 * text the other instance added), each tenant already holding {@value ProbeIndex#PER_TENANT} texts.
 * Rounds interleaved; medians and 99th percentiles per variant, and ratios to memory only.
 */
@EnabledIfSystemProperty(named = "hallmark.bench", matches = "true")
class ProbeIndexLatencyTest {

    @TempDir
    Path dir;

    static long[] random(SplittableRandom r) {
        long[] s = new long[32];
        for (int i = 0; i < s.length; i++) {
            s[i] = r.nextLong() & 0x07FF_FFFF_FFFF_FFFFL;
        }
        return s;
    }

    @Test
    void lookUpLatency() throws Exception {
        try (Store h2 = Store.open(dir.resolve("h2"), DatabaseConfig.EMBEDDED, new SecureRandom(), "bench/1");
                Store pg = Store.open(dir.resolve("pg"), PgServer.get().newDatabase(), new SecureRandom(), "bench/2")) {
            ProbeIndex memory = new ProbeIndex();
            ProbeIndex[] onH2 = {new ProbeIndex(h2.probes()), new ProbeIndex(new SqlProbeRecords(((SqlStore) h2).database()))};
            ProbeIndex[] onPg = {new ProbeIndex(pg.probes()), new ProbeIndex(new SqlProbeRecords(((SqlStore) pg).database()))};
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < ProbeIndex.PER_TENANT; i++) {
                long[] s = random(r);
                memory.record("t", s, true);
                onH2[i % 2].record("t", s, true);
                onPg[i % 2].record("t", s, true);
            }
            String[] names = {"memory only", "H2, shared", "PostgreSQL, shared"};
            List<List<Long>> times = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 100; i++) {
                    long[] s = random(r);
                    long t0 = System.nanoTime();
                    memory.record("t", s, true);
                    long t1 = System.nanoTime();
                    onH2[i % 2].record("t", s, true);
                    long t2 = System.nanoTime();
                    onPg[i % 2].record("t", s, true);
                    long t3 = System.nanoTime();
                    if (round > 1) { // warm-up
                        times.get(0).add(t1 - t0);
                        times.get(1).add(t2 - t1);
                        times.get(2).add(t3 - t2);
                    }
                }
            }
            double base = median(times.get(0));
            for (int v = 0; v < 3; v++) {
                System.out.printf(Locale.ROOT, "probe look-up, %s: median %.3f ms, p99 %.3f ms, median / memory only %.1f%n",
                        names[v], median(times.get(v)) / 1e6, pct(times.get(v), 0.99) / 1e6, median(times.get(v)) / base);
            }
        }
    }

    static double median(List<Long> x) {
        return pct(x, 0.5);
    }

    static double pct(List<Long> x, double q) {
        long[] a = x.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a[Math.min(a.length - 1, (int) Math.floor(q * a.length))];
    }
}
