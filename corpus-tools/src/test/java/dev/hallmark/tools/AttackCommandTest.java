package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AttackCommandTest {

    @TempDir
    Path tmp;

    static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = Hallmark.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute(args);
        return new Run(code, err.toString());
    }

    private Path input() throws Exception {
        List<String> texts = HumanText.read(HumanText.defaultPath(), "text").subList(0, 5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            sb.append(JSON.writeValueAsString(JSON.createObjectNode().put("id", "doc" + i).put("source", "test")
                    .put("text", texts.get(i)))).append('\n');
        }
        sb.append(JSON.writeValueAsString(JSON.createObjectNode().put("id", "ids").set("ids",
                JSON.valueToTree(new int[] {5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})))).append('\n');
        Path in = tmp.resolve("in.jsonl");
        Files.writeString(in, sb.toString(), StandardCharsets.UTF_8);
        return in;
    }

    @Test
    void chainKeepsFieldsRecordsStepsAndIsReproducible() throws Exception {
        Path in = input();
        Path a = tmp.resolve("a.jsonl");
        Path b = tmp.resolve("b.jsonl");
        Path c = tmp.resolve("c.jsonl.gz");
        Run r = run("attack", "--kind", "typo,delete", "--strength", "0.1,0.2", "--seed", "9", "--input", in.toString(),
                "--out", a.toString(), "--quiet", "--keep-original");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("attacked 6 record(s)"), r.err());
        assertEquals(0, run("attack", "--kind", "typo", "--kind", "delete", "--strength", "0.1", "--strength", "0.2",
                "--seed", "9", "--input", in.toString(), "--out", b.toString(), "--quiet", "--keep-original").exit());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "repeated --kind equals a comma list; same seed, same bytes");
        assertEquals(0, run("attack", "--kind", "typo,delete", "--strength", "0.1,0.2", "--seed", "10",
                "--input", in.toString(), "--out", c.toString(), "--quiet").exit());
        List<String> lines = Files.readAllLines(a);
        assertEquals(6, lines.size());
        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals("doc0", first.get("id").asText());
        assertEquals("test", first.get("source").asText());
        assertFalse(first.get("text").asText().equals(first.get("original_text").asText()));
        JsonNode att = first.get("attack");
        assertEquals("typo", att.get("kinds").get(0).asText());
        assertEquals(0.2, att.get("strengths").get(1).asDouble());
        assertEquals(9, att.get("seed").asLong());
        assertEquals(2, att.get("steps").size());
        assertEquals("word", att.get("steps").get(0).get("unit").asText());
        assertEquals("token", att.get("steps").get(1).get("unit").asText());
        assertTrue(att.get("steps").get(1).get("changes").get("deleted").asLong() > 0);
        assertEquals("token", first.get("edit_unit").asText());
        double rate = first.get("edit_rate").asDouble();
        assertTrue(rate > 0.2 && rate < 0.5, "typo 0.1 of words then delete 0.2 of tokens: " + rate);
        JsonNode ids = JSON.readTree(lines.get(5));
        assertTrue(ids.get("ids").isArray(), "ids in, ids out");
        assertEquals(16, ids.get("original_ids").size());
        String other = new String(new java.util.zip.GZIPInputStream(Files.newInputStream(c)).readAllBytes(),
                StandardCharsets.UTF_8);
        assertFalse(other.split("\n")[0].equals(lines.get(0)), "another seed, another attack");
    }

    @Test
    void wordOnlyChainOnTextIsMeasuredInWordsAndAttackIsNested() throws Exception {
        Path in = input();
        Path a = tmp.resolve("a.jsonl");
        Path b = tmp.resolve("b.jsonl");
        assertEquals(0, run("attack", "--kind", "case", "--strength", "0.3", "--seed", "1", "--input", in.toString(),
                "--out", a.toString(), "--quiet").exit());
        assertEquals(0, run("attack", "--kind", "swap", "--strength", "0.1", "--seed", "2", "--input", a.toString(),
                "--out", b.toString(), "--quiet").exit());
        JsonNode o = JSON.readTree(Files.readAllLines(b).get(0));
        assertEquals("word", o.get("edit_unit").asText());
        assertEquals("swap", o.get("attack").get("kinds").get(0).asText());
        assertEquals("case", o.get("attack").get("previous").get("kinds").get(0).asText(),
                "an attack on attacked text keeps the earlier record");
        assertEquals(0.3, JSON.readTree(Files.readAllLines(a).get(0)).get("edit_rate").asDouble(), 0.05);
    }

    @Test
    void errorsAreClear() throws Exception {
        Path in = input();
        Run r = run("attack", "--kind", "blur", "--strength", "0.1", "--seed", "1", "--input", in.toString(),
                "--out", tmp.resolve("x.jsonl").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown attack kind 'blur'"), r.err());
        r = run("attack", "--kind", "delete,typo", "--strength", "0.1,0.2,0.3", "--seed", "1", "--input",
                in.toString(), "--out", tmp.resolve("x.jsonl").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("give one --strength for all kinds or one per kind: 2 kind(s), 3 strength(s)"), r.err());
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"text\": \"fine\"}\n{\"nope\": 1}\n");
        r = run("attack", "--kind", "case", "--strength", "0.1", "--seed", "1", "--input", bad.toString(),
                "--out", tmp.resolve("x.jsonl").toString(), "--quiet");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("line 2: no \"text\" string or \"ids\" array"), r.err());
    }
}
