package dev.hallmark.tools.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.TokenSampler;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.NullModel;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.tools.Progress;
import dev.hallmark.tools.attack.Attack;
import dev.hallmark.tools.attack.AttackChain;
import dev.hallmark.tools.attack.AttackResources;
import dev.hallmark.tools.attack.Attacks;
import dev.hallmark.tools.attack.EditDistance;
import dev.hallmark.tools.attack.TokenAttack;
import dev.hallmark.tools.attack.TokenCodec;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Runs a detection-power sweep: generate watermarked and unwatermarked texts, attack them, detect,
 * and measure (see {@code docs/experiments/README.md} for the protocol). Everything random
 * derives from the configuration's seed, so a configuration and the same inputs reproduce the
 * results exactly.
 *
 * <p>Protocol, per scheme (one deployed key for all schemes):
 * <ol>
 *   <li>Generation: {@code texts} prompts (shuffled by the seed) each get {@code maxTokens} tokens
 *       from the model with the watermarking sampler; the same prompts get unwatermarked text from
 *       the plain sampler. End-of-text is suppressed so every text has full length. Spike entropy
 *       is recorded at every step.
 *   <li>Texts are decoded and re-encoded by the tokenizer: what a detector sees of a pasted text.
 *   <li>For each condition (unattacked, then every attack kind and strength) every watermarked text
 *       is attacked (seeded per text), re-encoded and scored on all prefixes at once; at each
 *       length L the first L tokens are tested (texts shorter than L after the attack are left out
 *       and counted). Dilution is applied per length: round((1 - s) L) watermarked tokens pasted into
 *       human text to a total of about L tokens.
 *   <li>Metrics at each length: TPR at each FPR from the exact p-values (Clopper-Pearson
 *       intervals); ROC-AUC of -log10 p against the unwatermarked texts' first L tokens under the
 *       same key, with a seeded stratified bootstrap interval; tokens-to-detect on the full text.
 *   <li>Null side: the human-text set cut into non-overlapping windows of L tokens, and the
 *       unwatermarked texts, scored with the deployed key and {@code nullKeys} never-deployed keys;
 *       empirical FPR at each rate with Clopper-Pearson intervals.
 * </ol>
 */
public final class Experiment {

