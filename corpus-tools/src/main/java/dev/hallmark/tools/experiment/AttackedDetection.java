package dev.hallmark.tools.experiment;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.NullModel;
import dev.hallmark.tools.JsonNumbers;
import dev.hallmark.tools.attack.Attack;
import dev.hallmark.tools.attack.AttackChain;
import dev.hallmark.tools.attack.Attacks;
import dev.hallmark.tools.attack.EditDistance;
import dev.hallmark.tools.attack.TokenAttack;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The detection stage: every watermarked text of a scheme, attacked under one condition (or not),
 * re-encoded and tested on all its prefixes at once; TPR at each rate, ROC-AUC against the
 * unwatermarked texts under the same key (with a bootstrap interval), and tokens-to-detect.
 */
final class AttackedDetection {

    private AttackedDetection() {
    }

    /** An attack condition: kind "none" (strength 0) or an attack at one strength. */
    record Condition(String kind, double strength) {

        /** "none", then every configured attack at every strength, in config order. */
        static List<Condition> all(ExperimentConfig cfg) {
            List<Condition> c = new ArrayList<>();
            c.add(new Condition("none", 0));
            for (ExperimentConfig.AttackSpec a : cfg.attacks()) {
                for (double s : a.strengths()) {
                    c.add(new Condition(a.kind(), s));
                }
            }
            return c;
        }
    }

    /** One (scheme, condition, length) (an entry of {@code detection} in the results). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Row(String scheme, String attack, double strength, int length, int texts, int tooShort, String editUnit,
            @JsonSerialize(using = JsonNumbers.NanAsNull.class) double editRateMean,
            @JsonSerialize(using = JsonNumbers.NanAsNull.class) double tokenEditRateMean,
            @JsonSerialize(using = JsonNumbers.NanAsNull.class) double scoredMean, Map<String, Rate> tpr,
            @JsonSerialize(using = JsonNumbers.NanAsNull.class) double auc,
            @JsonSerialize(using = JsonNumbers.NanAsNull.class) double aucLower,
            @JsonSerialize(using = JsonNumbers.NanAsNull.class) double aucUpper, int negatives) {
    }

    /** Tokens to detect at one rate (an entry of {@code tokens_to_detect}); not defined for dilution. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record TokensToDetect(String scheme, String attack, double strength, double fpr, int texts,
            @JsonSerialize(using = JsonNumbers.NanAsNull.class) double median, long never,
            @JsonSerialize(using = JsonNumbers.NanAsNull.class) double medianDetectedOnly) {
    }

    /** The ROC curve of unattacked texts at one length (an entry of {@code roc}). */
    record Roc(String scheme, int length, double[] fpr, double[] tpr) {
    }

    /** What one condition gives. */
    record Result(List<Row> detection, List<TokensToDetect> tokensToDetect, List<Roc> roc) {
    }

    /**
     * log10 p of the unwatermarked texts' first L tokens under the deployed key, per length (NaN:
     * too short): the negatives of the ROC.
     */
    static double[][] negatives(ExperimentConfig cfg, Parallel parallel, KeyedScheme keyed, Generation.Generated plain) {
        int n = plain.retokenized().length;
        double[][] neg = new double[cfg.lengths().size()][n];
        DetectOptions opt = DetectOptions.defaults().withTokenScores(true);
        NullModel nm = keyed.nullModel();
        Detector det = Detector.of(keyed);
        parallel.forEach(n, i -> {
            int[] ids = plain.retokenized()[i];
            PrefixScores ps = ids.length > keyed.scheme().contextWidth()
                    ? PrefixScores.of(det.detect(ids, opt).tokenScores()) : null;
            for (int li = 0; li < cfg.lengths().size(); li++) {
                int l = cfg.lengths().get(li);
                neg[li][i] = ps != null && ids.length >= l ? ps.log10P(nm, l) : Double.NaN;
            }
        });
        return neg;
    }

