package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny sweep end to end through the CLI: a bigram model on the real tokenizer, all six standard
 * schemes, three attacks, small n. Checks that every output exists and that the numbers are
 * sane on both sides: unattacked watermarked text is detected, human text is not flagged beyond
 * what a valid p-value allows.
 */
class ExperimentCommandTest {

    @TempDir
    static Path tmp;

    static Path out;
    static JsonNode results;
    static final List<String> SCHEMES = List.of("kgw", "kgw:gamma=0.25,delta=2,context=4,seeding=selfhash",
            "unigram", "gumbel", "synthid", "synthid:context=4,layers=30,leaves=3");

    @BeforeAll
    static void runTinySweep() throws Exception {
        Path cfg = tmp.resolve("tiny.yaml");
        Files.writeString(cfg, """
                name: tiny-test
                seed: 11
                threads: 2
                model: {kind: bigram, top: 400, docs: 30, id_limit: 16384}
                texts: 8
                max_tokens: 72
                schemes: [%s]
                lengths: [16, 32, 64]
                attacks:
                  - {kind: delete, strengths: [0.2]}
                  - {kind: typo, strengths: [0.2]}
                  - {kind: dilute, strengths: [0.5]}
                  - {kind: paraphrase, strengths: [0.3]}
                null_keys: 2
                null_documents: 40
                bootstrap: 100
                """.formatted(String.join(", ", SCHEMES.stream().map(s -> "\"" + s + "\"").toList())));
        out = tmp.resolve("out");
        AttackCommandTest.Run r = AttackCommandTest.run("experiment", "--config", cfg.toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("detect: ["), "progress bars on stderr: " + r.err());
        results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    }

    @Test
    void writesResultsTablesAndPlotsWithProvenance() throws Exception {
        for (String f : List.of("results.json", "detection.csv", "null.csv", "quality.csv", "tokens_to_detect.csv",
                "plots/roc_L32.png", "plots/roc_L32.svg", "plots/tpr_vs_length_fpr1e-3.png",
                "plots/tpr_vs_strength_delete.svg", "plots/tpr_vs_strength_dilute.png", "plots/tokens_to_detect.png",
                "plots/quality_perplexity.png", "plots/tpr_vs_perplexity.png", "plots/null_fpr.svg")) {
            assertTrue(Files.size(out.resolve(f)) > 100, f);
        }
        assertEquals("tiny-test", results.get("config").get("name").asText());
        assertEquals(11, results.get("config").get("seed").asLong());
        JsonNode p = results.get("provenance");
        assertTrue(p.has("git_commit") && p.has("java") && p.get("inputs").get("tokenizer").get("sha256").asText().length() == 64);
        assertTrue(p.get("versions").get("djl").asText().matches("\\d+\\.\\d+\\.\\d+"), p.get("versions").toString());
        assertTrue(results.get("keys").get("deployed").asText().startsWith("hk-"));
        assertEquals(2, results.get("keys").get("null").size());
        // 6 schemes x (none + 4 conditions) x 3 lengths
        assertEquals(6 * 5 * 3, results.get("detection").size());
        assertEquals(7, results.get("quality").size());
        List<String> csv = Files.readAllLines(out.resolve("detection.csv"));
        assertEquals(1 + 90, csv.size());
        assertTrue(csv.get(0).startsWith("scheme,attack,strength,length,texts"));
    }

    @Test
    void unattackedWatermarkedTextIsDetectedAndTheNullHolds() {
        for (JsonNode d : results.get("detection")) {
            if (d.get("attack").asText().equals("none") && d.get("length").asInt() == 64) {
                double tpr = d.get("tpr").get("0.01").get("rate").asDouble();
                assertTrue(tpr >= 7.0 / 8, d.get("scheme") + ": TPR at 1e-2 over 64 tokens " + tpr);
                assertTrue(d.get("auc").asDouble() > 0.9, d.get("scheme") + " AUC " + d.get("auc"));
            }
        }
        // every human-text FPR count must be below the (1 - 1e-3/k) quantile of Binomial(tests, alpha),
        // k = the number of checks (Bonferroni): a valid p-value fails this with probability < 1e-3
        List<JsonNode> rows = new ArrayList<>();
        results.get("null").forEach(rows::add);
        int checks = rows.size() * 3;
        int humanTests = 0;
        for (JsonNode n : rows) {
            for (String a : List.of("0.01", "0.001", "0.0001")) {
                JsonNode f = n.get("fpr").get(a);
                long tests = f.get("n").asLong();
                int limit = BinomialDistribution.of((int) tests, Double.parseDouble(a))
                        .inverseSurvivalProbability(1e-3 / checks);
                assertTrue(f.get("count").asLong() <= limit, n.get("scheme") + " " + n.get("source") + " L="
                        + n.get("length") + " alpha " + a + ": " + f.get("count") + " of " + tests);
            }
            if (n.get("source").asText().equals("human")) {
                humanTests += n.get("tests").asInt();
            }
        }
        assertTrue(humanTests > 6 * 3000, "the null side is more than a token check: " + humanTests);
    }

