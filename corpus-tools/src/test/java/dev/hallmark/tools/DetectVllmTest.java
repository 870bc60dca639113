package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.key.KeyFile;
import dev.hallmark.key.VllmKey;
import dev.hallmark.text.HfTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hallmark keygen --vllm-key} and {@code hallmark detect} with the vllm-* schemes. Inputs and
 * expected numbers are vLLM's own goldens (vllm-project/vllm tests/watermarking/watermarking_goldens.json
 * at 01c268bc; the whole file, with provenance, is in watermark-core/core/src/test/resources/interop), copied
 * here so the CLI test needs nothing outside its module.
 */
class DetectVllmTest {

    /** gumbel-philox-key42-cw4: 64 tokens, score 296.27295787856264, p 7.128196280874065e-61. */
    static final int[] GUMBEL_42 = {46, 24, 45, 80, 14, 26, 22, 124, 21, 45, 16, 30, 5, 89, 0, 10, 27, 70, 80, 62, 1,
        11, 117, 53, 10, 45, 94, 37, 43, 22, 78, 49, 119, 9, 22, 118, 82, 75, 32, 24, 84, 27, 122, 66, 78, 64, 124, 17,
        91, 12, 51, 15, 75, 64, 127, 45, 112, 15, 83, 114, 121, 109, 24, 77};
    /** sbw-philox-key42-cw4: 64 of 64 green, p 6.220960574271819e-16 (vLLM's normal approximation). */
    static final int[] SBW_42 = {7, 42, 84, 34, 30, 26, 75, 110, 14, 10, 6, 2, 44, 125, 121, 117, 113, 109, 105, 101, 12,
        93, 89, 0, 127, 123, 34, 115, 65, 107, 57, 14, 49, 45, 41, 90, 33, 75, 25, 21, 116, 13, 69, 5, 1, 89, 85, 127,
        31, 112, 108, 65, 100, 57, 92, 3, 84, 80, 76, 72, 29, 110, 106, 102};
    /** dual-key-gumbel-philox-keymax-cw4-alpha0.4: score 177.98266424643373, vLLM's p 5.9713149418801004e-43. */
    static final int[] DUAL_MAX = {7, 42, 13, 55, 103, 125, 96, 85, 119, 38, 101, 108, 72, 8, 96, 120, 116, 109, 119, 62,
        26, 107, 63, 113, 102, 34, 83, 90, 121, 53, 18, 67, 20, 12, 101, 40, 86, 89, 59, 81, 24, 20, 72, 51, 22, 117,
        14, 88, 116, 44, 100, 118, 75, 7, 10, 70, 91, 5, 33, 22, 4, 71, 31, 121};

    private static final ObjectMapper OM = new ObjectMapper();

    private static DetectInteropTest.Run run(String... args) {
        return DetectInteropTest.run(args);
    }

    @Test
    void keygenWritesATypedKeyFileAndNeverPrintsTheKey(@TempDir Path dir) throws Exception {
        Path k = dir.resolve("k.json");
        DetectInteropTest.Run r = run("keygen", "--vllm-key", "15726070495360670683", "--out", k.toString());
        assertEquals(0, r.exit(), r.err());
        VllmKey key = KeyFile.readVllm(k);
        assertEquals("15726070495360670683", key.exportDecimal());
        assertTrue(r.out().contains(key.id()) && r.out().contains("vLLM key"), r.out());
        assertFalse(r.out().contains("15726070495360670683") || r.err().contains("15726070495360670683"));
        assertEquals("vllm", OM.readTree(Files.readString(k)).get("type").asText());

        r = run("keygen", "--vllm-key", "-5", "--out", dir.resolve("bad.json").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("vLLM key -5 is negative"), r.err());
        r = run("keygen", "--vllm-key", "18446744073709551616", "--out", dir.resolve("bad.json").toString());
        assertTrue(r.err().contains("is 2^64 or more"), r.err());
        r = run("keygen", "--vllm-key", "12ab", "--out", dir.resolve("bad.json").toString());
        assertTrue(r.err().contains("'12ab' is not a decimal integer"), r.err());
        assertFalse(Files.exists(dir.resolve("bad.json")));
        r = run("keygen", "--vllm-key", "1", "--out", k.toString());
        assertEquals(1, r.exit(), "no silent overwrite");
    }

