package dev.hallmark.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The text formats: detection, JSONL field paths, chat dialects, CSV/TSV, text, gzip and zstd, and their errors. */
class CorpusReaderTest {

    @TempDir
    Path dir;

    static List<Document> read(Path f, CorpusOptions o) throws IOException {
        List<Document> out = new ArrayList<>();
        try (CorpusReader r = CorpusReader.open(f, o)) {
            for (Document d = r.next(); d != null; d = r.next()) {
                out.add(d);
            }
        }
        return out;
    }

    static CorpusReader drained(Path f, CorpusOptions o) throws IOException {
        CorpusReader r = CorpusReader.open(f, o);
        while (r.next() != null) {
            // read all
        }
        return r;
    }

    Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    static CorpusException fails(Path f, CorpusOptions o, CorpusException.Kind kind, String message) {
        CorpusException e = assertThrows(CorpusException.class, () -> read(f, o));
        assertEquals(kind, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(message), () -> "message should contain '" + message + "': " + e.getMessage());
        return e;
    }

    @Test
    void jsonlWithNestedFieldPathIdsAndRecordIds() throws IOException {
        Path f = file("a.jsonl", """
                {"id": "r1", "response": {"text": "first answer"}}

                {"id": 7, "response": {"text": "second"}, "extra": [1, 2]}
                {"response": {"text": [5, 6, 7]}}
                """);
        List<Document> d = read(f, CorpusOptions.defaults().withField("response.text"));
        assertEquals(3, d.size());
        assertEquals("first answer", d.get(0).text());
        assertEquals("r1", d.get(0).recordId());
        assertEquals(1, d.get(0).line());
        assertEquals("7", d.get(1).recordId());
        assertEquals(3, d.get(1).line(), "blank lines count");
        assertArrayEquals(new int[] {5, 6, 7}, d.get(2).ids());
        assertNull(d.get(2).text());
        assertEquals(-1, d.get(0).turn());
        try (CorpusReader r = drained(f, CorpusOptions.defaults().withField("response.text"))) {
            assertEquals(CorpusFormat.JSONL, r.info().format());
            assertTrue(r.info().detected());
            assertEquals("response.text", r.info().field());
            assertEquals(3, r.counts().records());
        }
        // a key holding the whole dotted path wins; array segments index
        Path g = file("b.jsonl", "{\"a.b\": \"flat\", \"a\": {\"b\": \"nested\"}}\n{\"a.b\": \"x\"}\n");
        assertEquals("flat", read(g, CorpusOptions.defaults().withField("a.b")).get(0).text());
        Path h = file("c.jsonl", "{\"choices\": [{\"text\": \"zero\"}, {\"text\": \"one\"}]}\n");
        assertEquals("one", read(h, CorpusOptions.defaults().withField("choices.1.text")).get(0).text());
        fails(f, CorpusOptions.defaults().withField("response.missing"), CorpusException.Kind.MISSING_FIELD,
                "line 1: no field 'response.missing'");
    }

    @Test
    void defaultFieldIsTextThenCompletionAsGenerateWrites() throws IOException {
        Path gen = file("gen.jsonl", "{\"id\": \"gen-0\", \"prompt\": \"Once\", \"completion\": \"upon a time\","
                + " \"prompt_ids\": [1, 2], \"completion_ids\": [3, 4]}\n");
        List<Document> d = read(gen, CorpusOptions.defaults().withPrompts(true));
        assertEquals("upon a time", d.get(0).text());
        assertArrayEquals(new int[] {1, 2}, d.get(0).promptIds(), "prompt_ids win over prompt text");
        assertEquals("gen-0", d.get(0).recordId());
        assertEquals("x", read(file("t.jsonl", "{\"text\": \"x\", \"completion\": \"y\"}\n"), CorpusOptions.defaults())
                .get(0).text());
        fails(file("n.jsonl", "{\"body\": \"x\", \"title\": \"t\"}\n"), CorpusOptions.defaults(),
                CorpusException.Kind.MISSING_FIELD, "line 1: no field 'text' or 'completion' and not a chat record; name "
                        + "the field that holds the documents (fields: body, title)");
    }