    /**
     * Tests one scheme's watermarked texts under one condition.
     *
     * @param schemeIndex and {@code condIndex}: seed the attack and the bootstrap
     * @param negatives from {@link #negatives}
     * @param cvs critical values of tokens-to-detect, one per configured rate
     */
    static Result run(ExperimentConfig cfg, Experiment.Inputs in, Parallel parallel, KeyedScheme keyed,
            int schemeIndex, Generation.Generated wm, Condition cond, int condIndex, double[][] negatives,
            List<CriticalValues> cvs) {
        int n = wm.retokenized().length;
        List<Integer> lengths = cfg.lengths();
        NullModel nm = keyed.nullModel();
        Detector det = Detector.of(keyed);
        DetectOptions opt = DetectOptions.defaults().withTokenScores(true);
        double[][] lp = new double[lengths.size()][n];
        double[][] editRate = new double[lengths.size()][n];
        double[][] tokenEditRate = new double[lengths.size()][n];
        double[][] scored = new double[lengths.size()][n];
        int[][] ttd = new int[cfg.fprs().size()][n];
        String[] unit = new String[1];
        long attackSeed = Experiment.seed(cfg.seed(), 3, condIndex);
        boolean dilute = cond.kind().equals("dilute");
        Attack attack = cond.kind().equals("none") ? null : Attacks.create(cond.kind(), cond.strength(), in.attackResources());
        AttackChain chain = attack == null || dilute ? null : AttackChain.of(List.of(attack));
        parallel.forEach(n, i -> {
            if (dilute) {
                for (int li = 0; li < lengths.size(); li++) {
                    int l = lengths.get(li);
                    int[] src = wm.retokenized()[i];
                    int m = (int) Math.round((1 - cond.strength()) * l);
                    editRate[li][i] = Double.NaN;
                    tokenEditRate[li][i] = Double.NaN;
                    if (src.length < l || m < 1) {
                        lp[li][i] = Double.NaN;
                        scored[li][i] = Double.NaN;
                        continue;
                    }
                    int[] ids = ((TokenAttack) attack).apply(Arrays.copyOf(src, m),
                            AttackChain.random(attackSeed, i, li)).value();
                    if (ids.length <= keyed.scheme().contextWidth()) {
                        lp[li][i] = Double.NaN;
                        scored[li][i] = Double.NaN;
                        continue;
                    }
                    DetectionResult r = det.detect(ids, DetectOptions.defaults());
                    lp[li][i] = r.log10P();
                    scored[li][i] = r.tokensScored();
                    // the human fraction of the diluted text, and its Levenshtein rate (insertions / m)
                    editRate[li][i] = 1 - (double) m / ids.length;
                    tokenEditRate[li][i] = (double) (ids.length - m) / m;
                }
                for (int a = 0; a < cvs.size(); a++) {
                    ttd[a][i] = Integer.MIN_VALUE; // not defined for dilution
                }
                unit[0] = "human_fraction";
                return;
            }
            int[] ids;
            double rate = 0;
            double tokenRate = 0;
            if (chain == null) {
                ids = wm.retokenized()[i];
                unit[0] = "token";
            } else {
                AttackChain.Result r = chain.apply(AttackChain.Document.text(wm.texts()[i]), attackSeed, i, in.codec());
                ids = in.codec().encode(r.document().text());
                rate = r.editRate();
                unit[0] = r.unit() == Attack.Unit.TOKEN ? "token" : "word";
                int[] before = wm.retokenized()[i];
                tokenRate = before.length == 0 ? Double.NaN
                        : (double) EditDistance.levenshtein(before, ids) / before.length;
            }
            for (int li = 0; li < lengths.size(); li++) {
                editRate[li][i] = rate;
                tokenEditRate[li][i] = tokenRate;
            }
            if (ids.length <= keyed.scheme().contextWidth()) {
                for (int li = 0; li < lengths.size(); li++) {
                    lp[li][i] = Double.NaN;
                    scored[li][i] = Double.NaN;
                }
                for (int a = 0; a < cvs.size(); a++) {
                    ttd[a][i] = -1;
                }
                return;
            }
            PrefixScores ps = PrefixScores.of(det.detect(ids, opt).tokenScores());
            for (int li = 0; li < lengths.size(); li++) {
                int l = lengths.get(li);
                boolean ok = ids.length >= l;
                lp[li][i] = ok ? ps.log10P(nm, l) : Double.NaN;
                scored[li][i] = ok ? ps.scored(l) : Double.NaN;
            }
            for (int a = 0; a < cvs.size(); a++) {
                ttd[a][i] = DetectionMetrics.tokensToDetect(ps.flagged(cvs.get(a)));
            }
        });
        String scheme = keyed.scheme().toString();
        List<Row> rows = new ArrayList<>();
        List<Roc> rocs = new ArrayList<>();
        for (int li = 0; li < lengths.size(); li++) {
            int l = lengths.get(li);
            double[] pos = Arrays.stream(lp[li]).filter(v -> !Double.isNaN(v)).toArray();
            double[] neg = Arrays.stream(negatives[li]).filter(v -> !Double.isNaN(v)).toArray();
            Map<String, Rate> tpr = new LinkedHashMap<>();
            for (double alpha : cfg.fprs()) {
                tpr.put(Experiment.fprKey(alpha), DetectionMetrics.flaggedAt(pos, alpha));
            }
            double[] ps = negate(pos);
            double[] ns = negate(neg);
            double auc = DetectionMetrics.auc(ps, ns);
            DetectionMetrics.Interval ci = DetectionMetrics.bootstrapAuc(ps, ns, cfg.bootstrap(),
                    Experiment.seed(cfg.seed(), 4, schemeIndex, condIndex, l), 0.95);
            rows.add(new Row(scheme, cond.kind(), cond.strength(), l, pos.length, n - pos.length, unit[0],
                    Quality.mean(editRate[li]), Quality.mean(tokenEditRate[li]), Quality.mean(scored[li]), tpr, auc,
                    ci.lower(), ci.upper(), ns.length));
            if (cond.kind().equals("none") && ps.length > 0 && ns.length > 0) {
                double[][] r = DetectionMetrics.roc(ps, ns);
                rocs.add(new Roc(scheme, l, r[0], r[1]));
            }
        }
        List<TokensToDetect> ttdRows = new ArrayList<>();
        if (!dilute) {
            for (int a = 0; a < cvs.size(); a++) {
                int[] t = ttd[a];
                double[] finite = Arrays.stream(t).filter(v -> v >= 0).asDoubleStream().sorted().toArray();
                ttdRows.add(new TokensToDetect(scheme, cond.kind(), cond.strength(), cfg.fprs().get(a), t.length,
                        DetectionMetrics.medianTokensToDetect(t), Arrays.stream(t).filter(v -> v < 0).count(),
                        Quality.median(finite)));
            }
        }
        return new Result(rows, ttdRows, rocs);
    }

    private static double[] negate(double[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = -v[i];
        }
        return o;
    }
}
