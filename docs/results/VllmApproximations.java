import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.embed.VllmGeneration;
import dev.hallmark.embed.VllmSampler;
import dev.hallmark.key.VllmKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.ReferenceKeyed;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.stats.Hypoexponential;
import dev.hallmark.stats.Tails;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * How far vLLM's own p-values are from the exact ones (docs/interop.md, "vLLM"): on vLLM's goldens,
 * at the exact critical values of longer texts, and on longer watermarked texts generated with
 * VllmSampler. Run from the repository root after building the CLI:
 *   java -cp corpus-tools/target/hallmark.jar docs/results/VllmApproximations.java \
 *       watermark-core/core/src/test/resources/interop/vllm-watermarking-goldens.json > docs/results/vllm-approximations.md
 * Deterministic (fixed seeds); takes about a minute.
 */
public class VllmApproximations {

    /** sd of the Gaussian logits: sd 4 over 8,000 ids leaves a few likely tokens per step, as a real model does. */
    static final double SD = 4.0;

    public static void main(String[] args) throws Exception {
        System.out.println("# vLLM's p-values against the exact ones");
        System.out.println();
        System.out.println("Written by `docs/results/VllmApproximations.java` (run from the repository root after building"
                + " the CLI):");
        System.out.println();
        System.out.println("```bash");
        System.out.println("mvn -B -q -pl corpus-tools -am -DskipTests package");
        System.out.println("java -cp corpus-tools/target/hallmark.jar docs/results/VllmApproximations.java \\");
        System.out.println("    watermark-core/core/src/test/resources/interop/vllm-watermarking-goldens.json"
                + " > docs/results/vllm-approximations.md");
        System.out.println("```");
        System.out.println();
        System.out.println("Deterministic (fixed seeds and keys). vLLM p = Hallmark's reproduction of vLLM's own formula"
                + " (checked against every golden to 1e-9); exact p = Hallmark's `log10_p`. \"vLLM / exact\" below 1"
                + " means vLLM's p-value is too small (anti-conservative), above 1 too large.");
        System.out.println();
        goldens(Path.of(args[0]));
        criticalValues();
        generated();
    }

    static String p(double log10p) {
        if (log10p == 0) {
            return "1";
        }
        int e = (int) Math.floor(log10p);
        double m = Math.pow(10, log10p - e);
        return String.format(Locale.ROOT, "%.3fe%d", m, e);
    }

    static double log10(double p) {
        return Math.log10(p);
    }

