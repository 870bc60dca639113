package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.attribution.AccountCode;
import dev.hallmark.attribution.AccountKeys;
import dev.hallmark.key.KeyFile;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.text.TextTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code detect}, {@code radioactivity} and {@code attribute} on the data analysts are handed: a
 * ShareGPT chat JSONL whose assistant turns are watermarked and whose user turns are human text,
 * the same records as Parquet, and Alpaca-style CSV, all read without a format flag (detected) and
 * with the scheme taken from the key file. Only assistant tokens are scored (the counts by role
 * say so), the Parquet copy gives the same numbers, prompt turns are left out of the radioactivity
 * and attribution tests, and the null side (human assistant turns) is not flagged. Bad input fails
 * with a non-zero exit and a message naming the record.
 */
class CorpusInputCommandsTest {

    static final int RECORDS = 12;

    @TempDir
    static Path dir;
    static TextTokenizer tok;
    static Path key;
    static Path master;
    static WatermarkKey k;
    static List<ChatFixtures.Chat> chats;
    static long assistantTokens;

    static DetectInteropTest.Run run(String... args) {
        return DetectInteropTest.run(args);
    }

    @BeforeAll
    static void data() throws Exception {
        tok = Defaults.openTokenizer(null);
        key = dir.resolve("k.json");
        DetectInteropTest.Run g = run("keygen", "--out", key.toString(), "--scheme", "kgw");
        assertEquals(0, g.exit(), g.err());
        assertTrue(g.out().contains("scheme kgw:gamma=0.25,delta=2,context=1,seeding=lefthash"), g.out());
        master = dir.resolve("master.json");
        assertEquals(0, run("keygen", "--out", master.toString(), "--scheme", "kgw").exit());
        k = KeyFile.read(key);
        KeyedScheme keyed = KeyedScheme.of(Scheme.parse("kgw"), k);
        List<String> human = ChatFixtures.human(RECORDS, 700);
        chats = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            String wm = ChatFixtures.watermarked(keyed, tok, 200, 7000 + i);
            chats.add(new ChatFixtures.Chat("conv-" + i, human.get(i), wm));
            assistantTokens += tok.encode(wm).length;
        }
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    /** The chats with user and assistant turns swapped: watermarked prompts, human answers (the null side). */
    static List<ChatFixtures.Chat> swapped() {
        return chats.stream().map(c -> new ChatFixtures.Chat(c.id(), c.assistant(), c.user())).toList();
    }

    static List<JsonNode> lines(String out) throws IOException {
        List<JsonNode> l = new ArrayList<>();
        for (String s : out.strip().split("\n")) {
            l.add(ChatFixtures.JSON.readTree(s));
        }
        return l;
    }

