package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hallmark train-lm} end to end on a tiny corpus: stop, resume, finish, outputs. */
class TrainLmCommandTest {

    static String[] args(Path dir, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("train-lm",
                "--train", dir.resolve("train.jsonl").toString(), "--heldout", dir.resolve("held.jsonl").toString(),
                "--out", dir.resolve("model").toString(), "--checkpoint", dir.resolve("ck").toString(),
                "--output-size", "64", "--d-model", "16", "--layers", "1", "--heads", "2", "--ff", "32",
                "--context", "16", "--batch", "2", "--steps", "6", "--warmup", "1", "--checkpoint-every", "2"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    static String run(String[] args, int expectedExit) {
        StringWriter err = new StringWriter();
        CommandLine cl = Hallmark.commandLine();
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        assertEquals(expectedExit, code, err.toString());
        return err.toString();
    }

    @Test
    void stopsResumesAndWritesModelLossCurveAndMetrics(@TempDir Path dir) throws IOException {
        StringBuilder train = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            train.append("{\"id\":\"d").append(i).append("\",\"text\":\"The cat sat on the mat number ").append(i)
                    .append(". The dog ran to the park and back again.\"}\n");
        }
        Files.writeString(dir.resolve("train.jsonl"), train);
        Files.writeString(dir.resolve("held.jsonl"),
                "{\"id\":\"h\",\"text\":\"The cat ran to the mat and the dog sat on the park. The cat sat.\"}\n");

        String first = run(args(dir, "--stop-after", "3"), 0);
        assertTrue(first.contains("stopped at step 3 of 6"), first);
        assertTrue(Files.exists(dir.resolve("ck").resolve("state.json")));
        assertTrue(Files.notExists(dir.resolve("model").resolve("weights.ndlist")));

        String second = run(args(dir), 0);
        assertTrue(second.contains("resumed from"), second);
        assertTrue(second.contains("held-out perplexity"), second);
        for (String f : List.of("config.json", "id-map.json", "weights.ndlist", "loss.csv", "loss.png", "loss.svg",
                "metrics.json")) {
            assertTrue(Files.size(dir.resolve("model").resolve(f)) > 0, f);
        }
        List<String> csv = Files.readAllLines(dir.resolve("model").resolve("loss.csv"));
        assertEquals("step,loss,learning_rate", csv.get(0));
        assertEquals(7, csv.size(), "one row per step of both runs");
    }

    @Test
    void changedOptionsRefuseTheOldCheckpoint(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("train.jsonl"), "{\"text\":\"" + "a b c d e f g h i j k l m n o p. ".repeat(20) + "\"}\n");
        Files.writeString(dir.resolve("held.jsonl"), "{\"text\":\"" + "a b c d e f g. ".repeat(10) + "\"}\n");
        run(args(dir, "--stop-after", "2"), 0);
        String err = run(args(dir, "--lr", "0.01"), 2);
        assertTrue(err.contains("delete the checkpoint directory"), err);
    }
}
