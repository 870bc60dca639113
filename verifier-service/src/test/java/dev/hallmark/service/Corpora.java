package dev.hallmark.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.text.TextTokenizer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/** Test corpora: real human text, and watermarked word sequences made with the core sampler. */
public final class Corpora {

    private Corpora() {}

    private static List<String> human;

    /** The texts of datasets/human-text (240 public-domain documents, each >= 200 tokens). */
    public static synchronized List<String> human() {
        if (human == null) {
            List<String> out = new ArrayList<>();
            ObjectMapper json = new ObjectMapper();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(
                    TestSupport.repo().resolve("datasets/human-text/human-text.jsonl.gz"))), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    JsonNode n = json.readTree(line);
                    out.add(n.get("text").asText());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            human = List.copyOf(out);
        }
        return human;
    }

    static final String[] WORDS = ("the of and to in a is that for it as was with be by on not he this are or his from at "
            + "which but have an they you were her she there been one all we their has would when if so no will can more "
            + "out up into do any your what some time them these may than its only other new also could people after first "
            + "man two like our over such then made now years many most where see way well very through back much before "
            + "good little world great long day old own life work under water land place house night country small state "
            + "city king river light word hand church earth heaven voice fire sea stone tree bread field power people law "
            + "nation spirit truth army ship gold book letter song road bridge wind rain cloud star morning evening").split(" ");

    /** Token ids of " word" that the tokenizer maps to a single token. */
    public static int[] wordIds(TextTokenizer tok) {
        return Arrays.stream(WORDS).distinct().mapToInt(w -> {
            int[] ids = tok.encode(" " + w);
            return ids.length == 1 ? ids[0] : -1;
        }).filter(i -> i >= 0).distinct().toArray();
    }

    /**
     * A watermarked "word salad": each step draws among single-token common words with random
     * logits through the core {@link WatermarkSampler} of {@code keyed}. Not language, but it
     * decodes to words that re-tokenize to the same ids, so it can be sent as text.
     */
    public static String watermarkedText(KeyedScheme keyed, TextTokenizer tok, int tokens, long seed) {
        return tok.decode(watermarkedWordIds(keyed, tok, tokens, seed));
    }

    public static int[] watermarkedWordIds(KeyedScheme keyed, TextTokenizer tok, int tokens, long seed) {
        int[] words = wordIds(tok);
        int vocab = Arrays.stream(words).max().orElseThrow() + 1;
        float[] logits = new float[vocab];
        WatermarkSampler s = keyed == null ? WatermarkSampler.plain(SamplingConfig.defaults(), vocab)
                : WatermarkSampler.watermarked(keyed, SamplingConfig.defaults(), vocab);
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] ids = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            Arrays.fill(logits, Float.NEGATIVE_INFINITY);
            for (int w : words) {
                logits[w] = (float) (3 * rnd.nextDouble());
            }
            ids[t] = s.next(logits, ids, 0, t, rnd);
        }
        return ids;
    }

    /** JSONL lines: human texts then watermarked word-salad texts (field "text"). */
    public static String mixedJsonl(List<String> humanTexts, List<String> watermarked) {
        StringBuilder b = new StringBuilder();
        for (String h : humanTexts) {
            b.append(new JsonObject().put("text", h).put("source", "human").encode()).append('\n');
        }
        for (String w : watermarked) {
            b.append(new JsonObject().put("text", w).put("source", "wm").encode()).append('\n');
        }
        return b.toString();
    }

    public static String idsLine(int[] ids) {
        JsonArray a = new JsonArray();
        for (int i : ids) {
            a.add(i);
        }
        return new JsonObject().put("text", a).encode();
    }
}