    @Test
    void detectOnIdsReportsVllmsNumbersBesideTheExactOnes(@TempDir Path dir) throws Exception {
        Path k = dir.resolve("k.json");
        assertEquals(0, run("keygen", "--vllm-key", "42", "--out", k.toString()).exit());
        Path in = DetectInteropTest.idsFile(dir, "g.jsonl", GUMBEL_42);
        DetectInteropTest.Run r = run("detect", "--scheme", "vllm-gumbel:dedup=true,context=4", "--key", k.toString(),
                "--input", in.toString(), "--json", "--fpr", "0.01");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = OM.readTree(r.out());
        assertEquals("vllm-gumbel:context=4,dedup=true", j.get("scheme").asText());
        assertEquals(VllmKey.of(42).id(), j.get("key_id").asText());
        assertEquals(64, j.get("tokens_scored").asLong());
        assertEquals(296.27295787856264, j.get("reference_score").asDouble(), 1e-9 * 296.3);
        assertEquals(7.128196280874065e-61, j.get("reference_p_value").asDouble(), 1e-9 * 7.13e-61);
        assertEquals(Math.log10(7.128196280874065e-61), j.get("log10_p").asDouble(), 1e-9 * 60.1);
        assertTrue(j.get("watermarked").asBoolean());

        // the same with the key inline (demo keys, test vectors); the report never shows it
        r = run("detect", "--scheme", "vllm-gumbel:context=4,key=42", "--input", in.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals(64, OM.readTree(r.out()).get("tokens_scored").asLong());
        assertFalse(r.out().contains("key=42"), r.out());

        // sbw: vLLM's normal approximation beside the exact binomial tail
        r = run("detect", "--scheme", "vllm-sbw:scheme=selfhash,context=4,gamma=0.5,dedup=true", "--key", k.toString(),
                "--input", DetectInteropTest.idsFile(dir, "s.jsonl", SBW_42).toString(), "--json");
        j = OM.readTree(r.out());
        assertEquals(64.0, j.get("reference_score").asDouble());
        assertEquals(6.220960574271819e-16, j.get("reference_p_value").asDouble(), 1e-9 * 6.2e-16);
        // selfhash ignores the oldest context token and takes a minimum: 64 positions are 59 distinct
        // (seed, token) coins, all green; the exact p-value is P(all 59 green) = (1073741823 / 2^31)^59
        assertEquals(59, j.get("independent").get("units").asLong());
        assertEquals(59 * Math.log10(1073741823 / 2147483648.0), j.get("log10_p").asDouble(), 1e-12);

        // human-readable form names both
        r = run("detect", "--scheme", "vllm-dual-key-gumbel:context=4,alpha=0.4,key=18446744073709551615",
                "--input", DetectInteropTest.idsFile(dir, "d.jsonl", DUAL_MAX).toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("WATERMARKED") && r.out().contains("tokens scored 64 of 64"), r.out());
        assertTrue(r.out().contains("vLLM's own detector: score 177.982664, p=5.97131e-43"), r.out());
    }

    @Test
    void keyRingsAreHolmCorrected(@TempDir Path dir) throws Exception {
        Path ring = dir.resolve("ring");
        Files.createDirectories(ring);
        for (String key : new String[] {"41", "42", "43"}) {
            assertEquals(0, run("keygen", "--vllm-key", key, "--out", ring.resolve("k" + key + ".json").toString()).exit());
        }
        DetectInteropTest.Run r = run("detect", "--scheme", "vllm-gumbel", "--keyring", ring.toString(), "--input",
                DetectInteropTest.idsFile(dir, "g.jsonl", GUMBEL_42).toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = OM.readTree(r.out());
        assertEquals("holm", j.get("correction").asText());
        assertEquals(3, j.get("keys_tested").asInt());
        int fired = 0;
        for (JsonNode k : j.get("keys")) {
            boolean is42 = k.get("key_id").asText().equals(VllmKey.of(42).id());
            assertEquals(is42, k.get("watermarked").asBoolean(), k.toString());
            fired += k.get("watermarked").asBoolean() ? 1 : 0;
            // Holm: the smallest p is multiplied by 3; vLLM's own p-value is reported unadjusted
            if (is42) {
                assertEquals(k.get("log10_p_unadjusted").asDouble() + Math.log10(3), k.get("log10_p").asDouble(), 1e-9);
                assertEquals(7.128196280874065e-61, k.get("reference_p_value").asDouble(), 1e-9 * 7.13e-61);
            }
        }
        assertEquals(1, fired);
    }

    /** A small word-level tokenizer.json, so that the test names its own tokenizer. */
    static Path wordTokenizer(Path dir) throws Exception {
        String[] words = {"[UNK]", "the", "lighthouse", "keeper", "counted", "ships", "at", "dawn", "and", "him",
            "back", ",", "."};
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < words.length; i++) {
            vocab.append(i == 0 ? "" : ", ").append('"').append(words[i]).append("\": ").append(i);
        }
        Path p = dir.resolve("tokenizer.json");
        Files.writeString(p, "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, \"added_tokens\": [],"
                + " \"normalizer\": {\"type\": \"Lowercase\"}, \"pre_tokenizer\": {\"type\": \"Whitespace\"},"
                + " \"post_processor\": null, \"decoder\": null, \"model\": {\"type\": \"WordLevel\", \"vocab\": {"
                + vocab + "}, \"unk_token\": \"[UNK]\"}}");
        return p;
    }

    @Test
    void detectOnTextGoesThroughTheNamedTokenizer(@TempDir Path dir) throws Exception {
        Path tokenizer = wordTokenizer(dir);
        String text = "The lighthouse keeper counted the ships at dawn, and the ships counted him back.";
        int[] ids;
        try (HfTokenizer tok = HfTokenizer.open(tokenizer)) {
            ids = tok.encode(text);
        }
        assertEquals(16, ids.length, java.util.Arrays.toString(ids));
        assertEquals(1, ids[0], "'the' is id 1 in this tokenizer");
        Path txt = dir.resolve("doc.txt");
        Files.writeString(txt, text);
        // a word-level tokenizer.json: the HF engine (the fast engine reads byte-level BPE only)
        DetectInteropTest.Run byText = run("detect", "--scheme", "vllm-sbw:key=7,vocab=13", "--format", "text",
                "--engine", "hf", "--tokenizer", tokenizer.toString(), "--input", txt.toString(), "--json");
        assertEquals(0, byText.exit(), byText.err());
        DetectInteropTest.Run byIds = run("detect", "--scheme", "vllm-sbw:key=7,vocab=13", "--input",
                DetectInteropTest.idsFile(dir, "ids.jsonl", ids).toString(), "--json");
        JsonNode a = OM.readTree(byText.out());
        JsonNode b = OM.readTree(byIds.out());
        assertEquals(ids.length, a.get("tokens_seen").asLong());
        assertEquals(b.get("tokens_scored"), a.get("tokens_scored"));
        assertEquals(b.get("reference_score"), a.get("reference_score"));
        assertEquals(b.get("log10_p"), a.get("log10_p"));
    }

    @Test
    void badInputGetsClearErrors(@TempDir Path dir) throws Exception {
        Path in = DetectInteropTest.idsFile(dir, "g.jsonl", GUMBEL_42);
        assertError(2, "needs vLLM's 64-bit key: --key K.json", "--scheme", "vllm-gumbel", "--input", in.toString());
        assertError(2, "vLLM key -1 is negative", "--scheme", "vllm-gumbel:key=-1", "--input", in.toString());
        assertError(2, "vLLM key 18446744073709551616 is 2^64 or more", "--scheme",
                "vllm-gumbel:key=18446744073709551616", "--input", in.toString());
        assertError(2, "vLLM key 'x42' is not a decimal integer", "--scheme", "vllm-gumbel:key=x42", "--input",
                in.toString());
        assertError(2, "alpha must be in [0, 1] (the weight of key B), got 1.2", "--scheme",
                "vllm-dual-key-gumbel:alpha=1.2,key=1", "--input", in.toString());
        assertError(2, "context must be in [1, 1024] (vLLM's context_width), got 0", "--scheme",
                "vllm-gumbel:context=0,key=1", "--input", in.toString());
        assertError(2, "scheme 'treehash' is not an SBW seeding scheme", "--scheme", "vllm-sbw:scheme=treehash,key=1",
                "--input", in.toString());
        assertError(2, "algorithm 'red_green' is not a vLLM watermarking algorithm", "--scheme",
                "vllm:algorithm=red_green,key=1", "--input", in.toString());
        DetectInteropTest.Run r = run("detect", "--scheme", "vllm-gumbel:vocab=100,key=1", "--input", in.toString());
        assertEquals(1, r.exit(), "the only record could not be scored");
        assertTrue(r.err().contains("token id 124 at position 7 is outside the vocabulary [0, 100)"), r.err());

        Path hallmarkKey = dir.resolve("h.json");
        assertEquals(0, run("keygen", "--out", hallmarkKey.toString()).exit());
        assertError(1, "holds a Hallmark key, not a vLLM key", "--scheme", "vllm-gumbel", "--key",
                hallmarkKey.toString(), "--input", in.toString());
        Path vllmKey = dir.resolve("v.json");
        assertEquals(0, run("keygen", "--vllm-key", "42", "--out", vllmKey.toString()).exit());
        assertError(1, "holds a vLLM key (type \"vllm\"), not a Hallmark key", "--scheme", "gumbel", "--key",
                vllmKey.toString(), "--input", in.toString());
        assertError(2, "give the vLLM key once", "--scheme", "vllm-gumbel:key=42", "--key", vllmKey.toString(),
                "--input", in.toString());
        // a valid inline key never appears in an error
        r = run("detect", "--scheme", "vllm-gumbel:key=15726070495360670683,context=99999", "--input", in.toString());
        assertFalse(r.err().contains("15726070495360670683"), r.err());
    }

    private static void assertError(int exit, String part, String... detectArgs) {
        String[] args = new String[detectArgs.length + 1];
        args[0] = "detect";
        System.arraycopy(detectArgs, 0, args, 1, detectArgs.length);
        DetectInteropTest.Run r = run(args);
        assertEquals(exit, r.exit(), r.err());
        assertTrue(r.err().contains(part), r.err());
    }
}