    @Test
    void jsonlErrorsNameTheLine() throws IOException {
        fails(file("bad.jsonl", "{\"text\": \"ok\"}\n{\"text\": \"cut\n"), CorpusOptions.defaults(),
                CorpusException.Kind.MALFORMED, "line 2: not valid JSON");
        fails(file("arr.jsonl", "{\"text\": \"ok\"}\n[1]\n"), CorpusOptions.defaults(), CorpusException.Kind.MALFORMED,
                "line 2: expected a JSON object, got array");
        fails(file("num.jsonl", "{\"text\": \"ok\"}\n{\"text\": 5}\n"), CorpusOptions.defaults(),
                CorpusException.Kind.MALFORMED, "line 2: field 'text' must be a string (text) or an array of token ids");
        fails(file("ids.jsonl", "{\"text\": [1, -2]}\n"), CorpusOptions.defaults(), CorpusException.Kind.MALFORMED,
                "line 1: field 'text' element 1 is not a non-negative integer token id");
        fails(file("whole.json", "[{\"text\": \"a\"}]\n"), CorpusOptions.defaults(), CorpusException.Kind.MALFORMED,
                "line 1: a JSON array, not JSON Lines");
        byte[] bad = "{\"text\": \"ok\"}\n{\"text\": \"\u00e9\"}\n".getBytes(StandardCharsets.UTF_8);
        bad[bad.length - 5] = (byte) 0xff;
        Path u = Files.write(dir.resolve("utf.jsonl"), bad);
        fails(u, CorpusOptions.defaults(), CorpusException.Kind.INVALID_UTF8, "line 2: not valid UTF-8");
        Path big = file("big.jsonl", "{\"text\": \"" + "x".repeat(200) + "\"}\n");
        fails(big, CorpusOptions.defaults().withLimits(new Limits(1 << 20, 200, 100)), CorpusException.Kind.TOO_LARGE,
                "line 1: longer than 100 characters");
    }

    static final String OPENAI = """
            {"id": "c1", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi?"}, \
            {"role": "assistant", "content": "Hello."}, {"role": "user", "content": [{"type": "text", "text": "More"}, \
            {"type": "image_url", "image_url": {"url": "x"}}, {"type": "text", "text": "please"}]}, \
            {"role": "assistant", "content": [{"type": "text", "text": "Sure, more."}]}]}
            {"id": "c2", "messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": null, \
            "tool_calls": [{"id": "t"}]}, {"role": "tool", "content": "42"}, {"role": "assistant", "content": "It is 42."}]}
            """;

    @Test
    void openAiMessagesAllTurnsWithPromptsAndRoleCounts() throws IOException {
        Path f = file("chat.jsonl", OPENAI);
        CorpusOptions o = CorpusOptions.defaults().withPrompts(true);
        List<Document> d = read(f, o);
        assertEquals(List.of("Hello.", "Sure, more.", "It is 42."), d.stream().map(Document::text).toList());
        assertEquals("Be brief.\nHi?", d.get(0).prompt());
        assertEquals("Be brief.\nHi?\nMore\nplease", d.get(1).prompt(), "text parts joined, the image part skipped");
        assertEquals("Q\n42", d.get(2).prompt(), "tool output is prompt; the assistant's tool call has no text");
        assertEquals(List.of(2, 4, 3), d.stream().map(Document::turn).toList());
        assertEquals(Role.ASSISTANT, d.get(0).role());
        assertEquals("c2", d.get(2).recordId());
        assertEquals("line 2, turn 4", d.get(2).where());
        try (CorpusReader r = drained(f, o)) {
            CorpusInfo i = r.info();
            assertEquals(CorpusFormat.CHAT, i.format());
            assertEquals(ChatDialect.OPENAI, i.chat());
            assertEquals(Turns.ALL, i.turns());
            assertEquals("messages", i.field());
            CorpusCounts c = r.counts();
            assertEquals(2, c.records());
            assertEquals(3, c.documents());
            assertEquals(1, c.turns(Role.SYSTEM));
            assertEquals(3, c.turns(Role.USER));
            assertEquals(4, c.turns(Role.ASSISTANT));
            assertEquals(1, c.turns(Role.TOOL));
            assertEquals(3, c.documentTurns(Role.ASSISTANT));
            assertEquals(0, c.documentTurns(Role.USER));
        }
        List<Document> last = read(f, o.withTurns(Turns.LAST));
        assertEquals(List.of("Sure, more.", "It is 42."), last.stream().map(Document::text).toList());
        assertNull(read(f, CorpusOptions.defaults()).get(0).prompt(), "prompts only when asked");
    }

