package dev.hallmark.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.text.HfTokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/**
 * The demo corpus until the project's own language model is available to the service:
 * <ul>
 *   <li>{@value #HUMAN_DOCS} human documents from {@code datasets/human-text} (public-domain text,
 *       independent of any key), as text;
 *   <li>{@value #SYNTHETIC_DOCS} <b>synthetic</b> watermarked documents: token ids drawn by the
 *       core {@link WatermarkSampler} with the demo key from random logits (not language-model
 *       text: they decode to gibberish, so they are stored as ids and labelled
 *       {@code "source": "synthetic-watermarked (random logits, not LM text)"}).
 * </ul>
 */
public final class SyntheticDemoCorpus implements DemoCorpus {

    static final int HUMAN_DOCS = 40;
    static final int SYNTHETIC_DOCS = 12;
    static final int SYNTHETIC_TOKENS = 200;
    /** The human-text dataset packed into the jar by the build (from datasets/human-text). */
    /** Watermarked ids are drawn from token ids {@code [0, SAMPLE_VOCABULARY)}. */
    static final int SAMPLE_VOCABULARY = 8192;
    static final String HUMAN_RESOURCE = "/demo/human-text.jsonl.gz";

    @Override
    public String description() {
        return HUMAN_DOCS + " human documents (datasets/human-text) + " + SYNTHETIC_DOCS
                + " SYNTHETIC watermarked documents (token ids sampled with the demo key from random logits; not LM text)";
    }

    @Override
    public boolean synthetic() {
        return true;
    }

    @Override
    public void write(Path out, KeyedScheme key, HfTokenizer tokenizer, long seed) throws IOException {
        ObjectMapper json = new ObjectMapper();
        SplittableRandom rnd = new SplittableRandom(seed);
        // sample among the first ids of the vocabulary only (valid token ids; keeps seeding fast)
        int vocab = Math.min(SAMPLE_VOCABULARY, tokenizer.vocabularySize());
        WatermarkSampler sampler = WatermarkSampler.watermarked(key, SamplingConfig.defaults().withTopK(40), vocab);
        float[] logits = new float[vocab];
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8);
                InputStream raw = SyntheticDemoCorpus.class.getResourceAsStream(HUMAN_RESOURCE)) {
            if (raw == null) {
                throw new IOException("demo resource " + HUMAN_RESOURCE + " missing from the jar");
            }
            BufferedReader human = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8));
            int h = 0;
            int s = 0;
            // interleave: about one synthetic document after every three human ones
            while (h < HUMAN_DOCS || s < SYNTHETIC_DOCS) {
                boolean synth = s < SYNTHETIC_DOCS && (h >= HUMAN_DOCS || rnd.nextInt(4) == 0);
                ObjectNode o = json.createObjectNode();
                if (synth) {
                    int[] ids = new int[SYNTHETIC_TOKENS];
                    sampler.reset();
                    for (int t = 0; t < ids.length; t++) {
                                                for (int i = 0; i < vocab; i++) {
                            logits[i] = (float) (4 * rnd.nextDouble());
                        }
                        ids[t] = sampler.next(logits, ids, 0, t, rnd);
                    }
                    o.put("id", "synthetic-" + s);
                    o.put("source", "synthetic-watermarked (random logits, not LM text)");
                    var a = o.putArray("text");
                    for (int id : ids) {
                        a.add(id);
                    }
                    s++;
                } else {
                    String line = human.readLine();
                    if (line == null) {
                        h = HUMAN_DOCS;
                        continue;
                    }
                    JsonNode n = json.readTree(line);
                    o.put("id", n.path("id").asText());
                    o.put("source", "human: " + n.path("source").asText());
                    o.put("text", n.path("text").asText());
                    h++;
                }
                w.write(json.writeValueAsString(o));
                w.write('\n');
            }
        }
    }
}
