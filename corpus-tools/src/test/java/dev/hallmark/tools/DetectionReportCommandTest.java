package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.detect.DetectOptions;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.Detector;
import dev.hallmark.key.KeyFile;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.NullModel;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.tools.experiment.CriticalValues;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hallmark detection-report} on completions of a tiny model made by {@code hallmark generate}. */
class DetectionReportCommandTest {

    @TempDir
    static Path dir;

    static Path key;

    static String[] run(int expectedExit, String... args) {
        StringWriter so = new StringWriter();
        StringWriter se = new StringWriter();
        CommandLine cl = Hallmark.commandLine();
        cl.setOut(new PrintWriter(so, true));
        cl.setErr(new PrintWriter(se, true));
        int code = cl.execute(args);
        assertEquals(expectedExit, code, so + "\n" + se);
        return new String[] {so.toString(), se.toString()};
    }

    @BeforeAll
    static void generate() throws IOException {
        Path model = BenchGenerateCommandTest.tinyModel(dir.resolve("model"));
        key = dir.resolve("k.json");
        run(0, "keygen", "--out", key.toString());
        StringBuilder p = new StringBuilder();
        for (String s : List.of("And God said", "Let there be light", "and there was light.", "In the beginning",
                "the face of the deep", "And the evening")) {
            p.append("{\"prompt\":\"").append(s).append("\"}\n");
        }
        Files.writeString(dir.resolve("p.jsonl"), p);
        for (String s : List.of("kgw", "gumbel")) {
            run(0, "generate", "--model", model.toString(), "--key", key.toString(), "--scheme", s, "--prompts",
                    dir.resolve("p.jsonl").toString(), "--max-tokens", "40", "--out", dir.resolve(s + ".jsonl").toString());
        }
        run(0, "generate", "--model", model.toString(), "--no-watermark", "--prompts", dir.resolve("p.jsonl").toString(),
                "--max-tokens", "40", "--out", dir.resolve("plain.jsonl").toString());
        Files.write(dir.resolve("human.jsonl"), WatermarkEndToEndTest.firstField(
                WatermarkEndToEndTest.repo().resolve("datasets/human-text/human-text.jsonl.gz"), "text", 5).stream()
                .map(t -> "{\"text\":" + quote(t) + "}").toList());
    }

