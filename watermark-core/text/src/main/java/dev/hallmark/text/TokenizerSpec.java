package dev.hallmark.text;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parts of a {@code tokenizer.json} the fast engine implements, read and checked: anything
 * else is refused with an {@link UnsupportedTokenizerException} naming the file and the part.
 *
 * @param normalizeNfc  normalizer {@code NFC} (else none)
 * @param scanner       the pre-tokenizer regex as a scanner
 * @param prefixSpace   ByteLevel {@code add_prefix_space}
 * @param prefixPerPiece whether that space goes before every regex piece (Split then ByteLevel) or
 *                      before every text segment (ByteLevel with its own regex)
 * @param vocab         model vocabulary (byte-level strings to ids)
 * @param merges        merge pairs in rank order (byte-level strings)
 * @param ignoreMerges  BPE {@code ignore_merges}
 * @param unkToken      BPE {@code unk_token}, or null
 * @param fuseUnk       BPE {@code fuse_unk}
 * @param added         added tokens in file order
 */
record TokenizerSpec(boolean normalizeNfc, PreTokenizerScanner scanner, boolean prefixSpace, boolean prefixPerPiece,
        Map<String, Integer> vocab, List<String[]> merges, boolean ignoreMerges, String unkToken, boolean fuseUnk,
        List<Added> added) {

    /** An {@code added_tokens} entry. */
    record Added(int id, String content, boolean special, boolean normalized, boolean lstrip, boolean rstrip) {
    }

    private static final Set<String> POST_PROCESSORS = Set.of(
            "ByteLevel", "TemplateProcessing", "RobertaProcessing", "BertProcessing");

    static TokenizerSpec read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UncheckedIOException(new NoSuchFileException(
                    Tokenizers.missingMessage(file, "the path given")));
        }
        Raw raw = Raw.parse(file);
        ObjectNode root = raw.root;
        Refuser no = new Refuser(file);
        if (!"1.0".equals(text(root.get("version")))) {
            throw no.unsupported("version " + root.get("version") + " (HF tokenizers reads version \"1.0\")");
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw new IllegalArgumentException("no model in " + file);
        }
        String type = text(model.get("type"));
        if (type != null && !"BPE".equals(type)) {
            throw no.unsupported("model type " + type + " (only BPE)");
        }
        if (bool(model.get("byte_fallback"), false)) {
            throw no.unsupported("BPE byte_fallback=true (a SentencePiece-style BPE, not byte-level)");
        }
        JsonNode dropout = model.get("dropout");
        if (dropout != null && !dropout.isNull() && dropout.asDouble() != 0.0) {
            throw no.unsupported("BPE dropout " + dropout + " (random; only null or 0)");
        }
        for (String affix : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            String v = text(model.get(affix));
            if (v != null && !v.isEmpty()) {
                throw no.unsupported("BPE " + affix + " \"" + v + "\" (only empty)");
            }
        }
        boolean nfc = normalizer(root.get("normalizer"), no);

        JsonNode pre = root.get("pre_tokenizer");
        if (pre == null || pre.isNull()) {
            throw no.unsupported("no pre_tokenizer (byte-level BPE needs ByteLevel)");
        }
        PreTokenizerScanner scanner;
        boolean prefixSpace;
        boolean perPiece;
        List<JsonNode> steps = new ArrayList<>();
        if ("Sequence".equals(text(pre.get("type")))) {
            pre.get("pretokenizers").forEach(steps::add);
        } else {
            steps.add(pre);
        }
        if (steps.size() == 1 && "ByteLevel".equals(text(steps.get(0).get("type")))) {
            JsonNode bl = steps.get(0);
            if (!bool(bl.get("use_regex"), true)) {
                throw no.unsupported("pre_tokenizer ByteLevel with use_regex=false and no Split before it");
            }
            scanner = PreTokenizerScanner.gpt2();
            prefixSpace = bool(bl.get("add_prefix_space"), false);
            perPiece = false;
        } else if (steps.size() == 2 && "Split".equals(text(steps.get(0).get("type")))
                && "ByteLevel".equals(text(steps.get(1).get("type")))) {
            JsonNode split = steps.get(0);
            JsonNode bl = steps.get(1);
            JsonNode pattern = split.get("pattern");
            String regex = pattern == null ? null : text(pattern.get("Regex"));
            if (regex == null) {
                throw no.unsupported("Split pattern " + pattern + " (only the known byte-level BPE regexes)");
            }
            scanner = PreTokenizerScanner.forPattern(regex);
            if (scanner == null) {
                throw no.unsupported("Split regex " + regex
                        + " (supported: the GPT-2, Llama-3/cl100k and Qwen2/Qwen3 regexes)");
            }
            // these regexes match everywhere, so there are no gaps: Isolated keeps each match as a
            // piece, and so does Removed with invert (it drops the gaps and keeps the matches)
            String behavior = text(split.get("behavior"));
            boolean invert = bool(split.get("invert"), false);
            if (!("Isolated".equals(behavior) && !invert) && !("Removed".equals(behavior) && invert)) {
                throw no.unsupported("Split behavior " + behavior + " with invert " + invert
                        + " (supported: Isolated without invert, Removed with invert)");
            }
            if (bool(bl.get("use_regex"), true)) {
                throw no.unsupported("ByteLevel use_regex=true after a Split (two regex passes)");
            }
            prefixSpace = bool(bl.get("add_prefix_space"), false);
            perPiece = true;
        } else {
            List<String> types = new ArrayList<>();
            steps.forEach(s -> types.add(text(s.get("type"))));
            throw no.unsupported("pre_tokenizer " + types
                    + " (supported: ByteLevel, or Split followed by ByteLevel)");
        }

        JsonNode dec = root.get("decoder");
        if (dec == null || !"ByteLevel".equals(text(dec.get("type")))) {
            throw no.unsupported("decoder " + (dec == null ? "null" : dec.get("type")) + " (only ByteLevel)");
        }
        checkPostProcessor(root.get("post_processor"), no);

        if (raw.vocab == null) {
            throw new IllegalArgumentException("model.vocab is not an object in " + file);
        }
        Map<String, Integer> vocab = raw.vocab;
        List<String[]> merges = raw.merges;
        List<Added> added = new ArrayList<>();
        JsonNode addedNode = root.get("added_tokens");
        if (addedNode != null && addedNode.isArray()) {
            for (JsonNode a : addedNode) {
                if (bool(a.get("single_word"), false)) {
                    throw no.unsupported("added token " + a.get("content") + " with single_word=true");
                }
                added.add(new Added(a.get("id").asInt(), text(a.get("content")), bool(a.get("special"), false),
                        bool(a.get("normalized"), !bool(a.get("special"), false)),
                        bool(a.get("lstrip"), false), bool(a.get("rstrip"), false)));
            }
        }
        return new TokenizerSpec(nfc, scanner, prefixSpace, perPiece, vocab, merges,
                bool(model.get("ignore_merges"), false), text(model.get("unk_token")),
                bool(model.get("fuse_unk"), false), added);
    }

    private static boolean normalizer(JsonNode n, Refuser no) {
        if (n == null || n.isNull()) {
            return false;
        }
        String type = text(n.get("type"));
        if ("NFC".equals(type)) {
            return true;
        }
        if ("Sequence".equals(type) && n.get("normalizers") != null && n.get("normalizers").isEmpty()) {
            return false;
        }
        if ("Sequence".equals(type) && n.get("normalizers") != null && n.get("normalizers").size() == 1) {
            return normalizer(n.get("normalizers").get(0), no);
        }
        throw no.unsupported("normalizer " + (type == null ? n.toString() : type) + " (supported: none, NFC)");
    }

    private static void checkPostProcessor(JsonNode n, Refuser no) {
        if (n == null || n.isNull()) {
            return;
        }
        String type = text(n.get("type"));
        if ("Sequence".equals(type)) {
            for (JsonNode p : n.get("processors")) {
                checkPostProcessor(p, no);
            }
            return;
        }
        // with add_special_tokens=false (the watermarking contract) these leave the ids unchanged
        if (!POST_PROCESSORS.contains(type)) {
            throw no.unsupported("post_processor " + type + " (supported: " + POST_PROCESSORS + ", Sequence)");
        }
    }

    static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    static boolean bool(JsonNode n, boolean dflt) {
        return n == null || n.isNull() ? dflt : n.asBoolean();
    }

    /**
     * The file, streamed: {@code model.vocab} and {@code model.merges} (hundreds of thousands of
     * entries) go straight into a map and a list; everything else becomes a small JSON tree.
     */
    private static final class Raw {
        final ObjectNode root = JsonNodeFactory.instance.objectNode();
        Map<String, Integer> vocab;
        final List<String[]> merges = new ArrayList<>();

        static Raw parse(Path file) {
            Raw raw = new Raw();
            JsonFactory factory = JsonFactory.builder()
                    .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                    .build();
            ObjectMapper mapper = new ObjectMapper(factory);
            try (InputStream in = Files.newInputStream(file); JsonParser p = factory.createParser(in)) {
                p.setCodec(mapper);
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new IllegalArgumentException("not a tokenizer.json (no top-level object): " + file);
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken t = p.nextToken();
                    if ("model".equals(name) && t == JsonToken.START_OBJECT) {
                        ObjectNode model = raw.root.putObject("model");
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            JsonToken v = p.nextToken();
                            if ("vocab".equals(f) && v == JsonToken.START_OBJECT) {
                                raw.vocab = new HashMap<>(1 << 18);
                                while (p.nextToken() == JsonToken.FIELD_NAME) {
                                    String token = p.currentName();
                                    if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0
                                            || p.getLongValue() >= Integer.MAX_VALUE) {
                                        throw new IllegalArgumentException("bad id for token " + token + " in " + file);
                                    }
                                    raw.vocab.put(token, p.getIntValue());
                                }
                            } else if ("merges".equals(f) && v == JsonToken.START_ARRAY) {
                                raw.readMerges(p, file);
                            } else {
                                model.set(f, p.readValueAsTree());
                            }
                        }
                    } else {
                        raw.root.set(name, p.readValueAsTree());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read tokenizer " + file + ": " + e.getMessage(), e);
            }
            return raw;
        }

        private void readMerges(JsonParser p, Path file) throws IOException {
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == JsonToken.VALUE_STRING) {
                    String[] parts = p.getText().split(" ", -1);
                    if (parts.length != 2) {
                        throw new IllegalArgumentException("bad merge \"" + p.getText() + "\" in " + file);
                    }
                    merges.add(parts);
                } else if (t == JsonToken.START_ARRAY && p.nextToken() == JsonToken.VALUE_STRING) {
                    String a = p.getText();
                    String b = p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
                    if (b == null || p.nextToken() != JsonToken.END_ARRAY) {
                        throw new IllegalArgumentException("bad merge near \"" + a + "\" in " + file);
                    }
                    merges.add(new String[] {a, b});
                } else {
                    throw new IllegalArgumentException("bad merge (" + t + ") in " + file);
                }
            }
        }
    }

    /** Builds the refusal messages for one file. */
    record Refuser(Path file) {
        UnsupportedTokenizerException unsupported(String what) {
            return new UnsupportedTokenizerException("the fast tokenizer does not support " + file + ": " + what
                    + "; use the HF engine (--engine hf) for this file");
        }
    }
}
