package dev.hallmark.tools.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.tools.Hallmark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hallmark distill} end to end on a tiny config (n-gram teacher, real tokenizer): outputs and caching. */
class DistillCommandTest {

    static String config(Path dir, int maxNewTokens) {
        return """
                name: tiny
                seed: 7
                work: %s
                lab:
                  accounts: 24000
                  harvesters: 2
                teacher:
                  model: ngram:2
                  prompts: 12
                  max_new_tokens: %d
                  batch: 6
                corpora:
                  - name: kgw
                    scheme: kgw:gamma=0.25,delta=2,context=1
                    shares: [0.5, 0.5]
                  - name: plain
                    scheme: none
                    prompts: 6
                human:
                  path: %s
                suspect:
                  prompts: %s
                  tokens_per_prompt: 50
                  budgets: [300, 600]
                  filters: [off, served-top-50, repeated-2]
                runs:
                  - name: sweep
                    corpus: kgw
                    rho: [0, 1.0]
                    train_tokens: 4000
                    calibration_keys: 4
                  - name: attribution
                    corpus: kgw
                    harvesters: 2
                    rho: [1.0]
                    train_tokens: 4000
                  - name: control
                    corpus: plain
                    scheme: kgw:gamma=0.25,delta=2,context=1
                    rho: [1.0]
                    train_tokens: 2000
                    seeds: 5
                    fresh_masters: true
                """.formatted(dir.resolve("work"), maxNewTokens, dir.resolve("human.jsonl"), dir.resolve("prompts.jsonl"));
    }

    static void inputs(Path dir) throws IOException {
        String[] words = "the quick brown fox jumps over a lazy dog while seven wise owls watch from old oak trees near "
                .split(" ");
        StringBuilder human = new StringBuilder();
        for (int d = 0; d < 20; d++) {
            StringBuilder text = new StringBuilder();
            for (int line = 0; line < 3; line++) {
                for (int w = 0; w < 80; w++) {
                    text.append(words[(d * 7 + line * 3 + w * (1 + d % 5)) % words.length]).append(' ');
                }
                text.append("\\n");
            }
            human.append("{\"id\":\"d").append(d).append("\",\"text\":\"").append(text).append("\"}\n");
        }
        Files.writeString(dir.resolve("human.jsonl"), human);
        Files.writeString(dir.resolve("prompts.jsonl"), """
                {"prompt": "seven wise owls watch the lazy dog"}
                {"prompt": "a quick brown fox jumps over old oak trees"}
                {"prompt": "the lazy dog"}
                """);
    }

