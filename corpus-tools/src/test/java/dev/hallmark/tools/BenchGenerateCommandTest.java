package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.generate.TransformerConfig;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.text.HfTokenizer;
import dev.hallmark.text.Tokenizers;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hallmark bench-generate} on a tiny untrained model: structure of the report, not speed. */
class BenchGenerateCommandTest {

    static Path tinyModel(Path dir) {
        try (HfTokenizer tok = Tokenizers.locate(System::getProperty, System::getenv).open()) {
            // no <|endoftext|> in the id map: the model can never emit it, so completions run to --max-tokens
            int[] stream = tok.encode("In the beginning God created the heaven and the earth. And the earth was without"
                    + " form, and void; and darkness was upon the face of the deep. And God said, Let there be light.");
            try (TransformerLm lm = TransformerLm.create(new TransformerConfig(16, 1, 2, 32, 16),
                    TrainLmCommand.topIds(stream, tok.vocabularySize(), 64, stream[0]), stream[0], "bench-tiny", 3)) {
                lm.save(dir);
            }
        }
        return dir;
    }

    @Test
    void measuresEveryBatchAndModeInEveryRoundAndWritesRatios(@TempDir Path dir) throws IOException {
        Path model = tinyModel(dir.resolve("model"));
        Path prompts = dir.resolve("p.jsonl");
        Files.writeString(prompts, "{\"prompt\":\"And God said\"}\n{\"prompt\":\"Let there be light\"}\n"
                + "{\"prompt\":\"and there was light.\"}\n");
        Path out = dir.resolve("bench.json");
        StringWriter so = new StringWriter();
        StringWriter se = new StringWriter();
        CommandLine cl = Hallmark.commandLine();
        cl.setOut(new PrintWriter(so, true));
        cl.setErr(new PrintWriter(se, true));
        int code = cl.execute("bench-generate", "--model", model.toString(), "--prompts", prompts.toString(),
                "--schemes", "kgw,gumbel", "--batch-sizes", "1,2", "--tokens", "3", "--rounds", "2", "--out", out.toString());
        assertEquals(0, code, se.toString());
        String text = so.toString();
        assertTrue(text.contains("plain") && text.contains("gumbel:context=4")
                && text.contains("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash"), text);
        assertTrue(text.contains("load average"), text);

        JsonNode root = new ObjectMapper().readTree(out.toFile());
        // warm-up round discarded: 2 rounds x 2 batch sizes x 3 modes
        assertEquals(12, root.get("measurements").size());
        Set<String> seen = new HashSet<>();
        for (JsonNode m : root.get("measurements")) {
            int b = m.get("batch").asInt();
            assertEquals(3L * b, m.get("tokens").asLong(), "every sequence generates --tokens tokens");
            assertTrue(m.get("round").asInt() >= 1);
            assertTrue(m.get("modelCpuNs").asLong() > 0 && m.get("samplerCpuNs").asLong() > 0, m.toString());
            assertTrue(m.get("modelWallNs").asLong() + m.get("samplerWallNs").asLong() <= m.get("wallNs").asLong(),
                    "the timed parts lie inside the measured generation: " + m);
            assertTrue(seen.add(m.get("round").asInt() + "/" + b + "/" + m.get("mode").asText()), "measured once: " + m);
        }
        assertEquals(6, root.get("summary").size());
        for (JsonNode s : root.get("summary")) {
            if (s.get("mode").asText().equals("plain")) {
                assertEquals(1.0, s.get("ratioToPlain").asDouble(), 0.0);
                assertEquals(1.0, s.get("cpuRatioToPlain").asDouble(), 0.0);
                assertEquals(0.0, s.get("samplerExtraCpuUsPerToken").asDouble(), 0.0);
            }
            double share = s.get("samplerShareCpu").asDouble();
            assertTrue(share > 0 && share < 1, s.toString());
        }
    }

    @Test
    void rejectsBadSizesWithAClearMessage(@TempDir Path dir) {
        StringWriter se = new StringWriter();
        CommandLine cl = Hallmark.commandLine();
        cl.setErr(new PrintWriter(se, true));
        int code = cl.execute("bench-generate", "--batch-sizes", "0", "--prompts", dir.resolve("none.jsonl").toString());
        assertEquals(2, code, se.toString());
        assertTrue(se.toString().contains("batch sizes must be >= 1"), se.toString());
    }

    @Test
    void medianOfEvenAndOddCounts() {
        assertEquals(2.0, BenchGenerateCommand.median(new double[] {3, 1, 2}), 0.0);
        assertEquals(2.5, BenchGenerateCommand.median(new double[] {4, 1, 2, 3}), 0.0);
    }
}
