package dev.hallmark.detect;

import dev.hallmark.key.KeyRing;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.stats.MultipleTesting;
import java.util.ArrayList;
import java.util.List;

/**
 * Tests one text against every key of a ring. Each key's p-value is exact; the family is then
 * corrected with Holm's step-down method, so the chance of accusing any key wrongly is at most
 * alpha (family-wise error rate), whatever the dependence between keys.
 */
public final class MultiKeyDetector {

    private final List<Detector> detectors;

    private MultiKeyDetector(List<Detector> detectors) {
        this.detectors = List.copyOf(detectors);
    }

    public static MultiKeyDetector of(Scheme scheme, KeyRing ring) {
        List<Detector> ds = new ArrayList<>();
        for (WatermarkKey k : ring.keys()) {
            ds.add(Detector.of(KeyedScheme.of(scheme, k)));
        }
        return new MultiKeyDetector(ds);
    }

    public static MultiKeyDetector of(List<KeyedScheme> keyed) {
        if (keyed.isEmpty()) {
            throw new IllegalArgumentException("no keys to test");
        }
        List<Detector> ds = new ArrayList<>();
        for (KeyedScheme k : keyed) {
            ds.add(Detector.of(k));
        }
        return new MultiKeyDetector(ds);
    }

    /** Per-key results, raw and Holm-adjusted (verdicts taken on the adjusted p-values). */
    public record Result(List<DetectionResult> raw, List<DetectionResult> adjusted) {
        /** Keys whose adjusted p-value is at most alpha. */
        public List<String> detectedKeyIds() {
            return adjusted.stream().filter(DetectionResult::watermarked).map(DetectionResult::keyId).toList();
        }
    }

    public Result detect(int[] ids, DetectOptions options) {
        List<DetectionResult> raw = new ArrayList<>(detectors.size());
        for (Detector d : detectors) {
            raw.add(d.detect(ids, options));
        }
        return adjust(raw);
    }

    /** Holm-adjusts a family of results (e.g. corpus-level results for every key). */
    public static Result adjust(List<DetectionResult> raw) {
        double[] lp = new double[raw.size()];
        for (int i = 0; i < lp.length; i++) {
            lp[i] = raw.get(i).log10P();
        }
        double[] adj = MultipleTesting.holmLog10(lp);
        List<DetectionResult> out = new ArrayList<>(raw.size());
        for (int i = 0; i < lp.length; i++) {
            out.add(raw.get(i).withLog10P(adj[i]));
        }
        return new Result(List.copyOf(raw), List.copyOf(out));
    }
}
