package dev.hallmark.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.tools.attack.Attack;
import dev.hallmark.tools.attack.AttackChain;
import dev.hallmark.tools.attack.AttackResources;
import dev.hallmark.tools.attack.Attacks;
import dev.hallmark.tools.attack.TokenCodec;
import dev.hallmark.tools.experiment.TextModel;
import java.util.Locale;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hallmark attack}: edit texts (or token ids) the way an adversary would, reproducibly. */
@Command(name = "attack", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Attack texts or token ids in JSONL (one object per line with a \"text\"",
            "string or an \"ids\" array). Each output line keeps every input field,",
            "replaces the text/ids, and adds \"attack\" (kinds, strengths, seed, per-step",
            "measurements) and \"edit_rate\": Levenshtein distance / input length in",
            "\"edit_unit\" (words for word attacks on text, else tokens).",
            "",
            "Kinds (meaning of the strength):",
            "  delete, insert, substitute   token edits (probability per token)",
            "  paraphrase                   LM re-generation (probability per token)",
            "  synonym, swap, typo,         word edits (fraction of words changed)",
            "  misspell, case",
            "  contraction                  do not <-> don't (probability per site)",
            "  dilute                       paste into human text (human fraction, < 1)",
            "See docs/experiments/README.md for the exact definitions.",
            ""})
