package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hallmark calibrate} in miniature: ids in, report out (text and JSON), bad options named. */
class CalibrateCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void reportsRatesPerLengthAndAlphaWithAVerdict(@TempDir Path dir) throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        StringBuilder sb = new StringBuilder();
        for (int d = 0; d < 41; d++) {
            StringBuilder ids = new StringBuilder();
            // Zipf-ish text: repeated common tokens, like real text
            for (int i = 0; i < 220; i++) {
                ids.append(i > 0 ? "," : "").append((int) Math.floor(Math.pow(2000, r.nextDouble())));
            }
            String line = "{\"ids\":[" + ids + "]}\n";
            sb.append(line);
            if (d == 40) {
                sb.append(line); // one exact duplicate
            }
        }
        Path corpus = dir.resolve("mine.jsonl");
        Files.writeString(corpus, sb, StandardCharsets.UTF_8);
        DetectInteropTest.Run run = DetectInteropTest.run("calibrate", "--corpus", corpus.toString(), "--scheme", "kgw",
                "--keys", "12", "--lengths", "50,100,1000", "--alphas", "0.01", "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode rep = JSON.readTree(run.out());
        assertEquals(12, rep.get("keys").asInt());
        assertEquals(1, rep.get("diagnostics").get("duplicates_removed").asInt());
        assertEquals(3, rep.get("cells").size());
        JsonNode c50 = rep.get("cells").get(0);
        assertEquals(41 * 4 * 12, c50.get("tests").asInt(), "4 windows of 50 in each 220-token document, 12 keys");
        assertEquals("ok", c50.get("verdict").asText(), c50.toString());
        assertTrue(rep.get("cells").get(2).get("rate").isNull(), "no window of 1000 tokens: null, not NaN");
        assertEquals("no-windows", rep.get("cells").get(2).get("verdict").asText());
        assertTrue(rep.get("nominal_holds").asBoolean(), rep.toString());

        DetectInteropTest.Run text = DetectInteropTest.run("calibrate", "--corpus", corpus.toString(), "--scheme",
                "gumbel", "--keys", "5", "--lengths", "100");
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("verdict: the nominal p-values hold"), text.out());
        assertTrue(text.out().contains("(1 exact duplicates removed)"), text.out());

        DetectInteropTest.Run bad = DetectInteropTest.run("calibrate", "--corpus", corpus.toString(), "--scheme", "kgw",
                "--keys", "0");
        assertNotEquals(0, bad.exit());
        assertTrue(bad.err().contains("--keys must be in [1, 100000]"), bad.err());
        bad = DetectInteropTest.run("calibrate", "--corpus", corpus.toString(), "--scheme", "kgw", "--lengths", "1");
        assertNotEquals(0, bad.exit());
        assertTrue(bad.err().contains("window lengths must be >= 2"), bad.err());
    }
}
