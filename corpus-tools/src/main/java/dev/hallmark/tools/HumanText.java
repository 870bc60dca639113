package dev.hallmark.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.tools.attack.TokenCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The repository's datasets (human text, prompts) and where to find them. */
public final class HumanText {

    /** Relative path of the human-text set inside the repository. */
    public static final String HUMAN_TEXT = "datasets/human-text/human-text.jsonl.gz";
    /** Relative path of the prompt set inside the repository. */
    public static final String PROMPTS = "datasets/prompts/prompts.jsonl.gz";

    private static final ObjectMapper JSON = new ObjectMapper();

    private HumanText() {
    }

    /**
     * The repository root: system property {@code hallmark.repo}, else env {@code HALLMARK_REPO},
     * else the nearest directory at or above the working directory that holds
     * {@code datasets/human-text}, else the same search from the running jar's location
     * ({@code corpus-tools/target/hallmark.jar} sits two levels below the root), else the working
     * directory.
     */
    public static Path repoRoot() {
        String p = System.getProperty("hallmark.repo");
        if (p == null || p.isBlank()) {
            p = System.getenv("HALLMARK_REPO");
        }
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        Path d = Path.of("").toAbsolutePath();
        for (Path c = d; c != null; c = c.getParent()) {
            if (Files.isDirectory(c.resolve("datasets/human-text"))) {
                return c;
            }
        }
        try {
            Path code = Path.of(HumanText.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path c = code.getParent(); c != null; c = c.getParent()) {
                if (Files.isDirectory(c.resolve("datasets/human-text"))) {
                    return c;
                }
            }
        } catch (java.net.URISyntaxException | SecurityException | NullPointerException e) {
            // no code location: fall back to the working directory
        }
        return d;
    }

    /** {@link #HUMAN_TEXT} under {@link #repoRoot()}. */
    public static Path defaultPath() {
        return repoRoot().resolve(HUMAN_TEXT);
    }

    /** {@link #PROMPTS} under {@link #repoRoot()}. */
    public static Path defaultPrompts() {
        return repoRoot().resolve(PROMPTS);
    }

    /** The string field {@code field} of every JSONL record of {@code file} (records without it are an error). */
    public static List<String> read(Path file, String field) {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = InputRecords.open(file)) {
            String line;
            long no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                JsonNode t = n == null ? null : n.get(field);
                if (t == null || !t.isTextual()) {
                    throw new IllegalArgumentException(file + " line " + no + ": no \"" + field + "\" string");
                }
                out.add(t.textValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no records");
        }
        return out;
    }

    /** The human texts of {@code file} (field {@code text}) as token ids. */
    public static List<int[]> tokens(Path file, TokenCodec codec) {
        List<int[]> out = new ArrayList<>();
        for (String t : read(file, "text")) {
            out.add(codec.encode(t));
        }
        return out;
    }
}
