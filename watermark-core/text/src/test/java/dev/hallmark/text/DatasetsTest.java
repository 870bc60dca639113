package dev.hallmark.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** Checks the committed datasets (datasets/): split disjointness, sizes the datasheets promise. */
class DatasetsTest {

    static Path repo() {
        String r = System.getProperty("hallmark.repo");
        if (r != null) {
            return Path.of(r);
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (java.nio.file.Files.isDirectory(d.resolve("datasets"))) {
                return d;
            }
        }
        return Path.of("..");
    }

    static List<JsonNode> read(String rel) throws IOException {
        Path p = repo().resolve(rel);
        List<JsonNode> out = new ArrayList<>();
        ObjectMapper om = new ObjectMapper();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(p)), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.add(om.readTree(line));
            }
        }
        return out;
    }

    /** Book and chapter of a Bible document id (kjv/genesis/1 and web/genesis/1 share it). */
    static String splitKey(String id) {
        return id.startsWith("kjv/") || id.startsWith("web/") ? "bible/" + id.substring(4) : id;
    }

    @Test
    void heldOutPromptsAndHumanTextNeverOverlapTraining() throws IOException {
        List<JsonNode> train = read("datasets/corpus/train.jsonl.gz");
        List<JsonNode> held = read("datasets/corpus/heldout.jsonl.gz");
        List<JsonNode> prompts = read("datasets/prompts/prompts.jsonl.gz");
        List<JsonNode> human = read("datasets/human-text/human-text.jsonl.gz");
        Set<String> trainKeys = new HashSet<>();
        for (JsonNode d : train) {
            trainKeys.add(splitKey(d.get("id").asText()));
        }
        Set<String> heldIds = new HashSet<>();
        for (JsonNode d : held) {
            heldIds.add(d.get("id").asText());
            assertFalse(trainKeys.contains(splitKey(d.get("id").asText())), d.get("id").asText());
        }
        assertTrue(prompts.size() >= 500, "prompts: " + prompts.size());
        for (JsonNode p : prompts) {
            assertTrue(heldIds.contains(p.get("doc_id").asText()), p.get("id").asText());
            assertFalse(p.get("prompt").asText().isBlank());
        }
        assertEquals(240, human.size());
        for (JsonNode h : human) {
            assertTrue(heldIds.contains(h.get("id").asText()), h.get("id").asText());
        }
    }

    @Test
    void everyHumanTextHasAtLeast200Tokens() throws IOException {
        List<JsonNode> human = read("datasets/human-text/human-text.jsonl.gz");
        List<String> texts = new ArrayList<>();
        for (JsonNode h : human) {
            texts.add(h.get("text").asText());
        }
        try (HfTokenizer tok = Tokenizers.locate(System::getProperty, System::getenv).open()) {
            int[][] ids = tok.encodeBatch(texts);
            int min = Integer.MAX_VALUE;
            for (int[] a : ids) {
                min = Math.min(min, a.length);
            }
            assertTrue(min >= 200, "shortest human-text document has " + min + " tokens");
        }
    }

    @Test
    void committedHumanTextIdsMatchAFreshTokenization() throws IOException {
        try (HfTokenizer tok = Tokenizers.locate(System::getProperty, System::getenv).open()) {
            List<String> fresh = HumanTextIds.lines(repo(), tok);
            List<String> committed = HumanTextIds.committed(repo());
            assertEquals(240, fresh.size());
            assertEquals(fresh, committed, "regenerate " + HumanTextIds.IDS + " with HumanTextIds.main");
        }
    }
}