    /** What a run needs besides the configuration. */
    public record Inputs(TextModel model, TokenCodec codec, AttackResources attackResources, List<String> prompts,
            List<int[]> human) {
        public Inputs {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(codec, "codec");
            Objects.requireNonNull(attackResources, "attackResources");
            if (prompts.isEmpty() || human.isEmpty()) {
                throw new IllegalArgumentException("an experiment needs prompts and human text");
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ExperimentConfig cfg;
    private final Inputs in;
    private final PrintWriter err;
    private final ForkJoinPool pool;

    private Experiment(ExperimentConfig cfg, Inputs in, PrintWriter err) {
        this.cfg = cfg;
        this.in = in;
        this.err = err;
        this.pool = new ForkJoinPool(cfg.threads());
    }

    /**
     * Runs the sweep.
     *
     * @param err where progress bars go
     * @return the results (configuration, keys, quality, null side, detection, tokens-to-detect, ROC)
     */
    public static ObjectNode run(ExperimentConfig cfg, Inputs in, PrintWriter err) {
        Experiment e = new Experiment(cfg, in, err);
        try {
            return e.run();
        } finally {
            e.pool.shutdown();
        }
    }

    /** A generated set: completions, their text, what the detector sees, and the spike entropies. */
    private record Generated(String generator, int[][] completions, String[] texts, int[][] retokenized,
            double[][] spikes) {
    }

    // ------------------------------------------------------------------ keys and seeds

    static WatermarkKey masterKey(long seed) {
        byte[] secret = new byte[WatermarkKey.SECRET_BYTES];
        new SplittableRandom(seed).nextBytes(secret);
        return WatermarkKey.fromSecret(secret);
    }

    /** A seed for one purpose: SplitMix64 mixing of the master seed and the labels. */
    static long seed(long master, long... labels) {
        long z = mix(master + 0x632BE59BD9B4E019L);
        for (long l : labels) {
            z = mix(z ^ mix(l + 0x9E3779B97F4A7C15L));
        }
        return z;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static String fprKey(double f) {
        return BigDecimal.valueOf(f).stripTrailingZeros().toPlainString();
    }

    // ------------------------------------------------------------------ the run

    private ObjectNode run() {
        ObjectNode out = JSON.createObjectNode();
        out.put("experiment", cfg.name());
        out.set("config", cfg.toJson());
        out.put("model", in.model().describe());
        WatermarkKey master = masterKey(cfg.seed());
        WatermarkKey deployed = master.derive("experiment/deployed");
        List<WatermarkKey> nullKeys = new ArrayList<>();
        for (int j = 0; j < cfg.nullKeys(); j++) {
            nullKeys.add(master.derive("experiment/null/" + j));
        }
        ObjectNode keys = out.putObject("keys");
        keys.put("deployed", deployed.id());
        nullKeys.forEach(k -> keys.withArray("null").add(k.id()));

        List<Scheme> schemes = cfg.schemes().stream().map(Scheme::parse).toList();
        List<int[]> prompts = choosePrompts();
        double modulus = Quality.spikeModulus(cfg.spikeGamma(), cfg.spikeDelta());

        // 1. generation
        List<Generated> gens = new ArrayList<>();
        Progress gp = new Progress("generate", (long) (schemes.size() + 1) * prompts.size(), err);
        gens.add(generate("none", null, deployed, prompts, modulus, 0, gp));
        for (int s = 0; s < schemes.size(); s++) {
            gens.add(generate(schemes.get(s).toString(), schemes.get(s), deployed, prompts, modulus, s + 1, gp));
        }
        gp.done();

        // 2. quality
        ArrayNode quality = out.putArray("quality");
        Progress qp = new Progress("quality", (long) gens.size() * prompts.size(), err);
        for (Generated g : gens) {
            quality.add(quality(g, prompts, qp));
        }
        qp.done();

        // 3. null side and detection, per scheme
        ArrayNode nulls = out.putArray("null");
        ArrayNode detection = out.putArray("detection");
        ArrayNode ttd = out.putArray("tokens_to_detect");
        ArrayNode roc = out.putArray("roc");
        List<Condition> conditions = conditions();
        Progress np = new Progress("null side", schemes.size(), err);
        for (int s = 0; s < schemes.size(); s++) {
            nullSide(schemes.get(s), deployed, nullKeys, gens.get(0), nulls);
            np.step(1);
        }
        np.done();
        Progress dp = new Progress("detect", (long) schemes.size() * conditions.size(), err);
        for (int s = 0; s < schemes.size(); s++) {
            KeyedScheme keyed = KeyedScheme.of(schemes.get(s), deployed);
            double[][] negatives = negatives(keyed, gens.get(0));
            List<CriticalValues> cvs = new ArrayList<>();
            for (double alpha : cfg.fprs()) {
                cvs.add(CriticalValues.of(keyed.nullModel(), alpha, 2 * cfg.maxTokens()));
            }
            for (int c = 0; c < conditions.size(); c++) {
                condition(keyed, s, gens.get(s + 1), conditions.get(c), c, negatives, cvs, detection, ttd, roc);
                dp.step(1);
            }
        }
        dp.done();
        return out;
    }

    private List<int[]> choosePrompts() {
        List<String> all = new ArrayList<>(in.prompts());
        SplittableRandom r = new SplittableRandom(seed(cfg.seed(), 1));
        for (int i = all.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            String t = all.get(i);
            all.set(i, all.get(j));
            all.set(j, t);
        }
        List<int[]> out = new ArrayList<>(cfg.texts());
        for (int i = 0; i < cfg.texts(); i++) {
            out.add(in.codec().encode(all.get(i % all.size())));
        }
        return out;
    }

    private Generated generate(String label, Scheme scheme, WatermarkKey key, List<int[]> prompts, double modulus,
            int genIndex, Progress progress) {
        int n = prompts.size();
        int vocab = in.model().vocabularySize();
        SamplingConfig sc = cfg.sampling();
        KeyedScheme keyed = scheme == null ? null : KeyedScheme.of(scheme, key);
        ProbedSampler[] probes = new ProbedSampler[n];
        IntFunction<TokenSampler> samplers = i -> {
            TokenSampler base = keyed == null ? WatermarkSampler.plain(sc, vocab) : WatermarkSampler.watermarked(keyed, sc, vocab);
            probes[i] = new ProbedSampler(base, in.model().suppressedIds(), sc.temperature(), modulus);
            return probes[i];
        };
        List<int[]> comps = in.model().generate(prompts, cfg.maxTokens(), samplers,
                i -> new SplittableRandom(seed(cfg.seed(), 2, genIndex, i)), progress::step);
        int[][] c = comps.toArray(new int[0][]);
        String[] texts = new String[n];
        int[][] retok = new int[n][];
        double[][] spikes = new double[n][];
        parallel(n, i -> {
            texts[i] = in.codec().decode(c[i]);
            retok[i] = in.codec().encode(texts[i]);
            spikes[i] = probes[i].spikes();
        });
        return new Generated(label, c, texts, retok, spikes);
    }

    private ObjectNode quality(Generated g, List<int[]> prompts, Progress progress) {
        int n = g.completions().length;
        double[] ppl = new double[n];
        double[][] distinct = new double[3][n];
        double[] retokRate = new double[n];
        double[] tokens = new double[n];
        double[] retokTokens = new double[n];
        for (int from = 0; from < n; from += 16) {
            int to = Math.min(n, from + 16);
            List<double[]> lps = in.model().logProbs(prompts.subList(from, to),
                    Arrays.asList(g.completions()).subList(from, to));
            for (int i = from; i < to; i++) {
                ppl[i] = Quality.perplexity(lps.get(i - from));
            }
            progress.step(to - from);
        }
        parallel(n, i -> {
            int[] ids = g.completions()[i];
            for (int k = 0; k < 3; k++) {
                distinct[k][i] = Quality.distinctN(ids, k + 1);
            }
            tokens[i] = ids.length;
            retokTokens[i] = g.retokenized()[i].length;
            retokRate[i] = ids.length == 0 ? Double.NaN
                    : (double) EditDistance.levenshtein(ids, g.retokenized()[i]) / ids.length;
        });
        double[] allSpikes = Arrays.stream(g.spikes()).flatMapToDouble(Arrays::stream).toArray();
        ObjectNode q = JSON.createObjectNode();
        q.put("generator", g.generator());
        q.put("texts", n);
        q.put("perplexity_median", Quality.median(ppl));
        q.put("perplexity_mean", Quality.mean(ppl));
        for (int k = 0; k < 3; k++) {
            q.put("distinct_" + (k + 1), Quality.mean(distinct[k]));
        }
        q.put("tokens_mean", Quality.mean(tokens));
        q.put("retokenized_tokens_mean", Quality.mean(retokTokens));
        q.put("retokenization_edit_rate", Quality.mean(retokRate));
        q.put("spike_entropy_mean", Quality.mean(allSpikes));
        q.put("spike_entropy_median", Quality.median(allSpikes));
        q.put("spike_entropy_steps", allSpikes.length);
        q.put("example", g.texts().length > 0 ? g.texts()[0] : "");
        return q;
    }

    // ------------------------------------------------------------------ null side

    private void nullSide(Scheme scheme, WatermarkKey deployed, List<WatermarkKey> nullKeys, Generated plain,
            ArrayNode out) {
        List<WatermarkKey> keys = new ArrayList<>();
        keys.add(deployed);
        keys.addAll(nullKeys);
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
                parallel(keys.size(), k -> {
                    Detector det = Detector.of(scheme, keys.get(k));
                    for (int d = 0; d < usable.size(); d++) {
                        lp[k * usable.size() + d] = det.detect(usable.get(d), opt).log10P();
                    }
                });
                ObjectNode o = out.addObject();
                o.put("scheme", scheme.toString());
                o.put("source", source);
                o.put("length", length);
                o.put("documents", usable.size());
                o.put("keys", keys.size());
                o.put("tests", lp.length);
                ObjectNode f = o.putObject("fpr");
                for (double alpha : cfg.fprs()) {
                    f.set(fprKey(alpha), rateJson(DetectionMetrics.flaggedAt(lp, alpha)));
                }
            }
        }
    }

    /** log10 p of the unwatermarked texts' first L tokens under the deployed key, per length (NaN: too short). */
    private double[][] negatives(KeyedScheme keyed, Generated plain) {
        int n = plain.retokenized().length;
        double[][] neg = new double[cfg.lengths().size()][n];
        DetectOptions opt = DetectOptions.defaults().withTokenScores(true);
        NullModel nm = keyed.nullModel();
        Detector det = Detector.of(keyed);
        parallel(n, i -> {
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

    // ------------------------------------------------------------------ attacked conditions

    /** An attack condition: kind "none" (strength 0) or an attack at one strength. */
    record Condition(String kind, double strength) {
    }

    private List<Condition> conditions() {
        List<Condition> c = new ArrayList<>();
        c.add(new Condition("none", 0));
        for (ExperimentConfig.AttackSpec a : cfg.attacks()) {
            for (double s : a.strengths()) {
                c.add(new Condition(a.kind(), s));
            }
        }
        return c;
    }

    private void condition(KeyedScheme keyed, int schemeIndex, Generated wm, Condition cond, int condIndex,
            double[][] negatives, List<CriticalValues> cvs, ArrayNode detection, ArrayNode ttdOut, ArrayNode rocOut) {
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
        long attackSeed = seed(cfg.seed(), 3, condIndex);
        boolean dilute = cond.kind().equals("dilute");
        Attack attack = cond.kind().equals("none") ? null : Attacks.create(cond.kind(), cond.strength(), in.attackResources());
        AttackChain chain = attack == null || dilute ? null : AttackChain.of(List.of(attack));
        parallel(n, i -> {
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
        for (int li = 0; li < lengths.size(); li++) {
            int l = lengths.get(li);
            double[] pos = Arrays.stream(lp[li]).filter(v -> !Double.isNaN(v)).toArray();
            double[] neg = Arrays.stream(negatives[li]).filter(v -> !Double.isNaN(v)).toArray();
            ObjectNode o = detection.addObject();
            o.put("scheme", keyed.scheme().toString());
            o.put("attack", cond.kind());
            o.put("strength", cond.strength());
            o.put("length", l);
            o.put("texts", pos.length);
            o.put("too_short", n - pos.length);
            o.put("edit_unit", unit[0]);
            putNum(o, "edit_rate_mean", Quality.mean(editRate[li]));
            putNum(o, "token_edit_rate_mean", Quality.mean(tokenEditRate[li]));
            putNum(o, "scored_mean", Quality.mean(scored[li]));
            ObjectNode tpr = o.putObject("tpr");
            for (double alpha : cfg.fprs()) {
                tpr.set(fprKey(alpha), rateJson(DetectionMetrics.flaggedAt(pos, alpha)));
            }
            double[] ps = negate(pos);
            double[] ns = negate(neg);
            putNum(o, "auc", DetectionMetrics.auc(ps, ns));
            DetectionMetrics.Interval ci = DetectionMetrics.bootstrapAuc(ps, ns, cfg.bootstrap(),
                    seed(cfg.seed(), 4, schemeIndex, condIndex, l), 0.95);
            putNum(o, "auc_lower", ci.lower());
            putNum(o, "auc_upper", ci.upper());
            o.put("negatives", ns.length);
            if (cond.kind().equals("none") && ps.length > 0 && ns.length > 0) {
                double[][] r = DetectionMetrics.roc(ps, ns);
                ObjectNode ro = rocOut.addObject();
                ro.put("scheme", keyed.scheme().toString());
                ro.put("length", l);
                ArrayNode fx = ro.putArray("fpr");
                ArrayNode ty = ro.putArray("tpr");
                for (int k = 0; k < r[0].length; k++) {
                    fx.add(r[0][k]);
                    ty.add(r[1][k]);
                }
            }
        }
        if (!dilute) {
            for (int a = 0; a < cvs.size(); a++) {
                int[] t = ttd[a];
                ObjectNode o = ttdOut.addObject();
                o.put("scheme", keyed.scheme().toString());
                o.put("attack", cond.kind());
                o.put("strength", cond.strength());
                o.put("fpr", cfg.fprs().get(a));
                o.put("texts", t.length);
                putNum(o, "median", DetectionMetrics.medianTokensToDetect(t));
                o.put("never", Arrays.stream(t).filter(v -> v < 0).count());
                double[] finite = Arrays.stream(t).filter(v -> v >= 0).asDoubleStream().sorted().toArray();
                putNum(o, "median_detected_only", Quality.median(finite));
            }
        }
    }

    private static double[] negate(double[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = -v[i];
        }
        return o;
    }

    // ------------------------------------------------------------------ helpers

    static ObjectNode rateJson(Rate r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("count", r.count());
        o.put("n", r.n());
        putNum(o, "rate", r.rate());
        putNum(o, "lower", r.lower());
        putNum(o, "upper", r.upper());
        return o;
    }

    static void putNum(ObjectNode o, String k, double v) {
        if (Double.isNaN(v)) {
            o.putNull(k);
        } else if (Double.isInfinite(v)) {
            o.put(k, v > 0 ? "Infinity" : "-Infinity");
        } else {
            o.put(k, v);
        }
    }

    private void parallel(int n, java.util.function.IntConsumer body) {
        try {
            pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error er) {
                throw er;
            }
            throw new IllegalStateException(c);
        }
    }
}