    static String quote(String s) {
        try {
            return new ObjectMapper().writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void reportsTokensToDetectAndFalsePositiveCounts() throws IOException {
        Path out = dir.resolve("report.json");
        String[] o = run(0, "detection-report", "--key", key.toString(), "--generated", dir.resolve("kgw.jsonl").toString(),
                "--generated", dir.resolve("gumbel.jsonl").toString(), "--unwatermarked", dir.resolve("plain.jsonl").toString(),
                "--human", dir.resolve("human.jsonl").toString(), "--null-keys", "3", "--out", out.toString());
        assertTrue(o[0].contains("tokens to reach and keep p <= 1e-05"), o[0]);
        JsonNode r = new ObjectMapper().readTree(out.toFile());
        assertEquals(2, r.get("tokensToDetect").size());
        for (JsonNode p : r.get("tokensToDetect")) {
            assertEquals(6, p.get("texts").asInt());
            assertEquals(6, p.get("detected").asInt() + p.get("neverDetected").asInt(), p.toString());
            if (p.get("detected").asInt() > 0) {
                double med = p.get("medianTokensDetected").asDouble();
                assertTrue(med >= 1 && med <= 40, p.toString());
                assertTrue(p.get("q25TokensDetected").asDouble() <= med && med <= p.get("q75TokensDetected").asDouble());
            }
        }
        // an untrained model samples near-uniformly among its ids: the Gumbel watermark is strong (KGW with
        // context 1 over ~35 ids meets many repeated contexts in 40 tokens, which are skipped)
        assertTrue(r.get("tokensToDetect").get(1).get("detected").asInt() >= 5, r.get("tokensToDetect").toString());

        // 2 schemes x 2 null sets x 3 alphas; trials = texts x (generating key + 3 others)
        assertEquals(12, r.get("falsePositives").size());
        for (JsonNode f : r.get("falsePositives")) {
            int texts = f.get("set").asText().startsWith("human") ? 5 : 6;
            assertEquals(texts, f.get("texts").asInt(), f.toString());
            assertEquals(4, f.get("keysPerText").asInt());
            assertEquals(texts * 4L, f.get("trials").asLong(), f.toString());
            long k = f.get("flagged").asLong();
            double rate = f.get("rate").asDouble();
            assertEquals((double) k / (texts * 4), rate, 1e-12);
            assertTrue(f.get("ci95Lower").asDouble() <= rate && rate <= f.get("ci95Upper").asDouble(), f.toString());
            assertTrue(f.has("keyStandardError") && f.has("dispersion"), f.toString());
        }
    }

    @Test
    void tokensToDetectEqualsDetectingEveryPrefix() throws IOException {
        WatermarkKey k = KeyFile.read(key);
        double target = Math.log10(1e-5);
        java.util.Map<String, CriticalValues> tables = new java.util.HashMap<>();
        int nonTrivial = 0;
        for (String s : List.of("kgw", "gumbel")) {
            for (JsonNode rec : Jsonl.readRecords(dir.resolve(s + ".jsonl"))) {
                Scheme scheme = Scheme.parse(rec.get("scheme").asText());
                KeyedScheme keyed = KeyedScheme.of(scheme, k);
                int[] ids = new ObjectMapper().convertValue(rec.get("completion_ids"), int[].class);
                assertEquals(40, ids.length, "the tiny model cannot end a completion early");
                Detector d = Detector.of(keyed);
                DetectionResult full = d.detect(ids, DetectOptions.defaults().withTokenScores(true));
                CriticalValues cv = tables.computeIfAbsent(s, x -> CriticalValues.of(keyed.nullModel(), 1e-5, 40));
                int fast = DetectionReportCommand.tokensToDetect(full.tokenScores(), cv);
                // brute force: detect each prefix on its own, from the full length down
                int brute = -1;
                for (int l = ids.length; l > scheme.contextWidth(); l--) {
                    if (d.detect(ids, 0, l, DetectOptions.defaults()).log10P() <= target) {
                        brute = l;
                    } else {
                        break;
                    }
                }
                assertEquals(brute, fast, s + " " + rec.get("id").asText());
                nonTrivial += fast > 0 && fast < ids.length ? 1 : 0;
            }
        }
        assertTrue(nonTrivial > 0, "some completion is detected before its end");
    }

    @Test
    void tokensToDetectNeedsThePValueToStayBelowTheTarget() {
        NullModel.Binomial half = new NullModel.Binomial(1, 0.5);
        double target = Math.log10(0.02);
        // P(S >= 6 | n=6) = 1/64 <= 0.02; a 0 at position 6 breaks it (P(S >= 6 | n=7) = 8/128 > 0.02),
        // and 8 tokens (9/256); from 9 tokens on (10/512, 11/1024, ...) every prefix stays below it
        double[] s = {1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1};
        CriticalValues cv = CriticalValues.of(half, 0.02, s.length);
        int ttd = DetectionReportCommand.tokensToDetect(s, cv);
        for (int l = ttd; l <= s.length; l++) {
            long n = l;
            double sum = 0;
            for (int i = 0; i < l; i++) {
                sum += s[i];
            }
            assertTrue(half.log10PValue(n, sum) <= target, "prefix " + l);
        }
        assertTrue(half.log10PValue(ttd - 1, sumOf(s, ttd - 1)) > target, "prefix " + (ttd - 1) + " is above");
        assertEquals(9, ttd, "the early crossing at 6 tokens does not count");
        assertEquals(-1, DetectionReportCommand.tokensToDetect(new double[] {1, 0, 0, 0}, cv));
        assertEquals(-1, DetectionReportCommand.tokensToDetect(new double[] {Double.NaN, Double.NaN}, cv));
    }

    static double sumOf(double[] s, int l) {
        double x = 0;
        for (int i = 0; i < l; i++) {
            x += s[i];
        }
        return x;
    }

    @Test
    void keyDispersionIsTheVarianceRatioToTheBinomial() {
        // counts 0 and 2 of 10: mean 1, sample variance 2, rate 0.1, binomial variance 10 * 0.1 * 0.9 = 0.9
        double[] d = DetectionReportCommand.keyDispersion(new long[] {0, 2}, 10);
        assertEquals(Math.sqrt(2.0 / 2) / 10, d[0], 1e-15);
        assertEquals(2.0 / 0.9, d[1], 1e-12);
        assertEquals(0.0, DetectionReportCommand.keyDispersion(new long[] {3, 3, 3}, 10)[1], 0.0);
        assertTrue(Double.isNaN(DetectionReportCommand.keyDispersion(new long[] {0, 0}, 10)[1]), "nothing flagged");
        assertTrue(Double.isNaN(DetectionReportCommand.keyDispersion(new long[] {4}, 10)[0]), "one key has no spread");
    }

    @Test
    void refusesUnwatermarkedAsGeneratedAndAnotherKey() throws IOException {
        String[] e = run(2, "detection-report", "--key", key.toString(), "--generated", dir.resolve("plain.jsonl").toString());
        assertTrue(e[1].contains("pass it as --unwatermarked"), e[1]);
        Path other = dir.resolve("other.json");
        Files.deleteIfExists(other);
        run(0, "keygen", "--out", other.toString());
        String[] e2 = run(2, "detection-report", "--key", other.toString(), "--generated", dir.resolve("kgw.jsonl").toString());
        assertTrue(e2[1].contains("was generated with key"), e2[1]);
    }
}
