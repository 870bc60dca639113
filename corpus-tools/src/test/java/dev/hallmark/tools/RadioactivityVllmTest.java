package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.TokenSampler;
import dev.hallmark.embed.VllmGeneration;
import dev.hallmark.embed.VllmSampler;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.key.VllmKey;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.testing.RandomText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hallmark radioactivity} with vLLM's watermarks (issue 16): the suspect's outputs are text
 * a toy model (a fixed random bigram table over 300 ids, so contexts recur across documents as in
 * language) generated through {@link VllmSampler}, i.e. what a student that learned vLLM's
 * watermark perfectly would write; the null side is the same model
 * without the watermark, tested with the same key and with 20 keys that never touched it (fixed
 * seeds, pre-stated bounds). Contexts are vLLM's W tokens, the first W padded with -1.
 */
class RadioactivityVllmTest {

    static final int VOCAB = 300;
    /** The toy model: next-token logits given the previous token (row 0 also starts a text). */
    static final float[][] BIGRAM = new float[VOCAB][VOCAB];

    static {
        SplittableRandom r = new SplittableRandom(2024);
        for (float[] row : BIGRAM) {
            RandomText.gaussianLogits(row, 2.5, r);
        }
    }

    /** {@code prompt} then {@code length} tokens of the toy model through {@code s}. */
    static int[] generate(TokenSampler s, int[] prompt, int length, SplittableRandom r) {
        int[] ids = Arrays.copyOf(prompt, prompt.length + length);
        float[] logits = new float[VOCAB];
        s.reset();
        for (int t = prompt.length; t < ids.length; t++) {
            System.arraycopy(BIGRAM[t == 0 ? 0 : ids[t - 1]], 0, logits, 0, VOCAB);
            ids[t] = s.next(logits, ids, 0, t, r);
        }
        return Arrays.copyOfRange(ids, prompt.length, ids.length);
    }
    static final String SPEC = "vllm-gumbel:context=2";
    static final String KEY = "15726070495360670683";
    static final ObjectMapper OM = new ObjectMapper();

    static DetectInteropTest.Run run(String... args) {
        return DetectInteropTest.run(args);
    }

