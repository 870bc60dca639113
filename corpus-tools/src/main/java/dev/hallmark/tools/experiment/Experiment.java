package dev.hallmark.tools.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.tools.Progress;
import dev.hallmark.tools.attack.AttackResources;
import dev.hallmark.tools.attack.TokenCodec;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Runs a detection-power sweep: generate watermarked and unwatermarked texts, attack them, detect,
 * and measure (see {@code docs/experiments/README.md} for the protocol). Everything random
 * derives from the configuration's seed, so a configuration and the same inputs reproduce the
 * results exactly.
 *
 * <p>Protocol, per scheme (one deployed key for all schemes), one stage each:
 * <ol>
 *   <li>Generation ({@link Generation}): {@code texts} prompts (shuffled by the seed) each get
 *       {@code maxTokens} tokens from the model with the watermarking sampler; the same prompts get
 *       unwatermarked text from the plain sampler. End-of-text is suppressed so every text has full
 *       length. Spike entropy is recorded at every step. Texts are decoded and re-encoded by the
 *       tokenizer: what a detector sees of a pasted text.
 *   <li>Quality ({@link QualitySummary}) of every generated set.
 *   <li>Null side ({@link NullSide}): the human-text set cut into non-overlapping windows of L
 *       tokens, and the unwatermarked texts, scored with the deployed key and {@code nullKeys}
 *       never-deployed keys; empirical FPR at each rate with Clopper-Pearson intervals.
 *   <li>Detection ({@link AttackedDetection}): for each condition (unattacked, then every attack
 *       kind and strength) every watermarked text is attacked (seeded per text), re-encoded and
 *       scored on all prefixes at once; at each length L the first L tokens are tested (texts
 *       shorter than L after the attack are left out and counted). Dilution is applied per length:
 *       round((1 - s) L) watermarked tokens pasted into human text to a total of about L tokens.
 *       Metrics at each length: TPR at each FPR from the exact p-values (Clopper-Pearson
 *       intervals); ROC-AUC of -log10 p against the unwatermarked texts' first L tokens under the
 *       same key, with a seeded stratified bootstrap interval; tokens-to-detect on the full text.
 * </ol>
 * The results are records serialised by Jackson; {@link ExperimentReport} writes them as files.
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

    /** The key ids of a run: the deployed key and the never-deployed ones (absent when there are none). */
    record KeyIds(String deployed,
            @JsonProperty("null") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> nullKeys) {
    }

    /** Everything a run measured (before the command adds its provenance). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Results(String experiment, JsonNode config, String model, KeyIds keys, List<QualitySummary> quality,
            @JsonProperty("null") List<NullSide.Row> nullSide, List<AttackedDetection.Row> detection,
            List<AttackedDetection.TokensToDetect> tokensToDetect, List<AttackedDetection.Roc> roc) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Experiment() {
    }

    /**
     * Runs the sweep.
     *
     * @param err where progress bars go
     * @return the results (configuration, keys, quality, null side, detection, tokens-to-detect, ROC)
     */
    public static ObjectNode run(ExperimentConfig cfg, Inputs in, PrintWriter err) {
        try (Parallel parallel = new Parallel(cfg.threads())) {
            return JSON.valueToTree(run(cfg, in, parallel, err));
        }
    }

    private static Results run(ExperimentConfig cfg, Inputs in, Parallel parallel, PrintWriter err) {
        WatermarkKey master = masterKey(cfg.seed());
        WatermarkKey deployed = master.derive("experiment/deployed");
        List<WatermarkKey> nullKeys = new ArrayList<>();
        for (int j = 0; j < cfg.nullKeys(); j++) {
            nullKeys.add(master.derive("experiment/null/" + j));
        }
        List<Scheme> schemes = cfg.schemes().stream().map(Scheme::parse).toList();
        List<int[]> prompts = Generation.prompts(cfg, in);
        double modulus = Quality.spikeModulus(cfg.spikeGamma(), cfg.spikeDelta());

        // 1. generation: unwatermarked first, then one set per scheme
        List<Generation.Generated> gens = new ArrayList<>();
        Progress gp = new Progress("generate", (long) (schemes.size() + 1) * prompts.size(), err);
        gens.add(Generation.generate(cfg, in, parallel, "none", null, deployed, prompts, modulus, 0, gp));
        for (int s = 0; s < schemes.size(); s++) {
            gens.add(Generation.generate(cfg, in, parallel, schemes.get(s).toString(), schemes.get(s), deployed,
                    prompts, modulus, s + 1, gp));
        }
        gp.done();

        // 2. quality
        List<QualitySummary> quality = new ArrayList<>();
        Progress qp = new Progress("quality", (long) gens.size() * prompts.size(), err);
        for (Generation.Generated g : gens) {
            quality.add(QualitySummary.of(g, prompts, in.model(), parallel, qp));
        }
        qp.done();

        // 3. null side, per scheme
        List<WatermarkKey> allKeys = new ArrayList<>();
        allKeys.add(deployed);
        allKeys.addAll(nullKeys);
        List<NullSide.Row> nulls = new ArrayList<>();
        Progress np = new Progress("null side", schemes.size(), err);
        for (Scheme scheme : schemes) {
            nulls.addAll(NullSide.run(cfg, in, parallel, scheme, allKeys, gens.get(0)));
            np.step(1);
        }
        np.done();

        // 4. detection, per scheme and condition
        List<AttackedDetection.Condition> conditions = AttackedDetection.Condition.all(cfg);
        List<AttackedDetection.Row> detection = new ArrayList<>();
        List<AttackedDetection.TokensToDetect> ttd = new ArrayList<>();
        List<AttackedDetection.Roc> roc = new ArrayList<>();
        Progress dp = new Progress("detect", (long) schemes.size() * conditions.size(), err);
        for (int s = 0; s < schemes.size(); s++) {
            KeyedScheme keyed = KeyedScheme.of(schemes.get(s), deployed);
            double[][] negatives = AttackedDetection.negatives(cfg, parallel, keyed, gens.get(0));
            List<CriticalValues> cvs = new ArrayList<>();
            for (double alpha : cfg.fprs()) {
                cvs.add(CriticalValues.of(keyed.nullModel(), alpha, 2 * cfg.maxTokens()));
            }
            for (int c = 0; c < conditions.size(); c++) {
                AttackedDetection.Result r = AttackedDetection.run(cfg, in, parallel, keyed, s, gens.get(s + 1),
                        conditions.get(c), c, negatives, cvs);
                detection.addAll(r.detection());
                ttd.addAll(r.tokensToDetect());
                roc.addAll(r.roc());
                dp.step(1);
            }
        }
        dp.done();
        return new Results(cfg.name(), cfg.toJson(), in.model().describe(),
                new KeyIds(deployed.id(), nullKeys.stream().map(WatermarkKey::id).toList()), quality, nulls, detection,
                ttd, roc);
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

    /** The key of a false-positive rate in the results' maps: its shortest plain decimal ({@code 0.001}). */
    static String fprKey(double f) {
        return BigDecimal.valueOf(f).stripTrailingZeros().toPlainString();
    }
}
