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
 *
 * <p>{@link #detect} corrects the windows of one key only and spends alpha apart from the
 * whole-text test. To test several keys, or the whole text and the windows together, with one
 * alpha per document use {@link DocumentFamily}, which takes the uncorrected {@link #scan}.
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

    /**
     * One window's own test, before any correction.
     *
     * @param start first token
     * @param end one past the last token
     * @param tuplesScored distinct tuples first seen in the window (0: nothing to test, p = 1)
     * @param log10P the window's exact log10 p-value (0 when nothing was scored)
     */
    public record Window(int start, int end, long tuplesScored, double log10P) {}

    /**
     * The whole-text test and every window's uncorrected test, for callers that correct a larger
     * family themselves ({@link DocumentFamily}).
     *
     * @param whole the whole-text result, with per-token scores
     * @param windows every window of every size, in size then position order
     */
    public record Scan(DetectionResult whole, List<Window> windows) {}

    /** The whole text and every window, uncorrected. The number of windows depends only on the length. */
    public Scan scan(int[] ids, DetectOptions options) {
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
        NullModel nm = keyed.nullModel();
        List<Window> out = new ArrayList<>(windowCount(len));
        for (int w : windowSizes) {
            if (w > len) {
                continue;
            }
            for (int start = 0; start + w <= len; start += stride(w)) {
                long n = cnt[start + w] - cnt[start];
                double lp = n == 0 ? 0.0 : nm.log10PValue(n, sum[start + w] - sum[start]);
                out.add(new Window(start, start + w, n, lp));
            }
        }
        return new Scan(whole, out);
    }

    /** M, the number of windows searched in a text of {@code len} tokens. */
    public int windowCount(int len) {
        int windows = 0;
        for (int w : windowSizes) {
            if (w <= len) {
                windows += (len - w) / stride(w) + 1;
            }
        }
        return windows;
    }

    public Result detect(int[] ids, DetectOptions options) {
        Scan scan = scan(ids, options);
        int windows = scan.windows().size();
        double logAlpha = Math.log10(options.alpha());
        double best = 0;
        List<Span> hits = new ArrayList<>();
        for (Window w : scan.windows()) {
            if (w.tuplesScored() == 0) {
                continue;
            }
            double lp = MultipleTesting.bonferroniLog10(w.log10P(), windows);
            best = Math.min(best, lp);
            if (lp <= logAlpha) {
                hits.add(new Span(w.start(), w.end(), lp));
            }
        }
        DetectionResult whole = scan.whole();
        DetectionResult wholeOut = options.tokenScores() ? whole : whole.withoutTokenScores();
        return new Result(wholeOut, spans(hits), windows, best);
    }

    /**
     * Spans from significant windows: keep the most significant window, drop the hits overlapping
     * it, repeat; then join kept windows that touch. A large window that merely contains a
     * watermarked stretch is less significant than the window fitting it, so the fitting one wins.
     *
     * @param hits windows already judged significant (their log10 p corrected as the caller's family requires)
     * @return the spans in text order, each with the smallest log10 p of its windows
     */
    public static List<Span> spans(List<Span> hits) {
        List<Span> sorted = new ArrayList<>(hits);
        sorted.sort((a, b) -> Double.compare(a.log10P(), b.log10P()));
        List<Span> kept = new ArrayList<>();
        for (Span s : sorted) {
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
        return List.copyOf(merged);
    }

    private static int stride(int w) {
        return Math.max(1, w / 4);
    }
}
