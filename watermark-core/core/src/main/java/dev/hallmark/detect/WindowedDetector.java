package dev.hallmark.detect;

import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.NullModel;
import dev.hallmark.stats.MultipleTesting;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Localises watermarked spans in a mixed document (e.g. watermarked paragraphs pasted into human
 * text).
 *
 * <p>Each distinct tuple is scored once (at its first occurrence). Windows of each configured
 * size slide with a stride of a quarter window; each window's p-value is exact for the tuples it
 * holds. The search over M windows is corrected with Bonferroni: a window is reported only if
 * its p-value times M is at most alpha, so the chance that any reported span is a false alarm is
 * at most alpha. Among overlapping significant windows the most significant is kept (so a span
 * fits the watermarked stretch rather than a larger window containing it); touching kept windows
 * are joined.
 */
public final class WindowedDetector {

    private final KeyedScheme keyed;
    private final int[] windowSizes;

    private WindowedDetector(KeyedScheme keyed, int[] windowSizes) {
        this.keyed = Objects.requireNonNull(keyed, "keyed");
        if (windowSizes.length == 0) {
            throw new IllegalArgumentException("need at least one window size");
        }
        for (int w : windowSizes) {
            if (w < 2) {
                throw new IllegalArgumentException("window sizes must be >= 2 tokens, got " + w);
            }
        }
        this.windowSizes = windowSizes.clone();
    }

    /** Window sizes 50, 100, 200 and 400 tokens. */
    public static WindowedDetector of(KeyedScheme keyed) {
        return new WindowedDetector(keyed, new int[] {50, 100, 200, 400});
    }

    public static WindowedDetector of(KeyedScheme keyed, int... windowSizes) {
        return new WindowedDetector(keyed, windowSizes);
    }

    /** A token range {@code [start, end)} with its corrected log10 p-value. */
    public record Span(int start, int end, double log10P) {}

    /**
     * @param whole the detection over the whole text
     * @param spans the reported spans, in text order
     * @param windowsTested M, the number of windows searched
     * @param bestLog10P the smallest window p-value after correction (0 if no window fits)
     */
    public record Result(DetectionResult whole, List<Span> spans, int windowsTested, double bestLog10P) {}

    public Result detect(int[] ids, DetectOptions options) {
        DetectionResult whole = Detector.of(keyed).detect(ids, options.withTokenScores(true));
        double[] scores = whole.tokenScores();
        int len = ids.length;
        long[] cnt = new long[len + 1];
        double[] sum = new double[len + 1];
        for (int i = 0; i < len; i++) {
            boolean s = !Double.isNaN(scores[i]);
            cnt[i + 1] = cnt[i] + (s ? 1 : 0);
            sum[i + 1] = sum[i] + (s ? scores[i] : 0);
        }
        int windows = 0;
        for (int w : windowSizes) {
            if (w <= len) {
                windows += (len - w) / stride(w) + 1;
            }
        }
        NullModel nm = keyed.nullModel();
        double logAlpha = Math.log10(options.alpha());
        double best = 0;
        List<Span> hits = new ArrayList<>();
        for (int w : windowSizes) {
            if (w > len) {
                continue;
            }
            for (int start = 0; start + w <= len; start += stride(w)) {
                long n = cnt[start + w] - cnt[start];
                if (n == 0) {
                    continue;
                }
                double lp = MultipleTesting.bonferroniLog10(nm.log10PValue(n, sum[start + w] - sum[start]), windows);
                best = Math.min(best, lp);
                if (lp <= logAlpha) {
                    hits.add(new Span(start, start + w, lp));
                }
            }
        }
        // greedy: keep the most significant window, drop the hits overlapping it, repeat; then join
        // kept windows that touch. A large window that merely contains a watermarked stretch is less
        // significant than the window fitting it, so the fitting one wins.
        hits.sort((a, b) -> Double.compare(a.log10P(), b.log10P()));
        List<Span> kept = new ArrayList<>();
        for (Span s : hits) {
            boolean overlaps = false;
            for (Span k : kept) {
                if (s.start() < k.end() && k.start() < s.end()) {
                    overlaps = true;
                    break;
                }
            }
            if (!overlaps) {
                kept.add(s);
            }
        }
        kept.sort((a, b) -> Integer.compare(a.start(), b.start()));
        List<Span> merged = new ArrayList<>();
        for (Span s : kept) {
            if (!merged.isEmpty() && s.start() <= merged.get(merged.size() - 1).end()) {
                Span last = merged.remove(merged.size() - 1);
                merged.add(new Span(last.start(), Math.max(last.end(), s.end()), Math.min(last.log10P(), s.log10P())));
            } else {
                merged.add(s);
            }
        }
        DetectionResult wholeOut = options.tokenScores() ? whole : whole.withoutTokenScores();
        return new Result(wholeOut, List.copyOf(merged), windows, best);
    }

    private static int stride(int w) {
        return Math.max(1, w / 4);
    }
}
