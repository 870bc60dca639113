package dev.hallmark.detect;

import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.scheme.TupleSet;
import dev.hallmark.scheme.Tuples;
import dev.hallmark.stats.BinomialInterval;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Calibration of the detector's false-positive rate on a user's own unwatermarked text: does the
 * nominal p-value hold on this corpus, at these lengths?
 *
 * <p><b>Protocol.</b> Exact duplicate documents are removed first (counted). Each remaining
 * document is cut into non-overlapping windows of L tokens for every length L (a shorter rest is
 * dropped); every window is tested, as the detector would test a text of that length, under each
 * of K keys that never watermarked anything (the caller draws them). At each alpha the report
 * gives the false positives among the {@code K x windows} tests, their rate with an exact
 * (Clopper-Pearson) 95% interval, and the pre-stated limit of the count under the nominal rate
 * ({@link BinomialInterval#upperCountLimit}, one-sided 0.5%).
 *
 * <p><b>Which intervals are exact.</b> Given the text, the PRF values under different keys are
 * independent, so the K tests of one window are independent draws, each with
 * {@code P(p <= alpha) <= alpha} when the p-value is valid. Windows of one document, and windows of
 * different documents, tested under the SAME key are independent only as long as they share no
 * (context, token) tuple; natural text shares many (common phrases; templates even more), so the
 * per-key counts are over-dispersed and the Clopper-Pearson interval of the pooled rate (which
 * treats all {@code K x windows} tests as independent) is too narrow. The verdict therefore uses
 * the keys as the independent units: the K per-key counts are i.i.d. given the text, and their
 * mean and spread give a 99% interval of the rate (normal approximation over K keys). Both are
 * reported, with the dispersion index (variance of the per-key counts over the binomial variance;
 * 1 for independent windows) and the range of one key's rate: the rate a single deployed key
 * would see on this corpus.
 *
 * <p>Verdict per (length, alpha): {@code ok} (the key-clustered 99% interval reaches down to
 * alpha or below); {@code anticonservative} (it lies wholly above alpha: the nominal p-values do
 * not hold on this text); {@code no-windows} (no document reaches that length).
 */
public final class Calibration {

    /** The two-sided 99% normal quantile. */
    private static final double Z99 = 2.5758293035489004;

    private Calibration() {
    }

    /**
     * Corpus-level diagnostics.
     *
     * @param documentsIn documents given
     * @param duplicatesRemoved exact duplicate documents removed before testing
     * @param tokens tokens of the remaining documents
     * @param distinctTuples distinct (context, token) tuples of the scheme's context width in them
     * @param tuplesInSeveralDocuments distinct tuples that occur in two or more documents
     * @param positionsInSharedTuples share of scoreable positions whose tuple also occurs in another
     *     document (templated text scores high here)
     */
    public record Diagnostics(int documentsIn, int duplicatesRemoved, long tokens, long distinctTuples,
            long tuplesInSeveralDocuments, double positionsInSharedTuples) {
    }

    /**
     * One (length, alpha) cell.
     *
     * @param length L, tokens per window
     * @param alpha the nominal false-positive rate
     * @param windows windows of L tokens
     * @param tests windows x keys
     * @param falsePositives tests with {@code p <= alpha}
     * @param rate falsePositives / tests
     * @param ci95Lower Clopper-Pearson 95% lower end of the rate
     * @param ci95Upper its upper end
     * @param limit pre-stated limit of falsePositives under the nominal rate if all tests were
     *     independent ({@code P(count > limit) <= 0.5%})
     * @param keyClustered99Lower lower end of the 99% interval of the rate with keys as the units
     * @param keyClustered99Upper its upper end
     * @param dispersion variance of the per-key counts over the binomial variance {@code windows alpha (1 - alpha)}
     * @param perKeyMinRate the smallest rate one key had
     * @param perKeyMaxRate the largest rate one key had
     * @param repeatedShare mean share of a window's tokens skipped as repeated tuples
     * @param verdict ok, anticonservative or no-windows
     */
    public record Cell(int length, double alpha, long windows, long tests, long falsePositives, double rate,
            double ci95Lower, double ci95Upper, long limit, double keyClustered99Lower, double keyClustered99Upper,
            double dispersion, double perKeyMinRate, double perKeyMaxRate, double repeatedShare, String verdict) {
    }

    /**
     * The report.
     *
     * @param scheme the scheme spec tested
     * @param keys K, never-deployed keys
     * @param diagnostics corpus diagnostics
     * @param cells one per (length, alpha), lengths outer
     * @param nominalHolds true if no cell is anticonservative
     * @param verdict one sentence for a person
     */
    public record Report(String scheme, int keys, Diagnostics diagnostics, List<Cell> cells, boolean nominalHolds,
            String verdict) {
        public Report {
            cells = List.copyOf(cells);
        }
    }

    /**
     * Runs the calibration.
     *
     * @param docs token ids of the user's unwatermarked documents
     * @param scheme a scheme with Hallmark keys
     * @param keys never-deployed keys (at least 1)
     * @param lengths window lengths, each {@code >= 2}
     * @param alphas nominal rates, each in (0, 1)
     */
    public static Report run(List<int[]> docs, Scheme scheme, List<WatermarkKey> keys, int[] lengths,
            double[] alphas) {
        Objects.requireNonNull(docs, "docs");
        Objects.requireNonNull(scheme, "scheme");
        if (scheme.keyKind() != Scheme.KeyKind.HALLMARK) {
            throw new IllegalArgumentException("calibration draws fresh Hallmark keys; scheme " + scheme
                    + " takes no Hallmark key");
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one never-deployed key");
        }
        if (lengths.length == 0 || alphas.length == 0) {
            throw new IllegalArgumentException("give at least one length and one alpha");
        }
        for (int l : lengths) {
            if (l < 2) {
                throw new IllegalArgumentException("window lengths must be >= 2 tokens, got " + l);
            }
        }
        for (double a : alphas) {
            if (!(a > 0 && a < 1)) {
                throw new IllegalArgumentException("alpha must be in (0, 1), got " + a);
            }
        }
        List<int[]> unique = new ArrayList<>();
        Set<Doc> seen = new HashSet<>();
        for (int[] d : docs) {
            if (seen.add(new Doc(d))) {
                unique.add(d);
            }
        }
        Diagnostics diag = diagnostics(docs.size(), unique, scheme.contextWidth());
        List<KeyedScheme> keyed = new ArrayList<>();
        for (WatermarkKey k : keys) {
            keyed.add(KeyedScheme.of(scheme, k));
        }
        List<Cell> cells = new ArrayList<>();
        boolean holds = true;
        double maxDispersion = 0;
        StringBuilder bad = new StringBuilder();
        DetectOptions opts = DetectOptions.defaults();
        for (int len : lengths) {
            long windows = 0;
            long[][] perKey = new long[alphas.length][keyed.size()];
            double repeated = 0;
            for (int[] d : unique) {
                for (int off = 0; off + len <= d.length; off += len) {
                    windows++;
                    for (int k = 0; k < keyed.size(); k++) {
                        DetectionResult r = Detector.of(keyed.get(k)).detect(d, off, len, opts);
                        if (k == 0) {
                            repeated += r.tokensSeen() == 0 ? 0 : (double) r.skippedRepeated() / r.tokensSeen();
                        }
                        for (int a = 0; a < alphas.length; a++) {
                            perKey[a][k] += r.log10P() <= Math.log10(alphas[a]) ? 1 : 0;
                        }
                    }
                }
            }
            for (int a = 0; a < alphas.length; a++) {
                long tests = windows * keyed.size();
                long fp = Arrays.stream(perKey[a]).sum();
                String verdict;
                double rate = tests == 0 ? Double.NaN : (double) fp / tests;
                double lo = Double.NaN;
                double hi = Double.NaN;
                double klo = Double.NaN;
                double khi = Double.NaN;
                double disp = Double.NaN;
                double kmin = Double.NaN;
                double kmax = Double.NaN;
                long limit = 0;
                if (windows == 0) {
                    verdict = "no-windows";
                } else {
                    BinomialInterval ci = BinomialInterval.clopperPearson(fp, tests, 0.95);
                    lo = ci.lower();
                    hi = ci.upper();
                    limit = BinomialInterval.upperCountLimit(tests, alphas[a], 0.005);
                    int k = keyed.size();
                    double mean = (double) fp / k;
                    double var = 0;
                    for (long c : perKey[a]) {
                        var += (c - mean) * (c - mean);
                    }
                    var = k > 1 ? var / (k - 1) : 0;
                    // the se of the mean rate over K i.i.d. keys; never below the binomial se (K = 1, or no spread seen)
                    double se = Math.sqrt(Math.max(var, windows * alphas[a] * (1 - alphas[a])) / k) / windows;
                    klo = Math.max(0, rate - Z99 * se);
                    khi = Math.min(1, rate + Z99 * se);
                    disp = var / (windows * alphas[a] * (1 - alphas[a]));
                    kmin = (double) Arrays.stream(perKey[a]).min().orElse(0) / windows;
                    kmax = (double) Arrays.stream(perKey[a]).max().orElse(0) / windows;
                    verdict = klo > alphas[a] ? "anticonservative" : "ok";
                    maxDispersion = Math.max(maxDispersion, disp);
                }
                if (verdict.equals("anticonservative")) {
                    holds = false;
                    bad.append(bad.length() > 0 ? "; " : "").append(String.format(Locale.ROOT, "L=%d alpha=%s: %s", len,
                            alphas[a], verdict));
                }
                cells.add(new Cell(len, alphas[a], windows, tests, fp, rate, lo, hi, limit, klo, khi, disp, kmin, kmax,
                        windows == 0 ? Double.NaN : repeated / windows, verdict));
            }
        }
        String verdict = holds
                ? String.format(Locale.ROOT, "the nominal p-values hold on this corpus: at every length and alpha the "
                        + "false-positive rate over %d never-deployed keys is consistent with alpha (%d documents)",
                        keyed.size(), unique.size())
                : "the nominal p-values do NOT hold on this corpus everywhere: " + bad
                        + " (see the cells; repeated templates and copied text are the usual cause)";
        if (maxDispersion > 2) {
            verdict += String.format(Locale.ROOT, ". One key's rate varies more than binomially from key to key "
                    + "(dispersion up to %.1f): shared phrases or templates make one key's verdicts on this corpus move "
                    + "together, so a deployed key's own rate here lies anywhere in the per-key range of its cell", maxDispersion);
        }
        return new Report(scheme.toString(), keyed.size(), diag, cells, holds, verdict);
    }

    private static Diagnostics diagnostics(int in, List<int[]> unique, int h) {
        long tokens = 0;
        // tuples seen in one document (first) and in two or more (shared)
        TupleSet once = new TupleSet(1 << 14, false);
        TupleSet shared = new TupleSet(1 << 10, false);
        long[] id = new long[2];
        for (int[] d : unique) {
            tokens += d.length;
            TupleSet mine = new TupleSet(Math.max(16, d.length), false);
            for (int t = h; t < d.length; t++) {
                Tuples.of(d, t - h, h, d[t], id);
                if (mine.add(id[0], id[1]) && !once.add(id[0], id[1])) {
                    shared.add(id[0], id[1]);
                }
            }
        }
        long positions = 0;
        long inShared = 0;
        for (int[] d : unique) {
            for (int t = h; t < d.length; t++) {
                Tuples.of(d, t - h, h, d[t], id);
                positions++;
                inShared += shared.contains(id[0], id[1]) ? 1 : 0;
            }
        }
        return new Diagnostics(in, in - unique.size(), tokens, once.size(), shared.size(),
                positions == 0 ? 0 : (double) inShared / positions);
    }

    /** A document by content, for exact de-duplication. */
    private record Doc(int[] ids) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Doc d && Arrays.equals(ids, d.ids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ids);
        }

        @Override
        public String toString() {
            return "Doc[" + ids.length + " tokens]";
        }
    }
}