    @Test
    void shareGptAndAlpacaAreDetected() throws IOException {
        Path s = file("sg.jsonl", """
                {"id": "s1", "conversations": [{"from": "human", "value": "Tell me"}, {"from": "gpt", "value": "A story."}]}
                {"id": "s2", "conversations": [{"from": "system", "value": "sys"}, {"from": "human", "value": "Q1"}, \
                {"from": "gpt", "value": "A1"}, {"from": "human", "value": "Q2"}, {"from": "gpt", "value": "A2"}]}
                """);
        CorpusOptions o = CorpusOptions.defaults().withPrompts(true);
        List<Document> d = read(s, o);
        assertEquals(List.of("A story.", "A1", "A2"), d.stream().map(Document::text).toList());
        assertEquals("sys\nQ1\nQ2", d.get(2).prompt());
        try (CorpusReader r = drained(s, o)) {
            assertEquals(ChatDialect.SHAREGPT, r.info().chat());
            assertEquals(2, r.counts().turns(Role.USER) - 1);
        }
        Path a = file("alpaca.jsonl", """
                {"instruction": "Summarise", "input": "Long text", "output": "Short."}
                {"instruction": "Say hi", "input": "", "output": "Hi!", "system": "Be kind"}
                """);
        List<Document> ad = read(a, o);
        assertEquals(List.of("Short.", "Hi!"), ad.stream().map(Document::text).toList());
        assertEquals("Summarise\n\nLong text", ad.get(0).prompt());
        assertEquals("Be kind\nSay hi", ad.get(1).prompt());
        try (CorpusReader r = drained(a, o)) {
            assertEquals(ChatDialect.ALPACA, r.info().chat());
            assertNull(r.info().field());
        }
        // an explicit path to the turns
        Path n = file("nested.jsonl", "{\"data\": {\"turns\": [{\"role\": \"user\", \"content\": \"q\"},"
                + " {\"role\": \"assistant\", \"content\": \"a\"}]}}\n");
        assertEquals("a", read(n, CorpusOptions.defaults().withField("data.turns")).get(0).text());
        assertEquals("a", read(n, CorpusOptions.defaults().withFormat(CorpusFormat.CHAT).withField("data.turns"))
                .get(0).text());
    }

