package dev.hallmark.detect;

import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.stats.MultipleTesting;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Every test made on one document, as ONE family with ONE alpha: for each of K keys the
 * whole-text test and (when localising) the M window tests of {@link WindowedDetector}, so
 * {@code K (1 + M)} hypotheses. The chance that anything at all is reported on a document that
 * carries none of the keys' watermarks (a key verdict, or any span under any key) is at most alpha.
 *
 * <p><b>Allocation.</b> alpha is split by weights (weighted Bonferroni, then Holm's step-down
 * on top): the whole-text tests share {@code s} (the whole-text share, default 1/2) equally,
 * {@code s / K} each, and the windows share the rest, {@code (1 - s) / (K M)} each. Without
 * localisation, or when the text is shorter than the smallest window (M = 0), the whole-text
 * tests get everything ({@code 1 / K} each: plain Holm across keys, as {@link MultiKeyDetector}).
 * The weights depend only on K, M (a function of the length) and s, never on the text's scores,
 * so they are fixed before the test.
 *
 * <p><b>Procedure and proof sketch.</b> The weighted Holm procedure
 * ({@link MultipleTesting#weightedHolmLog10}) rejects hypotheses in increasing order of
 * {@code p_i / w_i} while {@code p_i <= alpha w_i / W}, W the weight still in play. Each p-value is
 * exact (or conservative) under its own null; no independence between keys or between
 * overlapping windows is assumed. If I0 holds the true nulls (on a document independent of every
 * key: all of them) with weight W0, the first false rejection needs some i in I0 with
 * {@code p_i <= alpha w_i / W0}, which has probability at most
 * {@code sum_(I0) alpha w_i / W0 = alpha} (union bound). So the family-wise error rate over keys,
 * whole text and windows together is at most alpha. Rejections of one key's whole-text test free its
 * weight for the others (step-down), so a clearly watermarked document loses little power to the
 * span search.
 *
 * <p>A key's verdict is its whole-text rejection; its spans are its rejected windows, made into
 * spans by {@link WindowedDetector#spans}, each reported with its adjusted log10 p.
 */
public final class DocumentFamily {

    /** The default whole-text share of alpha when localising. */
    public static final double DEFAULT_WHOLE_TEXT_SHARE = 0.5;

    private final List<KeyedScheme> keys;
    private final int[] windowSizes;
    private final double wholeTextShare;

    private DocumentFamily(List<KeyedScheme> keys, int[] windowSizes, double wholeTextShare) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no keys to test");
        }
        this.keys = List.copyOf(keys);
        this.windowSizes = windowSizes.clone();
        if (!(wholeTextShare > 0 && wholeTextShare <= 1)) {
            throw new IllegalArgumentException("whole-text share of alpha must be in (0, 1], got " + wholeTextShare);
        }
        this.wholeTextShare = wholeTextShare;
        WindowedDetector.of(this.keys.get(0), this.windowSizes); // validates the sizes
    }

    /** The family over {@code keys}, windows of 50, 100, 200 and 400 tokens, whole-text share 1/2. */
    public static DocumentFamily of(List<KeyedScheme> keys) {
        Objects.requireNonNull(keys, "keys");
        return new DocumentFamily(keys, new int[] {50, 100, 200, 400}, DEFAULT_WHOLE_TEXT_SHARE);
    }

    /** The same family with other window sizes. */
    public DocumentFamily withWindowSizes(int... sizes) {
        return new DocumentFamily(keys, sizes, wholeTextShare);
    }

    /** The same family giving the whole-text tests {@code share} of alpha when localising (the windows the rest). */
    public DocumentFamily withWholeTextShare(double share) {
        return new DocumentFamily(keys, windowSizes, share);
    }

    /**
     * One key's part of the family's answer.
     *
     * @param raw the key's whole-text result with its own (uncorrected) p-value
     * @param adjusted the same with the family-adjusted p-value; its verdict is the family's
     * @param spans the key's rejected windows as spans (empty without localisation), adjusted log10 p
     * @param windowsTested M, the windows searched per key (0 without localisation)
     */
    public record KeyResult(DetectionResult raw, DetectionResult adjusted, List<WindowedDetector.Span> spans,
            int windowsTested) {
        public KeyResult {
            spans = List.copyOf(spans);
        }
    }

    /**
     * The family's answer for one document.
     *
     * @param keys one entry per key, in the family's key order
     * @param hypotheses K (1 + M) with localisation, K without
     * @param wholeTextWeight each whole-text test's weight (its share of alpha)
     * @param windowWeight each window test's weight (0 without localisation)
     */
    public record Result(List<KeyResult> keys, int hypotheses, double wholeTextWeight, double windowWeight) {
        public Result {
            keys = List.copyOf(keys);
        }

        /** True if anything was rejected: a key's verdict or any span. */
        public boolean anyRejected() {
            for (KeyResult k : keys) {
                if (k.adjusted().watermarked() || !k.spans().isEmpty()) {
                    return true;
                }
            }
            return false;
        }

        /** Key ids whose whole-text test was rejected. */
        public List<String> detectedKeyIds() {
            return keys.stream().filter(k -> k.adjusted().watermarked()).map(k -> k.adjusted().keyId()).toList();
        }
    }

    /**
     * Tests {@code ids} against every key, and with {@code localize} every window, at
     * {@code options.alpha()} for the whole family.
     */
    public Result detect(int[] ids, DetectOptions options, boolean localize) {
        int k = keys.size();
        List<DetectionResult> wholes = new ArrayList<>(k);
        List<List<WindowedDetector.Window>> windows = new ArrayList<>(k);
        int m = 0;
        for (KeyedScheme key : keys) {
            if (localize) {
                WindowedDetector.Scan scan = WindowedDetector.of(key, windowSizes).scan(ids, options);
                wholes.add(options.tokenScores() ? scan.whole() : scan.whole().withoutTokenScores());
                windows.add(scan.windows());
                m = scan.windows().size();
            } else {
                wholes.add(Detector.of(key).detect(ids, options));
                windows.add(List.of());
            }
        }
        double wholeWeight = m == 0 ? 1.0 / k : wholeTextShare / k;
        double windowWeight = m == 0 ? 0 : (1 - wholeTextShare) / ((double) k * m);
        int n = k * (1 + m);
        double[] lp = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < k; i++) {
            lp[i] = wholes.get(i).log10P();
            w[i] = wholeWeight;
            for (int j = 0; j < m; j++) {
                lp[k + i * m + j] = windows.get(i).get(j).log10P();
                w[k + i * m + j] = windowWeight;
            }
        }
        double[] adj = MultipleTesting.weightedHolmLog10(lp, w);
        double logAlpha = Math.log10(options.alpha());
        List<KeyResult> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            List<WindowedDetector.Span> hits = new ArrayList<>();
            for (int j = 0; j < m; j++) {
                WindowedDetector.Window win = windows.get(i).get(j);
                double a = adj[k + i * m + j];
                if (win.tuplesScored() > 0 && a <= logAlpha) {
                    hits.add(new WindowedDetector.Span(win.start(), win.end(), a));
                }
            }
            out.add(new KeyResult(wholes.get(i), wholes.get(i).withLog10P(adj[i]), WindowedDetector.spans(hits),
                    localize ? m : 0));
        }
        return new Result(out, localize ? n : k, wholeWeight, windowWeight);
    }
}
