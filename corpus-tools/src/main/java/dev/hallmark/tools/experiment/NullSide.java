package dev.hallmark.tools.experiment;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.Detector;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The null-side stage: texts that carry no watermark, scored with the deployed key and the
 * never-deployed keys. Sources: the human text cut into non-overlapping windows of each length,
 * and the first L tokens of the unwatermarked generations. The empirical false-positive rate at
 * each nominal rate must stay within its binomial interval.
 */
final class NullSide {

    private NullSide() {
    }

    /**
     * One (scheme, source, length) of the null side (one entry of {@code null} in the results).
     *
     * @param documents the texts long enough to score
     * @param keys keys each text was scored with (deployed + never-deployed)
     * @param tests documents x keys
     * @param fpr the flagged count with its interval, per nominal rate
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Row(String scheme, String source, int length, int documents, int keys, int tests, Map<String, Rate> fpr) {
    }

    /** Every length and source of one scheme. */
    static List<Row> run(ExperimentConfig cfg, Experiment.Inputs in, Parallel parallel, Scheme scheme,
            List<WatermarkKey> keys, Generation.Generated plain) {
        List<Row> rows = new ArrayList<>();
        DetectOptions opt = DetectOptions.defaults();
        for (int length : cfg.lengths()) {
            List<int[]> windows = new ArrayList<>();
            List<int[]> humanDocs = cfg.nullDocuments() > 0
                    ? in.human().subList(0, Math.min(cfg.nullDocuments(), in.human().size())) : in.human();
            for (int[] doc : humanDocs) {
                for (int off = 0; off + length <= doc.length; off += length) {
                    windows.add(Arrays.copyOfRange(doc, off, off + length));
                }
            }
            List<int[]> own = new ArrayList<>();
            for (int[] t : plain.retokenized()) {
                if (t.length >= length) {
                    own.add(Arrays.copyOf(t, length));
                }
            }
            for (String source : List.of("human", "unwatermarked")) {
                List<int[]> docs = source.equals("human") ? windows : own;
                int h = scheme.contextWidth();
                List<int[]> usable = docs.stream().filter(d -> d.length > h).toList();
                double[] lp = new double[usable.size() * keys.size()];
                parallel.forEach(keys.size(), k -> {
                    Detector det = Detector.of(scheme, keys.get(k));
                    for (int d = 0; d < usable.size(); d++) {
                        lp[k * usable.size() + d] = det.detect(usable.get(d), opt).log10P();
                    }
                });
                Map<String, Rate> fpr = new LinkedHashMap<>();
                for (double alpha : cfg.fprs()) {
                    fpr.put(Experiment.fprKey(alpha), DetectionMetrics.flaggedAt(lp, alpha));
                }
                rows.add(new Row(scheme.toString(), source, length, usable.size(), keys.size(), lp.length, fpr));
            }
        }
        return rows;
    }
}