    @Test
    void detectScoresOnlyAssistantTurnsOfChatJsonlAndParquetAlike() throws Exception {
        Path jsonl = ChatFixtures.sharegptJsonl(dir.resolve("chat.jsonl"), chats);
        Path parquet = ChatFixtures.sharegptParquet(dir.resolve("chat.parquet"), chats);
        // no --format, no --field, no --scheme: detected from the content, the scheme from the key file
        DetectInteropTest.Run r = run("detect", "--key", key.toString(), "--input", jsonl.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> j = lines(r.out());
        assertEquals(RECORDS, j.size());
        for (int i = 0; i < RECORDS; i++) {
            assertEquals("conv-" + i, j.get(i).get("id").asText());
            assertEquals(2, j.get(i).get("turn").asInt(), "the assistant turn is the second");
            assertEquals("line " + (i + 1) + ", turn 2", j.get(i).get("where").asText());
            assertTrue(j.get(i).get("watermarked").asBoolean(), j.get(i).toString());
            assertEquals(tok.encode(chats.get(i).assistant()).length, j.get(i).get("tokens_seen").asInt(),
                    "only the assistant turn's tokens");
        }
        assertTrue(r.err().contains("read " + RECORDS + " records of " + jsonl + " (chat, sharegpt, turns all): turns "
                + "user " + RECORDS + ", assistant " + RECORDS + "; scored " + RECORDS + " assistant turns, "
                + assistantTokens + " tokens (user, system, tool: 0)"), r.err());

        DetectInteropTest.Run p = run("detect", "--key", key.toString(), "--input", parquet.toString(), "--json");
        assertEquals(0, p.exit(), p.err());
        List<JsonNode> pj = lines(p.out());
        for (int i = 0; i < RECORDS; i++) {
            assertEquals(j.get(i).get("log10_p"), pj.get(i).get("log10_p"), "Parquet and JSONL: the same numbers");
            assertEquals(j.get(i).get("tokens_scored"), pj.get(i).get("tokens_scored"));
            assertEquals("row " + (i + 1) + ", turn 2", pj.get(i).get("where").asText());
        }
        assertTrue(p.err().contains("(parquet, sharegpt, turns all)"), p.err());

        // the null side: human assistant turns (the watermarked text is in the user turns, never scored)
        Path nul = ChatFixtures.sharegptJsonl(dir.resolve("swapped.jsonl"), swapped());
        DetectInteropTest.Run n = run("detect", "--key", key.toString(), "--input", nul.toString(), "--json");
        assertEquals(0, n.exit(), n.err());
        for (JsonNode x : lines(n.out())) {
            assertFalse(x.get("watermarked").asBoolean(), x.toString());
        }

        // --turns last on two assistant turns per record: one document per record, the last turn
        StringBuilder two = new StringBuilder();
        for (ChatFixtures.Chat c : chats.subList(0, 3)) {
            two.append(ChatFixtures.JSON.writeValueAsString(java.util.Map.of("messages", List.of(
                    java.util.Map.of("role", "user", "content", "hello"),
                    java.util.Map.of("role", "assistant", "content", c.user()),
                    java.util.Map.of("role", "user", "content", "more"),
                    java.util.Map.of("role", "assistant", "content", c.assistant()))))).append('\n');
        }
        Path openai = Files.writeString(dir.resolve("openai.jsonl"), two);
        DetectInteropTest.Run all = run("detect", "--key", key.toString(), "--input", openai.toString(), "--json");
        assertEquals(6, lines(all.out()).size(), all.err());
        DetectInteropTest.Run last = run("detect", "--key", key.toString(), "--input", openai.toString(), "--json",
                "--turns", "last");
        assertEquals(0, last.exit(), last.err());
        List<JsonNode> lj = lines(last.out());
        assertEquals(3, lj.size());
        for (JsonNode x : lj) {
            assertEquals(4, x.get("turn").asInt());
            assertTrue(x.get("watermarked").asBoolean(), x.toString());
        }
        assertTrue(last.err().contains("(chat, openai, turns last): turns user 6, assistant 6; scored 3 assistant turns"),
                last.err());
    }

    @Test
    void detectReadsCsvColumnsAndGeneratesOutputWithoutFlags() throws Exception {
        StringBuilder csv = new StringBuilder("id,source,text\n");
        for (ChatFixtures.Chat c : chats.subList(0, 4)) {
            csv.append(c.id()).append(",wm,").append(ChatFixtures.csv(c.assistant())).append('\n');
            csv.append(c.id()).append("-h,human,").append(ChatFixtures.csv(c.user())).append('\n');
        }
        Path f = Files.writeString(dir.resolve("docs.csv"), csv);
        DetectInteropTest.Run r = run("detect", "--key", key.toString(), "--input", f.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> j = lines(r.out());
        assertEquals(8, j.size());
        for (int i = 0; i < 8; i++) {
            assertEquals(i % 2 == 0, j.get(i).get("watermarked").asBoolean(), j.get(i).toString());
        }
        assertTrue(r.err().contains("read 8 records of " + f + " (csv, field text): 8 documents"), r.err());

        // what hallmark generate writes (field completion) is found without --field
        StringBuilder gen = new StringBuilder();
        for (ChatFixtures.Chat c : chats.subList(0, 2)) {
            gen.append(ChatFixtures.JSON.writeValueAsString(java.util.Map.of("id", c.id(), "prompt", c.user(),
                    "completion", c.assistant(), "scheme", "kgw"))).append('\n');
        }
        Path g = Files.writeString(dir.resolve("generated.jsonl"), gen);
        DetectInteropTest.Run d = run("detect", "--key", key.toString(), "--input", g.toString());
        assertEquals(0, d.exit(), d.err());
        assertEquals(2, d.out().strip().split("\n").length, d.out());
        assertTrue(d.out().startsWith("conv-0: WATERMARKED"), d.out());
        assertTrue(d.err().contains("(jsonl, field completion): 2 documents"), d.err());
    }

    @Test
    void radioactivityOnChatsLeavesThePromptTurnsOutAndParquetAgrees() throws Exception {
        Path jsonl = ChatFixtures.sharegptJsonl(dir.resolve("r-chat.jsonl"), chats);
        Path parquet = ChatFixtures.sharegptParquet(dir.resolve("r-chat.parquet"), chats);
        DetectInteropTest.Run r = run("radioactivity", "--suspect", jsonl.toString(), "--key", key.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = ChatFixtures.JSON.readTree(r.out());
        assertEquals(RECORDS, j.get("documents").asLong());
        assertEquals("chat", j.get("input").get("format").asText());
        assertEquals("sharegpt", j.get("input").get("chat").asText());
        JsonNode rec = j.get("records");
        assertEquals(RECORDS, rec.get("count").asLong());
        assertEquals(RECORDS, rec.get("turns").get("user").asLong());
        assertEquals(RECORDS, rec.get("turns").get("assistant").asLong());
        assertEquals(RECORDS, rec.get("document_turns").get("assistant").asLong());
        assertEquals(0, rec.get("document_turns").get("user").asLong());
        assertEquals(assistantTokens, rec.get("tokens_by_role").get("assistant").asLong());
        assertEquals(0, rec.get("tokens_by_role").get("user").asLong(), "user turns are never scored");
        JsonNode k0 = j.get("keys").get(0);
        assertTrue(k0.get("watermarked").asBoolean(), k0.toString());
        assertEquals(assistantTokens, k0.get("tokens_seen").asLong());

        DetectInteropTest.Run p = run("radioactivity", "--suspect", parquet.toString(), "--key", key.toString(), "--json");
        assertEquals(0, p.exit(), p.err());
        JsonNode pj = ChatFixtures.JSON.readTree(p.out());
        assertEquals(k0, pj.get("keys").get(0), "the same numbers from Parquet");
        assertEquals(rec, pj.get("records"));

        // a suspect that copies its prompt: the user turn holds the watermarked text the assistant repeats;
        // every context of the answer occurs in its prompt, so nothing is scored and nothing is found
        List<ChatFixtures.Chat> echo = chats.stream()
                .map(c -> new ChatFixtures.Chat(c.id(), c.assistant(), c.assistant())).toList();
        Path e = ChatFixtures.sharegptJsonl(dir.resolve("echo.jsonl"), echo);
        DetectInteropTest.Run er = run("radioactivity", "--suspect", e.toString(), "--key", key.toString(), "--json");
        assertEquals(0, er.exit(), er.err());
        JsonNode ek = ChatFixtures.JSON.readTree(er.out()).get("keys").get(0);
        assertFalse(ek.get("watermarked").asBoolean(), ek.toString());
        assertTrue(ek.get("skipped").get("filtered").asLong() > assistantTokens * 9 / 10, ek.toString());

        // the null side: human answers to watermarked prompts
        Path nul = ChatFixtures.sharegptJsonl(dir.resolve("r-swapped.jsonl"), swapped());
        DetectInteropTest.Run n = run("radioactivity", "--suspect", nul.toString(), "--key", key.toString(), "--json");
        assertEquals(0, n.exit(), n.err());
        assertFalse(ChatFixtures.JSON.readTree(n.out()).get("keys").get(0).get("watermarked").asBoolean(), n.out());

        // text output: the summary line first
        DetectInteropTest.Run t = run("radioactivity", "--suspect", jsonl.toString(), "--key", key.toString());
        assertEquals(0, t.exit(), t.err());
        assertTrue(t.out().startsWith("read " + RECORDS + " records of " + jsonl + " (chat, sharegpt, turns all)"), t.out());
        assertTrue(t.out().contains("RADIOACTIVE"), t.out());
    }

    @Test
    void attributeOnAlpacaCsvAndChatParquetFindsTheHarvestingAccount() throws Exception {
        AccountCode code = new AccountCode(31, 16, 2);
        AccountKeys ak = new AccountKeys(KeyFile.read(master), Scheme.parse("kgw"), code);
        List<String> human = ChatFixtures.human(40, 400);
        List<ChatFixtures.Chat> harvest = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            harvest.add(new ChatFixtures.Chat("h-" + i, human.get(i),
                    ChatFixtures.watermarked(ak.scheduleFor(17), tok, 300, 800 + i)));
        }
        Path csv = ChatFixtures.alpacaCsv(dir.resolve("harvest.csv"), harvest);
        Path parquet = ChatFixtures.sharegptParquet(dir.resolve("harvest.parquet"), harvest);
        DetectInteropTest.Run r = run("attribute", "--master", master.toString(), "--accounts", "500", "--suspect",
                csv.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = ChatFixtures.JSON.readTree(r.out());
        assertEquals("csv", j.get("input").get("format").asText());
        assertEquals("alpaca", j.get("input").get("chat").asText());
        assertEquals(40, j.get("records").get("document_turns").get("assistant").asLong());
        assertEquals(0, j.get("records").get("tokens_by_role").get("user").asLong());
        assertTrue(j.get("distilled").asBoolean(), j.toString());
        assertEquals(1, j.get("accused").size(), j.toString());
        assertEquals(17, j.get("accused").get(0).get("account").asLong());
        DetectInteropTest.Run p = run("attribute", "--master", master.toString(), "--accounts", "500", "--suspect",
                parquet.toString(), "--json");
        assertEquals(0, p.exit(), p.err());
        JsonNode pj = ChatFixtures.JSON.readTree(p.out());
        assertEquals(j.get("distilled_log10_p"), pj.get("distilled_log10_p"), "CSV and Parquet: the same numbers");
        assertEquals(j.get("accused"), pj.get("accused"));

        // the null side: the human user turns as answers, nobody accused
        Path nul = ChatFixtures.alpacaCsv(dir.resolve("null.csv"), harvest.stream()
                .map(c -> new ChatFixtures.Chat(c.id(), c.assistant(), c.user())).toList());
        DetectInteropTest.Run n = run("attribute", "--master", master.toString(), "--accounts", "500", "--suspect",
                nul.toString(), "--json");
        assertEquals(0, n.exit(), n.err());
        JsonNode nj = ChatFixtures.JSON.readTree(n.out());
        assertFalse(nj.get("distilled").asBoolean(), nj.toString());
        assertEquals(0, nj.get("accused").size());
    }

    /** {@code --scheme} may be left out wherever a key file that names its scheme is read. */
    @Test
    void theSchemeComesFromTheKeyFile() throws Exception {
        Path f = ChatFixtures.sharegptJsonl(dir.resolve("s-chat.jsonl"), chats.subList(0, 3));
        Path plain = dir.resolve("plain-key.json");
        assertEquals(0, run("keygen", "--out", plain.toString()).exit());
        DetectInteropTest.Run r = run("detect", "--key", plain.toString(), "--input", f.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--scheme SPEC is required: the key file names no default scheme "
                + "(hallmark keygen --scheme SPEC writes one into a key file)"), r.err());
        // a derived key inherits its master's scheme; --scheme still wins over the file's
        Path child = dir.resolve("child.json");
        assertEquals(0, run("keygen", "--from", master.toString(), "--derive", "account/5", "--out", child.toString())
                .exit());
        assertEquals("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash", KeyFile.load(child).scheme());
        DetectInteropTest.Run g = run("detect", "--key", key.toString(), "--input", f.toString(), "--scheme", "gumbel",
                "--json");
        assertEquals(0, g.exit(), g.err());
        assertTrue(g.out().contains("\"scheme\":\"gumbel:context=4\""), g.out());
        // a key ring whose files disagree on the scheme needs --scheme
        Path ring = Files.createDirectories(dir.resolve("mixed-ring"));
        assertEquals(0, run("keygen", "--out", ring.resolve("a.json").toString(), "--scheme", "kgw").exit());
        assertEquals(0, run("keygen", "--out", ring.resolve("b.json").toString(), "--scheme", "gumbel").exit());
        DetectInteropTest.Run m = run("detect", "--keyring", ring.toString(), "--input", f.toString());
        assertEquals(2, m.exit());
        assertTrue(m.err().contains("name different default schemes") && m.err().contains("give --scheme SPEC"), m.err());
        assertEquals(0, run("detect", "--keyring", ring.toString(), "--input", f.toString(), "--scheme", "kgw").exit());
        // attribute reads the master key file's scheme, radioactivity the key's
        assertEquals(0, run("radioactivity", "--key", key.toString(), "--suspect", f.toString()).exit());
    }

    /** The bad inputs, for each command: exit code 2 and a message naming the file and the record. */
    @Test
    void badInputNamesTheRecord() throws Exception {
        Path noAssistant = Files.writeString(dir.resolve("no-assistant.jsonl"), "{\"conversations\": [{\"from\": "
                + "\"human\", \"value\": \"hi\"}, {\"from\": \"gpt\", \"value\": \"hello there\"}]}\n"
                + "{\"conversations\": [{\"from\": \"human\", \"value\": \"alone\"}]}\n");
        Path unknownRole = Files.writeString(dir.resolve("role.jsonl"), "{\"messages\": [{\"role\": \"user\", "
                + "\"content\": \"hi\"}, {\"role\": \"narrator\", \"content\": \"once\"}]}\n");
        Path badCsv = Files.writeString(dir.resolve("bad.csv"), "id,text\n1,fine words here\n2,b,c\n");
        Path noColumn = dev.hallmark.corpus.ParquetFixtures.write(dir.resolve("text.parquet"),
                dev.hallmark.corpus.ParquetFixtures.TEXT, 3, (i, g) -> g.append("id", "r" + i).append("text", "some text"));
        Path corruptZstd = dir.resolve("bad.jsonl.zst");
        byte[] z = zstd(("{\"text\": \"" + "words and more words ".repeat(400) + "\"}\n").repeat(20));
        z[z.length / 2] ^= 0x5a;
        Files.write(corruptZstd, z);

        for (String[] cmd : List.of(new String[] {"detect", "--key", key.toString(), "--input"},
                new String[] {"radioactivity", "--key", key.toString(), "--suspect"},
                new String[] {"attribute", "--master", master.toString(), "--accounts", "100", "--suspect"})) {
            expect(cmd, noAssistant, List.of(), "line 2: a chat record without an assistant turn");
            expect(cmd, unknownRole, List.of(), "line 1: turn 2 has role 'narrator', which is not known");
            expect(cmd, badCsv, List.of(), "line 3: row 2 has 3 columns, the header has 2");
            expect(cmd, noColumn, List.of("--field", "response"), "the Parquet file has no column 'response'");
            expect(cmd, corruptZstd, List.of(), "corrupt or truncated zstd data");
        }
        DetectInteropTest.Run r = run("detect", "--key", key.toString(), "--input", noAssistant.toString(),
                "--format", "xml");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown input format 'xml' (use auto, jsonl, chat, csv, tsv, parquet, text or ids)"),
                r.err());
        r = run("detect", "--key", key.toString(), "--input", noAssistant.toString(), "--turns", "first");
        assertTrue(r.err().contains("--turns must be last or all, got 'first'"), r.err());
    }

    private static void expect(String[] cmd, Path file, List<String> extra, String message) {
        List<String> args = new ArrayList<>(List.of(cmd));
        args.add(file.toString());
        args.addAll(extra);
        DetectInteropTest.Run r = run(args.toArray(new String[0]));
        assertEquals(2, r.exit(), () -> String.join(" ", args) + "\n" + r.out() + r.err());
        assertTrue(r.err().contains("hallmark " + cmd[0] + ": error: input " + file + ": ")
                && r.err().contains(message), () -> String.join(" ", args) + "\n" + r.err());
        assertFalse(r.out().contains("RADIOACTIVE") || r.out().contains("accused"), "no report of a half-read corpus");
    }

    /** zstd frames made by aircompressor (the pure-Java codec hallmark-corpus reads them with). */
    static byte[] zstd(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var out = new io.airlift.compress.zstd.ZstdOutputStream(bytes)) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    /** From a real shell: the exit status and stderr of a separate JVM, as a user sees them. */
    @Test
    void aSeparateProcessExitsWithStatus2AndNamesTheRecord() throws Exception {
        Path noAssistant = Files.writeString(dir.resolve("shell.jsonl"), "{\"messages\": [{\"role\": \"user\", "
                + "\"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"hello\"}]}\n{\"messages\": "
                + "[{\"role\": \"system\", \"content\": \"be brief\"}, {\"role\": \"user\", \"content\": \"x\"}]}\n");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Hallmark.class.getName(), "radioactivity", "--key",
                key.toString(), "--suspect", noAssistant.toString());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process proc = pb.start();
        String err = new String(proc.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(2, proc.waitFor(), err);
        assertTrue(err.contains("hallmark radioactivity: error: input " + noAssistant
                + ": line 2: a chat record without an assistant turn (turns: system, user)"), err);
        assertNotEquals(-1, err.indexOf("line 2"));
    }
}
