package dev.hallmark.tools.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.tools.attack.Attacks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An experiment's configuration, read from YAML ({@code .yaml}/{@code .yml}) or JSON. Every key is
 * checked: an unknown key or a bad value is an error naming the key. Relative paths are resolved
 * against the repository root by the runner. See {@code docs/experiments/README.md} for the format.
 *
 * @param name a label for the results
 * @param seed the master seed: keys, prompt choice, sampling, attacks and bootstrap all derive from it
 * @param threads worker threads for detection and attacks
 * @param model {@code default} (the project's LM, at {@code modelPath}) or {@code bigram} (tests)
 * @param modelPath the default LM's directory (null: the repository's {@code datasets/models/default})
 * @param batchSize for {@code default}: sequences generated together
 * @param bigramTop for {@code bigram}: ids kept
 * @param bigramDocs for {@code bigram}: human-text documents it is trained on
 * @param bigramIdLimit for {@code bigram}: only ids below this are kept
 * @param texts watermarked texts per scheme (and as many unwatermarked)
 * @param maxTokens tokens generated per text
 * @param prompts the prompt file (JSONL, field {@code prompt})
 * @param human the human-text file (JSONL, field {@code text}) for dilution and the false-positive check
 * @param sampling temperature, top-k, top-p (repeated contexts are not skipped unless asked)
 * @param schemes canonical scheme specs
 * @param lengths text lengths in tokens at which detection is measured (ascending)
 * @param fprs false-positive rates for TPR and tokens-to-detect
 * @param attacks attack kinds with their strengths (the unattacked condition is always included)
 * @param nullKeys extra never-deployed keys scored on the human text and unwatermarked output
 * @param nullDocuments human-text documents used for the false-positive check (0: all)
 * @param bootstrap bootstrap replicates for the AUC confidence interval
 * @param spikeGamma gamma of the spike-entropy modulus
 * @param spikeDelta delta of the spike-entropy modulus
 * @param plotLength the length at which TPR-vs-strength plots are drawn
 */
