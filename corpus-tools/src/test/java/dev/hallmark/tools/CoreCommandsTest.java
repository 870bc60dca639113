package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.key.KeyFile;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core commands from a shell's point of view: {@code keygen}, {@code detect} (one key, a key
 * ring, JSONL of ids, JSON output) and {@code radioactivity}, on token ids sampled with the
 * watermark from random high-entropy logits (seeded), and on unwatermarked ids; bad input gives
 * a non-zero exit and a message naming the problem.
 */
class CoreCommandsTest {

    static final int VOCAB = 4_096;
    static final ObjectMapper JSON = new ObjectMapper();

    /** The CLI in-process, as in {@link DetectInteropTest#run}. */
    static DetectInteropTest.Run run(String... args) {
        return DetectInteropTest.run(args);
    }

    /** {@code docs} sequences of {@code len} ids: watermarked with {@code key} (or plain when null). */
    static List<int[]> sample(WatermarkKey key, String scheme, int docs, int len, long seed) {
        SamplingConfig cfg = SamplingConfig.defaults().withTopP(1.0).withSkipRepeatedContexts(false);
        WatermarkSampler s = key == null ? WatermarkSampler.plain(cfg, VOCAB)
                : WatermarkSampler.watermarked(Scheme.parse(scheme), key, cfg, VOCAB);
        SplittableRandom r = new SplittableRandom(seed);
        float[] logits = new float[VOCAB];
        List<int[]> out = new ArrayList<>();
        for (int d = 0; d < docs; d++) {
            int[] ids = new int[len];
            ids[0] = r.nextInt(VOCAB);
            for (int t = 1; t < len; t++) {
                for (int i = 0; i < VOCAB; i++) {
                    logits[i] = (float) (2 * r.nextDouble());
                }
                ids[t] = s.next(logits, ids, 0, t, r);
            }
            s.reset();
            out.add(ids);
        }
        return out;
    }

