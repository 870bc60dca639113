package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.text.HfTokenizer;
import dev.hallmark.text.Tokenizers;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static final List<String> DOCS = List.of(
            "In the beginning God created the heaven and the earth.",
            "", "It's we'll   spaces\t\ttabs\r\n\r\nand 1234567 numbers 3.14",
            "<|im_start|>user\nhi<|im_end|><think>x</think>",
            "漢字かなカナ 한국어 العربية עברית 👨‍👩‍👧 e\u0301 \u212B",
            "lone \ud800 surrogate and nul \u0000 char",
            "    def f(x):\n        return {\"a\": [1, 2]}  # comment\n");

    static Path jsonl(Path dir, String name, String field) throws Exception {
        StringBuilder b = new StringBuilder();
        for (String d : DOCS) {
            // non-ASCII escaped: the lone surrogate travels as a JSON escape
            b.append(JSON.writer().with(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII)
                    .writeValueAsString(java.util.Map.of(field, d, "id", "x"))).append('\n');
        }
        Path p = dir.resolve(name);
        if (name.endsWith(".gz")) {
            try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(p))) {
                os.write(b.toString().getBytes(StandardCharsets.UTF_8));
            }
        } else {
            Files.writeString(p, b.toString());
        }
        return p;
    }

    static List<int[]> readIds(Path p) throws Exception {
        List<int[]> out = new ArrayList<>();
        List<String> lines = p.toString().endsWith(".gz")
                ? new String(new GZIPInputStream(Files.newInputStream(p)).readAllBytes(), StandardCharsets.UTF_8).lines().toList()
                : Files.readAllLines(p);
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            assertEquals(1, n.size(), "one field per line: " + line);
            int[] ids = new int[n.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = n.get("ids").get(i).asInt();
            }
            out.add(ids);
        }
        return out;
    }

    @Test
    void bothEnginesWriteIdenticalFilesWithHfIds(@TempDir Path dir) throws Exception {
        Path in = jsonl(dir, "in.jsonl", "text");
        Path fast = dir.resolve("fast.jsonl");
        Path hf = dir.resolve("out/hf.jsonl");
        DetectInteropTest.Run a = DetectInteropTest.run("tokenize", "--engine", "fast", "--input", in.toString(),
                "--out", fast.toString());
        DetectInteropTest.Run b = DetectInteropTest.run("tokenize", "--engine", "hf", "--input", in.toString(),
                "--out", hf.toString());
        assertEquals(0, a.exit(), a.err());
        assertEquals(0, b.exit(), b.err());
        assertTrue(a.err().contains("tokenize: engine fast, 7 documents"), a.err());
        assertTrue(b.err().contains("tokenize: engine hf, 7 documents"), b.err());
        assertArrayEquals(Files.readAllBytes(hf), Files.readAllBytes(fast));
        List<int[]> ids = readIds(fast);
        assertEquals(DOCS.size(), ids.size());
        try (HfTokenizer tok = HfTokenizer.open(Tokenizers.locate(System::getProperty, System::getenv).path())) {
            for (int i = 0; i < DOCS.size(); i++) {
                assertArrayEquals(tok.encode(DOCS.get(i)), ids.get(i), DOCS.get(i));
            }
        }
        assertEquals("{\"ids\": []}", Files.readAllLines(fast).get(1));
    }

    @Test
    void textFormatFieldAndGzip(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("doc.txt");
        Files.writeString(text, String.join("\n\n", DOCS).replace("\ud800", "?"));
        Path out = dir.resolve("ids.jsonl.gz");
        DetectInteropTest.Run r = DetectInteropTest.run("tokenize", "--input", text.toString(), "--format", "text",
                "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        List<int[]> ids = readIds(out);
        assertEquals(1, ids.size());
        try (HfTokenizer tok = HfTokenizer.open(Tokenizers.locate(System::getProperty, System::getenv).path())) {
            assertArrayEquals(tok.encode(Files.readString(text)), ids.get(0));
        }
        Path in = jsonl(dir, "in.jsonl.gz", "body");
        Path o2 = dir.resolve("o2.jsonl");
        r = DetectInteropTest.run("tokenize", "--input", in.toString(), "--field", "body", "--out", o2.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(DOCS.size(), readIds(o2).size());
    }

    @Test
    void clearErrors(@TempDir Path dir) throws Exception {
        Path in = jsonl(dir, "in.jsonl", "text");
        Path out = dir.resolve("o.jsonl");
        DetectInteropTest.Run r = DetectInteropTest.run("tokenize", "--engine", "rust", "--input", in.toString(),
                "--out", out.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown tokenizer engine 'rust'") && r.err().contains("fast, hf"), r.err());

        r = DetectInteropTest.run("tokenize", "--input", dir.resolve("missing.jsonl").toString(), "--out", out.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("missing.jsonl: no such file"), r.err());

        r = DetectInteropTest.run("tokenize", "--input", in.toString(), "--field", "body", "--out", out.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("line 1") && r.err().contains("\"body\""), r.err());

        Path numbers = dir.resolve("num.jsonl");
        Files.writeString(numbers, "{\"text\": \"ok\"}\n{\"text\": [1, 2]}\n");
        r = DetectInteropTest.run("tokenize", "--input", numbers.toString(), "--out", out.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("line 2") && r.err().contains("\"text\" is not a string"), r.err());

        r = DetectInteropTest.run("tokenize", "--input", in.toString(), "--format", "ids", "--out", out.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--format ids"), r.err());

        Path wordLevel = dir.resolve("wordlevel.json");
        Files.writeString(wordLevel, "{\"version\":\"1.0\",\"added_tokens\":[],\"normalizer\":null,"
                + "\"pre_tokenizer\":{\"type\":\"Whitespace\"},\"post_processor\":null,\"decoder\":null,"
                + "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"[UNK]\":0,\"hello\":1,\"world\":2},\"unk_token\":\"[UNK]\"}}");
        Path plain = dir.resolve("plain.txt");
        Files.writeString(plain, "hello world foo");
        r = DetectInteropTest.run("tokenize", "--input", plain.toString(), "--format", "text", "--tokenizer",
                wordLevel.toString(), "--out", out.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("does not support") && r.err().contains("WordLevel") && r.err().contains("--engine hf"),
                r.err());
        r = DetectInteropTest.run("tokenize", "--engine", "hf", "--input", plain.toString(), "--format", "text",
                "--tokenizer", wordLevel.toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertArrayEquals(new int[] {1, 2, 0}, readIds(out).get(0));
    }

    /** Plain JSONL is read by the streaming reader: the same checks and messages as the tree reader. */
    @Test
    void streamingJsonlReaderChecksLikeTheTreeReader(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("o.jsonl");
        Path in = dir.resolve("in.jsonl");
        // blank lines skipped; other fields (nested too) ignored; a repeated field: the last one counts, as in a tree
        Files.writeString(in, "\n{\"id\": {\"a\": [1, {\"b\": null}]}, \"text\": \"first\", \"n\": 3}\n   \n"
                + "{\"text\": \"dropped\", \"text\": \"second\"} trailing\n");
        DetectInteropTest.Run r = DetectInteropTest.run("tokenize", "--input", in.toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        List<int[]> ids = readIds(out);
        assertEquals(2, ids.size());
        try (HfTokenizer tok = HfTokenizer.open(Tokenizers.locate(System::getProperty, System::getenv).path())) {
            assertArrayEquals(tok.encode("first"), ids.get(0));
            assertArrayEquals(tok.encode("second"), ids.get(1));
        }
        String[][] bad = {
            {"{\"text\": \"ok\"}\n[1, 2]\n", "line 2: expected a JSON object"},
            {"{\"text\": \"ok\"}\n{\"text\": \"unterminated}\n", "line 2: not valid JSON"},
            {"{\"text\": 7}\n", "line 1: no \"text\" string or \"text\" array"},
            {"{\"text\": null}\n", "line 1: no \"text\" string"},
        };
        for (String[] b : bad) {
            Files.writeString(in, b[0]);
            r = DetectInteropTest.run("tokenize", "--input", in.toString(), "--out", out.toString());
            assertEquals(2, r.exit(), b[0]);
            assertTrue(r.err().contains(b[1]), r.err());
        }
        Files.write(in, new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, '"', '}', '\n'});
        r = DetectInteropTest.run("tokenize", "--input", in.toString(), "--out", out.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("not valid UTF-8 near line 1"), r.err());
    }

    @Test
    void idsAreWrittenAsDecimalBytes() {
        byte[] b = new byte[32];
        for (int v : new int[] {0, 7, 9, 10, 99, 100, 151_668, 1_000_000, Integer.MAX_VALUE, -5}) {
            int end = TokenizeCommand.IdsWriter.digits(v, b, 3);
            assertEquals(Integer.toString(v), new String(b, 3, end - 3, StandardCharsets.US_ASCII));
        }
    }

    /**
     * A command line that names a subcommand registers only that one (a short run does not pay for
     * building every command's model); anything else gets them all, so help and suggestions work.
     */
    @Test
    void onlyTheNamedSubcommandIsBuilt() {
        assertEquals(List.of("tokenize"), List.copyOf(Hallmark.commandLineFor(new String[] {"tokenize", "--input", "x"})
                .getSubcommands().keySet()));
        int all = Hallmark.commandLine().getSubcommands().size();
        assertEquals(Hallmark.SUBCOMMANDS.length, all);
        assertEquals(all, Hallmark.commandLineFor(new String[] {"--help"}).getSubcommands().size());
        assertEquals(all, Hallmark.commandLineFor(new String[] {"tokenise"}).getSubcommands().size());
        assertEquals(all, Hallmark.commandLineFor(new String[0]).getSubcommands().size());
    }

    /** Other commands take --engine too, with the same ids: detect's report is the same with either engine. */
    @Test
    void detectGivesTheSameReportWithEitherEngine(@TempDir Path dir) throws Exception {
        Path keyFile = dir.resolve("k.json");
        assertEquals(0, DetectInteropTest.run("keygen", "--out", keyFile.toString()).exit());
        Path in = jsonl(dir, "in.jsonl", "text");
        DetectInteropTest.Run fast = DetectInteropTest.run("detect", "--scheme", "kgw", "--key", keyFile.toString(), "--input", in.toString(),
                "--json");
        DetectInteropTest.Run hf = DetectInteropTest.run("detect", "--scheme", "kgw", "--key", keyFile.toString(), "--input", in.toString(),
                "--json", "--engine", "hf");
        assertEquals(0, fast.exit(), fast.err());
        assertEquals(0, hf.exit(), hf.err());
        assertTrue(fast.out().contains("log10_p"), fast.out());
        assertEquals(fast.out(), hf.out());
        DetectInteropTest.Run bad = DetectInteropTest.run("detect", "--scheme", "kgw", "--key", keyFile.toString(), "--input", in.toString(),
                "--engine", "rust");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--engine") && bad.err().contains("unknown tokenizer engine 'rust'"), bad.err());
    }
}
