package dev.hallmark.tools.distill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.attribution.AccountKeys;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.generate.LanguageModel;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.tools.Progress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The teacher-corpora stage: the watermarked teacher's completions of the harvest prompts, served
 * through the harvesting accounts, one corpus per configured scheme. Each corpus is a JSONL file
 * in the work directory with a metadata file holding the settings it was generated with; a later
 * run with the same settings reuses it (and continues it if it was cut short), one with other
 * settings is refused rather than silently mixed or overwritten.
 *
 * @param corpora the corpora by name, in config order
 * @param prompts the tokenized harvest prompts (the longest corpus's; each corpus answers a prefix)
 */
record TeacherCorpora(Map<String, Corpus> corpora, List<int[]> prompts) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One teacher corpus.
     *
     * @param spec its configuration
     * @param docs its completions, in prompt order
     * @param meta the metadata file's content: settings, generation time and tokens
     */
    record Corpus(DistillConfig.Corpus spec, List<Pipeline.TeacherDoc> docs, ObjectNode meta) {
        long tokens() {
            return docs.stream().mapToLong(d -> d.completion().length).sum();
        }
    }

    /** The completions of corpus {@code name}. */
    List<Pipeline.TeacherDoc> docs(String name) {
        return corpora.get(name).docs();
    }

    /** Every completion the lab served with {@code scheme} (over all corpora of that scheme). */
    List<int[]> served(String scheme) {
        List<int[]> served = new ArrayList<>();
        for (Corpus c : corpora.values()) {
            if (scheme.equals(c.spec().schemeOrNull())) {
                c.docs().forEach(d -> served.add(d.completion()));
            }
        }
        return served;
    }

    /** Builds (or reuses from {@code work}) every corpus of the config. */
    static TeacherCorpora build(DistillConfig cfg, Path work, DistillInputs in, LabKeys keys, PrintWriter err)
            throws IOException {
        int maxPrompts = 0;
        for (DistillConfig.Corpus c : cfg.corpora()) {
            maxPrompts = Math.max(maxPrompts, c.prompts(cfg.teacher()));
        }
        List<String> promptTexts = Harvest.prompts(in.humanTexts(), DistillInputs.seed(cfg, "harvest-prompts"));
        if (promptTexts.size() < maxPrompts) {
            throw new IllegalArgumentException("only " + promptTexts.size() + " harvest prompts can be cut from "
                    + cfg.human().path() + ", a corpus asks for " + maxPrompts);
        }
        List<int[]> prompts = List.of(in.tokenizer().encodeBatch(promptTexts.subList(0, maxPrompts)));
        Map<String, Corpus> corpora = new LinkedHashMap<>();
        LanguageModel teacher = null;
        try {
            for (DistillConfig.Corpus c : cfg.corpora()) {
                int n = c.prompts(cfg.teacher());
                Path file = work.resolve("teacher-" + c.name() + ".jsonl");
                Path metaFile = work.resolve("teacher-" + c.name() + ".meta.json");
                // round-trip through text so that numbers compare by value as they were read back
                JsonNode sig = JSON.readTree(signature(cfg, in, c, n).toString());
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
                        teacher = openTeacher(cfg, in, err);
                    }
                    generate(cfg, in, keys, teacher, c, prompts.subList(0, n), docs, file, metaFile, meta, err);
                } else if (docs.size() > n) {
                    throw new IllegalArgumentException(file + " has " + docs.size() + " documents, settings ask for " + n);
                }
                Corpus corpus = new Corpus(c, docs, meta);
                corpora.put(c.name(), corpus);
                err.printf(Locale.ROOT, "distill: teacher corpus %s (%s): %,d completions, %,d tokens%n", c.name(),
                        c.scheme(), docs.size(), corpus.tokens());
            }
        } finally {
            if (teacher != null) {
                teacher.close();
            }
        }
        return new TeacherCorpora(corpora, prompts);
    }

    /** Every completion the lab served with no watermark: the unwatermarked counterpart of the served data. */
    List<int[]> counterpart() {
        List<int[]> out = new ArrayList<>();
        for (Corpus c : corpora.values()) {
            if (c.spec().schemeOrNull() == null) {
                c.docs().forEach(d -> out.add(d.completion()));
            }
        }
        return out;
    }

    /**
     * The served data of {@code scheme} as a different lab (another master key) would have served
     * it: every corpus of that scheme regenerated in memory (same prompts, shares, harvesting
     * accounts and sampling seed) under {@code keys}. For null trials of the served-data filter,
     * where each trial needs served text watermarked with its own key.
     */
    static List<int[]> regenerateServed(DistillConfig cfg, DistillInputs in, TeacherCorpora corpora,
            LanguageModel teacher, String scheme, AccountKeys keys) {
        return regenerateServed(cfg, in, corpora, teacher, null, scheme, keys);
    }

    /**
     * As above; with an n-gram teacher ({@code ngram} not null) at temperature 1 without top-k the
     * completions are drawn through its sparse nucleus ({@link Pipeline#generateNgramTeacher}).
     */
    static List<int[]> regenerateServed(DistillConfig cfg, DistillInputs in, TeacherCorpora corpora,
            LanguageModel teacher, NgramModel ngram, String scheme, AccountKeys keys) {
        DistillConfig.Teacher t = cfg.teacher();
        SamplingConfig sc = new SamplingConfig(t.temperature(), t.topK(), t.topP(), true);
        List<int[]> out = new ArrayList<>();
        for (Corpus c : corpora.corpora().values()) {
            if (!scheme.equals(c.spec().schemeOrNull())) {
                continue;
            }
            List<int[]> prompts = corpora.prompts().subList(0, c.spec().prompts(t));
            long[] accountOf = Pipeline.assignAccounts(prompts.size(), c.spec().shares(),
                    Arrays.copyOf(in.harvesters(), c.spec().shares().size()));
            long seed = DistillInputs.seed(cfg, "teacher/" + c.spec().name());
            if (ngram != null) {
                Pipeline.generateNgramTeacher(ngram, prompts, 0, accountOf, keys, sc, t.maxNewTokens(), in.eos(), seed,
                        out::add);
            } else {
                Pipeline.generateTeacher(teacher, prompts, 0, accountOf, keys, sc, t.maxNewTokens(), t.batch(),
                        new int[] {in.eos()}, seed, batch -> batch.forEach(d -> out.add(d.completion())));
            }
        }
        return out;
    }

    /** What a corpus depends on: a cached corpus is reused only if this is unchanged. */
    private static ObjectNode signature(DistillConfig cfg, DistillInputs in, DistillConfig.Corpus c, int prompts)
            throws IOException {
        ObjectNode s = JSON.createObjectNode();
        DistillConfig.Teacher t = cfg.teacher();
        // the model by content, not by path: a model that moves (e.g. into the repository) stays valid
        s.put("model_fingerprint", modelFingerprint(cfg));
        s.put("scheme", c.scheme());
        s.put("prompts", prompts);
        s.set("shares", JSON.valueToTree(c.shares()));
        s.put("max_new_tokens", t.maxNewTokens());
        s.put("batch", t.batch());
        s.put("temperature", t.temperature());
        s.put("top_k", t.topK());
        s.put("top_p", t.topP());
        s.put("seed", cfg.seed());
        s.put("master_key_id", in.master().id());
        s.put("accounts", cfg.lab().accounts());
        s.set("code", JSON.valueToTree(cfg.lab().code()));
        s.set("harvesting_accounts", JSON.valueToTree(in.harvesters()));
        s.put("human", cfg.human().path());
        s.put("tokenizer_vocabulary", in.vocab());
        return s;
    }

    private static String modelFingerprint(DistillConfig cfg) throws IOException {
        DistillConfig.Teacher t = cfg.teacher();
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
            sb.append(f).append('=').append(DistillInputs.sha256Hex(p)).append(';');
        }
        return sb.toString();
    }

    static LanguageModel openTeacher(DistillConfig cfg, DistillInputs in, PrintWriter err) {
        DistillConfig.Teacher t = cfg.teacher();
        if (t.ngramOrder() > 0) {
            err.println("distill: teacher = order-" + t.ngramOrder() + " n-gram of the human text");
            return new NgramLanguageModel(NgramModel.fit(in.human(), in.vocab(), t.ngramOrder()), "ngram-teacher");
        }
        err.println("distill: loading teacher " + t.model());
        TransformerLm lm = TransformerLm.load(Path.of(t.model()));
        if (lm.vocabularySize() != in.vocab()) {
            lm.close();
            throw new IllegalArgumentException("teacher vocabulary " + lm.vocabularySize() + " != tokenizer vocabulary "
                    + in.vocab());
        }
        return lm;
    }

    /** Generates the missing tail of a corpus, appending batch by batch (a killed run resumes). */
    private static void generate(DistillConfig cfg, DistillInputs in, LabKeys keys, LanguageModel teacher,
            DistillConfig.Corpus c, List<int[]> prompts, List<Pipeline.TeacherDoc> docs, Path file, Path metaFile,
            ObjectNode meta, PrintWriter err) throws IOException {
        DistillConfig.Teacher t = cfg.teacher();
        AccountKeys accountKeys = c.schemeOrNull() == null ? null : keys.of(c.scheme());
        long[] accountOf = Pipeline.assignAccounts(prompts.size(), c.shares(),
                Arrays.copyOf(in.harvesters(), c.shares().size()));
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
        Consumer<List<Pipeline.TeacherDoc>> onBatch = batch -> {
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
        };
        long seed = DistillInputs.seed(cfg, "teacher/" + c.name());
        if (teacher instanceof NgramLanguageModel ngram && t.temperature() == 1.0 && t.topK() == 0) {
            // the same law through the sparse nucleus: O(nucleus) per token instead of O(vocabulary)
            List<Pipeline.TeacherDoc> pending = new ArrayList<>();
            int[] index = {docs.size()};
            Pipeline.generateNgramTeacher(ngram.model(), prompts, docs.size(), accountOf, accountKeys, sc,
                    t.maxNewTokens(), in.eos(), seed, completion -> {
                        int i = index[0]++;
                        pending.add(new Pipeline.TeacherDoc(prompts.get(i), completion,
                                accountKeys == null ? Pipeline.UNWATERMARKED : accountOf[i]));
                        if (pending.size() == t.batch() || index[0] == prompts.size()) {
                            onBatch.accept(List.copyOf(pending));
                            pending.clear();
                        }
                    });
        } else {
            Pipeline.generateTeacher(teacher, prompts, docs.size(), accountOf, accountKeys, sc, t.maxNewTokens(),
                    t.batch(), new int[] {in.eos()}, seed, onBatch);
        }
        bar.done();
        if (failure[0] != null) {
            throw failure[0];
        }
        err.printf(Locale.ROOT, "distill: teacher %s: %,d tokens in %.0f s (%.1f tokens/s)%n", c.name(), tokens[0],
                secs[0], tokens[0] / Math.max(1e-9, secs[0]));
    }
}
