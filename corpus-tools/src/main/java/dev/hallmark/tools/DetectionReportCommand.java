package dev.hallmark.tools;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.key.KeyFile;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.tools.experiment.CriticalValues;
import dev.hallmark.tools.experiment.DetectionMetrics;
import dev.hallmark.tools.experiment.PrefixScores;
import dev.hallmark.tools.experiment.Rate;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hallmark detection-report}: detection power on a model's real watermarked output and the
 * false-positive rate on human text (and on the model's unwatermarked output).
 *
 * <p><b>Tokens to detect.</b> For each watermarked completion (its {@code completion_ids} as
 * generated; the prompt is not scored), every prefix of L = 1..n tokens is tested with the
 * generating key (de-duplicated tuples, exact null, as {@link Detector} does on that prefix). The
 * tokens needed is the smallest L such that every prefix from L to the whole completion has
 * p <= {@code --target-p}: the first length from which the text stays detected (the sequential
 * "size" of MarkMyWords, Piet et al. 2023). A completion whose full length does not reach the
 * target is "never detected" and counted separately. Reported: the median over detected
 * completions, and the median with never-detected ones counted as +infinity (over all).
 *
 * <p><b>False positives.</b> Each human document (tokenized whole, no truncation) and each
 * unwatermarked completion is tested, for every scheme, with the generating key and
 * {@code --null-keys} further keys drawn from {@code --null-seed} (never used to generate). A trial
 * is one (text, key) pair; it is a false positive when p <= alpha. Given the texts, trials with
 * distinct keys are independent (the keyed PRF makes each key's scores independent), so the count
 * is at most Binomial(trials, alpha) under a valid null; the interval is Clopper-Pearson 95%. It
 * treats all trials as independent. Keys are, given the texts; but texts that share tuples (a
 * verse quoted in two chapters, one chapter in two translations) give correlated verdicts under
 * one key, which widens the spread of the count beyond the binomial. Two diagnostics show it: the
 * standard error of the rate from the spread of the per-key rates (keys are independent replicates
 * given the texts), and the dispersion index of the per-key counts (about 1 without correlation).
 */
@Command(name = "detection-report", mixinStandardHelpOptions = true,
        description = {"Tokens needed to detect watermarked completions (from hallmark generate) and the false-positive",
            "rate on human text and unwatermarked completions, with counts and Clopper-Pearson intervals."})
final class DetectionReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--key", required = true, description = "The key the completions were generated with.")
    Path key;

    @Option(names = "--generated", required = true, description = "Watermarked completions (JSONL from hallmark generate, .gz ok); repeat per scheme.")
    List<Path> generated;

    @Option(names = "--unwatermarked", description = "Completions generated with --no-watermark (false-positive trials).")
    Path unwatermarked;

    @Option(names = "--human", description = "Human-written JSONL documents (field \"text\") for false-positive trials.")
    Path human;

    @Option(names = "--target-p", defaultValue = "1e-5", description = "p-value a text must reach and keep (default: ${DEFAULT-VALUE}).")
    double targetP;

    @Option(names = "--alpha", split = ",", defaultValue = "1e-3,1e-2,0.1",
            description = "False-positive rates to report; the first is the primary one (default: ${DEFAULT-VALUE}).")
    List<Double> alphas;

    @Mixin
    NullKeyOptions nullKeys;

    @Mixin
    JsonFileOption out;

    @Mixin
    TokenizerOption tokenizer;

    /** Tokens-to-detect outcome of one generated file (one entry of the report's {@code tokensToDetect}). */
    record PowerResult(String scheme, String file, int texts, long completionTokens, double medianCompletionLength,
            int detected, int neverDetected, double medianLengthNeverDetected, double medianTokensDetected,
            double q25TokensDetected, double q75TokensDetected,
            @JsonSerialize(using = JsonNumbers.NonFiniteAsNull.class) double medianTokensAll,
            int flaggedAtPrimaryAlpha) {
    }

    /**
     * False-positive count of one scheme on one null set (one entry of the report's
     * {@code falsePositives}; the rate and its interval are left out when there were no trials).
     *
     * @param interval the count with its Clopper-Pearson 95% interval, treating all trials as independent
     * @param keyStandardError standard error of the rate from the spread of the per-key rates: given
     *     the texts, the keys are independent replicates, so this is valid even when texts share
     *     tuples (which correlates the trials of one key)
     * @param dispersion variance of the per-key counts over the binomial variance at the observed
     *     rate: about 1 for independent trials, above 1 when texts share tuples (then the
     *     Clopper-Pearson interval is too narrow); NaN when nothing was flagged or there is one key
     */
    @JsonPropertyOrder({"scheme", "set", "texts", "keysPerText", "alpha", "trials", "flagged", "rate", "ci95Lower",
        "ci95Upper", "keyStandardError", "dispersion"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FprResult(String scheme, String set, int texts, int keysPerText, double alpha, long trials, long flagged,
            @JsonIgnore Rate interval,
            @JsonSerialize(using = JsonNumbers.NonFiniteAsNull.class) double keyStandardError,
            @JsonSerialize(using = JsonNumbers.NonFiniteAsNull.class) double dispersion) {

        @JsonProperty("rate")
        Double rate() {
            return trials > 0 ? interval.rate() : null;
        }

        @JsonProperty("ci95Lower")
        Double ci95Lower() {
            return trials > 0 ? interval.lower() : null;
        }

        @JsonProperty("ci95Upper")
        Double ci95Upper() {
            return trials > 0 ? interval.upper() : null;
        }
    }

    /** The JSON file of {@code --out}. */
    record Report(String keyId, double targetP, List<Double> alphas, int nullKeys, long nullSeed,
            List<PowerResult> tokensToDetect, List<FprResult> falsePositives) {
    }

    @Override
    public Integer call() throws Exception {
        if (!(targetP > 0 && targetP < 1)) {
            throw new IllegalArgumentException("--target-p must be in (0, 1), got " + targetP);
        }
        for (double a : alphas) {
            if (!(a > 0 && a < 1)) {
                throw new IllegalArgumentException("--alpha values must be in (0, 1), got " + a);
            }
        }
        List<WatermarkKey> never = nullKeys.keys();
        PrintWriter o = spec.commandLine().getOut();
        WatermarkKey k = KeyFile.read(key);
        List<WatermarkKey> keys = new ArrayList<>();
        keys.add(k);
        keys.addAll(never);

        List<Scheme> schemes = new ArrayList<>();
        List<PowerResult> power = new ArrayList<>();
        for (Path g : generated) {
            List<JsonNode> recs = Jsonl.readRecords(g);
            Scheme s = schemeOf(recs, g, k);
            schemes.add(s);
            power.add(power(s, k, recs, g));
        }

        List<FprResult> fpr = new ArrayList<>();
        if (human != null) {
            List<String> docs = Jsonl.readField(human, "text");
            int[][] ids;
            try (TextTokenizer tok = tokenizer.open()) {
                ids = tok.encodeBatch(docs);
            }
            for (Scheme s : schemes) {
                fpr.addAll(falsePositives(s, keys, Arrays.asList(ids), "human text " + human.getFileName()));
            }
        }
        if (unwatermarked != null) {
            List<JsonNode> recs = Jsonl.readRecords(unwatermarked);
            List<int[]> ids = new ArrayList<>();
            for (JsonNode r : recs) {
                if (!"none".equals(r.path("scheme").asText())) {
                    throw new IllegalArgumentException(unwatermarked + ": record " + r.path("id").asText()
                            + " has scheme " + r.path("scheme").asText() + ", expected none (generated with --no-watermark)");
                }
                ids.add(completionIds(r, unwatermarked));
            }
            for (Scheme s : schemes) {
                fpr.addAll(falsePositives(s, keys, ids, "unwatermarked completions " + unwatermarked.getFileName()));
            }
        }
        print(o, power, fpr);
        if (out.given()) {
            out.write(new Report(k.id(), targetP, alphas, nullKeys.count(), nullKeys.seed(), power, fpr));
            o.println("report written to " + out.path());
        }
        o.flush();
        return 0;
    }

    private PowerResult power(Scheme s, WatermarkKey k, List<JsonNode> recs, Path file) {
        KeyedScheme keyed = KeyedScheme.of(s, k);
        Detector d = Detector.of(keyed);
        DetectOptions opts = DetectOptions.defaults().withAlpha(alphas.get(0)).withTokenScores(true);
        List<int[]> texts = new ArrayList<>();
        int maxLen = 1;
        for (JsonNode r : recs) {
            int[] ids = completionIds(r, file);
            texts.add(ids);
            maxLen = Math.max(maxLen, ids.length);
        }
        CriticalValues target = CriticalValues.of(keyed.nullModel(), targetP, maxLen);
        int[] ttd = new int[texts.size()];
        List<Double> detectedTokens = new ArrayList<>();
        List<Double> neverLengths = new ArrayList<>();
        int atAlpha = 0;
        double[] lengths = new double[texts.size()];
        long total = 0;
        for (int i = 0; i < texts.size(); i++) {
            int[] ids = texts.get(i);
            lengths[i] = ids.length;
            total += ids.length;
            ttd[i] = -1;
            if (ids.length > s.contextWidth()) {
                DetectionResult r = d.detect(ids, opts);
                atAlpha += r.watermarked() ? 1 : 0;
                ttd[i] = tokensToDetect(r.tokenScores(), target);
            }
            if (ttd[i] < 0) {
                neverLengths.add((double) ids.length);
            } else {
                detectedTokens.add((double) ttd[i]);
            }
        }
        double[] det = sorted(detectedTokens);
        Arrays.sort(lengths);
        return new PowerResult(s.toString(), file.toString(), texts.size(), total, DetectionMetrics.quantile(lengths, 0.5),
                det.length, neverLengths.size(), DetectionMetrics.quantile(sorted(neverLengths), 0.5),
                DetectionMetrics.quantile(det, 0.5), DetectionMetrics.quantile(det, 0.25),
                DetectionMetrics.quantile(det, 0.75), DetectionMetrics.medianTokensToDetect(ttd), atAlpha);
    }

    private static double[] sorted(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    /**
     * Tokens to detect (shared with {@code hallmark experiment}: {@link PrefixScores},
     * {@link DetectionMetrics#tokensToDetect}): the first prefix length L from which every prefix,
     * up to the whole text, is flagged at the table's rate; -1 if the whole text is not.
     * {@code tokenScores} are a de-duplicating detector's per-position scores (NaN = not scored).
     */
    static int tokensToDetect(double[] tokenScores, CriticalValues target) {
        return DetectionMetrics.tokensToDetect(PrefixScores.of(tokenScores).flagged(target));
    }

    private List<FprResult> falsePositives(Scheme s, List<WatermarkKey> keys, List<int[]> texts, String set) {
        long[] flagged = new long[alphas.size()];
        long[][] perKey = new long[alphas.size()][keys.size()];
        long trials = 0;
        int usable = 0;
        List<Detector> detectors = keys.stream().map(key -> Detector.of(s, key)).toList();
        for (int[] t : texts) {
            if (t.length <= s.contextWidth()) {
                continue; // too short to score anything: not a trial
            }
            usable++;
            for (int k = 0; k < detectors.size(); k++) {
                DetectionResult r = detectors.get(k).detect(t, DetectOptions.defaults());
                trials++;
                for (int a = 0; a < alphas.size(); a++) {
                    if (r.log10P() <= Math.log10(alphas.get(a))) {
                        flagged[a]++;
                        perKey[a][k]++;
                    }
                }
            }
        }
        List<FprResult> out = new ArrayList<>();
        for (int a = 0; a < alphas.size(); a++) {
            double[] d = keyDispersion(perKey[a], usable);
            out.add(new FprResult(s.toString(), set, usable, keys.size(), alphas.get(a), trials, flagged[a],
                    Rate.of(flagged[a], trials), d[0], d[1]));
        }
        return out;
    }

    /**
     * From per-key counts of flagged texts (n texts each): {standard error of the overall rate from
     * the spread over keys, dispersion = sample variance of the counts / (n r (1 - r))}.
     */
    static double[] keyDispersion(long[] counts, int n) {
        int k = counts.length;
        if (k < 2 || n == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double mean = 0;
        for (long c : counts) {
            mean += c;
        }
        mean /= k;
        double ss = 0;
        for (long c : counts) {
            ss += (c - mean) * (c - mean);
        }
        double var = ss / (k - 1);
        double r = mean / n;
        double binomialVar = n * r * (1 - r);
        return new double[] {Math.sqrt(var / k) / n, binomialVar > 0 ? var / binomialVar : Double.NaN};
    }

    private static int[] completionIds(JsonNode r, Path file) {
        JsonNode a = r.get("completion_ids");
        if (a == null || !a.isArray()) {
            throw new IllegalArgumentException(file + ": record " + r.path("id").asText("?")
                    + " has no \"completion_ids\" array (generate it with hallmark generate)");
        }
        int[] ids = new int[a.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = a.get(i).asInt();
        }
        return ids;
    }

    private static Scheme schemeOf(List<JsonNode> recs, Path file, WatermarkKey k) {
        String spec = recs.get(0).path("scheme").asText();
        if (spec.isEmpty() || spec.equals("none")) {
            throw new IllegalArgumentException(file + " was generated without a watermark (scheme \"" + spec
                    + "\"); pass it as --unwatermarked");
        }
        for (JsonNode r : recs) {
            if (!spec.equals(r.path("scheme").asText())) {
                throw new IllegalArgumentException(file + " mixes schemes " + spec + " and " + r.path("scheme").asText());
            }
            if (!k.id().equals(r.path("key_id").asText())) {
                throw new IllegalArgumentException(file + ": record " + r.path("id").asText() + " was generated with key "
                        + r.path("key_id").asText() + ", not " + k.id());
            }
        }
        return Scheme.parse(spec);
    }

    private void print(PrintWriter o, List<PowerResult> power, List<FprResult> fpr) {
        o.printf(Locale.ROOT, "tokens to reach and keep p <= %.0e (median; quartiles over detected texts)%n", targetP);
        for (PowerResult p : power) {
            o.printf(Locale.ROOT, "  %-50s %4d texts (median %4.0f tokens): median %6.1f tokens [%.0f, %.0f] over %d"
                            + " detected; %d never detected (median length %.0f); median over all %s; %d/%d flagged"
                            + " at %.0e%n",
                    p.scheme(), p.texts(), p.medianCompletionLength(), p.medianTokensDetected(), p.q25TokensDetected(),
                    p.q75TokensDetected(), p.detected(), p.neverDetected(), p.medianLengthNeverDetected(),
                    fmt(p.medianTokensAll()), p.flaggedAtPrimaryAlpha(), p.texts(), alphas.get(0));
        }
        if (!fpr.isEmpty()) {
            o.println("false positives (trials = texts x keys; Clopper-Pearson 95%; standard error over keys;"
                    + " dispersion of per-key counts)");
            for (FprResult f : fpr) {
                o.printf(Locale.ROOT, "  %-50s %-38s alpha %-6s %5d / %6d = %.5f  [%.5f, %.5f]  se %.5f  disp %.2f%n",
                        f.scheme(), f.set(), fmtAlpha(f.alpha()), f.flagged(), f.trials(),
                        f.interval().rate(), f.interval().lower(), f.interval().upper(), f.keyStandardError(),
                        f.dispersion());
            }
        }
    }

    private static String fmt(double v) {
        return Double.isInfinite(v) ? "never" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String fmtAlpha(double a) {
        return String.format(Locale.ROOT, "%.0e", a);
    }
}