    /**
     * Suspect records: {@code prompt_ids} (8 random ids) and {@code completion_ids} (60 tokens), from
     * {@code watermarked} ({@link VllmSampler} of {@code spec} under {@code key}) or the plain model.
     */
    static Path suspect(Path file, int n, long seed, String spec, VllmKey key) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            TokenSampler s = key == null ? WatermarkSampler.plain(SamplingConfig.defaults(), VOCAB)
                    : VllmSampler.of(Scheme.parse(spec), key, VllmGeneration.defaults(), VOCAB);
            int[] prompt = r.ints(8, 0, VOCAB).toArray();
            int[] completion = generate(s, prompt, 60, r);
            ObjectNode o = OM.createObjectNode();
            Arrays.stream(prompt).forEach(o.putArray("prompt_ids")::add);
            Arrays.stream(completion).forEach(o.putArray("completion_ids")::add);
            b.append(o).append('\n');
        }
        Files.writeString(file, b);
        return file;
    }

    static JsonNode json(DetectInteropTest.Run r) throws Exception {
        assertEquals(0, r.exit(), r.err());
        return OM.readTree(r.out());
    }

    @Test
    void vllmWatermarkedOutputsAreRadioactiveAndIndependentOnesAreNot(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("k.json");
        assertEquals(0, run("keygen", "--vllm-key", KEY, "--out", key.toString()).exit());
        Path wm = suspect(dir.resolve("wm.jsonl"), 40, 1, SPEC, VllmKey.parse(KEY));
        JsonNode j = json(run("radioactivity", "--suspect", wm.toString(), "--scheme", SPEC, "--key", key.toString(),
                "--json"));
        JsonNode k = j.get("keys").get(0);
        assertEquals("vllm-gumbel:context=2,dedup=true", k.get("scheme").asText());
        assertEquals(VllmKey.parse(KEY).id(), k.get("key_id").asText());
        assertTrue(k.get("watermarked").asBoolean(), k.toString());
        assertTrue(k.get("log10_p").asDouble() < -10, k.toString());
        assertEquals(0, k.get("skipped").get("context").asLong(), "every position has a (padded) context");
        // position 0 of each record is excluded for having a prompt; others only where the prompt holds the context
        assertTrue(k.get("skipped").get("filtered").asLong() >= 40, k.toString());
        assertTrue(k.has("reference_p_value") && k.has("independent"), k.toString());
        assertFalse(r(j).contains(KEY), "the key is never printed");

        // null side, same key: the same model without the watermark (fixed seed)
        Path plain = suspect(dir.resolve("plain.jsonl"), 40, 2, SPEC, null);
        JsonNode n = json(run("radioactivity", "--suspect", plain.toString(), "--scheme", SPEC, "--key",
                key.toString(), "--json")).get("keys").get(0);
        assertFalse(n.get("watermarked").asBoolean(), n.toString());
        assertTrue(n.get("tokens_scored").asLong() > 500, n.toString());

        // calibration: 20 keys that never watermarked anything, as a Holm-corrected ring, on both corpora.
        // Pre-stated: under the null at most 2 of 20 unadjusted p-values <= 0.01 (Binomial(20, 0.01):
        // P(X >= 3) = 1.0e-3), and no key is detected after Holm at 1e-3.
        Path ring = Files.createDirectories(dir.resolve("ring"));
        for (int i = 0; i < 20; i++) {
            assertEquals(0, run("keygen", "--vllm-key", Long.toUnsignedString(0x9E3779B97F4A7C15L * (i + 1)), "--out",
                    ring.resolve("k" + i + ".json").toString()).exit());
        }
        for (Path corpus : new Path[] {plain, wm}) {
            JsonNode c = json(run("radioactivity", "--suspect", corpus.toString(), "--scheme", SPEC, "--keyring",
                    ring.toString(), "--json"));
            assertEquals("holm", c.get("correction").asText());
            int small = 0;
            for (JsonNode x : c.get("keys")) {
                small += x.get("log10_p_unadjusted").asDouble() <= -2 ? 1 : 0;
                assertFalse(x.get("watermarked").asBoolean(), corpus + ": " + x);
            }
            assertTrue(small <= 2, corpus + ": " + small + " of 20 never-deployed keys at p <= 0.01");
        }
    }

    @Test
    void promptCopiesAndTheServedFilterUseVllmsPaddedContexts(@TempDir Path dir) throws Exception {
        VllmKey key = VllmKey.parse(KEY);
        // a completion that copies its prompt: every position, the padded ones included, is excluded
        SplittableRandom r = new SplittableRandom(5);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            int[] all = generate(VllmSampler.of(Scheme.parse(SPEC), key, VllmGeneration.defaults(), VOCAB), new int[0],
                    50, r);
            ObjectNode o = OM.createObjectNode();
            Arrays.stream(all).forEach(o.putArray("prompt_ids")::add);
            Arrays.stream(all).forEach(o.putArray("completion_ids")::add);
            b.append(o).append('\n');
        }
        Path copies = dir.resolve("copies.jsonl");
        Files.writeString(copies, b);
        JsonNode c = json(run("radioactivity", "--suspect", copies.toString(), "--scheme", SPEC + ",key=" + KEY,
                "--json")).get("keys").get(0);
        assertEquals(0, c.get("tokens_scored").asLong(), c.toString());
        assertEquals(500, c.get("skipped").get("filtered").asLong(), c.toString());

        // the served-data filter reads vLLM's 2-token contexts (a context-free width would be refused)
        Path served = suspect(dir.resolve("served.jsonl"), 40, 1, SPEC, key);
        Path wm = suspect(dir.resolve("wm.jsonl"), 40, 7, SPEC, key);
        JsonNode f = json(run("radioactivity", "--suspect", wm.toString(), "--scheme", SPEC + ",key=" + KEY,
                "--filter", served.toString(), "--filter-top", "300", "--json"));
        assertEquals("served-contexts", f.get("filter").asText());
        JsonNode fk = f.get("keys").get(0);
        assertTrue(fk.get("watermarked").asBoolean(), fk.toString());
        JsonNode all = json(run("radioactivity", "--suspect", wm.toString(), "--scheme", SPEC + ",key=" + KEY,
                "--json")).get("keys").get(0);
        assertTrue(fk.get("tokens_scored").asLong() < all.get("tokens_scored").asLong(), fk + " vs " + all);

        // errors: a vLLM scheme without its key, a Hallmark scheme without a key, the key twice
        DetectInteropTest.Run e = run("radioactivity", "--suspect", wm.toString(), "--scheme", SPEC);
        assertEquals(2, e.exit());
        assertTrue(e.err().contains("needs vLLM's 64-bit key"), e.err());
        e = run("radioactivity", "--suspect", wm.toString(), "--scheme", "kgw");
        assertEquals(2, e.exit());
        assertTrue(e.err().contains("scheme kgw:gamma=0.25,delta=2,context=1,seeding=lefthash needs a key"), e.err());
        e = run("radioactivity", "--suspect", wm.toString(), "--scheme", "vllm-dual-key-gumbel:alpha=1.5,key=1");
        assertEquals(2, e.exit());
        assertTrue(e.err().contains("alpha must be in [0, 1] (the weight of key B), got 1.5"), e.err());
    }

    private static String r(JsonNode j) {
        return j.toString();
    }
}
