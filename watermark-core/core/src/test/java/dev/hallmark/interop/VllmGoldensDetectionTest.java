package dev.hallmark.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.detect.CorpusAccumulator;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionJson;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.interop.internal.VllmReferenceStats;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.scheme.VllmKeyed;
import dev.hallmark.stats.Tails;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * All 27 of vLLM's golden detections, through the public path every entry point uses: spec ->
 * {@link KeyedScheme} -> {@link Detector} (and {@link CorpusAccumulator}) -> {@link DetectionJson}.
 *
 * <p>Tolerances, fixed before looking: counts and verdicts exactly; vLLM's score and its own p-value
 * ({@code reference_p_value}) to 1e-9 relative (vLLM's own golden tolerance: its sums follow torch's
 * reduction order); Hallmark's exact p-value equals vLLM's where vLLM's is exact (gumbel; dual-key at
 * alpha 0, 1/2, 1) to 1e-9 relative in log space, and otherwise equals an independent reference:
 * mpmath's closed form for dual-key (1e-12 relative in log space) and the exact rational binomial
 * tail for sbw (1e-12 relative in log space).
 */
class VllmGoldensDetectionTest {

    private static final Map<String, Double> MPMATH_LN_P = new HashMap<>();

    static List<VllmGoldens.Candidate> candidates() {
        return VllmGoldens.load();
    }