    @Test
    void chatErrorsNameTheRecord() throws IOException {
        fails(file("noasst.jsonl", "{\"conversations\": [{\"from\": \"human\", \"value\": \"a\"}, {\"from\": \"gpt\","
                        + " \"value\": \"b\"}]}\n{\"conversations\": [{\"from\": \"human\", \"value\": \"only\"}]}\n"),
                CorpusOptions.defaults(), CorpusException.Kind.NO_ASSISTANT_TURN,
                "line 2: a chat record without an assistant turn (turns: user)");
        CorpusException e = fails(file("role.jsonl", "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, "
                        + "{\"role\": \"narrator\", \"content\": \"b\"}]}\n"), CorpusOptions.defaults(),
                CorpusException.Kind.UNKNOWN_ROLE, "line 1: turn 2 has role 'narrator', which is not known (known: system");
        assertEquals(1, e.line());
        fails(file("mixed.jsonl", "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\","
                        + " \"content\": \"b\"}]}\n{\"conversations\": []}\n"), CorpusOptions.defaults(),
                CorpusException.Kind.MISSING_FIELD, "line 2: no 'messages' array of chat turns (the first record was openai)");
        fails(file("content.jsonl", "{\"messages\": [{\"role\": \"assistant\", \"content\": 5}]}\n"),
                CorpusOptions.defaults(), CorpusException.Kind.MALFORMED,
                "line 1: turn 1 has content that is neither a string nor a list of parts");
        fails(file("plain.jsonl", "{\"text\": \"x\"}\n"), CorpusOptions.defaults().withFormat(CorpusFormat.CHAT),
                CorpusException.Kind.MISSING_FIELD, "line 1: not a chat record");
    }

    @Test
    void csvAndTswWithHeaderQuotingAndErrors() throws IOException {
        Path c = file("a.csv", "\uFEFFid,text,label\n1,\"Hello, world\",x\n\n2,\"two\nlines \"\"quoted\"\"\",y\n3,plain,z\n");
        List<Document> d = read(c, CorpusOptions.defaults());
        assertEquals(List.of("Hello, world", "two\nlines \"quoted\"", "plain"), d.stream().map(Document::text).toList());
        assertEquals(List.of(2L, 4L, 6L), d.stream().map(Document::line).toList());
        assertEquals(List.of(1L, 2L, 3L), d.stream().map(Document::record).toList());
        assertEquals("2", d.get(1).recordId());
        try (CorpusReader r = drained(c, CorpusOptions.defaults())) {
            assertEquals(CorpusFormat.CSV, r.info().format());
            assertEquals("text", r.info().field());
        }
        assertEquals(List.of("x", "y", "z"), read(c, CorpusOptions.defaults().withField("label")).stream()
                .map(Document::text).toList());
        Path t = file("a.tsv", "prompt\tcompletion\nq1\tanswer one\nq2\t\"quoted\ttab\"\n");
        List<Document> td = read(t, CorpusOptions.defaults().withPrompts(true));
        assertEquals(List.of("answer one", "quoted\ttab"), td.stream().map(Document::text).toList());
        assertEquals("q1", td.get(0).prompt());
        CorpusException e = fails(file("w.csv", "id,text\n1,a\n2,b,extra\n"), CorpusOptions.defaults(),
                CorpusException.Kind.MALFORMED, "line 3: row 2 has 3 columns, the header has 2");
        assertEquals(2, e.record());
        assertEquals(3, e.line());
        fails(file("q.csv", "id,text\n1,\"never closed\n2,b\n"), CorpusOptions.defaults(), CorpusException.Kind.MALFORMED,
                "row 1 is not valid CSV");
        fails(file("m.csv", "id,body\n1,a\n"), CorpusOptions.defaults(), CorpusException.Kind.MISSING_FIELD,
                "line 2: no field 'text' or 'completion' and not a chat record; name the field that holds the documents "
                        + "(fields: body, id)");
        fails(file("dup.csv", "text,text\na,b\n"), CorpusOptions.defaults().withFormat(CorpusFormat.CSV),
                CorpusException.Kind.MALFORMED, "header");
        // Alpaca columns in a CSV are chats too
        Path al = file("alpaca.csv", "instruction,input,output\nDo it,,Done.\n");
        assertEquals("Done.", read(al, CorpusOptions.defaults()).get(0).text());
    }

