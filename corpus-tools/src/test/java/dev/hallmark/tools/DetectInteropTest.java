package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code hallmark detect} with the interop schemes. The inputs and expected numbers are rows of the
 * golden vectors (watermark-core/core/src/test/resources/interop: lm-watermarking at fb602de, SynthID-Text
 * reference at addb4a1), copied here so the CLI test needs nothing outside its module.
 */
class DetectInteropTest {

    /** lm-watermarking selfhash, V = 151,669, an unwatermarked text whose second half repeats its first. */
    static final int[] SELFHASH_TOKENS = {12653, 73567, 26662, 13531, 74874, 39037, 65358, 69659, 114357, 133945,
        82733, 49767, 97871, 112131, 7605, 104868, 145267, 143976, 53329, 21122, 12969, 107711, 118190, 36325, 75027,
        127290, 12839, 144207, 33373, 44764, 123780, 108754, 12653, 73567, 26662, 13531, 74874, 39037, 65358, 69659,
        114357, 133945, 82733, 49767, 97871, 112131, 7605, 104868, 145267, 143976, 53329, 21122, 12969, 107711,
        118190, 36325, 75027, 127290, 12839, 144207, 33373, 44764, 123780, 108754};

    /** SynthID-Text reference, ngram_len 3, 12 keys, 2-leaf tournament: mean_g 0.7208333611488342 over 60 rows. */
    static final String SYNTHID_KEYS = "[467921807142279092, 1676854789481057862, 117602108485526177, "
            + "4032146414824862622, 2831893383364764445, 685068206113591627, 1163333568914041480, "
            + "1602051513073110397, 1679407437379991568, 566509804741328275, 3915030542416334532, 4579877930816112421]";
    static final int[] SYNTHID_TOKENS = {1402, 933, 36169, 17548, 7269, 32814, 33662, 21313, 44171, 48945, 44948, 6730,
        22327, 32147, 6574, 14756, 5311, 45320, 41411, 10897, 26826, 48050, 45260, 12273, 35673, 43790, 32029, 26059,
        45222, 20087, 2538, 38714, 44957, 24593, 1811, 17892, 44317, 42712, 4516, 18627, 45501, 34423, 27600, 1006,
        39103, 18971, 48335, 8950, 33176, 2091, 4971, 11612, 44808, 17465, 21740, 6510, 472, 41896, 34664, 31054,
        21140, 31501};

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Hallmark.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Path idsFile(Path dir, String name, int[] ids) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "{\"id\":\"doc\",\"ids\":[" + Arrays.stream(ids).mapToObj(Integer::toString)
                .collect(Collectors.joining(",")) + "]}\n");
        return p;
    }

    @Test
    void hfKgwNeedsNoKeyAndReportsTheReferenceCounts(@TempDir Path dir) throws Exception {
        Path in = idsFile(dir, "in.jsonl", SELFHASH_TOKENS);
        ObjectMapper om = new ObjectMapper();
        // ignore_repeated_ngrams=true: 32 distinct 4-grams, 8 green, z = 0 (reference row)
        Run r = run("detect", "--scheme", "hf-kgw:gamma=0.25,scheme=selfhash,vocab=151669,ignore_repeated_ngrams=true",
                "--input", in.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = om.readTree(r.out());
        assertEquals("hf-kgw:gamma=0.25,scheme=selfhash,vocab=151669,ignore_repeated_ngrams=true", j.get("scheme").asText());
        assertEquals(32, j.get("tokens_scored").longValue());
        assertEquals(8.0, j.get("score_sum").doubleValue());
        assertEquals(0.0, j.get("z_score").doubleValue(), 1e-9);
        assertFalse(j.has("key_id"));
        assertFalse(j.get("watermarked").booleanValue());
        // ignore_repeated_ngrams=false: the reference counts all 61 n-grams (15 green), the units stay 32
        r = run("detect", "--scheme", "hf-kgw:gamma=0.25,scheme=selfhash,vocab=151669,ignore_repeated_ngrams=false",
                "--input", in.toString(), "--json");
        j = om.readTree(r.out());
        assertEquals(61, j.get("tokens_scored").longValue());
        assertEquals(15.0, j.get("score_sum").doubleValue());
        assertEquals(-0.07392212709545729, j.get("z_score").doubleValue(), 1e-9);
        assertEquals(32, j.get("independent").get("units").longValue());
        // a --key is ignored with a note
        Run keygen = run("keygen", "--out", dir.resolve("k.json").toString());
        assertEquals(0, keygen.exit(), keygen.err());
        r = run("detect", "--scheme", "hf-kgw:scheme=selfhash,vocab=151669", "--key", dir.resolve("k.json").toString(),
                "--input", in.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("needs no Hallmark key; --key/--keyring ignored"), r.err());
        assertTrue(r.out().contains("tokens scored 32 of 64") && r.out().contains("key none"), r.out());
        assertTrue(r.out().contains("exact p computed on 32 independent units"), r.out());
    }

    @Test
    void synthIdRefTakesTheKeysFile(@TempDir Path dir) throws Exception {
        Path in = idsFile(dir, "in.jsonl", SYNTHID_TOKENS);
        Path keys = dir.resolve("keys.json");
        Files.writeString(keys, SYNTHID_KEYS);
        Run r = run("detect", "--scheme", "synthid-ref:ngram_len=3,context_history=1024", "--synthid-keys",
                keys.toString(), "--input", in.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(60, j.get("tokens_scored").longValue(), "unmasked positions");
        assertEquals(0.7208333611488342f, (float) j.get("statistic").doubleValue(), 1e-7f, "the reference's mean_g");
        assertTrue(j.get("key_id").asText().startsWith("sid-"));
        assertTrue(j.get("watermarked").booleanValue());
        assertTrue(j.get("log10_p").doubleValue() < -20, j.toString());
    }

    @Test
    void keyErrorsAreClear(@TempDir Path dir) throws Exception {
        Path in = idsFile(dir, "in.jsonl", SYNTHID_TOKENS);
        Run r = run("detect", "--scheme", "synthid-ref", "--input", in.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("needs the generator's int64 keys: --synthid-keys KEYS.json"), r.err());

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "[1, 2, \"three\"]");
        r = run("detect", "--scheme", "synthid-ref", "--synthid-keys", bad.toString(), "--input", in.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains(bad + ": SynthID keys: element 2 is the string \"three\", not an integer"), r.err());

        Files.writeString(bad, "{\"ngram_len\": 5, \"keys\": [1, 2]}");
        r = run("detect", "--scheme", "synthid-ref", "--synthid-keys", bad.toString(), "--input", in.toString());
        assertTrue(r.err().contains("expected a JSON array of int64 keys, got an object"), r.err());

        Files.writeString(bad, "[3, 4, 3]");
        r = run("detect", "--scheme", "synthid-ref", "--synthid-keys", bad.toString(), "--input", in.toString());
        assertTrue(r.err().contains("key 2 repeats key 0"), r.err());

        r = run("detect", "--scheme", "synthid-ref", "--synthid-keys", dir.resolve("nope.json").toString(),
                "--input", in.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("nope.json"), r.err());

        Files.writeString(bad, "[3, 4]");
        r = run("detect", "--scheme", "kgw", "--synthid-keys", bad.toString(), "--input", in.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--synthid-keys is only for the synthid-ref scheme"), r.err());

        r = run("detect", "--scheme", "hf-kgw:scheme=lefthash", "--input", in.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("vocab is required for hf-kgw"), r.err());

        r = run("detect", "--scheme", "kgw", "--input", in.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("needs a key"), r.err());
    }
}
