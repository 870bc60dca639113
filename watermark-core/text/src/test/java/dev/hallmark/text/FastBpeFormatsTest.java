package dev.hallmark.text;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The other byte-level BPE shapes the fast engine accepts, each against HF on the same file:
 * the real Llama 3 and cl100k files (fetched by datasets/fetch-test-tokenizers.sh), and variants of
 * the Qwen3 file with GPT-2's ByteLevel regex, add_prefix_space, ignore_merges, lstrip / rstrip /
 * normalized added tokens, and unk / dropped bytes.
 */
class FastBpeFormatsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static List<String> corpusSample;

    @BeforeAll
    static void sample() throws IOException {
        corpusSample = new ArrayList<>();
        for (JsonNode d : DatasetsTest.read("datasets/corpus/heldout.jsonl.gz")) {
            String t = d.get("text").asText();
            corpusSample.add(t.substring(0, Math.min(t.length(), 4000)));
            if (corpusSample.size() == 30) {
                break;
            }
        }
    }

    static Path cached(String name) {
        Path p = Tokenizers.cacheDir(System::getProperty, System::getenv).resolve("tokenizers").resolve(name).resolve("tokenizer.json");
        if (!Files.isRegularFile(p)) {
            fail("missing " + p + ": run 'bash datasets/fetch-test-tokenizers.sh' (the Maven build of "
                    + "watermark-core runs it unless -Dhallmark.tokenizer.skipFetch=true)");
        }
        return p;
    }

    @Test
    void llama3RealFile() {
        check(cached("llama3"), 1, List.of("<|begin_of_text|>Hello<|eot_id|>", "1234567 12 3", "<|reserved_special_token_5|>"));
    }

    @Test
    void cl100kRealFile() {
        check(cached("cl100k"), 2, List.of("<|endoftext|>x<|fim_prefix|>", "1234567 12 3"));
    }

    @Test
    void gpt2StyleByteLevelRegex(@TempDir Path dir) throws IOException {
        Path f = variant(dir, "gpt2", t -> {
            t.putNull("normalizer");
            t.set("pre_tokenizer", byteLevel(false, true));
        });
        check(f, 3, List.of("Hello world", "  leading", "x 12345 y", "it's 'S 'll"));
    }

    @Test
    void gpt2WithPrefixSpaceAndStrippingAddedTokens(@TempDir Path dir) throws IOException {
        Path f = variant(dir, "gpt2-prefix", t -> {
            t.set("pre_tokenizer", byteLevel(true, true));
            ArrayNode added = (ArrayNode) t.get("added_tokens");
            added.add(added("[MASK]", 151_669, true, false, true, false));
            added.add(added("caf\u00E9 bar", 151_670, false, true, false, true));
            added.add(added("<pad>", 151_671, true, false, true, true));
            added.add(added("hello", t.get("model").get("vocab").get("hello").asInt(), false, true, false, false));
        });
        check(f, 4, List.of("a [MASK] b", "a\u3000 [MASK]", "x cafe\u0301 bar  y", "<pad>  z", " <pad>\n",
                "say hello", "hellohello", "[MASK][MASK]"));
    }

    @Test
    void llamaShapeOnQwenWithPrefixPerPieceAndIgnoreMerges(@TempDir Path dir) throws IOException {
        Path f = variant(dir, "llama-shape", t -> {
            ObjectNode split = JSON.createObjectNode();
            split.put("type", "Split");
            split.putObject("pattern").put("Regex", PreTokenizerScanner.CL100K_PATTERN);
            split.put("behavior", "Removed");
            split.put("invert", true);
            ObjectNode seq = JSON.createObjectNode();
            seq.put("type", "Sequence");
            seq.putArray("pretokenizers").add(split).add(byteLevel(true, false));
            t.set("pre_tokenizer", seq);
            ((ObjectNode) t.get("model")).put("ignore_merges", true);
            ObjectNode post = JSON.createObjectNode();
            post.put("type", "TemplateProcessing");
            post.putArray("single").addObject().putObject("SpecialToken").put("id", "<|endoftext|>").put("type_id", 0);
            post.withArray("single").addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
            post.putArray("pair");
            post.putObject("special_tokens").putObject("<|endoftext|>").put("id", "<|endoftext|>")
                    .putArray("ids").add(151_643);
            post.withObject("/special_tokens/<|endoftext|>").putArray("tokens").add("<|endoftext|>");
            t.set("post_processor", post);
        });
        check(f, 5, List.of("1234567", "a  b", "x\n\ny"));
    }

    @Test
    void unknownBytesFusedIntoUnk(@TempDir Path dir) throws IOException {
        Path f = variant(dir, "unk", t -> {
            dropControlBytes(t);
            ((ObjectNode) t.get("model")).put("unk_token", "!!");
            ((ObjectNode) t.get("model")).put("fuse_unk", true);
        });
        check(f, 6, List.of("a\u0001\u0002b", "\u0003", "x\u0001y\u0002\u0002"));
    }

    @Test
    void unknownBytesWithoutUnkAreDropped(@TempDir Path dir) throws IOException {
        Path f = variant(dir, "drop", t -> {
            dropControlBytes(t);
            ((ObjectNode) t.get("model")).put("unk_token", "!!");
            ((ObjectNode) t.get("model")).put("fuse_unk", false);
        });
        check(f, 7, List.of("a\u0001\u0002b", "\u0003\u0004"));
        Path g = variant(dir, "drop2", t -> dropControlBytes(t));
        check(g, 8, List.of("a\u0001\u0002b", "\u0003\u0004", "\u0001"));
    }

    /** Fuzz strings, corpus excerpts and the given cases, compared with word ids. */
    private static void check(Path file, long seed, List<String> cases) {
        List<String> failures = new ArrayList<>();
        try (Differential d = Differential.open(file)) {
            List<String> texts = new ArrayList<>(cases);
            texts.addAll(corpusSample);
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < 600; i++) {
                texts.add(FastBpeFuzzTest.randomString(r));
            }
            for (int i = 0; i < texts.size() && failures.size() < 5; i++) {
                String diff = d.compareSplits(texts.get(i));
                if (diff != null) {
                    failures.add("text " + i + " (seed " + seed + "): " + diff);
                }
            }
            assertTrue(d.fast.vocabularySize() == d.hf.vocabularySize(), "vocabulary sizes differ");
        }
        if (!failures.isEmpty()) {
            fail(file + ": fast and HF differ:\n" + String.join("\n", failures));
        }
    }

    static ObjectNode byteLevel(boolean prefixSpace, boolean useRegex) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", prefixSpace);
        n.put("trim_offsets", false);
        n.put("use_regex", useRegex);
        return n;
    }

    static ObjectNode added(String content, int id, boolean special, boolean normalized, boolean lstrip, boolean rstrip) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id);
        n.put("content", content);
        n.put("single_word", false);
        n.put("lstrip", lstrip);
        n.put("rstrip", rstrip);
        n.put("normalized", normalized);
        n.put("special", special);
        return n;
    }

    /**
     * Takes the byte-level chars of bytes 0x01-0x04 out of the vocabulary (renamed, so that ids stay
     * dense), with every merge that uses them.
     */
    private static void dropControlBytes(ObjectNode t) {
        ObjectNode model = (ObjectNode) t.get("model");
        ObjectNode vocab = (ObjectNode) model.get("vocab");
        String gone = "\u0101\u0102\u0103\u0104";
        for (char c : gone.toCharArray()) {
            JsonNode id = vocab.remove(String.valueOf(c));
            vocab.set("<renamed-" + (int) c + ">", id);
        }
        ArrayNode kept = JSON.createArrayNode();
        for (JsonNode m : model.get("merges")) {
            String both = m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText();
            if (both.chars().noneMatch(c -> gone.indexOf(c) >= 0)) {
                kept.add(m);
            }
        }
        model.set("merges", kept);
    }

    private static ObjectNode qwen;

    private static Path variant(Path dir, String name, Consumer<ObjectNode> edit) throws IOException {
        synchronized (FastBpeFormatsTest.class) {
            if (qwen == null) {
                qwen = (ObjectNode) JSON.readTree(Tokenizers.locate(System::getProperty, System::getenv).path().toFile());
            }
        }
        ObjectNode t = qwen.deepCopy();
        edit.accept(t);
        Path f = dir.resolve(name + ".json");
        JSON.writeValue(f.toFile(), t);
        return f;
    }
}