    @Test
    void plainTextAndDetectionAgainstProse() throws IOException {
        Path p = file("p.txt", "Hello, world, this is prose.\nSecond line.\n\nNext document.\n");
        List<Document> d = read(p, CorpusOptions.defaults());
        assertEquals(List.of("Hello, world, this is prose.\nSecond line.", "Next document."),
                d.stream().map(Document::text).toList());
        try (CorpusReader r = drained(p, CorpusOptions.defaults())) {
            assertEquals(CorpusFormat.TEXT, r.info().format());
        }
        assertEquals(3, read(p, CorpusOptions.defaults().withSplit(Split.LINE)).size());
        // a format given overrides detection
        Path j = file("j.txt", "{\"text\": \"a\"}\n");
        assertEquals("{\"text\": \"a\"}", read(j, CorpusOptions.defaults().withFormat(CorpusFormat.TEXT)).get(0).text());
        assertTrue(read(file("empty.txt", "\n\n"), CorpusOptions.defaults()).isEmpty());
    }

    @Test
    void gzipAndZstdAreDetectedAndCapped() throws IOException {
        String jsonl = OPENAI.repeat(50);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(gz)) {
            o.write(jsonl.getBytes(StandardCharsets.UTF_8));
        }
        Path g = Files.write(dir.resolve("c.jsonl.gz"), gz.toByteArray());
        ByteArrayOutputStream zs = new ByteArrayOutputStream();
        try (OutputStream o = new io.airlift.compress.zstd.ZstdOutputStream(zs)) {
            o.write(jsonl.getBytes(StandardCharsets.UTF_8));
        }
        Path z = Files.write(dir.resolve("c.jsonl.zst"), zs.toByteArray());
        for (Path f : List.of(g, z)) {
            try (CorpusReader r = drained(f, CorpusOptions.defaults())) {
                assertEquals(150, r.counts().documents());
                assertEquals(f == g ? Compression.GZIP : Compression.ZSTD, r.info().compression());
                assertEquals(CorpusFormat.CHAT, r.info().format());
                assertEquals(Files.size(f), r.bytesRead());
            }
        }
        CorpusOptions tight = CorpusOptions.defaults().withLimits(new Limits(1000, 200, 1 << 20));
        fails(z, tight, CorpusException.Kind.DECOMPRESSION_BOMB, "the zstd file inflates to more than 1000 bytes");
        fails(g, tight, CorpusException.Kind.DECOMPRESSION_BOMB, "the gzip file inflates to more than 1000 bytes");
        // truncated and corrupt frames
        byte[] zb = zs.toByteArray();
        Path cut = Files.write(dir.resolve("cut.zst"), java.util.Arrays.copyOf(zb, zb.length / 2));
        fails(cut, CorpusOptions.defaults().withFormat(CorpusFormat.CHAT), CorpusException.Kind.CORRUPT,
                "corrupt or truncated zstd data");
        byte[] gb = gz.toByteArray();
        Path gcut = Files.write(dir.resolve("cut.gz"), java.util.Arrays.copyOf(gb, gb.length - 12));
        fails(gcut, CorpusOptions.defaults().withFormat(CorpusFormat.CHAT), CorpusException.Kind.CORRUPT,
                "corrupt or truncated gzip data");
    }

    /** A file compressed by the zstd command-line tool (see src/test/resources/README.md), with a byte flipped. */
    @Test
    void zstdFromTheCommandLineToolAndACorruptFrame() throws IOException {
        Path z = dir.resolve("sharegpt.jsonl.zst");
        try (var in = getClass().getResourceAsStream("/sharegpt.jsonl.zst")) {
            Files.copy(in, z);
        }
        try (CorpusReader r = drained(z, CorpusOptions.defaults())) {
            assertEquals(Compression.ZSTD, r.info().compression());
            assertEquals(ChatDialect.SHAREGPT, r.info().chat());
            assertEquals(400, r.counts().documents());
        }
        byte[] b = Files.readAllBytes(z);
        b[b.length / 2] ^= 0x5a;
        Path bad = Files.write(dir.resolve("bad.zst"), b);
        CorpusException e = fails(bad, CorpusOptions.defaults().withFormat(CorpusFormat.CHAT), CorpusException.Kind.CORRUPT,
                "corrupt or truncated zstd data");
        assertTrue(e.getMessage().contains("near line"), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }
}