public record ExperimentConfig(
        String name,
        long seed,
        int threads,
        String model,
        String modelPath,
        int batchSize,
        int bigramTop,
        int bigramDocs,
        int bigramIdLimit,
        int texts,
        int maxTokens,
        String prompts,
        String human,
        SamplingConfig sampling,
        List<String> schemes,
        List<Integer> lengths,
        List<Double> fprs,
        List<AttackSpec> attacks,
        int nullKeys,
        int nullDocuments,
        int bootstrap,
        double spikeGamma,
        double spikeDelta,
        int plotLength) {

    /** One attack kind and the strengths to sweep. */
    public record AttackSpec(String kind, List<Double> strengths) {
    }

    private static final Set<String> KEYS = Set.of("name", "seed", "threads", "model", "texts", "max_tokens",
            "prompts", "human", "sampling", "schemes", "lengths", "fprs", "attacks", "null_keys", "null_documents", "bootstrap",
            "spike_entropy", "plot_length");

    /** Reads a config file (YAML or JSON by extension; JSON is also valid YAML). */
    public static ExperimentConfig read(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper m = n.endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
        JsonNode root;
        try {
            root = m.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("config " + file + ": cannot read (" + e.getMessage() + ")");
        }
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("config " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses a config tree. */
    public static ExperimentConfig parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a mapping at the top level");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown key '" + k + "' (known: " + String.join(", ",
                        KEYS.stream().sorted().toList()) + ")");
            }
        }
        String name = text(root, "name", "experiment");
        long seed = root.has("seed") ? longValue(root, "seed") : 1;
        int threads = intValue(root, "threads", 2, 1, 64);
        String model = "default";
        String modelPath = null;
        int batchSize = 16;
        int bigramTop = 1000;
        int bigramDocs = 60;
        int bigramIdLimit = 32768;
        JsonNode mn = root.get("model");
        if (mn != null) {
            if (mn.isTextual()) {
                model = mn.textValue();
            } else if (mn.isObject()) {
                checkKeys(mn, "model", Set.of("kind", "path", "batch_size", "top", "docs", "id_limit"));
                model = text(mn, "kind", "default");
                modelPath = mn.hasNonNull("path") ? mn.get("path").asText() : null;
                batchSize = intValue(mn, "batch_size", batchSize, 1, 4096);
                bigramTop = intValue(mn, "top", bigramTop, 10, 100_000);
                bigramDocs = intValue(mn, "docs", bigramDocs, 1, 1_000_000);
                bigramIdLimit = intValue(mn, "id_limit", bigramIdLimit, 2, Integer.MAX_VALUE);
            } else {
                throw new IllegalArgumentException("model: expected a name or a mapping");
            }
        }
        if (!model.equals("default") && !model.equals("bigram")) {
            throw new IllegalArgumentException("model.kind: must be default or bigram, got '" + model + "'");
        }
        int texts = intValue(root, "texts", 100, 2, 1_000_000);
        int maxTokens = intValue(root, "max_tokens", 400, 2, 100_000);
        String prompts = text(root, "prompts", null);
        String human = text(root, "human", null);
        SamplingConfig sampling = new SamplingConfig(1.0, 0, 1.0, false);
        JsonNode sn = root.get("sampling");
        if (sn != null) {
            checkKeys(sn, "sampling", Set.of("temperature", "top_k", "top_p", "skip_repeated_contexts"));
            sampling = new SamplingConfig(doubleValue(sn, "temperature", 1.0), intValue(sn, "top_k", 0, 0, 1 << 30),
                    doubleValue(sn, "top_p", 1.0), sn.path("skip_repeated_contexts").asBoolean(false));
        }
        List<String> schemes = new ArrayList<>();
        for (JsonNode s : array(root, "schemes", true)) {
            try {
                schemes.add(Scheme.parse(s.asText()).toString());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("schemes: " + e.getMessage(), e);
            }
        }
        if (schemes.isEmpty()) {
            throw new IllegalArgumentException("schemes: give at least one scheme");
        }
        List<Integer> lengths = new ArrayList<>();
        for (JsonNode l : array(root, "lengths", true)) {
            int v = l.asInt(-1);
            if (!l.canConvertToInt() || v < 1 || v > maxTokens || !lengths.isEmpty() && v <= lengths.get(lengths.size() - 1)) {
                throw new IllegalArgumentException("lengths: need ascending integers in [1, max_tokens=" + maxTokens
                        + "], got " + l);
            }
            lengths.add(v);
        }
        List<Double> fprs = new ArrayList<>();
        JsonNode fn = root.get("fprs");
        if (fn == null) {
            fprs.addAll(List.of(1e-2, 1e-3, 1e-4));
        } else {
            for (JsonNode f : array(root, "fprs", true)) {
                double v = f.asDouble(Double.NaN);
                if (!(v > 0 && v < 1)) {
                    throw new IllegalArgumentException("fprs: each must be in (0, 1), got " + f);
                }
                fprs.add(v);
            }
        }
        List<AttackSpec> attacks = new ArrayList<>();
        JsonNode an = root.get("attacks");
        if (an != null) {
            for (JsonNode a : array(root, "attacks", false)) {
                checkKeys(a, "attacks[]", Set.of("kind", "strengths"));
                String kind = text(a, "kind", null);
                if (kind == null || !Attacks.kinds().containsKey(kind)) {
                    throw new IllegalArgumentException("attacks: unknown kind '" + kind + "' (known: "
                            + String.join(", ", Attacks.kinds().keySet()) + ")");
                }
                List<Double> st = new ArrayList<>();
                for (JsonNode v : array(a, "strengths", true)) {
                    double d = v.asDouble(Double.NaN);
                    if (!(d >= 0 && d <= 1) || kind.equals("dilute") && d >= 1) {
                        throw new IllegalArgumentException("attacks: " + kind + " strength out of range: " + v);
                    }
                    st.add(d);
                }
                attacks.add(new AttackSpec(kind, List.copyOf(st)));
            }
        }
        int nullKeys = intValue(root, "null_keys", 10, 0, 10_000);
        int nullDocuments = intValue(root, "null_documents", 0, 0, Integer.MAX_VALUE);
        int bootstrap = intValue(root, "bootstrap", 1000, 2, 1_000_000);
        double sg = 0.25;
        double sd = 2.0;
        JsonNode se = root.get("spike_entropy");
        if (se != null) {
            checkKeys(se, "spike_entropy", Set.of("gamma", "delta"));
            sg = doubleValue(se, "gamma", sg);
            sd = doubleValue(se, "delta", sd);
        }
        Quality.spikeModulus(sg, sd); // validates
        int plotLength = intValue(root, "plot_length", lengths.get(lengths.size() / 2), 1, maxTokens);
        if (!lengths.contains(plotLength)) {
            throw new IllegalArgumentException("plot_length: " + plotLength + " is not one of lengths " + lengths);
        }
        return new ExperimentConfig(name, seed, threads, model, modelPath, batchSize, bigramTop, bigramDocs, bigramIdLimit, texts,
                maxTokens, prompts, human, sampling, List.copyOf(schemes), List.copyOf(lengths), List.copyOf(fprs),
                List.copyOf(attacks), nullKeys, nullDocuments, bootstrap, sg, sd, plotLength);
    }

    /** The effective configuration (defaults filled in), in the file format's key names. */
    public ObjectNode toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("name", name);
        o.put("seed", seed);
        o.put("threads", threads);
        ObjectNode mo = o.putObject("model");
        mo.put("kind", model);
        if (model.equals("default")) {
            if (modelPath != null) {
                mo.put("path", modelPath);
            }
            mo.put("batch_size", batchSize);
        } else {
            mo.put("top", bigramTop);
            mo.put("docs", bigramDocs);
            mo.put("id_limit", bigramIdLimit);
        }
        o.put("texts", texts);
        o.put("max_tokens", maxTokens);
        if (prompts != null) {
            o.put("prompts", prompts);
        }
        if (human != null) {
            o.put("human", human);
        }
        ObjectNode s = o.putObject("sampling");
        s.put("temperature", sampling.temperature());
        s.put("top_k", sampling.topK());
        s.put("top_p", sampling.topP());
        s.put("skip_repeated_contexts", sampling.skipRepeatedContexts());
        schemes.forEach(o.putArray("schemes")::add);
        lengths.forEach(o.putArray("lengths")::add);
        fprs.forEach(o.putArray("fprs")::add);
        ArrayNode a = o.putArray("attacks");
        for (AttackSpec as : attacks) {
            ObjectNode x = a.addObject();
            x.put("kind", as.kind());
            as.strengths().forEach(x.putArray("strengths")::add);
        }
        o.put("null_keys", nullKeys);
        o.put("null_documents", nullDocuments);
        o.put("bootstrap", bootstrap);
        ObjectNode se = o.putObject("spike_entropy");
        se.put("gamma", spikeGamma);
        se.put("delta", spikeDelta);
        o.put("plot_length", plotLength);
        return o;
    }

    // ---------------------------------------------------------------- helpers

    private static void checkKeys(JsonNode n, String where, Set<String> known) {
        if (!n.isObject()) {
            throw new IllegalArgumentException(where + ": expected a mapping");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            String k = it.next();
            if (!known.contains(k)) {
                throw new IllegalArgumentException(where + ": unknown key '" + k + "' (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String text(JsonNode n, String key, String dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(key + ": expected a string, got " + v);
        }
        return v.textValue();
    }

    private static long longValue(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException(key + ": expected an integer, got " + v);
        }
        return v.longValue();
    }

    private static int intValue(JsonNode n, String key, int dflt, int min, int max) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            throw new IllegalArgumentException(key + ": expected an integer in [" + min + ", " + max + "], got " + v);
        }
        return v.intValue();
    }

    private static double doubleValue(JsonNode n, String key, double dflt) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(key + ": expected a number, got " + v);
        }
        return v.doubleValue();
    }

    private static Iterable<JsonNode> array(JsonNode n, String key, boolean scalars) {
        JsonNode v = n.get(key);
        if (v == null || !v.isArray()) {
            throw new IllegalArgumentException(key + ": expected a list");
        }
        for (JsonNode e : v) {
            if (scalars && !e.isValueNode()) {
                throw new IllegalArgumentException(key + ": expected a list of values, got " + e);
            }
        }
        return v;
    }
}
