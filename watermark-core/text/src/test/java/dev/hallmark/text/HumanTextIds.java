package dev.hallmark.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Writes {@code datasets/human-text/human-text.qwen3-ids.jsonl.gz}: the committed human text as Qwen3
 * token ids ({@code {"id": ..., "ids": [...]}} per line, file order), so that hallmark-core's tests
 * need no tokenizer. {@code DatasetsTest} checks the committed file against a fresh tokenization.
 *
 * <p>Run: {@code mvn -q -pl watermark-core/text test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.hallmark.text.HumanTextIds} from the repository root.
 */
public final class HumanTextIds {

    static final String TEXT = "datasets/human-text/human-text.jsonl.gz";
    static final String IDS = "datasets/human-text/human-text.qwen3-ids.jsonl.gz";

    private HumanTextIds() {}

    /** One line per document: its id and its token ids. */
    static List<String> lines(Path repo, HfTokenizer tok) throws IOException {
        ObjectMapper om = new ObjectMapper();
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(repo.resolve(TEXT))), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                var doc = om.readTree(line);
                var rec = om.createObjectNode();
                rec.put("id", doc.get("id").asText());
                var arr = rec.putArray("ids");
                for (int id : tok.encode(doc.get("text").asText())) {
                    arr.add(id);
                }
                out.add(om.writeValueAsString(rec));
            }
        }
        return out;
    }

    /** Reads the committed ids file's lines. */
    static List<String> committed(Path repo) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(repo.resolve(IDS))), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.add(line);
            }
        }
        return out;
    }

    public static void main(String[] args) throws IOException {
        Path repo = DatasetsTest.repo();
        try (HfTokenizer tok = Tokenizers.locate(System::getProperty, System::getenv).open();
                Writer w = new OutputStreamWriter(new GZIPOutputStream(
                        Files.newOutputStream(repo.resolve(IDS))), StandardCharsets.UTF_8)) {
            for (String l : lines(repo, tok)) {
                w.write(l);
                w.write('\n');
            }
        }
        System.out.println("wrote " + repo.resolve(IDS));
    }
}
