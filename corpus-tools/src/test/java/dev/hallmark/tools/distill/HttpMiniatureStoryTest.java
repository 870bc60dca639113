package dev.hallmark.tools.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.attribution.AccountCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP distillation story in miniature, over real sockets: a bigram teacher of a synthetic
 * language served by {@code hallmark serve} with coded keys for 40 accounts; one harvesting account
 * and five innocent ones send their prompts through the OpenAI-compatible client; a bigram student
 * of the harvest (rho = 100%) is served without a watermark and audited by {@code hallmark probe};
 * controls: a student of the same teacher served without a watermark, and a student that never saw
 * the lab's output while only innocents used the API.
 *
 * <p>Pre-stated levels: radioactivity ("carries some account's watermark") at alpha = 1e-3;
 * attribution at family-wise alpha = 1e-3 for coalitions of d = 1 (3 of 16 groups). Each control's
 * chance of a false detection or accusation is at most 1e-3 by construction.
 */
class HttpMiniatureStoryTest {

    static final int VOCAB = 1000;
    static final double ALPHA = 1e-3;

    @TempDir
    static Path work;
    static ObjectNode res;
    static String log;

    static List<String> texts(Codec c, List<int[]> docs) {
        List<String> out = new ArrayList<>();
        for (int[] d : docs) {
            out.add(c.decode(d, 0, d.length).strip());
        }
        return out;
    }

    @BeforeAll
    static void run() throws Exception {
        Codec codec = Codec.words(VOCAB);
        List<int[]> human = MiniatureDistillationTest.markov(400, 250, 1);
        HttpStory.Student bigram = new HttpStory.Student("ngram", "ngram", 2, List.of(1.0), 60_000, null);
        HttpStory.Setup setup = new HttpStory.Setup("http-miniature", 20261207, codec,
                new NgramLanguageModel(NgramModel.fit(human, VOCAB, 2), "mini-teacher"), "mini-teacher", human,
                texts(codec, MiniatureDistillationTest.prefixes(MiniatureDistillationTest.markov(200, 6, 2), 6)),
                texts(codec, MiniatureDistillationTest.prefixes(MiniatureDistillationTest.markov(200, 6, 3), 6)),
                new HttpStory.Lab(1, 40, AccountCode.defaults(), 1, ALPHA, 1, 5, "kgw:gamma=0.25,delta=2,context=1"),
                new HttpStory.Traffic(120, 4, 100, 1.0, 0.95, 8, 16),
                List.of(bigram),
                new HttpStory.Probe(100, 1.0, List.of(20_000L), 4, List.of("off", "served-all"), 5),
                new HttpStory.Controls(true, true, bigram), work, false);
        StringWriter err = new StringWriter();
        res = new HttpStory(setup, new PrintWriter(err, true)).run();
        log = err.toString();
    }

    static List<JsonNode> rows(String kind) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode r : res.get("rows")) {
            if (r.get("kind").asText().equals(kind)) {
                out.add(r);
            }
        }
        return out;
    }

    @Test
    void theLabServedItsAccountsOverHttp() {
        JsonNode lab = res.get("lab");
        assertEquals(1, lab.get("harvesting_accounts").size());
        assertTrue(lab.get("harvest_tokens").asLong() > 10_000, lab.toString());
        assertTrue(lab.get("innocent_tokens").asLong() > 1_000, lab.toString());
        JsonNode t = res.get("timings");
        assertTrue(t.get("teacher").get("requests").asInt() == 140, t.toString());
        assertTrue(t.has("teacher-unwatermarked") && t.has("total_seconds"), t.toString());
    }

    @Test
    void theStudentOfTheWatermarkedHarvestIsRadioactiveAndTheHarvesterIsFound() {
        long harvester = res.get("lab").get("harvesting_accounts").get(0).asLong();
        List<JsonNode> rows = rows("lab");
        assertEquals(2, rows.size(), "filters off and served-all at one budget");
        for (JsonNode r : rows) {
            assertTrue(r.get("tokens_probed").asLong() >= 20_000, r.toString());
            assertTrue(r.get("distilled_log10_p").asDouble() <= Math.log10(ALPHA), r.toString());
            assertTrue(r.get("harvester_log10_p").get(0).asDouble() <= Math.log10(ALPHA), r.toString());
            assertEquals(1, r.get("accused").size(), r.toString());
            assertEquals(harvester, r.get("accused").get(0).asLong());
            assertEquals(1, r.get("found").asInt());
            assertEquals(0, r.get("false_accused").asInt());
        }
    }

    @Test
    void controlsAreNotDetectedAndAccuseNobody() {
        for (String kind : new String[] {"control-unwatermarked-teacher", "control-innocent-only"}) {
            List<JsonNode> rows = rows(kind);
            assertEquals(2, rows.size(), kind);
            for (JsonNode r : rows) {
                assertTrue(r.get("tokens_probed").asLong() >= 20_000, r.toString());
                assertTrue(r.get("distilled_log10_p").asDouble() > Math.log10(ALPHA), kind + ": " + r);
                assertTrue(r.get("harvester_log10_p").get(0).asDouble() > Math.log10(ALPHA), kind + ": " + r);
                assertEquals(0, r.get("accused").size(), kind + ": " + r);
                assertFalse(r.get("radioactive").asBoolean());
            }
        }
    }

    @Test
    void neverDeployedMastersAccuseNobody() {
        int accusing = 0;
        int trials = 0;
        for (JsonNode r : res.get("rows")) {
            if (r.get("filter").asText().equals("off")) {
                accusing += r.get("calibration_accusing_masters").asInt();
                trials += r.get("calibration_masters").asInt();
            }
        }
        assertEquals(15, trials);
        // each trial accuses with probability <= 1e-3: two or more of 15 has probability < 1.1e-4
        assertTrue(accusing <= 1, "never-deployed masters that accused someone: " + accusing);
    }
}