    static String[] run(Path dir, int expectedExit, String... extra) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Hallmark.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> args = new java.util.ArrayList<>(List.of("distill", "--config", dir.resolve("tiny.yaml").toString(),
                "--out", dir.resolve("out").toString()));
        args.addAll(List.of(extra));
        int code = cl.execute(args.toArray(new String[0]));
        assertEquals(expectedExit, code, err.toString());
        return new String[] {out.toString(), err.toString()};
    }

    @Test
    void runsEndToEndWritesResultsAndReusesTheTeacherCorpora(@TempDir Path dir) throws IOException {
        inputs(dir);
        Files.writeString(dir.resolve("tiny.yaml"), config(dir, 30));
        String[] first = run(dir, 0);
        assertTrue(first[1].contains("generating teacher corpus kgw"), first[1]);
        assertTrue(first[0].contains("## Run `sweep`") && first[0].contains("## Null trials"), first[0]);
        Path out = dir.resolve("out");
        for (String f : List.of("tiny.json", "tiny-rows.csv", "tiny-summary.md", "tiny-calibration.csv",
                "tiny-sweep-tokens.png", "tiny-sweep-tokens.svg", "tiny-control-qq.png")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        JsonNode res = new ObjectMapper().readTree(out.resolve("tiny.json").toFile());
        assertEquals("tiny", res.get("experiment").asText());
        assertEquals(24_000, res.get("config").get("lab").get("accounts").asInt(), "the resolved config is recorded");
        assertTrue(res.get("manifest").has("git_commit"));
        assertEquals(2, res.get("lab").get("harvesting_accounts").size());
        // rows: sweep 2 rho x 2 budgets x 3 filters, attribution 1 x 2 x 3, control 5 x 2 x 3
        assertEquals(12 + 6 + 30, res.get("rows").size());
        JsonNode row = res.get("rows").get(0);
        for (String k : List.of("rho_realised", "tokens_read", "tuples_scored", "account_log10_p", "scan_log10_p",
                "distilled_log10_p", "accused", "false_accused", "innocent_max_positive_groups")) {
            assertTrue(row.has(k), k);
        }
        assertEquals(5, res.get("null_checks").get("control").get("off").get("trials").asInt());
        assertEquals(5, res.get("null_checks").get("control").get("off").get("account_test").get("n").asInt());
        assertEquals(2 * 4, res.get("calibration").get("sweep|off").get("n").asInt(), "2 students x 4 keys");
        List<String> csv = Files.readAllLines(out.resolve("tiny-rows.csv"));
        assertEquals(1 + 48, csv.size());
        assertTrue(csv.get(0).startsWith("run,student,corpus,scheme,harvesters,rho,"));

        // second run: the cached teacher corpora are reused, not regenerated
        String[] second = run(dir, 0, "--teacher-only");
        assertFalse(second[1].contains("generating teacher corpus"), second[1]);
        assertTrue(second[1].contains("teacher corpus kgw (kgw:gamma=0.25,delta=2,context=1,seeding=lefthash): 12 "
                + "completions"), second[1]);

        // other teacher settings with the same work directory: refused, nothing overwritten
        long before = Files.size(dir.resolve("work").resolve("teacher-kgw.jsonl"));
        Files.writeString(dir.resolve("tiny.yaml"), config(dir, 31));
        String[] third = run(dir, 2);
        assertTrue(third[1].contains("generated with other settings"), third[1]);
        assertEquals(before, Files.size(dir.resolve("work").resolve("teacher-kgw.jsonl")));
    }

    /**
     * The two tokenizer engines give the same ids, so the whole experiment gives the same results:
     * tiny.json is identical with --engine fast and --engine hf (fresh work directories, so that no
     * tokenized text is shared), except for timings and the engine's name in the manifest.
     */
    @Test
    void bothTokenizerEnginesGiveTheSameResults(@TempDir Path dir) throws IOException {
        inputs(dir);
        Files.writeString(dir.resolve("tiny.yaml"), config(dir, 30));
        JsonNode[] res = new JsonNode[2];
        String[] engines = {"fast", "hf"};
        for (int i = 0; i < 2; i++) {
            CommandLine cl = Hallmark.commandLine();
            StringWriter err = new StringWriter();
            cl.setOut(new PrintWriter(new StringWriter(), true));
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute("distill", "--config", dir.resolve("tiny.yaml").toString(), "--engine", engines[i],
                    "--work", dir.resolve("work-" + engines[i]).toString(),
                    "--out", dir.resolve("out-" + engines[i]).toString());
            assertEquals(0, code, err.toString());
            assertTrue(err.toString().contains("generating teacher corpus kgw"), err.toString());
            res[i] = new ObjectMapper().readTree(dir.resolve("out-" + engines[i]).resolve("tiny.json").toFile());
        }
        assertEquals(engines[0], res[0].get("manifest").get("tokenizer_engine").asText());
        assertEquals(engines[1], res[1].get("manifest").get("tokenizer_engine").asText());
        assertEquals(withoutTimings(res[1]), withoutTimings(res[0]));
    }

    /** A copy without the manifest (times, engine) and the generation times of the teacher corpora. */
    static JsonNode withoutTimings(JsonNode res) {
        com.fasterxml.jackson.databind.node.ObjectNode c = res.deepCopy();
        c.remove("manifest");
        for (JsonNode t : c.get("teacher_corpora")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) t).remove(List.of("generation_seconds", "tokens_per_second"));
        }
        for (JsonNode r : c.path("rows")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) r).remove("student_seconds");
        }
        return c;
    }
}
