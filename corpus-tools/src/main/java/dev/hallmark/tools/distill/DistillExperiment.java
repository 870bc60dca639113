package dev.hallmark.tools.distill;

import dev.hallmark.tools.Defaults;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.attribution.AccountCode;
import dev.hallmark.attribution.AccountKeys;
import dev.hallmark.attribution.AttributionAccumulator;
import dev.hallmark.detect.DetectionResult;
import dev.hallmark.detect.PositionFilter;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.generate.LanguageModel;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.text.HfTokenizer;
import dev.hallmark.text.Tokenizers;
import dev.hallmark.tools.Progress;
import dev.hallmark.tools.plot.Plots;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs a {@link DistillConfig}: builds (or reuses) the teacher corpora, trains every student of
 * every run, tests their outputs ({@link SuspectTester}) and writes results (JSON, CSV, a
 * Markdown summary, plots) into the output directory.
 *
 * <p>Work directory (caches, reused across invocations with the same settings): tokenized human
 * text, harvest and fresh prompts, and one JSONL per teacher corpus with a metadata file. A
 * teacher corpus generated under different settings is never silently reused or overwritten.
 */
public final class DistillExperiment {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PROMPT_WORDS = 24;
    private static final int PROMPT_FOLLOW = 40;
    private static final int PROMPTS_PER_DOC = 4;

    private final DistillConfig cfg;
    private final Path work;
    private final Path out;
    private final Path tokenizerPath;
    private final PrintWriter err;

    private HfTokenizer tokenizer;
    private int vocab;
    private int eos;
    private WatermarkKey master;
    private long[] harvesters;
    private List<int[]> human;
    private List<String> humanTexts;
    private List<int[]> freshPrompts;
    private final Map<String, List<Pipeline.TeacherDoc>> corpora = new LinkedHashMap<>();
    private final Map<String, ObjectNode> corpusMeta = new LinkedHashMap<>();
    private final Map<String, AccountKeys> labKeys = new HashMap<>();
    private final Map<String, PositionFilter> servedFilters = new HashMap<>();

    /**
     * @param tokenizerPath tokenizer.json, or null for the Hallmark default (Qwen3)
     */
    public DistillExperiment(DistillConfig cfg, Path work, Path out, Path tokenizerPath, PrintWriter err) {
        this.cfg = cfg;
        this.work = work;
        this.out = out;
        this.tokenizerPath = tokenizerPath;
        this.err = err;
    }

    /** One tested student output at one budget and filter. */
    record Row(String run, String student, String corpus, String scheme, int harvesterCount, double rho,
            Pipeline.Mix mix, int seedIndex, String master, SuspectTester.Measurement m, double studentLoss) {
    }

    /** Runs everything; returns the results JSON (also written to the output directory). */
    public ObjectNode run() throws IOException {
        return run(false);
    }

