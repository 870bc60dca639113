package dev.hallmark.tools.distill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.generate.LanguageModel;
import dev.hallmark.generate.TransformerLm;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.text.TokenizerEngine;
import dev.hallmark.tools.Defaults;
import dev.hallmark.tools.Jsonl;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Runs an {@link HttpStoryConfig} on the real tokenizer, teacher and corpora, and writes
 * {@code <name>.json} and {@code <name>-summary.md} into the output directory.
 */
final class HttpStoryRunner {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpStoryRunner() {
    }

    static ObjectNode run(HttpStoryConfig cfg, Path work, Path out, Path tokenizerPath, PrintWriter err)
            throws IOException {
        Files.createDirectories(work);
        Files.createDirectories(out);
        long t0 = System.nanoTime();
        try (TextTokenizer tok = Defaults.openTokenizer(tokenizerPath, TokenizerEngine.FAST)) {
            Codec codec = Codec.of(tok);
            Path src = Path.of(cfg.human().path());
            List<String> humanTexts = Jsonl.readField(src, "text");
            String sig = src.toAbsolutePath().normalize() + "|" + Files.size(src) + "|" + cfg.human().maxTokens() + "|"
                    + tok.path() + "|" + tok.vocabularySize();
            Path cache = work.resolve("human-" + Long.toHexString(HttpStory.sha256Long(sig)) + ".ids");
            List<int[]> human;
            if (Files.exists(cache)) {
                human = TeacherStore.readIds(cache);
            } else {
                err.println("http story: tokenizing human text " + src);
                err.flush();
                human = new ArrayList<>();
                long n = 0;
                for (int[] e : tok.encodeBatch(humanTexts)) {
                    if (n >= cfg.human().maxTokens()) {
                        break;
                    }
                    human.add(e);
                    n += e.length;
                }
                TeacherStore.writeIds(cache, human);
            }
            // the harvest prompts of hallmark distill: line starts of the human training documents
            List<String> harvestPrompts = Harvest.prompts(humanTexts,
                    HttpStory.sha256Long(cfg.seed() + "/harvest-prompts"));
            List<String> fresh = Jsonl.readField(Path.of(cfg.probe().prompts()), "prompt");
            List<HttpStory.Student> students = new ArrayList<>();
            cfg.students().forEach(s -> students.add(s.resolve()));
            HttpStoryConfig.Lab l = cfg.lab();
            try (LanguageModel teacher = teacher(cfg, human, tok.vocabularySize(), err)) {
                HttpStory.Setup setup = new HttpStory.Setup(cfg.name(), cfg.seed(), codec, teacher, teacherName(cfg),
                        human, harvestPrompts, fresh,
                        new HttpStory.Lab(l.masterSeed(), l.accounts(), l.accountCode(), l.coalition(), l.alpha(),
                                l.harvesters(), l.innocents(), l.scheme()),
                        new HttpStory.Traffic(cfg.traffic().harvestPrompts(), cfg.traffic().innocentRequests(),
                                cfg.traffic().maxTokens(), cfg.traffic().temperature(), cfg.traffic().topP(),
                                cfg.traffic().concurrency(), cfg.teacher().maxBatch()),
                        students,
                        new HttpStory.Probe(cfg.probe().maxTokens(), cfg.probe().topP(), cfg.probe().budgets(), cfg.probe().concurrency(),
                                cfg.probe().filters(), cfg.probe().calibrationMasters()),
                        new HttpStory.Controls(cfg.controls().unwatermarkedTeacher(), cfg.controls().innocentOnly(),
                                cfg.controls().student().resolve()),
                        work, true);
                ObjectNode res = new HttpStory(setup, err).run();
                res.set("config", cfg.toJson());
                ObjectNode m = res.putObject("manifest");
                m.put("java", System.getProperty("java.version"));
                m.put("processors", Runtime.getRuntime().availableProcessors());
                m.put("seconds", (System.nanoTime() - t0) / 1e9);
                m.put("tokenizer", tok.path().toString());
                JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve(cfg.name() + ".json").toFile(), res);
                Files.writeString(out.resolve(cfg.name() + "-summary.md"), markdown(res), StandardCharsets.UTF_8);
                err.println("http story: results in " + out.resolve(cfg.name() + ".json") + " and -summary.md");
                return res;
            }
        }
    }

    private static String teacherName(HttpStoryConfig cfg) {
        String m = cfg.teacher().model();
        return m.startsWith("ngram") ? "ngram-teacher" : Path.of(m).getFileName().toString();
    }

    private static LanguageModel teacher(HttpStoryConfig cfg, List<int[]> human, int vocab, PrintWriter err) {
        DistillConfig.Teacher t = new DistillConfig.Teacher(cfg.teacher().model(), null, null, null, null, null, null,
                null);
        if (t.ngramOrder() > 0) {
            return new NgramLanguageModel(NgramModel.fit(human, vocab, t.ngramOrder()), "ngram-teacher");
        }
        err.println("http story: loading teacher " + t.model());
        TransformerLm lm = TransformerLm.load(Path.of(t.model()));
        if (lm.vocabularySize() != vocab) {
            lm.close();
            throw new IllegalArgumentException("teacher vocabulary " + lm.vocabularySize() + " != tokenizer " + vocab);
        }
        return lm;
    }

    private static String p(double log10p) {
        return Double.isFinite(log10p) ? String.format(Locale.ROOT, "%.1f", log10p) : "n/a";
    }

    /** The summary tables. */
    static String markdown(JsonNode res) {
        StringBuilder sb = new StringBuilder();
        JsonNode lab = res.get("lab");
        sb.append("# ").append(res.get("experiment").asText()).append(" (generated by hallmark distill, story: http)\n\n");
        sb.append(String.format(Locale.ROOT, "Lab: master %s, %,d accounts, code %s, scheme `%s`, coalition bound %d "
                + "(accused at >= %d positive groups), alpha %s; harvesting accounts %s (%,d harvested tokens), %d "
                + "innocent accounts (%,d tokens).%n%n", lab.get("master_key_id").asText(), lab.get("accounts").asLong(),
                lab.get("code"), lab.get("scheme").asText(), lab.get("coalition_bound").asInt(),
                lab.get("threshold").asInt(), lab.get("alpha").asText(), lab.get("harvesting_accounts"),
                lab.get("harvest_tokens").asLong(), lab.get("innocent_accounts").asInt(),
                lab.get("innocent_tokens").asLong()));
        sb.append("| student | kind | rho | watermarked train tokens | filter | budget | tokens probed | tuples | "
                + "group test log10 p | harvester account tests log10 p | accused | found | false accusations | "
                + "never-deployed masters accusing |\n|---|---|---:|---:|---|---:|---:|---:|---:|---|---|---:|---:|---:|\n");
        for (JsonNode r : res.get("rows")) {
            StringBuilder h = new StringBuilder();
            for (Iterator<JsonNode> it = r.get("harvester_log10_p").elements(); it.hasNext();) {
                h.append(h.length() > 0 ? ", " : "").append(p(it.next().asDouble()));
            }
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %,d | %s | %,d | %,d | %,d | %s | %s | %s | %d/%d | %d | %d/%d |%n",
                    r.get("student").asText(), r.get("kind").asText(), r.get("rho").asText(),
                    r.get("watermarked_tokens").asLong(), r.get("filter").asText(), r.get("budget").asLong(),
                    r.get("tokens_probed").asLong(), r.get("tuples_scored").asLong(),
                    p(r.get("distilled_log10_p").asDouble()), h, r.get("accused"), r.get("found").asInt(),
                    lab.get("harvesting_accounts").size(), r.get("false_accused").asInt(),
                    r.get("calibration_accusing_masters").asInt(), r.get("calibration_masters").asInt()));
        }
        sb.append("\nWall time per stage (seconds):\n\n| stage | train | serve + probe | analysis | total |\n"
                + "|---|---:|---:|---:|---:|\n");
        for (Iterator<java.util.Map.Entry<String, JsonNode>> it = res.get("timings").fields(); it.hasNext();) {
            var e = it.next();
            JsonNode t = e.getValue();
            if (!t.isObject()) {
                sb.append(String.format(Locale.ROOT, "| %s | | | | %.0f |%n", e.getKey(), t.asDouble()));
            } else if (t.has("seconds")) {
                sb.append(String.format(Locale.ROOT, "| %s (%d requests, %,d tokens) | | | | %.0f |%n", e.getKey(),
                        t.get("requests").asInt(), t.get("completion_tokens").asLong(), t.get("seconds").asDouble()));
            } else {
                double a = t.path("train_seconds").asDouble();
                double b = t.path("serve_and_probe_seconds").asDouble();
                double c = t.path("analysis_seconds").asDouble();
                sb.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f |%n", e.getKey(), a, b, c, a + b + c));
            }
        }
        return sb.toString();
    }
}
