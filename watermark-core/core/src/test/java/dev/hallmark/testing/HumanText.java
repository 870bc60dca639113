package dev.hallmark.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.text.HfTokenizer;
import dev.hallmark.text.Tokenizers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** The committed human-text set (datasets/human-text), tokenized once per JVM with the Qwen3 tokenizer. */
public final class HumanText {

    private static List<int[]> cached;

    private HumanText() {}

    /** The repository root (system property {@code hallmark.repo}, else the parent of the module). */
    public static Path repo() {
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

    /** @return the 240 documents as Qwen3 token ids (no special tokens), in file order */
    public static synchronized List<int[]> tokenized() {
        if (cached != null) {
            return cached;
        }
        Path p = repo().resolve("datasets/human-text/human-text.jsonl.gz");
        ObjectMapper om = new ObjectMapper();
        List<int[]> docs = new ArrayList<>();
        try (HfTokenizer tok = Tokenizers.locate(System::getProperty, System::getenv).open();
                BufferedReader r = new BufferedReader(new InputStreamReader(
                        new GZIPInputStream(Files.newInputStream(p)), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                docs.add(tok.encode(om.readTree(line).get("text").asText()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cached = List.copyOf(docs);
        return cached;
    }
}
