package dev.hallmark.tools.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.tools.plot.Plots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes an experiment's results as files: {@code results.json} (everything, with provenance),
 * CSV tables ({@code detection.csv}, {@code null.csv}, {@code quality.csv},
 * {@code tokens_to_detect.csv}) and plots ({@code plots/*.png} and {@code .svg}). The CSVs and
 * plots are derived from {@code results.json} only, so {@link #render} can redo them from a
 * stored result.
 */
public final class ExperimentReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ExperimentReport() {
    }

    /** Writes {@code results.json} then renders the tables and plots. */
    public static List<Path> write(JsonNode results, Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("results.json"),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results to " + dir + ": " + e.getMessage(), e);
        }
        return render(results, dir);
    }

    /** Reads {@code dir/results.json}. */
    public static JsonNode read(Path dir) {
        try {
            return JSON.readTree(dir.resolve("results.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve("results.json") + ": " + e.getMessage(), e);
        }
    }

    /** Writes the CSV tables and plots derived from {@code results}; returns the files written. */
    public static List<Path> render(JsonNode results, Path dir) {
        List<Path> files = new ArrayList<>();
        List<String> fprs = new ArrayList<>();
        results.path("config").path("fprs").forEach(f -> fprs.add(Experiment.fprKey(f.asDouble())));
        try {
            files.add(csv(dir.resolve("detection.csv"), detectionRows(results, fprs)));
            files.add(csv(dir.resolve("null.csv"), nullRows(results, fprs)));
            files.add(csv(dir.resolve("quality.csv"), qualityRows(results)));
            files.add(csv(dir.resolve("tokens_to_detect.csv"), ttdRows(results)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write CSV to " + dir + ": " + e.getMessage(), e);
        }
        files.addAll(plots(results, dir.resolve("plots"), fprs));
        return files;
    }

    // ------------------------------------------------------------------ CSV

    private static Path csv(Path file, List<List<String>> rows) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                String v = r.get(i);
                sb.append(v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v);
            }
            sb.append('\n');
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        return file;
    }

    private static String v(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "";
        }
        if (n.isDouble() || n.isFloat()) {
            return String.format(Locale.ROOT, "%.6g", n.doubleValue());
        }
        return n.asText();
    }

    private static List<List<String>> detectionRows(JsonNode r, List<String> fprs) {
        List<List<String>> rows = new ArrayList<>();
        List<String> h = new ArrayList<>(List.of("scheme", "attack", "strength", "length", "texts", "too_short",
                "edit_unit", "edit_rate_mean", "token_edit_rate_mean", "scored_mean"));
        for (String f : fprs) {
            h.addAll(List.of("tpr@" + f, "tpr@" + f + "_lower", "tpr@" + f + "_upper"));
        }
        h.addAll(List.of("auc", "auc_lower", "auc_upper", "negatives"));
        rows.add(h);
        for (JsonNode d : r.path("detection")) {
            List<String> row = new ArrayList<>();
            for (String k : List.of("scheme", "attack", "strength", "length", "texts", "too_short", "edit_unit",
                    "edit_rate_mean", "token_edit_rate_mean", "scored_mean")) {
                row.add(v(d.get(k)));
            }
            for (String f : fprs) {
                JsonNode t = d.path("tpr").path(f);
                row.addAll(List.of(v(t.get("rate")), v(t.get("lower")), v(t.get("upper"))));
            }
            for (String k : List.of("auc", "auc_lower", "auc_upper", "negatives")) {
                row.add(v(d.get(k)));
            }
            rows.add(row);
        }
        return rows;
    }

    private static List<List<String>> nullRows(JsonNode r, List<String> fprs) {
        List<List<String>> rows = new ArrayList<>();
        List<String> h = new ArrayList<>(List.of("scheme", "source", "length", "documents", "keys", "tests"));
        for (String f : fprs) {
            h.addAll(List.of("fp@" + f, "fpr@" + f, "fpr@" + f + "_lower", "fpr@" + f + "_upper"));
        }
        rows.add(h);
        for (JsonNode d : r.path("null")) {
            List<String> row = new ArrayList<>();
            for (String k : List.of("scheme", "source", "length", "documents", "keys", "tests")) {
                row.add(v(d.get(k)));
            }
            for (String f : fprs) {
                JsonNode t = d.path("fpr").path(f);
                row.addAll(List.of(v(t.get("count")), v(t.get("rate")), v(t.get("lower")), v(t.get("upper"))));
            }
            rows.add(row);
        }
        return rows;
    }

    private static List<List<String>> qualityRows(JsonNode r) {
        List<String> keys = List.of("generator", "texts", "perplexity_median", "perplexity_mean", "distinct_1",
                "distinct_2", "distinct_3", "tokens_mean", "retokenized_tokens_mean", "retokenization_edit_rate",
                "spike_entropy_mean", "spike_entropy_median");
        List<List<String>> rows = new ArrayList<>();
        rows.add(keys);
        for (JsonNode q : r.path("quality")) {
            rows.add(keys.stream().map(k -> v(q.get(k))).toList());
        }
        return rows;
    }

    private static List<List<String>> ttdRows(JsonNode r) {
        List<String> keys = List.of("scheme", "attack", "strength", "fpr", "texts", "median", "never",
                "median_detected_only");
        List<List<String>> rows = new ArrayList<>();
        rows.add(keys);
        for (JsonNode q : r.path("tokens_to_detect")) {
            rows.add(keys.stream().map(k -> v(q.get(k))).toList());
        }
        return rows;
    }

    // ------------------------------------------------------------------ plots

    private static double num(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return Double.NaN;
        }
        if (n.isTextual()) {
            return n.textValue().equals("Infinity") ? Double.POSITIVE_INFINITY
                    : n.textValue().equals("-Infinity") ? Double.NEGATIVE_INFINITY : Double.NaN;
        }
        return n.asDouble();
    }

    /** The fpr used for single-rate plots: 1e-3 when swept, else the middle one. */
    static String mainFpr(List<String> fprs) {
        return fprs.contains("0.001") ? "0.001" : fprs.get(fprs.size() / 2);
    }

    private static List<Path> plots(JsonNode r, Path dir, List<String> fprs) {
        List<Path> out = new ArrayList<>();
        List<String> schemes = new ArrayList<>();
        r.path("config").path("schemes").forEach(s -> schemes.add(s.asText()));
        List<Integer> lengths = new ArrayList<>();
        r.path("config").path("lengths").forEach(l -> lengths.add(l.asInt()));
        int plotLength = r.path("config").path("plot_length").asInt(lengths.get(lengths.size() / 2));
        String fpr = mainFpr(fprs);
        String fprText = fprLabel(fpr);

        // ROC curves, unattacked, per length
        for (int l : lengths) {
            Map<String, double[][]> s = new LinkedHashMap<>();
            for (JsonNode ro : r.path("roc")) {
                if (ro.path("length").asInt() == l) {
                    s.put(label(ro.path("scheme").asText()), new double[][] {arr(ro.path("fpr")), arr(ro.path("tpr"))});
                }
            }
            if (!s.isEmpty()) {
                out.add(Plots.line(Plots.Line.of("ROC, unattacked, " + l + " tokens (negatives: unwatermarked LM text)",
                        "false-positive rate", "true-positive rate").withoutMarkers().withYRange(0, 1.0)
                        .withReference(0, 0, 1, 1), s, dir.resolve("roc_L" + l)));
            }
        }
        // TPR vs length, unattacked, one chart per fpr
        for (String f : fprs) {
            Map<String, double[][]> s = new LinkedHashMap<>();
            for (String sc : schemes) {
                double[] x = new double[lengths.size()];
                double[] y = new double[lengths.size()];
                for (int i = 0; i < lengths.size(); i++) {
                    x[i] = lengths.get(i);
                    y[i] = num(find(r, sc, "none", 0, lengths.get(i)).path("tpr").path(f).get("rate"));
                }
                s.put(label(sc), new double[][] {x, y});
            }
            out.add(Plots.line(Plots.Line.of("TPR at FPR " + fprLabel(f) + " vs text length (unattacked)",
                    "tokens", "true-positive rate").withLogX().withYRange(0, 1.02), s,
                    dir.resolve("tpr_vs_length_fpr" + fprLabel(f))));
        }
        // TPR vs attack strength, per attack kind
        Set<String> kinds = new LinkedHashSet<>();
        r.path("config").path("attacks").forEach(a -> kinds.add(a.path("kind").asText()));
        for (String kind : kinds) {
            List<Double> strengths = new ArrayList<>();
            strengths.add(0.0);
            for (JsonNode a : r.path("config").path("attacks")) {
                if (a.path("kind").asText().equals(kind)) {
                    a.path("strengths").forEach(x -> strengths.add(x.asDouble()));
                }
            }
            Map<String, double[][]> s = new LinkedHashMap<>();
            for (String sc : schemes) {
                double[] x = new double[strengths.size()];
                double[] y = new double[strengths.size()];
                for (int i = 0; i < strengths.size(); i++) {
                    x[i] = strengths.get(i);
                    JsonNode d = i == 0 ? find(r, sc, "none", 0, plotLength) : find(r, sc, kind, strengths.get(i), plotLength);
                    y[i] = num(d.path("tpr").path(fpr).get("rate"));
                }
                s.put(label(sc), new double[][] {x, y});
            }
            out.add(Plots.line(Plots.Line.of("TPR at FPR " + fprText + ", " + plotLength + " tokens, under " + kind,
                    kind + " strength" + (kind.equals("dilute") ? " (human fraction)" : ""), "true-positive rate")
                    .withYRange(0, 1.02), s, dir.resolve("tpr_vs_strength_" + kind)));
        }
        // tokens to detect, unattacked, per fpr
        Map<String, double[]> bars = new LinkedHashMap<>();
        List<String> cats = schemes.stream().map(ExperimentReport::label).toList();
        for (String f : fprs) {
            double[] y = new double[schemes.size()];
            for (int i = 0; i < schemes.size(); i++) {
                y[i] = Double.NaN;
                for (JsonNode t : r.path("tokens_to_detect")) {
                    if (t.path("scheme").asText().equals(schemes.get(i)) && t.path("attack").asText().equals("none")
                            && Experiment.fprKey(t.path("fpr").asDouble()).equals(f)) {
                        y[i] = num(t.get("median"));
                    }
                }
            }
            bars.put("FPR " + fprLabel(f), y);
        }
        out.add(Plots.bars("Median tokens to detect (unattacked; never-detected texts count as infinite, "
                + "drawn as 0)", "scheme", "tokens", cats, bars, dir.resolve("tokens_to_detect")));
        // quality: perplexity and spike entropy per generator
        List<String> gens = new ArrayList<>();
        double[] ppl = new double[r.path("quality").size()];
        double[] d2 = new double[ppl.length];
        int i = 0;
        for (JsonNode q : r.path("quality")) {
            gens.add(q.path("generator").asText().equals("none") ? "unwatermarked" : label(q.path("generator").asText()));
            ppl[i] = num(q.get("perplexity_median"));
            d2[i] = num(q.get("distinct_2"));
            i++;
        }
        out.add(Plots.bars("Median perplexity under the oracle model", "generator", "perplexity", gens,
                Map.of("perplexity (median)", ppl), dir.resolve("quality_perplexity")));
        out.add(Plots.bars("distinct-2 (repetition: lower is more repetitive)", "generator", "distinct-2", gens,
                Map.of("distinct-2", d2), dir.resolve("quality_distinct2")));
        // detection vs quality: one point per scheme, at the shortest length (where schemes differ)
        int shortest = lengths.get(0);
        Map<String, double[][]> pts = new LinkedHashMap<>();
        for (String sc : schemes) {
            double x = Double.NaN;
            for (JsonNode q : r.path("quality")) {
                if (q.path("generator").asText().equals(sc)) {
                    x = num(q.get("perplexity_median"));
                }
            }
            double y = num(find(r, sc, "none", 0, shortest).path("tpr").path(fpr).get("rate"));
            pts.put(label(sc), new double[][] {{x}, {y}});
        }
        out.add(Plots.line(Plots.Line.of("Power vs quality: TPR at FPR " + fprText + ", " + shortest
                + " tokens, vs median perplexity", "perplexity (median, oracle model)", "true-positive rate")
                .withYRange(0, 1.02), pts, dir.resolve("tpr_vs_perplexity")));
        // empirical FPR on human text vs nominal, pooled over lengths
        Map<String, double[][]> fp = new LinkedHashMap<>();
        double lo = 1;
        for (String sc : schemes) {
            double[] x = new double[fprs.size()];
            double[] y = new double[fprs.size()];
            for (int k = 0; k < fprs.size(); k++) {
                long c = 0;
                long n = 0;
                for (JsonNode nn : r.path("null")) {
                    if (nn.path("scheme").asText().equals(sc) && nn.path("source").asText().equals("human")) {
                        c += nn.path("fpr").path(fprs.get(k)).path("count").asLong();
                        n += nn.path("fpr").path(fprs.get(k)).path("n").asLong();
                    }
                }
                x[k] = Double.parseDouble(fprs.get(k));
                y[k] = n == 0 ? Double.NaN : (double) c / n;
                lo = Math.min(lo, x[k]);
            }
            fp.put(label(sc), new double[][] {x, y});
        }
        out.add(Plots.line(Plots.Line.of("Empirical FPR on human text vs nominal (pooled over lengths and keys; "
                + "zero counts not drawn)", "nominal false-positive rate", "empirical false-positive rate")
                .withLogX().withLogY().withReference(lo, lo, 1e-2 > lo ? 1e-2 : 1, 1e-2 > lo ? 1e-2 : 1), fp,
                dir.resolve("null_fpr")));
        return out;
    }

    static String fprLabel(String f) {
        double d = Double.parseDouble(f);
        int e = (int) Math.round(Math.log10(d));
        return Math.abs(Math.pow(10, e) - d) < 1e-12 * d ? "1e" + e : f;
    }

    /** Short legend labels for the standard scheme specs. */
    static String label(String spec) {
        return spec.replace("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", "kgw (lefthash h=1)")
                .replace(",seeding=", " ").replace(":gamma=", " g=").replace(",delta=", " d=")
                .replace(",context=", " h=").replace(":context=", " h=").replace(",layers=", " m=")
                .replace(",leaves=", " leaves=");
    }

    private static double[] arr(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).asDouble();
        }
        return d;
    }

    private static JsonNode find(JsonNode r, String scheme, String attack, double strength, int length) {
        for (JsonNode d : r.path("detection")) {
            if (d.path("scheme").asText().equals(scheme) && d.path("attack").asText().equals(attack)
                    && d.path("strength").asDouble() == strength && d.path("length").asInt() == length) {
                return d;
            }
        }
        return JSON.missingNode();
    }
}