    @Test
    void attacksCostPowerAndDilutionHitsItsFraction() {
        for (String s : SCHEMES) {
            String spec = dev.hallmark.scheme.Scheme.parse(s).toString();
            for (JsonNode d : results.get("detection")) {
                if (!d.get("scheme").asText().equals(spec) || d.get("length").asInt() != 64) {
                    continue;
                }
                if (d.get("attack").asText().equals("delete")) {
                    assertEquals(0.2, d.get("edit_rate_mean").asDouble(), 0.05, "delete 0.2 measured");
                }
                if (d.get("attack").asText().equals("dilute")) {
                    assertEquals(0.5, d.get("edit_rate_mean").asDouble(), 0.02, "human fraction");
                    assertEquals("human_fraction", d.get("edit_unit").asText());
                }
                if (d.get("attack").asText().equals("paraphrase")) {
                    assertEquals("token", d.get("edit_unit").asText());
                    assertEquals(0.3, d.get("edit_rate_mean").asDouble(), 0.08, "paraphrase 0.3 measured");
                }
                if (d.get("attack").asText().equals("typo")) {
                    assertEquals("word", d.get("edit_unit").asText());
                    assertEquals(0.2, d.get("edit_rate_mean").asDouble(), 0.06);
                    assertTrue(d.get("token_edit_rate_mean").asDouble() > 0.1);
                }
            }
        }
        for (JsonNode t : results.get("tokens_to_detect")) {
            if (t.get("attack").asText().equals("none") && t.get("fpr").asDouble() == 0.01) {
                // consistent with TPR >= 7/8 at 64 tokens: at most one text of 8 never detected
                double m = t.get("median").isNumber() ? t.get("median").asDouble() : Double.POSITIVE_INFINITY;
                assertTrue(m <= 64 && t.get("never").asInt() <= 1, t.toString());
            }
        }
        assertFalse(results.get("roc").isEmpty());
    }

    /**
     * The two tokenizer engines give the same ids, so a sweep gives the same results: results.json
     * with --engine fast and --engine hf differ only in their provenance (start time, duration and
     * the engine recorded there). Word-level attacks and dilution re-encode text, so every path
     * through the tokenizer is exercised.
     */
    @Test
    void bothTokenizerEnginesGiveTheSameResults() throws Exception {
        Path cfg = tmp.resolve("engines.yaml");
        Files.writeString(cfg, """
                name: engines-test
                seed: 5
                threads: 2
                model: {kind: bigram, top: 300, docs: 20, id_limit: 16384}
                texts: 4
                max_tokens: 48
                schemes: [kgw, gumbel]
                lengths: [16, 32]
                attacks:
                  - {kind: typo, strengths: [0.2]}
                  - {kind: dilute, strengths: [0.5]}
                null_keys: 1
                null_documents: 12
                bootstrap: 20
                """);
        JsonNode[] res = new JsonNode[2];
        String[] engines = {"fast", "hf"};
        for (int i = 0; i < 2; i++) {
            Path o = tmp.resolve("engines-" + engines[i]);
            AttackCommandTest.Run r = AttackCommandTest.run("experiment", "--config", cfg.toString(), "--engine",
                    engines[i], "--out", o.toString());
            assertEquals(0, r.exit(), r.err());
            res[i] = new ObjectMapper().readTree(o.resolve("results.json").toFile());
            assertEquals(engines[i], res[i].get("provenance").get("inputs").get("tokenizer_engine").asText());
        }
        assertTrue(res[0].get("detection").size() > 0);
        ((com.fasterxml.jackson.databind.node.ObjectNode) res[0]).remove("provenance");
        ((com.fasterxml.jackson.databind.node.ObjectNode) res[1]).remove("provenance");
        assertEquals(res[1], res[0]);
    }
}