    /** vLLM's p for (n, score) and the exact one, for a spec. */
    static void goldens(Path file) throws Exception {
        System.out.println("## vLLM's goldens (27 candidates)");
        System.out.println();
        System.out.println("`tokens_scored` = vLLM's num_scored_tokens; vLLM p = its own p-value (reproduced to 1e-9);"
                + " exact p = Hallmark's `p_value` (log10 shown where it underflows); ratio = vLLM p / exact p.");
        System.out.println();
        System.out.println("| candidate | algorithm | tokens scored | units | vLLM p | exact p | vLLM / exact |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|");
        JsonNode root = new ObjectMapper().readTree(file.toFile()).get("candidates");
        Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode c = e.getValue();
            JsonNode cfg = c.get("configuration");
            JsonNode sc = cfg.get("scheme_config");
            String algorithm = cfg.get("scheme").asText();
            int w = sc.get("context_width").asInt();
            String dedup = ",dedup=" + sc.get("detection_deduplicate_contexts").asBoolean();
            String spec = switch (algorithm) {
                case "gumbel" -> "vllm-gumbel:context=" + w + dedup;
                case "dual_key_gumbel" -> "vllm-dual-key-gumbel:context=" + w + ",alpha="
                        + sc.get("detection_alpha").asDouble() + dedup;
                default -> "vllm-sbw:context=" + w + dedup;
            };
            String label = algorithm.equals("dual_key_gumbel") ? "dual, alpha " + sc.get("detection_alpha").asDouble()
                    : algorithm;
            KeyedScheme keyed = KeyedScheme.of(Scheme.parse(spec), VllmKey.parse(cfg.get("detection_key").asText()));
            int[] ids = new ObjectMapper().convertValue(c.get("generation"), int[].class);
            DetectionResult r = Detector.of(keyed).detect(ids, DetectOptions.defaults());
            double vllm = r.reference().pValue();
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %d | %s | %s | %s |%n", e.getKey(), label, r.tokensScored(),
                    r.independent().count(), p(log10(vllm)), p(r.log10P()), ratio(log10(vllm) - r.log10P()));
        }
        System.out.println();
    }

    static String ratio(double log10ratio) {
        if (Math.abs(log10ratio) < 1e-9) {
            return "1";
        }
        if (Math.abs(log10ratio) < 2) {
            return String.format(Locale.ROOT, "%.3f", Math.pow(10, log10ratio));
        }
        return String.format(Locale.ROOT, "10^%.2f", log10ratio);
    }

    /** The score whose exact log10 p is target (bisection on the exact tail). */
    static double exactCritical(long n, double alpha, double target) {
        double lo = n;
        double hi = 2.0 * n + 100;
        while (Hypoexponential.log10Upper(hi, n, alpha) > target) {
            hi *= 2;
        }
        for (int i = 0; i < 200; i++) {
            double mid = (lo + hi) / 2;
            if (Hypoexponential.log10Upper(mid, n, alpha) <= target) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    static void criticalValues() {
        System.out.println("## At the exact critical values of longer texts");
        System.out.println();
        System.out.println("For n scored tokens, the score at which the exact p-value is 1e-3, 1e-6 and 1e-12, and what"
                + " vLLM reports for that same score (n and score are all vLLM's p-value depends on). gumbel is exact in"
                + " vLLM too. sbw (gamma 0.5): the smallest green count whose exact binomial tail is at most the level;"
                + " the exact p is that tail.");
        System.out.println();
        System.out.println("| algorithm | n | exact p 1e-3: vLLM p | exact p 1e-6: vLLM p | exact p 1e-12: vLLM p |");
        System.out.println("|---|---:|---:|---:|---:|");
        long[] ns = {64, 256, 1024, 4096, 16384};
        for (double alpha : new double[] {0.1, 0.25, 0.4}) {
            ReferenceKeyed vllmDual = (ReferenceKeyed) KeyedScheme.of(
                    Scheme.parse("vllm-dual-key-gumbel:alpha=" + alpha + ",key=1"));
            for (long n : ns) {
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| dual, alpha %s | %d |", alpha, n));
                for (double target : new double[] {-3, -6, -12}) {
                    double s = exactCritical(n, alpha, target);
                    double vllm = vllmDual.referencePValue(n, s); // vLLM's own formula
                    row.append(String.format(Locale.ROOT, " %s (x%s) |", p(log10(vllm)), ratio(log10(vllm) - target)));
                }
                System.out.println(row);
            }
        }
        double pg = 1073741823 / 2147483648.0;
        ReferenceKeyed vllmSbw = (ReferenceKeyed) KeyedScheme.of(Scheme.parse("vllm-sbw:gamma=0.5,key=1"));
        for (long n : ns) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| sbw, gamma 0.5 | %d |", n));
            for (double target : new double[] {-3, -6, -12}) {
                long k = Math.round(n * pg);
                while (Tails.log10BinomialUpper(k, n, pg) > target) {
                    k++;
                }
                double exact = Tails.log10BinomialUpper(k, n, pg);
                double vllm = vllmSbw.referencePValue(n, k);
                row.append(String.format(Locale.ROOT, " k=%d: exact %s, vLLM %s (x%s) |", k, p(exact),
                        p(log10(vllm)), ratio(log10(vllm) - exact)));
            }
            System.out.println(row);
        }
        System.out.println();
    }

    /** Watermarked texts from VllmSampler with Gaussian logits (V = 8,000), key 42, default settings. */
    static void generated() {
        System.out.println("## Longer watermarked texts");
        System.out.println();
        System.out.println("Generated with `VllmSampler` (vLLM's defaults: single_turn de-duplication, history 8,192,"
                + " delta 2; softmax draws) from Gaussian logits (sd " + SD + ", V = 8,000, seed 2026 + length), key 42, detected with"
                + " de-duplication. sbw: vLLM counts every new context, Hallmark's exact p counts each (seed, token) coin"
                + " once (`units`).");
        System.out.println();
        System.out.println("| spec | tokens | tokens scored | units | vLLM p | exact p | vLLM / exact |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        String[] specs = {"vllm-gumbel:context=4", "vllm-dual-key-gumbel:context=4,alpha=0.1",
            "vllm-dual-key-gumbel:context=4,alpha=0.4", "vllm-sbw:scheme=selfhash,context=4",
            "vllm-sbw:scheme=lefthash,context=1"};
        int vocab = 8000;
        for (String spec : specs) {
            for (int len : new int[] {64, 256, 1024, 4096}) {
                SplittableRandom r = new SplittableRandom(2026 + len);
                VllmSampler s = VllmSampler.of(Scheme.parse(spec), VllmKey.of(42), VllmGeneration.defaults(), vocab);
                int[] seq = new int[len];
                float[] logits = new float[vocab];
                for (int t = 0; t < len; t++) {
                    for (int v = 0; v < vocab; v++) {
                        logits[v] = (float) (SD * gaussian(r));
                    }
                    seq[t] = s.next(logits, seq, 0, t, r);
                }
                DetectionResult d = Detector.of(s.keyedScheme()).detect(seq, DetectOptions.defaults());
                double vllm = d.reference().pValue();
                double lv = vllm > 0 ? log10(vllm) : Double.NEGATIVE_INFINITY;
                System.out.printf(Locale.ROOT, "| `%s` | %d | %d | %d | %s | %s | %s |%n", spec, len, d.tokensScored(),
                        d.independent().count(), vllm > 0 ? p(lv) : "0 (underflow)", p(d.log10P()),
                        vllm > 0 ? ratio(lv - d.log10P()) : "-");
            }
        }
        System.out.println();
    }

    static double gaussian(SplittableRandom r) {
        double u = r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }
}
