package dev.hallmark.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/**
 * The committed human-text set (datasets/human-text) as Qwen3 token ids, read from the committed
 * {@code human-text.qwen3-ids.jsonl.gz} (hallmark-text's {@code DatasetsTest} checks that file against
 * a fresh tokenization), so hallmark-core's tests need no tokenizer.
 */
public final class HumanText {

    private static List<int[]> cached;

    private HumanText() {}

    /**
     * The repository root: system property {@code hallmark.repo}, else the nearest ancestor of the
     * working directory that holds {@code datasets/}.
     */
    public static Path repo() {
        String r = System.getProperty("hallmark.repo");
        if (r != null) {
            return Path.of(r);
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("datasets"))) {
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
        Path p = repo().resolve("datasets/human-text/human-text.qwen3-ids.jsonl.gz");
        ObjectMapper om = new ObjectMapper();
        List<int[]> docs = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(p)), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode ids = om.readTree(line).get("ids");
                int[] d = new int[ids.size()];
                for (int i = 0; i < d.length; i++) {
                    d[i] = ids.get(i).intValue();
                }
                docs.add(d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cached = List.copyOf(docs);
        return cached;
    }
}
