package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.tools.experiment.Rate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The commands' result records serialise with the field names, order and null conventions of the
 * files they write (detection-report's report, generate's JSONL, the experiment's rates).
 */
class ResultJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void falsePositiveRowsLeaveOutTheRateWithoutTrialsAndWriteNullForUndefinedSpread() {
        DetectionReportCommand.FprResult some = new DetectionReportCommand.FprResult("kgw", "human text h.jsonl", 5, 4,
                1e-3, 20, 1, Rate.of(1, 20), 0.01, Double.NaN);
        JsonNode j = JSON.valueToTree(some);
        assertEquals(List.of("scheme", "set", "texts", "keysPerText", "alpha", "trials", "flagged", "rate", "ci95Lower",
                "ci95Upper", "keyStandardError", "dispersion"), names(j));
        assertEquals(0.05, j.get("rate").asDouble(), 0.0);
        assertTrue(j.get("dispersion").isNull(), "NaN dispersion is null");

        JsonNode none = JSON.valueToTree(new DetectionReportCommand.FprResult("kgw", "s", 0, 4, 1e-3, 0, 0,
                Rate.of(0, 0), Double.NaN, Double.NaN));
        assertFalse(none.has("rate") || none.has("ci95Lower") || none.has("ci95Upper"), none.toString());
        assertTrue(none.get("keyStandardError").isNull());
    }

    @Test
    void tokensToDetectWritesNeverDetectedAsNull() {
        JsonNode j = JSON.valueToTree(new DetectionReportCommand.PowerResult("kgw", "g.jsonl", 3, 120, 40, 1, 2, 40,
                17, 17, 17, Double.POSITIVE_INFINITY, 1));
        assertEquals(List.of("scheme", "file", "texts", "completionTokens", "medianCompletionLength", "detected",
                "neverDetected", "medianLengthNeverDetected", "medianTokensDetected", "q25TokensDetected",
                "q75TokensDetected", "medianTokensAll", "flaggedAtPrimaryAlpha"), names(j));
        assertTrue(j.get("medianTokensAll").isNull());
    }

    @Test
    void aGeneratedLineKeepsItsSnakeCaseFieldsAndANullKeyWithoutWatermark() throws Exception {
        String line = JSON.writeValueAsString(new GenerateCommand.Completion("gen-0", "p", "c", new int[] {5, 6},
                new int[] {1}, "none", null, "m", "length", 1.0, 0.95, 0, 1));
        assertEquals("{\"id\":\"gen-0\",\"prompt\":\"p\",\"completion\":\"c\",\"completion_ids\":[5,6],\"prompt_ids\":[1],"
                + "\"scheme\":\"none\",\"key_id\":null,\"model\":\"m\",\"stop_reason\":\"length\",\"temperature\":1.0,"
                + "\"top_p\":0.95,\"top_k\":0,\"seed\":1}", line);
    }

    @Test
    void aRateIsCountNAndItsIntervalWithoutTheConfidenceAndNullForNoTrials() {
        JsonNode r = JSON.valueToTree(Rate.of(3, 10));
        assertEquals(List.of("count", "n", "rate", "lower", "upper"), names(r));
        JsonNode empty = JSON.valueToTree(Rate.of(0, 0));
        assertTrue(empty.get("rate").isNull());
        assertEquals(1.0, empty.get("upper").asDouble(), 0.0);
    }

    @Test
    void everySubcommandClassIsNamedCommand() {
        for (Class<?> c : Hallmark.SUBCOMMANDS) {
            assertTrue(c.getSimpleName().endsWith("Command"), c.getName());
        }
    }
}