final class AttackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--kind", required = true, split = ",", paramLabel = "KIND",
            description = "Attack kind; repeat or comma-separate to chain (applied in order).")
    List<String> kinds;

    @Option(names = "--strength", required = true, split = ",", paramLabel = "S",
            description = "One strength for every kind, or one per kind in the same order.")
    List<Double> strengths;

    @Option(names = "--seed", required = true, description = "Seed: the same seed and input give the same output.")
    long seed;

    @Option(names = "--input", required = true, description = "JSONL input (.gz is decompressed).")
    Path input;

    @Option(names = "--out", required = true, description = "JSONL output (.gz is compressed).")
    Path out;

    @Option(names = "--field", defaultValue = "text", description = "Field holding the text (default: ${DEFAULT-VALUE}).")
    String field;

    @Option(names = "--keep-original", description = "Also write the input text/ids as \"original_<field>\".")
    boolean keepOriginal;

    @Mixin
    TokenizerOption tokenizer;

    @Mixin
    WordNetOption wordnet;

    @Option(names = "--human", description = "Human text for dilute, JSONL with \"text\" (default: "
            + "datasets/human-text/human-text.jsonl.gz of the repository).")
    Path human;

    @Mixin
    ModelOption model;

    @Mixin
    ProgressOptions progress;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (strengths.size() != 1 && strengths.size() != kinds.size()) {
            throw new IllegalArgumentException("give one --strength for all kinds or one per kind: " + kinds.size()
                    + " kind(s), " + strengths.size() + " strength(s)");
        }
        TextTokenizer[] tok = new TextTokenizer[1];
        TextModel[] lm = new TextModel[1];
        AttackResources resources = AttackResources.of(
                wordnet::load,
                () -> TokenCodec.of(tokenizer(tok)),
                () -> HumanText.tokens(humanPath(), TokenCodec.of(tokenizer(tok))),
                () -> {
                    lm[0] = Paraphrasers.openModel(model.given(), 1);
                    return Paraphrasers.forExperiment(lm[0]);
                });
        List<Attack> attacks = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            attacks.add(Attacks.create(kinds.get(i), strengths.get(strengths.size() == 1 ? 0 : i), resources));
        }
        AttackChain chain = AttackChain.of(attacks);
        long total = countLines(input);
        Progress p = progress.progress("attack", total);
        long n = 0;
        try (BufferedReader in = InputRecords.open(input);
                Writer w = writer(out)) {
            String line;
            long lineNo = 0;
            while ((line = readLine(in, lineNo)) != null) {
                lineNo++;
                if (line.isBlank()) {
                    p.step(1);
                    continue;
                }
                ObjectNode o = parse(line, lineNo);
                AttackChain.Document doc = document(o, lineNo);
                AttackChain.Result r = chain.apply(doc, seed, n,
                        chain.needsCodec(doc.text() != null) ? TokenCodec.of(tokenizer(tok)) : null);
                if (keepOriginal) {
                    if (doc.text() != null) {
                        o.put("original_" + field, doc.text());
                    } else {
                        o.set("original_ids", idsNode(doc.ids()));
                    }
                }
                if (r.document().text() != null) {
                    o.put(field, r.document().text());
                } else {
                    o.set("ids", idsNode(r.document().ids()));
                }
                o.set("attack", attackNode(chain, r, o.get("attack")));
                putRate(o, "edit_rate", r.editRate());
                o.put("edit_unit", unit(r.unit()));
                w.write(JSON.writeValueAsString(o));
                w.write('\n');
                n++;
                p.step(1);
            }
            p.done();
        } finally {
            if (tok[0] != null) {
                tok[0].close();
            }
            if (lm[0] != null) {
                lm[0].close();
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("input " + input + " holds no records");
        }
        spec.commandLine().getErr().printf(Locale.ROOT, "attacked %d record(s) -> %s%n", n, out);
        return 0;
    }

    private TextTokenizer tokenizer(TextTokenizer[] holder) {
        if (holder[0] == null) {
            holder[0] = tokenizer.open();
        }
        return holder[0];
    }

    private Path humanPath() {
        return human != null ? human : HumanText.defaultPath();
    }

    private static String readLine(BufferedReader in, long lineNo) throws IOException {
        try {
            return in.readLine();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("input is not valid UTF-8 near line " + (lineNo + 1));
        }
    }

    private ObjectNode parse(String line, long no) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("input " + input + " line " + no + ": not valid JSON ("
                    + e.getOriginalMessage() + ")");
        }
        if (!(n instanceof ObjectNode o)) {
            throw new IllegalArgumentException("input " + input + " line " + no + ": expected a JSON object");
        }
        return o;
    }

    private AttackChain.Document document(ObjectNode o, long no) {
        JsonNode t = o.get(field);
        if (t != null && t.isTextual()) {
            return AttackChain.Document.text(t.textValue());
        }
        JsonNode ids = o.get("ids");
        if (ids != null && ids.isArray()) {
            int[] a = new int[ids.size()];
            for (int i = 0; i < a.length; i++) {
                JsonNode v = ids.get(i);
                if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
                    throw new IllegalArgumentException("input " + input + " line " + no + ": ids[" + i
                            + "] is not a non-negative integer");
                }
                a[i] = v.intValue();
            }
            return AttackChain.Document.ids(a);
        }
        throw new IllegalArgumentException("input " + input + " line " + no + ": no \"" + field
                + "\" string or \"ids\" array");
    }

    private ObjectNode attackNode(AttackChain chain, AttackChain.Result r, JsonNode previous) {
        ObjectNode a = JSON.createObjectNode();
        ArrayNode kindsNode = a.putArray("kinds");
        ArrayNode strengthNode = a.putArray("strengths");
        for (Attack x : chain.steps()) {
            kindsNode.add(x.kind());
            strengthNode.add(x.strength());
        }
        a.put("seed", seed);
        ArrayNode steps = a.putArray("steps");
        for (AttackChain.Step s : r.steps()) {
            steps.add(stepNode(s));
        }
        a.put("input_units", r.inputUnits());
        a.put("distance", r.distance());
        if (previous != null && !previous.isNull()) {
            a.set("previous", previous);
        }
        return a;
    }

    static ObjectNode stepNode(AttackChain.Step s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", s.kind());
        o.put("strength", s.strength());
        o.put("unit", unit(s.unit()));
        o.put("input_units", s.inputUnits());
        o.put("distance", s.distance());
        putRate(o, "edit_rate", s.editRate());
        ObjectNode c = o.putObject("changes");
        s.changes().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> c.put(e.getKey(), e.getValue()));
        s.derived().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> putRate(c, e.getKey(), e.getValue()));
        return o;
    }

    static void putRate(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }

    static String unit(Attack.Unit u) {
        return u == Attack.Unit.TOKEN ? "token" : "word";
    }

    private static ArrayNode idsNode(int[] ids) {
        ArrayNode a = JSON.createArrayNode();
        for (int id : ids) {
            a.add(id);
        }
        return a;
    }

    static Writer writer(Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        OutputStream os = Files.newOutputStream(out);
        if (out.getFileName().toString().endsWith(".gz")) {
            os = new GZIPOutputStream(os, 1 << 16);
        }
        return new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
    }

    static long countLines(Path file) throws IOException {
        long n = 0;
        try (BufferedReader r = InputRecords.open(file)) {
            while (r.readLine() != null) {
                n++;
            }
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("input " + file + ": not valid UTF-8");
        }
        return n;
    }
}