    /**
     * Runs everything, or with {@code teacherOnly} only builds the teacher corpora (returns null).
     */
    public ObjectNode run(boolean teacherOnly) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(work);
        Files.createDirectories(out);
        try {
            tokenizer = Defaults.openTokenizer(tokenizerPath);
            vocab = tokenizer.vocabularySize();
            eos = Tokenizers.QWEN3_END_OF_TEXT < vocab ? Tokenizers.QWEN3_END_OF_TEXT : vocab - 1;
            master = Pipeline.simulatedKey("master/" + cfg.lab().masterSeed());
            harvesters = Pipeline.drawAccounts(cfg.lab().harvesters(), cfg.lab().accounts(),
                    new SplittableRandom(seed("harvesting-accounts")));
            err.printf(Locale.ROOT, "distill: lab master key %s, %d accounts, harvesting accounts %s%n", master.id(),
                    cfg.lab().accounts(), Arrays.toString(harvesters));
            loadHuman();
            loadFreshPrompts();
            buildCorpora();
            if (teacherOnly) {
                return null;
            }
            List<Row> rows = new ArrayList<>();
            Map<String, List<double[]>> calibration = new LinkedHashMap<>();
            runStudents(rows, calibration);
            ObjectNode res = results(rows, calibration, (System.nanoTime() - t0) / 1e9);
            writeOutputs(res, rows, calibration);
            return res;
        } finally {
            if (tokenizer != null) {
                tokenizer.close();
            }
        }
    }

    // ------------------------------------------------------------------ inputs

    private long seed(String label) {
        return sha256Long(cfg.seed() + "/" + label);
    }

    static long sha256Long(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[i] & 0xff);
            }
            return v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void loadHuman() throws IOException {
        Path src = Path.of(cfg.human().path());
        humanTexts = readTexts(src, "text");
        String sig = src.toAbsolutePath().normalize() + "|" + Files.size(src) + "|" + cfg.human().maxTokens() + "|"
                + tokenizer.path() + "|" + vocab;
        Path cache = work.resolve("human-" + Long.toHexString(sha256Long(sig)) + ".ids");
        if (Files.exists(cache)) {
            human = TeacherStore.readIds(cache);
        } else {
            err.println("distill: tokenizing human text " + src);
            err.flush();
            int[][] enc = tokenizer.encodeBatch(humanTexts);
            human = new ArrayList<>();
            long n = 0;
            for (int[] e : enc) {
                if (n >= cfg.human().maxTokens()) {
                    break;
                }
                human.add(e);
                n += e.length;
            }
            TeacherStore.writeIds(cache, human);
        }
        long n = 0;
        for (int[] d : human) {
            n += d.length;
        }
        err.printf(Locale.ROOT, "distill: human text %,d documents, %,d tokens%n", human.size(), n);
    }

    private void loadFreshPrompts() throws IOException {
        List<String> texts = readTexts(Path.of(cfg.suspect().prompts()), "prompt");
        freshPrompts = List.of(tokenizer.encodeBatch(texts));
        err.printf(Locale.ROOT, "distill: %,d fresh prompts for students (never used in the harvest)%n",
                freshPrompts.size());
    }

    /** The string field of every JSONL record (gzip by magic bytes). */
    static List<String> readTexts(Path file, String field) {
        return dev.hallmark.tools.Jsonl.readField(file, field);
    }

    /**
     * Harvest prompts: the first {@value #PROMPT_WORDS} words from line starts of the human
     * training documents (a start is used when {@value #PROMPT_FOLLOW} more words follow; up to
     * {@value #PROMPTS_PER_DOC} starts per document, spread evenly), in a seeded random order.
     */
    static List<String> cutPrompts(List<String> texts, long seed) {
        List<String> prompts = new ArrayList<>();
        for (String t : texts) {
            List<Integer> starts = new ArrayList<>();
            for (int i = 0; i < t.length(); i++) {
                if ((i == 0 || t.charAt(i - 1) == '\n') && !Character.isWhitespace(t.charAt(i))
                        && wordsFrom(t, i, PROMPT_WORDS + PROMPT_FOLLOW) >= PROMPT_WORDS + PROMPT_FOLLOW) {
                    starts.add(i);
                }
            }
            int k = Math.min(PROMPTS_PER_DOC, starts.size());
            for (int j = 0; j < k; j++) {
                int s = starts.get(j * starts.size() / k);
                prompts.add(t.substring(s, endOfWords(t, s, PROMPT_WORDS)));
            }
        }
        Pipeline.shuffle(prompts, new SplittableRandom(seed));
        return prompts;
    }

    /** Whitespace-separated words from {@code from}, counting at most {@code cap}. */
    private static int wordsFrom(String t, int from, int cap) {
        int n = 0;
        boolean in = false;
        for (int i = from; i < t.length() && n < cap; i++) {
            boolean ws = Character.isWhitespace(t.charAt(i));
            if (!ws && !in) {
                n++;
            }
            in = !ws;
        }
        return n;
    }

    /** The end index of the first {@code words} words from {@code from}. */
    private static int endOfWords(String t, int from, int words) {
        int n = 0;
        int i = from;
        while (i < t.length()) {
            while (i < t.length() && Character.isWhitespace(t.charAt(i))) {
                i++;
            }
            if (i >= t.length()) {
                break;
            }
            while (i < t.length() && !Character.isWhitespace(t.charAt(i))) {
                i++;
            }
            if (++n == words) {
                break;
            }
        }
        return i;
    }

    // ------------------------------------------------------------------ teacher corpora

    private void buildCorpora() throws IOException {
        int maxPrompts = 0;
        for (DistillConfig.Corpus c : cfg.corpora()) {
            maxPrompts = Math.max(maxPrompts, c.prompts(cfg.teacher()));
        }
        List<String> promptTexts = cutPrompts(humanTexts, seed("harvest-prompts"));
        if (promptTexts.size() < maxPrompts) {
            throw new IllegalArgumentException("only " + promptTexts.size() + " harvest prompts can be cut from "
                    + cfg.human().path() + ", a corpus asks for " + maxPrompts);
        }
        List<int[]> prompts = List.of(tokenizer.encodeBatch(promptTexts.subList(0, maxPrompts)));
        LanguageModel teacher = null;
        try {
            for (DistillConfig.Corpus c : cfg.corpora()) {
                int n = c.prompts(cfg.teacher());
                Path file = work.resolve("teacher-" + c.name() + ".jsonl");
                Path metaFile = work.resolve("teacher-" + c.name() + ".meta.json");
                // round-trip through text so that numbers compare by value as they were read back
                JsonNode sig = JSON.readTree(corpusSignature(c, n).toString());
                ObjectNode meta = TeacherStore.readMeta(metaFile);
                if (meta != null && !meta.get("settings").equals(sig)) {
                    throw new IllegalArgumentException("work directory " + work + " holds teacher corpus '" + c.name()
                            + "' generated with other settings (" + metaFile + "); use another --work directory or "
                            + "delete " + file + " and " + metaFile);
                }
                List<Pipeline.TeacherDoc> docs = TeacherStore.readCorpus(file);
                if (meta == null) {
                    meta = JSON.createObjectNode();
                    meta.set("settings", sig);
                    meta.put("generation_seconds", 0.0);
                    meta.put("generated_tokens", 0L);
                }
                if (docs.size() < n) {
                    if (teacher == null) {
                        teacher = openTeacher();
                    }
                    generate(teacher, c, prompts.subList(0, n), docs, file, metaFile, meta);
                } else if (docs.size() > n) {
                    throw new IllegalArgumentException(file + " has " + docs.size() + " documents, settings ask for " + n);
                }
                corpora.put(c.name(), docs);
                corpusMeta.put(c.name(), meta);
                long tokens = docs.stream().mapToLong(d -> d.completion().length).sum();
                err.printf(Locale.ROOT, "distill: teacher corpus %s (%s): %,d completions, %,d tokens%n", c.name(),
                        c.scheme(), docs.size(), tokens);
            }
        } finally {
            if (teacher != null) {
                teacher.close();
            }
        }
    }

    private ObjectNode corpusSignature(DistillConfig.Corpus c, int prompts) throws IOException {
        ObjectNode s = JSON.createObjectNode();
        DistillConfig.Teacher t = cfg.teacher();
        // the model by content, not by path: a model that moves (e.g. into the repository) stays valid
        s.put("model_fingerprint", modelFingerprint(t));
        s.put("scheme", c.scheme());
        s.put("prompts", prompts);
        s.set("shares", JSON.valueToTree(c.shares()));
        s.put("max_new_tokens", t.maxNewTokens());
        s.put("batch", t.batch());
        s.put("temperature", t.temperature());
        s.put("top_k", t.topK());
        s.put("top_p", t.topP());
        s.put("seed", cfg.seed());
        s.put("master_key_id", master.id());
        s.put("accounts", cfg.lab().accounts());
        s.set("code", JSON.valueToTree(cfg.lab().code()));
        s.set("harvesting_accounts", JSON.valueToTree(harvesters));
        s.put("human", cfg.human().path());
        s.put("tokenizer_vocabulary", vocab);
        return s;
    }

    private String modelFingerprint(DistillConfig.Teacher t) throws IOException {
        if (t.ngramOrder() > 0) {
            return "ngram:" + t.ngramOrder() + " of " + cfg.human().path() + " (" + cfg.human().maxTokens() + " tokens)";
        }
        Path dir = Path.of(t.model());
        StringBuilder sb = new StringBuilder();
        for (String f : new String[] {"config.json", "id-map.json", "weights.ndlist"}) {
            Path p = dir.resolve(f);
            if (!Files.exists(p)) {
                throw new IllegalArgumentException("teacher.model " + dir + ": missing " + f
                        + " (train it with hallmark train-lm, or use ngram:3 for a quick run)");
            }
            sb.append(f).append('=').append(sha256Hex(p)).append(';');
        }
        return sb.toString();
    }

    static String sha256Hex(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int r;
            while ((r = in.read(buf)) > 0) {
                md.update(buf, 0, r);
            }
            StringBuilder sb = new StringBuilder();
            for (byte b : md.digest()) {
                sb.append(String.format(Locale.ROOT, "%02x", b));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private LanguageModel openTeacher() {
        DistillConfig.Teacher t = cfg.teacher();
        if (t.ngramOrder() > 0) {
            err.println("distill: teacher = order-" + t.ngramOrder() + " n-gram of the human text");
            return new NgramLanguageModel(NgramModel.fit(human, vocab, t.ngramOrder()), "ngram-teacher");
        }
        err.println("distill: loading teacher " + t.model());
        TransformerLm lm = TransformerLm.load(Path.of(t.model()));
        if (lm.vocabularySize() != vocab) {
            lm.close();
            throw new IllegalArgumentException("teacher vocabulary " + lm.vocabularySize() + " != tokenizer vocabulary "
                    + vocab);
        }
        return lm;
    }

    private void generate(LanguageModel teacher, DistillConfig.Corpus c, List<int[]> prompts,
            List<Pipeline.TeacherDoc> docs, Path file, Path metaFile, ObjectNode meta) throws IOException {
        DistillConfig.Teacher t = cfg.teacher();
        AccountKeys keys = c.schemeOrNull() == null ? null : labKeys(c.scheme());
        long[] accountOf = Pipeline.assignAccounts(prompts.size(), c.shares(),
                Arrays.copyOf(harvesters, c.shares().size()));
        SamplingConfig sc = new SamplingConfig(t.temperature(), t.topK(), t.topP(), true);
        TeacherStore.rewrite(file, docs); // drops a torn tail
        err.printf(Locale.ROOT, "distill: generating teacher corpus %s (%s): prompts %d..%d%n", c.name(), c.scheme(),
                docs.size(), prompts.size());
        err.flush();
        Progress bar = new Progress("teacher " + c.name() + " (prompts)", prompts.size() - docs.size(), err);
        long[] tokens = {meta.get("generated_tokens").asLong()};
        double[] secs = {meta.get("generation_seconds").asDouble()};
        long[] last = {System.nanoTime()};
        IOException[] failure = new IOException[1];
        Pipeline.generateTeacher(teacher, prompts, docs.size(), accountOf, keys, sc, t.maxNewTokens(), t.batch(),
                new int[] {eos}, seed("teacher/" + c.name()), batch -> {
                    if (failure[0] != null) {
                        return;
                    }
                    try {
                        TeacherStore.append(file, docs.size(), batch);
                        docs.addAll(batch);
                        long now = System.nanoTime();
                        secs[0] += (now - last[0]) / 1e9;
                        last[0] = now;
                        for (Pipeline.TeacherDoc d : batch) {
                            tokens[0] += d.completion().length;
                        }
                        meta.put("generation_seconds", secs[0]);
                        meta.put("generated_tokens", tokens[0]);
                        meta.put("tokens_per_second", tokens[0] / Math.max(1e-9, secs[0]));
                        TeacherStore.writeMeta(metaFile, meta);
                        bar.step(batch.size());
                    } catch (IOException e) {
                        failure[0] = e;
                    }
                });
        bar.done();
        if (failure[0] != null) {
            throw failure[0];
        }
        err.printf(Locale.ROOT, "distill: teacher %s: %,d tokens in %.0f s (%.1f tokens/s)%n", c.name(), tokens[0],
                secs[0], tokens[0] / Math.max(1e-9, secs[0]));
    }

    private AccountKeys labKeys(String scheme) {
        return labKeys.computeIfAbsent(scheme,
                s -> new AccountKeys(master, Scheme.parse(s), cfg.lab().accountCode()));
    }

    /** The served-data filter for a scheme: over every completion the lab served with that scheme. */
    private PositionFilter servedFilter(String scheme, int top) {
        return servedFilters.computeIfAbsent(scheme + "|" + top, k -> {
            List<int[]> served = new ArrayList<>();
            for (DistillConfig.Corpus c : cfg.corpora()) {
                if (scheme.equals(c.schemeOrNull())) {
                    corpora.get(c.name()).forEach(d -> served.add(d.completion()));
                }
            }
            if (served.isEmpty()) {
                throw new IllegalArgumentException("no corpus was served with scheme " + scheme
                        + ": the served-data filter has nothing to select from");
            }
            return SuspectTester.servedFilter(served, Scheme.parse(scheme).contextWidth(), top);
        });
    }

    // ------------------------------------------------------------------ students

    private void runStudents(List<Row> rows, Map<String, List<double[]>> calibration) throws IOException {
        int total = 0;
        for (DistillConfig.Run r : cfg.runs()) {
            total += r.rho().size() * r.seeds();
        }
        Progress bar = new Progress("students", total, err);
        for (DistillConfig.Run r : cfg.runs()) {
            String scheme = cfg.schemeOf(r);
            DistillConfig.Corpus corpus = cfg.corpus(r.corpus());
            List<Pipeline.TeacherDoc> docs = corpora.get(r.corpus());
            long[] runHarvesters = Arrays.copyOf(harvesters, r.harvesters());
            long[] mixFrom = corpus.schemeOrNull() == null ? new long[0] : runHarvesters;
            List<Long> budgets = r.budgets(cfg.suspect());
            long maxBudget = budgets.get(budgets.size() - 1);
            for (int ri = 0; ri < r.rho().size(); ri++) {
                double rho = r.rho().get(ri);
                for (int s = 0; s < r.seeds(); s++) {
                    String label = r.name() + "/rho=" + rho + "/seed=" + s;
                    String studentLabel = r.seedName() + "/rho=" + rho + "/seed=" + s;
                    Pipeline.Mix mix = Pipeline.mix(docs, mixFrom, human, rho, r.trainTokens(),
                            new SplittableRandom(seed("mix/" + studentLabel)));
                    List<Pipeline.SuspectDoc> outputs;
                    double loss = Double.NaN;
                    if (r.student().equals("ngram")) {
                        NgramModel m = NgramModel.fit(mix.docs(), vocab, r.order());
                        outputs = Pipeline.ngramOutputs(m, freshPrompts, cfg.suspect().tokensPerPrompt(), maxBudget,
                                seed("outputs/" + studentLabel));
                    } else {
                        try (NeuralStudent ns = NeuralStudent.train(mix.docs(), vocab, eos, r.neural(),
                                seed("student/" + studentLabel), err)) {
                            loss = ns.finalLoss();
                            outputs = ns.generate(freshPrompts, cfg.suspect().tokensPerPrompt(), maxBudget,
                                    seed("outputs/" + studentLabel), cfg.teacher().batch(), err);
                        }
                    }
                    WatermarkKey scoring = r.freshMasters() ? Pipeline.simulatedKey("fresh-master/" + label) : master;
                    AccountKeys keys = r.freshMasters() ? new AccountKeys(scoring, Scheme.parse(scheme),
                            cfg.lab().accountCode()) : labKeys(scheme);
                    List<SuspectTester.Variant> variants = new ArrayList<>();
                    for (String spec : r.filters(cfg.suspect())) {
                        SuspectTester.FilterSpec fs = SuspectTester.FilterSpec.parse(spec);
                        PositionFilter base = fs.servedTop() < 0 ? PositionFilter.ALL : servedFilter(scheme, fs.servedTop());
                        variants.add(new SuspectTester.Variant(spec, base, fs.minRepeats()));
                    }
                    SuspectTester.PromptExclusion exclusion = SuspectTester.PromptExclusion.parse(
                            r.excludePrompt(cfg.suspect()));
                    SuspectTester tester = new SuspectTester(keys, variants, exclusion,
                            runHarvesters, cfg.lab().accounts(), cfg.lab().alpha(), cfg.lab().coalition());
                    for (SuspectTester.Measurement m : tester.run(outputs, budgets)) {
                        rows.add(new Row(r.name(), r.student(), r.corpus(), scheme, r.harvesters(), rho, mix, s,
                                r.freshMasters() ? "fresh" : "lab", m, loss));
                    }
                    if (r.calibrationKeys(cfg.suspect()) > 0 && !r.freshMasters()) {
                        List<WatermarkKey> never = new ArrayList<>();
                        for (int j = 0; j < r.calibrationKeys(cfg.suspect()); j++) {
                            never.add(Pipeline.simulatedKey("never-deployed/" + label + "/" + j));
                        }
                        for (SuspectTester.Variant v : variants) {
                            calibration.computeIfAbsent(r.name() + "|" + v.name(), k -> new ArrayList<>()).add(
                                    SuspectTester.calibrate(outputs, never, Scheme.parse(scheme), v, exclusion));
                        }
                    }
                    bar.step(1);
                }
            }
        }
        bar.done();
    }

    // ------------------------------------------------------------------ results

    private ObjectNode results(List<Row> rows, Map<String, List<double[]>> calibration, double seconds)
            throws IOException {
        ObjectNode res = JSON.createObjectNode();
        res.put("experiment", cfg.name());
        res.set("config", cfg.toJson());
        res.set("manifest", manifest(seconds));
        ObjectNode lab = res.putObject("lab");
        lab.put("master_key_id", master.id());
        lab.set("harvesting_accounts", JSON.valueToTree(harvesters));
        AccountCode code = cfg.lab().accountCode();
        lab.put("code_capacity", code.capacity());
        lab.put("group_keys", code.groups());
        lab.put("threshold", code.threshold(cfg.lab().coalition()));
        lab.put("coalition_bound", cfg.lab().coalition());
        lab.put("alpha", cfg.lab().alpha());
        ArrayNode cs = res.putArray("teacher_corpora");
        for (DistillConfig.Corpus c : cfg.corpora()) {
            cs.add(corpusSummary(c));
        }
        ArrayNode rs = res.putArray("rows");
        for (Row r : rows) {
            rs.add(rowJson(r));
        }
        ObjectNode nulls = res.putObject("null_checks");
        for (DistillConfig.Run r : cfg.runs()) {
            if (r.freshMasters()) {
                nulls.set(r.name(), freshMasterChecks(r, rows));
            }
        }
        ObjectNode cal = res.putObject("calibration");
        for (Map.Entry<String, List<double[]>> e : calibration.entrySet()) {
            double[] all = e.getValue().stream().flatMapToDouble(Arrays::stream).toArray();
            cal.set(e.getKey(), uniformityJson(NullChecks.uniformity(all)));
        }
        return res;
    }

    private ObjectNode manifest(double seconds) {
        ObjectNode m = JSON.createObjectNode();
        String v = DistillExperiment.class.getPackage().getImplementationVersion();
        m.put("hallmark_version", v == null ? "dev" : v);
        m.put("git_commit", git("rev-parse", "HEAD"));
        m.put("git_dirty", !git("status", "--porcelain", "--untracked-files=no").isEmpty());
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("processors", Runtime.getRuntime().availableProcessors());
        try {
            m.put("djl", ai.djl.engine.Engine.getDjlVersion());
        } catch (RuntimeException | LinkageError e) {
            m.put("djl", "unavailable");
        }
        m.put("tokenizer", tokenizer.path().toString());
        m.put("seconds", seconds);
        return m;
    }

    private static String git(String... args) {
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add("git");
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? s : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private ObjectNode corpusSummary(DistillConfig.Corpus c) {
        List<Pipeline.TeacherDoc> docs = corpora.get(c.name());
        ObjectNode o = JSON.createObjectNode();
        o.put("name", c.name());
        o.put("scheme", c.scheme());
        o.put("completions", docs.size());
        long tokens = docs.stream().mapToLong(d -> d.completion().length).sum();
        o.put("tokens", tokens);
        o.put("mean_completion_tokens", docs.isEmpty() ? 0 : (double) tokens / docs.size());
        ObjectNode meta = corpusMeta.get(c.name());
        o.put("generation_seconds", meta.path("generation_seconds").asDouble());
        o.put("tokens_per_second", meta.path("tokens_per_second").asDouble(Double.NaN));
        o.put("teacher", cfg.teacher().model());
        ArrayNode acc = o.putArray("accounts");
        if (c.schemeOrNull() != null) {
            AccountKeys keys = labKeys(c.scheme());
            for (int j = 0; j < c.shares().size(); j++) {
                long a = harvesters[j];
                AttributionAccumulator own = new AttributionAccumulator(keys);
                long t = 0;
                for (Pipeline.TeacherDoc d : docs) {
                    if (d.account() == a) {
                        own.accept(d.completion());
                        t += d.completion().length;
                    }
                }
                DetectionResult r = own.accountResult(a, cfg.lab().alpha());
                ObjectNode x = acc.addObject();
                x.put("account", a);
                x.put("tokens", t);
                x.put("tuples", r.tokensScored());
                x.put("statistic", r.statistic());
                x.put("log10_p", r.log10P());
            }
        }
        return o;
    }

    private static ObjectNode rowJson(Row r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("run", r.run());
        o.put("student", r.student());
        o.put("corpus", r.corpus());
        o.put("scheme", r.scheme());
        o.put("harvesters", r.harvesterCount());
        o.put("rho", r.rho());
        o.put("rho_realised", r.mix().rho());
        o.put("train_tokens", r.mix().tokens());
        o.put("watermarked_tokens", r.mix().watermarkedTokens());
        o.put("human_tokens", r.mix().humanTokens());
        o.put("mix_capped", r.mix().capped());
        o.put("seed", r.seedIndex());
        o.put("master", r.master());
        if (!Double.isNaN(r.studentLoss())) {
            o.put("student_final_loss", r.studentLoss());
        }
        SuspectTester.Measurement m = r.m();
        o.put("filter", m.filter());
        o.put("budget", m.budget());
        o.put("tokens_read", m.tokensRead());
        o.put("documents", m.documents());
        o.put("tuples_scored", m.tuplesScored());
        o.set("harvesting_accounts", JSON.valueToTree(m.harvesters()));
        o.set("account_log10_p", finite(m.harvesterLog10P()));
        o.set("account_statistic", finite(m.harvesterStatistic()));
        o.set("account_z", finite(m.harvesterZ()));
        o.put("scan_best_account", m.scanBestAccount());
        o.put("scan_log10_p", m.scanLog10P());
        o.put("distilled_log10_p", m.distilledLog10P());
        o.set("accused", JSON.valueToTree(m.accused()));
        o.put("found", m.found());
        o.put("false_accused", m.falseAccused());
        o.put("innocent_max_positive_groups", m.innocentMaxPositive());
        o.put("threshold", m.threshold());
        // the per-account test of an innocent that shares groups with the harvesters: a global-null
        // test only, reported to show the contamination; never an accusation
        o.put("exposed_innocent", m.exposedInnocent());
        o.put("exposed_innocent_shared_groups", m.exposedShared());
        o.put("exposed_innocent_log10_p", m.exposedLog10P());
        o.put("exposed_innocent_accused", Arrays.stream(m.accused()).anyMatch(a -> a == m.exposedInnocent()));
        return o;
    }

    private static ArrayNode finite(double[] a) {
        ArrayNode n = JSON.createArrayNode();
        for (double d : a) {
            if (Double.isFinite(d)) {
                n.add(d);
            } else {
                n.addNull();
            }
        }
        return n;
    }

    /** Null trials: p-values at the largest budget, per filter, must look uniform; accusations none. */
    private ObjectNode freshMasterChecks(DistillConfig.Run r, List<Row> rows) {
        ObjectNode o = JSON.createObjectNode();
        long last = r.budgets(cfg.suspect()).get(r.budgets(cfg.suspect()).size() - 1);
        Map<String, List<Row>> byFilter = new LinkedHashMap<>();
        for (Row x : rows) {
            if (x.run().equals(r.name()) && x.m().budget() == last) {
                byFilter.computeIfAbsent(x.m().filter(), k -> new ArrayList<>()).add(x);
            }
        }
        for (Map.Entry<String, List<Row>> e : byFilter.entrySet()) {
            ObjectNode f = o.putObject(e.getKey());
            List<Row> rs = e.getValue();
            f.put("trials", rs.size());
            f.set("account_test", uniformityJson(NullChecks.uniformity(
                    rs.stream().flatMapToDouble(x -> Arrays.stream(x.m().harvesterLog10P())).toArray())));
            f.set("scan", uniformityJson(NullChecks.uniformity(
                    rs.stream().mapToDouble(x -> x.m().scanLog10P()).toArray())));
            f.set("distilled", uniformityJson(NullChecks.uniformity(
                    rs.stream().mapToDouble(x -> x.m().distilledLog10P()).toArray())));
            f.put("trials_with_false_accusations", rs.stream().filter(x -> x.m().accused().length > 0).count());
            f.put("innocent_max_positive_groups", rs.stream().mapToInt(x -> x.m().innocentMaxPositive()).max().orElse(0));
        }
        return o;
    }

    static ObjectNode uniformityJson(NullChecks.Uniformity u) {
        ObjectNode o = JSON.createObjectNode();
        o.put("n", u.n());
        o.put("ks_statistic", u.ksStatistic());
        o.put("ks_p_value", u.ksPValue());
        ArrayNode a = o.putArray("rejections");
        for (int i = 0; i < NullChecks.LEVELS.length; i++) {
            ObjectNode x = a.addObject();
            x.put("level", NullChecks.LEVELS[i]);
            x.put("count", u.rejections()[i]);
            x.put("rate", u.n() == 0 ? Double.NaN : (double) u.rejections()[i] / u.n());
            x.put("ci95_lower", u.lower()[i]);
            x.put("ci95_upper", u.upper()[i]);
        }
        o.put("not_anticonservative", u.notAnticonservative());
        return o;
    }

    private void writeOutputs(ObjectNode res, List<Row> rows, Map<String, List<double[]>> calibration)
            throws IOException {
        String base = cfg.name();
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve(base + ".json").toFile(), res);
        Files.writeString(out.resolve(base + "-rows.csv"), csv(res), StandardCharsets.UTF_8);
        StringBuilder cal = new StringBuilder("key,filter,trial,key_index,log10_p\n");
        for (Map.Entry<String, List<double[]>> e : calibration.entrySet()) {
            String[] kf = e.getKey().split("\\|", 2);
            for (int t = 0; t < e.getValue().size(); t++) {
                double[] v = e.getValue().get(t);
                for (int j = 0; j < v.length; j++) {
                    cal.append(kf[0]).append(',').append(kf[1]).append(',').append(t).append(',').append(j).append(',')
                            .append(num(v[j])).append('\n');
                }
            }
        }
        if (!calibration.isEmpty()) {
            Files.writeString(out.resolve(base + "-calibration.csv"), cal, StandardCharsets.UTF_8);
        }
        Files.writeString(out.resolve(base + "-summary.md"), DistillSummary.markdown(res), StandardCharsets.UTF_8);
        DistillSummary.plots(res, out.resolve(base));
        err.println("distill: results in " + out.resolve(base + ".json") + " (+ -rows.csv, -summary.md, plots)");
    }

    static String num(double d) {
        return Double.isFinite(d) ? String.format(Locale.ROOT, "%.6g", d) : "";
    }

    private static String csv(ObjectNode res) {
        StringBuilder sb = new StringBuilder("run,student,corpus,scheme,harvesters,rho,rho_realised,train_tokens,"
                + "watermarked_tokens,human_tokens,mix_capped,seed,master,filter,budget,tokens_read,documents,"
                + "tuples_scored,account_log10_p_min,account_log10_p_all,account_statistic_first,scan_best_account,"
                + "scan_log10_p,distilled_log10_p,accused,found,false_accused,innocent_max_positive_groups,threshold,"
                + "student_final_loss,exposed_innocent,exposed_innocent_shared_groups,exposed_innocent_log10_p\n");
        for (JsonNode r : res.get("rows")) {
            double min = 0;
            StringBuilder all = new StringBuilder();
            for (JsonNode x : r.get("account_log10_p")) {
                min = Math.min(min, x.asDouble());
                all.append(all.length() > 0 ? "|" : "").append(num(x.asDouble()));
            }
            StringBuilder acc = new StringBuilder();
            for (JsonNode x : r.get("accused")) {
                acc.append(acc.length() > 0 ? "|" : "").append(x.asLong());
            }
            sb.append(String.join(",", r.get("run").asText(), r.get("student").asText(), r.get("corpus").asText(),
                    '"' + r.get("scheme").asText() + '"', r.get("harvesters").asText(), num(r.get("rho").asDouble()),
                    num(r.get("rho_realised").asDouble()), r.get("train_tokens").asText(),
                    r.get("watermarked_tokens").asText(), r.get("human_tokens").asText(),
                    r.get("mix_capped").asText(), r.get("seed").asText(), r.get("master").asText(),
                    r.get("filter").asText(), r.get("budget").asText(), r.get("tokens_read").asText(),
                    r.get("documents").asText(), r.get("tuples_scored").asText(), num(min), all.toString(),
                    num(r.get("account_statistic").get(0).asDouble(Double.NaN)), r.get("scan_best_account").asText(),
                    num(r.get("scan_log10_p").asDouble()), num(r.get("distilled_log10_p").asDouble()), acc.toString(),
                    r.get("found").asText(), r.get("false_accused").asText(),
                    r.get("innocent_max_positive_groups").asText(), r.get("threshold").asText(),
                    r.has("student_final_loss") ? num(r.get("student_final_loss").asDouble()) : "",
                    r.path("exposed_innocent").asText(""), r.path("exposed_innocent_shared_groups").asText(""),
                    r.has("exposed_innocent_log10_p") ? num(r.get("exposed_innocent_log10_p").asDouble()) : ""));
            sb.append('\n');
        }
        return sb.toString();
    }

    /** For {@link DistillSummary}: charts through the shared helper. */
    static void chart(String title, String x, String y, Map<String, Plots.Series> series, Path base) {
        if (!series.isEmpty()) {
            Plots.lineChart(Plots.LineChart.of(title, x, y), series, base);
        }
    }
}