    static Path jsonl(Path file, String field, List<int[]> docs) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < docs.size(); i++) {
            b.append("{\"id\":\"d").append(i).append("\",\"").append(field).append("\":[")
                    .append(Arrays.stream(docs.get(i)).mapToObj(Integer::toString).collect(Collectors.joining(",")))
                    .append("]}\n");
        }
        Files.writeString(file, b);
        return file;
    }

    @Test
    void keygenDetectAndRadioactivityFromTheShell(@TempDir Path dir) throws Exception {
        Path master = dir.resolve("master.json");
        DetectInteropTest.Run g = run("keygen", "--out", master.toString());
        assertEquals(0, g.exit(), g.err());
        WatermarkKey mk = KeyFile.read(master);
        Path ring = Files.createDirectories(dir.resolve("ring"));
        Path a1 = ring.resolve("a1.json");
        DetectInteropTest.Run d = run("keygen", "--from", master.toString(), "--derive", "account/1", "--out", a1.toString());
        assertEquals(0, d.exit(), d.err());
        WatermarkKey ak = KeyFile.read(a1);
        assertNotEquals(mk.id(), ak.id());
        assertEquals(ak.id(), mk.derive("account/1").id(), "CLI derivation = library derivation");
        String all = g.out() + g.err() + d.out() + d.err();
        for (WatermarkKey k : List.of(mk, ak)) {
            assertFalse(all.contains(Base64.getEncoder().encodeToString(k.exportSecret())), "keygen printed a secret");
            assertFalse(all.toLowerCase().contains(HexFormat.of().formatHex(k.exportSecret())), "keygen printed a secret");
        }
        Files.copy(master, ring.resolve("master.json"));
        // an existing key file is not overwritten without --force
        DetectInteropTest.Run again = run("keygen", "--out", master.toString());
        assertNotEquals(0, again.exit());
        assertTrue(again.err().contains("exists"), again.err());
        assertEquals(mk.id(), KeyFile.read(master).id());

        Path wm = jsonl(dir.resolve("wm.jsonl"), "ids", sample(ak, "kgw", 3, 200, 1));
        Path plain = jsonl(dir.resolve("plain.jsonl"), "ids", sample(null, "kgw", 3, 200, 2));

        // one key
        DetectInteropTest.Run r = run("detect", "--key", a1.toString(), "--scheme", "kgw", "--input", wm.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(3, lines.length);
        for (String line : lines) {
            JsonNode j = JSON.readTree(line);
            for (String f : new String[] {"tokens_scored", "statistic", "log10_p", "p_value", "watermarked"}) {
                assertTrue(j.has(f), "missing " + f + " in " + line);
            }
            assertTrue(j.get("watermarked").booleanValue(), line);
            assertTrue(j.get("log10_p").doubleValue() < -6, line);
            assertEquals(ak.id(), j.get("key_id").asText());
        }
        r = run("detect", "--key", a1.toString(), "--scheme", "kgw", "--input", plain.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        for (String line : r.out().strip().split("\n")) {
            assertFalse(JSON.readTree(line).get("watermarked").booleanValue(), line);
        }

        // a key ring: per-key Holm-adjusted results; only the account key detects
        r = run("detect", "--keyring", ring.toString(), "--scheme", "kgw", "--input", wm.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode first = JSON.readTree(r.out().strip().split("\n")[0]);
        assertEquals("holm", first.get("correction").asText());
        assertEquals(2, first.get("keys_tested").intValue());
        for (JsonNode k : first.get("keys")) {
            boolean isAccount = k.get("key_id").asText().equals(ak.id());
            assertEquals(isAccount, k.get("watermarked").booleanValue(), k.toString());
            assertTrue(k.get("log10_p").doubleValue() >= k.get("log10_p_unadjusted").doubleValue() - 1e-12);
        }

        // --localize: keys x whole text x windows are one family at --fpr (weighted Holm)
        r = run("detect", "--keyring", ring.toString(), "--scheme", "kgw", "--input", wm.toString(), "--json",
                "--localize");
        assertEquals(0, r.exit(), r.err());
        JsonNode loc = JSON.readTree(r.out().strip().split("\n")[0]);
        assertEquals("weighted-holm", loc.get("correction").asText());
        JsonNode fam = loc.get("family");
        int windows = loc.get("keys").get(0).get("windows_tested").intValue();
        assertTrue(windows > 0, loc.toString());
        assertEquals(2 * (1 + windows), fam.get("hypotheses").intValue(), fam.toString());
        assertEquals(0.25, fam.get("whole_text_weight").doubleValue(), 1e-15);
        for (JsonNode k : loc.get("keys")) {
            boolean isAccount = k.get("key_id").asText().equals(ak.id());
            assertEquals(isAccount, k.get("watermarked").booleanValue(), k.toString());
            assertEquals(isAccount, k.get("spans").size() > 0, k.toString());
        }
        r = run("detect", "--keyring", ring.toString(), "--scheme", "kgw", "--input", plain.toString(), "--localize");
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.out().contains("span tokens"), r.out());
        assertTrue(r.out().contains("adjusted over " + (2 * (1 + windows)) + " tests"), r.out());

        // radioactivity over the whole corpus (ids in completion_ids): the account key, not the master
        Path suspect = jsonl(dir.resolve("suspect.jsonl"), "completion_ids", sample(ak, "kgw", 4, 150, 3));
        r = run("radioactivity", "--suspect", suspect.toString(), "--keyring", ring.toString(), "--scheme", "kgw",
                "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode rad = JSON.readTree(r.out());
        assertEquals("radioactivity", rad.get("test").asText());
        assertEquals(4, rad.get("documents").intValue());
        for (JsonNode k : rad.get("keys")) {
            boolean isAccount = k.get("key_id").asText().equals(ak.id());
            assertEquals(isAccount, k.get("watermarked").booleanValue(), k.toString());
        }
    }

    @Test
    void badInputIsNamed(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("k.json");
        assertEquals(0, run("keygen", "--out", key.toString()).exit());
        Path in = jsonl(dir.resolve("in.jsonl"), "ids", List.of(new int[] {1, 2, 3, 4, 5, 6, 7, 8}));

        Path corrupt = dir.resolve("corrupt.json");
        Files.writeString(corrupt, Files.readString(key).replaceFirst("\"secret\"\\s*:\\s*\"[A-Za-z0-9+/=]{4}", "\"secret\":\"!!!!"));
        DetectInteropTest.Run r = run("detect", "--key", corrupt.toString(), "--scheme", "kgw", "--input", in.toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains(corrupt.getFileName().toString()), r.err());

        r = run("detect", "--key", key.toString(), "--scheme", "kgw:gamma=2", "--input", in.toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("gamma"), r.err());

        r = run("detect", "--key", key.toString(), "--scheme", "nosuchscheme", "--input", in.toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("nosuchscheme"), r.err());

        r = run("detect", "--key", key.toString(), "--keyring", dir.toString(), "--scheme", "kgw", "--input", in.toString());
        assertEquals(2, r.exit(), "--key and --keyring together is a usage error");

        Path empty = dir.resolve("empty.jsonl");
        Files.writeString(empty, "");
        r = run("detect", "--key", key.toString(), "--scheme", "kgw", "--input", empty.toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("no records"), r.err());

        Path shortText = jsonl(dir.resolve("short.jsonl"), "ids", List.of(new int[] {7}));
        r = run("detect", "--key", key.toString(), "--scheme", "kgw:gamma=0.25,delta=2,context=4,seeding=lefthash",
                "--input", shortText.toString(), "--json");
        assertNotEquals(0, r.exit());
        assertTrue(r.out().contains("\"error\""), r.out());

        r = run("radioactivity", "--suspect", dir.resolve("missing.jsonl").toString(), "--key", key.toString(),
                "--scheme", "kgw");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("missing.jsonl"), r.err());
    }

    /** Corpora read through hallmark-corpus: a nested field path, detection, and errors naming the record. */
    @Test
    void corpusFormatsThroughHallmarkCorpus(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("k.json");
        assertEquals(0, run("keygen", "--out", key.toString()).exit());
        WatermarkKey k = KeyFile.read(key);
        StringBuilder nested = new StringBuilder();
        for (int[] ids : sample(k, "kgw", 3, 200, 11)) {
            nested.append(JSON.writeValueAsString(java.util.Map.of("id", "n" + nested.length(), "out",
                    java.util.Map.of("ids", ids)))).append('\n');
        }
        Path in = Files.writeString(dir.resolve("nested.jsonl"), nested);
        DetectInteropTest.Run r = run("detect", "--key", key.toString(), "--scheme", "kgw", "--input", in.toString(),
                "--field", "out.ids", "--json");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(3, lines.length);
        for (String line : lines) {
            assertTrue(JSON.readTree(line).get("watermarked").booleanValue(), line);
        }
        Path chat = Files.writeString(dir.resolve("chat.jsonl"), "{\"conversations\": [{\"from\": \"human\", "
                + "\"value\": \"hi\"}, {\"from\": \"gpt\", \"value\": \"hello\"}]}\n{\"conversations\": "
                + "[{\"from\": \"human\", \"value\": \"alone\"}]}\n");
        r = run("detect", "--key", key.toString(), "--scheme", "kgw", "--input", chat.toString(), "--format", "auto");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("line 2: a chat record without an assistant turn"), r.err());
        Path csv = Files.writeString(dir.resolve("bad.csv"), "id,text\n1,a\n2,b,c\n");
        r = run("detect", "--key", key.toString(), "--scheme", "kgw", "--input", csv.toString(), "--format", "csv");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("line 3: row 2 has 3 columns, the header has 2"), r.err());
    }
}
