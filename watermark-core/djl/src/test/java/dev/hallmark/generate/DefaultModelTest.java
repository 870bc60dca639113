package dev.hallmark.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hallmark.text.HfTokenizer;
import dev.hallmark.text.Tokenizers;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed default model (datasets/models/default) loads, fits the size budget, and is sane. */
class DefaultModelTest {

    static Path dir() {
        return dev.hallmark.testing.HumanText.repo().resolve("datasets/models/default");
    }

    @Test
    void isSmallEnoughToCommit() throws IOException {
        long bytes;
        try (Stream<Path> s = Files.list(dir())) {
            bytes = s.filter(p -> p.getFileName().toString().matches("config\\.json|id-map\\.json|weights\\.ndlist"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
        assertTrue(bytes > 1_000_000 && bytes <= 25L * 1024 * 1024, "model files take " + bytes + " bytes");
    }

    @Test
    void loadsScattersAndBeatsAnOracleUnigram() throws IOException {
        try (TransformerLm lm = TransformerLm.load(dir()); HfTokenizer tok = Tokenizers.locate(System::getProperty, System::getenv).open()) {
            assertEquals(Tokenizers.QWEN3_VOCABULARY_SIZE, lm.vocabularySize());
            assertEquals(8192, lm.idMap().size());
            int[] prompt = tok.encode("And God said, Let there be light: and there was");
            float[][] logits = new float[1][lm.vocabularySize()];
            try (LanguageModel.Session s = lm.newSession(1)) {
                s.start(new int[][] {prompt}, logits);
            }
            int uncovered = 0;
            for (int id = 0; id < lm.vocabularySize(); id++) {
                if (!lm.idMap().contains(id)) {
                    assertEquals(Float.NEGATIVE_INFINITY, logits[0][id]);
                    uncovered++;
                }
            }
            assertEquals(Tokenizers.QWEN3_VOCABULARY_SIZE - 8192, uncovered);
            // better than a unigram model fitted on the very tokens scored (an oracle baseline that
            // is stronger than the train-fitted unigram of the model card)
            List<String> docs = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                    Files.newInputStream(dir().resolve("../../corpus/heldout.jsonl.gz"))), StandardCharsets.UTF_8))) {
                for (int i = 0; i < 3; i++) {
                    docs.add(new ObjectMapper().readTree(r.readLine()).get("text").asText());
                }
            }
            int[] held = tok.encodeBatch(docs)[0];
            for (int i = 1; i < docs.size(); i++) {
                int[] more = tok.encode(docs.get(i));
                int[] c = Arrays.copyOf(held, held.length + more.length);
                System.arraycopy(more, 0, c, held.length, more.length);
                held = c;
            }
            LmEvaluation.Result res = LmEvaluation.evaluate(lm, held, held, 8);
            assertTrue(res.tokensScored() > 1000, "scored " + res.tokensScored());
            assertTrue(res.modelPerplexity() < res.unigramPerplexity(),
                    "model perplexity " + res.modelPerplexity() + " vs oracle unigram " + res.unigramPerplexity());
        }
    }
}
