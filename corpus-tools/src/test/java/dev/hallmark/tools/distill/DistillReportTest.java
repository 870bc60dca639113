package dev.hallmark.tools.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The results records serialise to the JSON that {@link DistillSummary}, the CSV writer,
 * {@code tables.py} and the committed results use: the names, their order, and nulls for what is
 * not finite.
 */
class DistillReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void aRowHasTheCommittedFieldsInOrderWithNullsForNonFiniteAndNoLossForNgramStudents() {
        DistillConfig.Run run = new DistillConfig.Run("sweep", "ngram", "kgw", null, 2, List.of(0.5), 1000L, 1, null,
                null, null, null, null, null, null, null, null, null);
        Students.Outputs o = new Students.Outputs(new Student(run, 0.5, 1),
                new Pipeline.Mix(List.of(), 400, 600, true), List.of(), Double.NaN, 812.5, 1.5);
        SuspectTester.Measurement m = new SuspectTester.Measurement("off", 500, 510, 3, 400, new long[] {11, 12},
                new double[] {-9.0, Double.NEGATIVE_INFINITY}, new double[] {0.3, Double.NaN}, new double[] {4, 3},
                12, -5.0, -6.0, new long[] {12}, 1, 0, 4, 9, 777, 4, -4.0);
        JsonNode row = JSON.valueToTree(ResultRow.of(o, "kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", m));
        assertEquals(List.of("run", "student", "corpus", "scheme", "harvesters", "rho", "rho_realised", "train_tokens",
                "watermarked_tokens", "human_tokens", "mix_capped", "seed", "master", "filter", "budget", "tokens_read",
                "documents", "tuples_scored", "harvesting_accounts", "account_log10_p", "account_statistic",
                "account_z", "scan_best_account", "scan_log10_p", "distilled_log10_p", "accused", "found",
                "false_accused", "innocent_max_positive_groups", "threshold", "exposed_innocent",
                "exposed_innocent_shared_groups", "exposed_innocent_log10_p", "exposed_innocent_accused", "attack",
                "student_perplexity", "student_seconds"), names(row), "no student_final_loss for an n-gram student");
        assertEquals("none", row.get("attack").asText());
        assertEquals(812.5, row.get("student_perplexity").asDouble(), 0.0);
        assertEquals(0.4, row.get("rho_realised").asDouble(), 1e-12);
        assertTrue(row.get("account_log10_p").get(1).isNull() && row.get("account_statistic").get(1).isNull());
        assertEquals(1, row.get("seed").asInt());
        assertEquals("lab", row.get("master").asText());
        assertFalse(row.get("exposed_innocent_accused").asBoolean());

        Students.Outputs neural = new Students.Outputs(o.student(), o.mix(), List.of(), 3.25, Double.NaN, 2.0);
        JsonNode n = JSON.valueToTree(ResultRow.of(neural, "kgw", m));
        assertEquals(3.25, n.get("student_final_loss").asDouble(), 0.0);
        assertEquals("student_final_loss", names(n).get(13));
        assertFalse(n.has("student_perplexity"), "no perplexity for a neural student");
    }

    @Test
    void uniformityIsReportedPerLevelWithItsSnakeCaseNames() {
        JsonNode u = JSON.valueToTree(DistillReport.UniformityReport.of(new double[] {-0.1, -0.5, -2.5, -0.01}));
        assertEquals(List.of("n", "ks_statistic", "ks_p_value", "rejections", "not_anticonservative"), names(u));
        assertEquals(4, u.get("n").asInt());
        assertEquals(NullChecks.LEVELS.length, u.get("rejections").size());
        JsonNode first = u.get("rejections").get(0);
        assertEquals(List.of("level", "count", "rate", "ci95_lower", "ci95_upper", "band99_upper"), names(first));
        assertEquals(0.001, first.get("level").asDouble(), 0.0);
        assertEquals(0, first.get("count").asInt(), "no p-value at or below 0.001");
        JsonNode second = u.get("rejections").get(1);
        assertEquals(0.01, second.get("level").asDouble(), 0.0);
        assertEquals(1, second.get("count").asInt(), "one p-value (10^-2.5) at or below 0.01");
        assertEquals(0.25, second.get("rate").asDouble(), 0.0);
        assertEquals(1, second.get("band99_upper").asInt(), "Binomial(4, 0.01): P(count > 1) <= 0.5%");

        JsonNode empty = JSON.valueToTree(DistillReport.UniformityReport.of(new double[0]));
        assertEquals("NaN", empty.get("rejections").get(0).get("rate").asText(), "no p-values: no rate");
    }
}
