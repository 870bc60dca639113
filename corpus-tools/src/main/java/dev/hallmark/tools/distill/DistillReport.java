package dev.hallmark.tools.distill;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.attribution.AccountCode;
import dev.hallmark.attribution.AttributionAccumulator;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.tools.plot.Plots;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report-writer stage: the results of a distillation experiment as JSON (records serialised by
 * Jackson, names in snake case), a CSV of the rows, the never-deployed-key calibration CSV, a
 * Markdown summary and plots ({@link DistillSummary}).
 */
final class DistillReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DistillReport() {
    }

    /**
     * What the students stage and the tests stage produced, over all students.
     *
     * @param rows every result row, in student order
     * @param calibration never-deployed keys' log10 p per {@code run|filter}, one array per student
     */
    record StudentResults(List<ResultRow> rows, Map<String, List<double[]>> calibration) {
    }

    /** The results file ({@code NAME.json}). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Results(String experiment, JsonNode config, Manifest manifest, Lab lab, List<CorpusSummary> teacherCorpora,
            List<ResultRow> rows, Map<String, Map<String, NullTrials>> nullChecks,
            Map<String, UniformityReport> calibration) {
    }

    /** Where and with what the results were made. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Manifest(String hallmarkVersion, String gitCommit, boolean gitDirty, String java, String os, int processors,
            String djl, String tokenizer, String tokenizerEngine, double seconds) {
    }

    /** The lab: its master key, the harvesting accounts, the account code and the accusation rule. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Lab(String masterKeyId, long[] harvestingAccounts, long codeCapacity, int groupKeys, int threshold,
            int coalitionBound, double alpha) {
    }

    /** A teacher corpus and how strongly each harvesting account's share carries its own key. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record CorpusSummary(String name, String scheme, int completions, long tokens, double meanCompletionTokens,
            double generationSeconds, double tokensPerSecond, String teacher, List<AccountSummary> accounts) {
    }

    /** One harvesting account's completions of a corpus, tested with that account's own key. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record AccountSummary(long account, long tokens, long tuples, double statistic, double log10P) {
    }

    /** The null trials of a fresh-master run at its largest budget, for one filter. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record NullTrials(int trials, UniformityReport accountTest, UniformityReport scan, UniformityReport distilled,
            long trialsWithFalseAccusations, int innocentMaxPositiveGroups) {
    }

    /** {@link NullChecks.Uniformity} as reported: the KS test and the rejections at each level. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record UniformityReport(int n, double ksStatistic, @JsonProperty("ks_p_value") double ksPValue,
            List<Rejection> rejections, boolean notAnticonservative) {

        static UniformityReport of(NullChecks.Uniformity u) {
            List<Rejection> rej = new ArrayList<>();
            for (int i = 0; i < NullChecks.LEVELS.length; i++) {
                rej.add(new Rejection(NullChecks.LEVELS[i], u.rejections()[i],
                        u.n() == 0 ? Double.NaN : (double) u.rejections()[i] / u.n(), u.lower()[i], u.upper()[i],
                        u.bandUpper()[i]));
            }
            return new UniformityReport(u.n(), u.ksStatistic(), u.ksPValue(), rej, u.notAnticonservative());
        }

        static UniformityReport of(double[] log10p) {
            return of(NullChecks.uniformity(log10p));
        }
    }

    /**
     * How many null p-values fell at or below {@code level}, with the 95% Clopper-Pearson interval of
     * the rate and the pre-stated limit of the count (99% binomial band at the nominal rate).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Rejection(double level, int count, double rate, double ci95Lower, double ci95Upper, long band99Upper) {
    }

    /** The results of a run as a JSON tree (what {@link DistillSummary} reads). */
    static ObjectNode results(DistillConfig cfg, DistillInputs in, TeacherCorpora corpora, LabKeys keys,
            StudentResults students, double seconds) {
        AccountCode code = cfg.lab().accountCode();
        Lab lab = new Lab(in.master().id(), in.harvesters(), code.capacity(), code.groups(),
                code.threshold(cfg.lab().coalition()), cfg.lab().coalition(), cfg.lab().alpha());
        List<CorpusSummary> cs = new ArrayList<>();
        for (DistillConfig.Corpus c : cfg.corpora()) {
            cs.add(corpusSummary(cfg, in, keys, corpora.corpora().get(c.name())));
        }
        Map<String, Map<String, NullTrials>> nulls = new LinkedHashMap<>();
        for (DistillConfig.Run r : cfg.runs()) {
            if (r.freshMasters() || r.freshLabs()) {
                nulls.put(r.name(), freshMasterChecks(cfg, r, students.rows()));
            }
        }
        Map<String, UniformityReport> cal = new LinkedHashMap<>();
        for (Map.Entry<String, List<double[]>> e : students.calibration().entrySet()) {
            cal.put(e.getKey(), UniformityReport.of(e.getValue().stream().flatMapToDouble(Arrays::stream).toArray()));
        }
        return JSON.valueToTree(new Results(cfg.name(), cfg.toJson(), manifest(in, seconds), lab, cs, students.rows(),
                nulls, cal));
    }

    private static Manifest manifest(DistillInputs in, double seconds) {
        String v = dev.hallmark.detect.HallmarkVersion.get();
        String djl;
        try {
            djl = ai.djl.engine.Engine.getDjlVersion();
        } catch (RuntimeException | LinkageError e) {
            djl = "unavailable";
        }
        return new Manifest(v, git("rev-parse", "HEAD"),
                !git("status", "--porcelain", "--untracked-files=no").isEmpty(), System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), djl, in.tokenizer().path().toString(),
                in.tokenizer().engine().id(), seconds);
    }

    /** {@code git ARGS} in the working directory, or "unknown". */
    private static String git(String... args) {
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add("git");
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? s : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static CorpusSummary corpusSummary(DistillConfig cfg, DistillInputs in, LabKeys keys,
            TeacherCorpora.Corpus corpus) {
        DistillConfig.Corpus c = corpus.spec();
        List<Pipeline.TeacherDoc> docs = corpus.docs();
        List<AccountSummary> accounts = new ArrayList<>();
        if (c.schemeOrNull() != null) {
            for (int j = 0; j < c.shares().size(); j++) {
                long a = in.harvesters()[j];
                AttributionAccumulator own = new AttributionAccumulator(keys.of(c.scheme()));
                long t = 0;
                for (Pipeline.TeacherDoc d : docs) {
                    if (d.account() == a) {
                        own.accept(d.completion());
                        t += d.completion().length;
                    }
                }
                DetectionResult r = own.accountResult(a, cfg.lab().alpha());
                accounts.add(new AccountSummary(a, t, r.tokensScored(), r.statistic(), r.log10P()));
            }
        }
        long tokens = corpus.tokens();
        return new CorpusSummary(c.name(), c.scheme(), docs.size(), tokens,
                docs.isEmpty() ? 0 : (double) tokens / docs.size(), corpus.meta().path("generation_seconds").asDouble(),
                corpus.meta().path("tokens_per_second").asDouble(Double.NaN), cfg.teacher().model(), accounts);
    }

    /** Null trials: p-values at the largest budget, per filter, must look uniform; accusations none. */
    private static Map<String, NullTrials> freshMasterChecks(DistillConfig cfg, DistillConfig.Run r,
            List<ResultRow> rows) {
        long last = r.budgets(cfg.suspect()).get(r.budgets(cfg.suspect()).size() - 1);
        Map<String, List<ResultRow>> byFilter = new LinkedHashMap<>();
        for (ResultRow x : rows) {
            if (x.run().equals(r.name()) && x.budget() == last) {
                byFilter.computeIfAbsent(x.filter(), k -> new ArrayList<>()).add(x);
            }
        }
        Map<String, NullTrials> o = new LinkedHashMap<>();
        for (Map.Entry<String, List<ResultRow>> e : byFilter.entrySet()) {
            List<ResultRow> rs = e.getValue();
            o.put(e.getKey(), new NullTrials(rs.size(),
                    UniformityReport.of(rs.stream().flatMapToDouble(x -> Arrays.stream(x.accountLog10P())).toArray()),
                    UniformityReport.of(rs.stream().mapToDouble(ResultRow::scanLog10P).toArray()),
                    UniformityReport.of(rs.stream().mapToDouble(ResultRow::distilledLog10P).toArray()),
                    rs.stream().filter(x -> x.accused().length > 0).count(),
                    rs.stream().mapToInt(ResultRow::innocentMaxPositiveGroups).max().orElse(0)));
        }
        return o;
    }

    /** Writes {@code NAME.json}, {@code -rows.csv}, {@code -calibration.csv}, {@code -summary.md} and the plots. */
    static void write(String name, ObjectNode res, StudentResults students, Path out, PrintWriter err)
            throws IOException {
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve(name + ".json").toFile(), res);
        Files.writeString(out.resolve(name + "-rows.csv"), csv(res), StandardCharsets.UTF_8);
        StringBuilder cal = new StringBuilder("key,filter,trial,key_index,log10_p\n");
        for (Map.Entry<String, List<double[]>> e : students.calibration().entrySet()) {
            String[] kf = e.getKey().split("\\|", 2);
            for (int t = 0; t < e.getValue().size(); t++) {
                double[] v = e.getValue().get(t);
                for (int j = 0; j < v.length; j++) {
                    cal.append(kf[0]).append(',').append(kf[1]).append(',').append(t).append(',').append(j).append(',')
                            .append(num(v[j])).append('\n');
                }
            }
        }
        if (!students.calibration().isEmpty()) {
            Files.writeString(out.resolve(name + "-calibration.csv"), cal, StandardCharsets.UTF_8);
        }
        Files.writeString(out.resolve(name + "-summary.md"), DistillSummary.markdown(res), StandardCharsets.UTF_8);
        DistillSummary.plots(res, out.resolve(name));
        err.println("distill: results in " + out.resolve(name + ".json") + " (+ -rows.csv, -summary.md, plots)");
    }

    static String num(double d) {
        return Double.isFinite(d) ? String.format(Locale.ROOT, "%.6g", d) : "";
    }

    private static String csv(ObjectNode res) {
        StringBuilder sb = new StringBuilder("run,student,corpus,scheme,harvesters,rho,rho_realised,train_tokens,"
                + "watermarked_tokens,human_tokens,mix_capped,seed,master,filter,budget,tokens_read,documents,"
                + "tuples_scored,account_log10_p_min,account_log10_p_all,account_statistic_first,scan_best_account,"
                + "scan_log10_p,distilled_log10_p,accused,found,false_accused,innocent_max_positive_groups,threshold,"
                + "student_final_loss,exposed_innocent,exposed_innocent_shared_groups,exposed_innocent_log10_p\n");
        for (JsonNode r : res.get("rows")) {
            double min = 0;
            StringBuilder all = new StringBuilder();
            for (JsonNode x : r.get("account_log10_p")) {
                min = Math.min(min, x.asDouble());
                all.append(all.length() > 0 ? "|" : "").append(num(x.asDouble()));
            }
            StringBuilder acc = new StringBuilder();
            for (JsonNode x : r.get("accused")) {
                acc.append(acc.length() > 0 ? "|" : "").append(x.asLong());
            }
            sb.append(String.join(",", r.get("run").asText(), r.get("student").asText(), r.get("corpus").asText(),
                    '"' + r.get("scheme").asText() + '"', r.get("harvesters").asText(), num(r.get("rho").asDouble()),
                    num(r.get("rho_realised").asDouble()), r.get("train_tokens").asText(),
                    r.get("watermarked_tokens").asText(), r.get("human_tokens").asText(),
                    r.get("mix_capped").asText(), r.get("seed").asText(), r.get("master").asText(),
                    r.get("filter").asText(), r.get("budget").asText(), r.get("tokens_read").asText(),
                    r.get("documents").asText(), r.get("tuples_scored").asText(), num(min), all.toString(),
                    num(r.get("account_statistic").get(0).asDouble(Double.NaN)), r.get("scan_best_account").asText(),
                    num(r.get("scan_log10_p").asDouble()), num(r.get("distilled_log10_p").asDouble()), acc.toString(),
                    r.get("found").asText(), r.get("false_accused").asText(),
                    r.get("innocent_max_positive_groups").asText(), r.get("threshold").asText(),
                    r.has("student_final_loss") ? num(r.get("student_final_loss").asDouble()) : "",
                    r.path("exposed_innocent").asText(""), r.path("exposed_innocent_shared_groups").asText(""),
                    r.has("exposed_innocent_log10_p") ? num(r.get("exposed_innocent_log10_p").asDouble()) : ""));
            sb.append('\n');
        }
        return sb.toString();
    }

    /** For {@link DistillSummary}: charts through the shared helper. */
    static void chart(String title, String x, String y, Map<String, Plots.Series> series, Path base) {
        if (!series.isEmpty()) {
            Plots.lineChart(Plots.LineChart.of(title, x, y), series, base);
        }
    }
}