    @BeforeAll
    static void loadMpmath() throws IOException {
        try (InputStream in = VllmGoldensDetectionTest.class.getResourceAsStream("/stats/hypoexp-references.csv")) {
            assertNotNull(in);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("dual-key-gumbel")) {
                    String[] f = line.split(",");
                    MPMATH_LN_P.put(f[0], Double.parseDouble(f[4]));
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("candidates")
    void detectionMatchesVllm(VllmGoldens.Candidate c) {
        JsonNode want = c.detection();
        KeyedScheme keyed = KeyedScheme.of(Scheme.parse(c.detectionSpec()));
        assertTrue(keyed instanceof VllmKeyed);
        DetectOptions options = DetectOptions.defaults().withAlpha(c.threshold());
        int[] ids = c.generation();
        DetectionResult r = Detector.of(keyed).detect(ids, options);

        assertEquals(want.get("num_scored_tokens").asLong(), r.tokensScored(), "num_scored_tokens");
        assertEquals(ids.length, r.tokensSeen());
        assertEquals(0, r.skippedContext(), "vLLM scores every position");
        assertEquals(ids.length - r.tokensScored(), r.skippedRepeated());
        double score = want.get("score").asDouble();
        assertEquals(score, r.scoreSum(), 1e-9 * Math.abs(score), "score");
        assertNotNull(r.reference());
        assertEquals(score, r.reference().score(), 1e-9 * Math.abs(score));
        double vllmP = want.get("p_value").asDouble();
        assertEquals(vllmP, r.reference().pValue(), 1e-9 * vllmP, "vLLM's own p-value");
        assertEquals(want.get("is_watermarked").asBoolean(), r.reference().pValue() <= c.threshold(), "is_watermarked");
        assertEquals(want.get("p_value_ratio").asDouble(), r.reference().pValue() / c.threshold(),
                1e-9 * want.get("p_value_ratio").asDouble());

        double lnP = r.log10P() * Math.log(10);
        switch (c.algorithm()) {
            case "gumbel" -> {
                // vLLM's own routine, replicated term by term, gives the same value
                assertEquals(vllmP, VllmReferenceStats.gammaSurvivalIntegerShape(score, r.tokensScored()), 1e-9 * vllmP);
                if (r.independent().count() == r.tokensScored()) {
                    assertLogClose(Math.log(vllmP), lnP, 1e-9, "exact Gamma tail = vLLM's");
                } else {
                    // dedup=false: vLLM counts repeated (context, token) tuples again, Hallmark once
                    assertTrue(!c.detectionDedup() && r.independent().count() < r.tokensScored());
                    assertEquals(Tails.log10GammaUpper(r.independent().scoreSum(), r.independent().count()),
                            r.log10P(), 1e-12 * Math.abs(r.log10P()));
                    assertTrue(r.log10P() > Math.log10(vllmP), "repeats make vLLM's p too small");
                }
            }
            case "dual_key_gumbel" -> {
                double a = c.detectionAlpha();
                if (a == 0 || a == 0.5 || a == 1) {
                    assertLogClose(Math.log(vllmP), lnP, 1e-9, "alpha in {0, 1/2, 1}: vLLM's is exact");
                } else {
                    Double ref = MPMATH_LN_P.get(c.id());
                    assertNotNull(ref, "mpmath reference for " + c.id());
                    assertLogClose(ref, lnP, 1e-12, "exact hypoexponential tail = mpmath");
                }
            }
            default -> {
                // sbw: the units are (seed, token); here every scored unit is distinct except for key 0
                long units = r.independent().count();
                long green = Math.round(r.independent().scoreSum());
                assertLogClose(exactBinomialLnTail(green, units), lnP, 1e-12, "exact binomial tail");
            }
        }
        assertEquals(r.log10P() <= Math.log10(c.threshold()), r.watermarked());

        ObjectNode json = DetectionJson.toJson(r, false);
        assertEquals(want.get("num_scored_tokens").asLong(), json.get("tokens_scored").asLong());
        assertEquals(score, json.get("reference_score").asDouble(), 1e-9 * Math.abs(score));
        assertEquals(vllmP, json.get("reference_p_value").asDouble(), 1e-9 * vllmP);
        assertEquals(keyed.keyId(), json.get("key_id").asText());
        assertEquals(Scheme.parse(c.detectionSpec().replaceAll(",key=\\d+", "")).toString(), json.get("scheme").asText(),
                "the report's spec is the canonical one, without the inline key");
        assertTrue(!json.toString().contains("key="), json.toString());

        // the corpus accumulator (service scans, Spark) counts the same for a one-document corpus
        CorpusAccumulator acc = new CorpusAccumulator(keyed);
        acc.accept(ids);
        DetectionResult cr = acc.result(c.threshold());
        assertEquals(r.tokensScored(), cr.tokensScored());
        assertEquals(r.log10P(), cr.log10P(), 1e-12 * Math.abs(r.log10P()));
        assertEquals(r.reference().pValue(), cr.reference().pValue(), 1e-12 * r.reference().pValue());
    }

    @ParameterizedTest
    @MethodSource("candidates")
    void hallmarksOwnSchemesReportNoReferencePValue(VllmGoldens.Candidate c) {
        DetectionResult r = Detector.of(Scheme.parse("gumbel"), dev.hallmark.testing.TestKeys.key(1))
                .detect(c.generation(), DetectOptions.defaults());
        assertNull(r.reference());
        assertTrue(!DetectionJson.toJson(r, false).has("reference_p_value"));
    }

    private static void assertLogClose(double want, double got, double rel, String what) {
        assertTrue(Math.abs(got - want) <= rel * Math.abs(want),
                what + ": ln p " + got + " vs " + want + " (relative " + Math.abs(got - want) / Math.abs(want) + ")");
    }

    /** ln P(X >= k), X ~ Binomial(n, p) with p = 1073741823 / 2^31, as an exact rational sum. */
    static double exactBinomialLnTail(long k, long n) {
        BigInteger num = BigInteger.valueOf(1073741823L);
        BigInteger den = BigInteger.ONE.shiftLeft(31);
        BigInteger sum = BigInteger.ZERO;
        for (long j = k; j <= n; j++) {
            BigInteger c = binomial(n, j);
            sum = sum.add(c.multiply(num.pow((int) j)).multiply(den.subtract(num).pow((int) (n - j))));
        }
        BigDecimal p = new BigDecimal(sum).divide(new BigDecimal(den.pow((int) n)), new MathContext(60));
        // ln of a BigDecimal: scale into double range first
        int shift = p.precision() - p.scale() - 1;
        double mant = p.movePointLeft(shift).doubleValue();
        return Math.log(mant) + shift * Math.log(10);
    }

    private static BigInteger binomial(long n, long k) {
        BigInteger r = BigInteger.ONE;
        for (long i = 1; i <= k; i++) {
            r = r.multiply(BigInteger.valueOf(n - k + i)).divide(BigInteger.valueOf(i));
        }
        return r;
    }
}
