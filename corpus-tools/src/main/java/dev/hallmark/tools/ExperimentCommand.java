package dev.hallmark.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.text.TextTokenizer;
import dev.hallmark.tools.attack.AttackResources;
import dev.hallmark.tools.attack.TokenCodec;
import dev.hallmark.tools.experiment.BigramModel;
import dev.hallmark.tools.experiment.Experiment;
import dev.hallmark.tools.experiment.ExperimentConfig;
import dev.hallmark.tools.experiment.ExperimentReport;
import dev.hallmark.tools.experiment.TextModel;
import java.util.Locale;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hallmark experiment}: a detection-power sweep from a YAML/JSON configuration. */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a detection-power sweep (schemes x text length x attack x strength) from a",
            "YAML or JSON config. Writes results.json (with the exact configuration, seeds, git",
            "commit and versions), CSV tables and PNG/SVG plots. See docs/experiments/README.md."})
final class ExperimentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, description = "Experiment config (.yaml, .yml or .json).")
    Path config;

    @Option(names = "--out", description = "Output directory (default: next to the config, named after it).")
    Path out;

    @Option(names = "--replot", description = "Only re-render tables and plots from OUT/results.json.")
    boolean replot;

    @Mixin
    TokenizerOption tokenizer;

    @Mixin
    WordNetOption wordnet;

    @Mixin
    ProgressOptions progress;

    @Override
    public Integer call() throws Exception {
        Path dir = out != null ? out : defaultOut(config);
        PrintWriter err = spec.commandLine().getErr();
        if (replot) {
            List<Path> files = ExperimentReport.render(ExperimentReport.read(dir), dir);
            err.printf(Locale.ROOT, "rendered %d files in %s%n", files.size(), dir);
            return 0;
        }
        ExperimentConfig cfg = ExperimentConfig.read(config);
        Path repo = HumanText.repoRoot();
        Path promptsFile = resolve(repo, cfg.prompts(), HumanText.PROMPTS);
        Path humanFile = resolve(repo, cfg.human(), HumanText.HUMAN_TEXT);
        Path tokFile = tokenizer.path();
        long t0 = System.nanoTime();
        Instant started = Instant.now();
        // the commit and tree state the run starts from (a commit made while it runs must not be recorded)
        ObjectNode git = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        gitInfo(repo, git);
        ObjectNode results;
        try (TextTokenizer tok = tokenizer.open()) {
            TokenCodec codec = TokenCodec.of(tok);
            List<String> prompts = HumanText.read(promptsFile, "prompt");
            List<int[]> human = HumanText.tokens(humanFile, codec);
            try (TextModel model = openModel(cfg, repo, human, tok)) {
                AttackResources res = AttackResources.of(
                        wordnet::load,
                        () -> codec, () -> human, () -> Paraphrasers.forExperiment(model));
                results = Experiment.run(cfg, new Experiment.Inputs(model, codec, res, prompts, human),
                        progress.writer());
            }
        }
        ObjectNode prov = results.putObject("provenance");
        prov.put("command", "hallmark experiment --config " + config);
        prov.put("started", started.toString());
        prov.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        prov.setAll(git);
        prov.put("hallmark_version", dev.hallmark.detect.HallmarkVersion.get());
        prov.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        ObjectNode versions = prov.putObject("versions");
        try (InputStream vs = Hallmark.class.getResourceAsStream("/hallmark-versions.properties")) {
            if (vs != null) {
                java.util.Properties props = new java.util.Properties();
                props.load(vs);
                props.stringPropertyNames().stream().sorted().forEach(k -> versions.put(k, props.getProperty(k)));
            }
        }
        prov.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        prov.put("cores", Runtime.getRuntime().availableProcessors());
        ObjectNode inputs = prov.putObject("inputs");
        file(inputs.putObject("config"), config);
        file(inputs.putObject("prompts"), promptsFile);
        file(inputs.putObject("human"), humanFile);
        file(inputs.putObject("tokenizer"), tokFile);
        inputs.put("tokenizer_engine", tokenizer.engine().id());
        inputs.put("wordnet", wordnet.describe().toString());
        List<Path> files = ExperimentReport.write(results, dir);
        err.printf(Locale.ROOT, "experiment %s: %d files in %s (%.0f s)%n", cfg.name(), files.size() + 1, dir,
                (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    static Path defaultOut(Path config) {
        String n = config.getFileName().toString();
        int dot = n.lastIndexOf('.');
        Path parent = config.toAbsolutePath().getParent();
        return parent.resolve(dot > 0 ? n.substring(0, dot) : n + "-results");
    }

    private static Path resolve(Path repo, String configured, String dflt) {
        Path p = Path.of(configured != null ? configured : dflt);
        return p.isAbsolute() ? p : repo.resolve(p);
    }

    private static TextModel openModel(ExperimentConfig cfg, Path repo, List<int[]> human, TextTokenizer tok) {
        if (cfg.model().equals("bigram")) {
            return BigramModel.train(human.subList(0, Math.min(cfg.bigramDocs(), human.size())), cfg.bigramTop(),
                    cfg.bigramIdLimit());
        }
        return Paraphrasers.openModel(cfg.modelPath() != null ? resolve(repo, cfg.modelPath(), null) : null,
                cfg.batchSize());
    }

    private static void gitInfo(Path repo, ObjectNode prov) {
        prov.put("git_commit", git(repo, "rev-parse", "HEAD"));
        String status = git(repo, "status", "--porcelain", "--untracked-files=no");
        prov.put("git_dirty", status == null ? null : !status.isBlank());
    }

    private static String git(Path repo, String... args) {
        try {
            String[] cmd = new String[args.length + 3];
            cmd[0] = "git";
            cmd[1] = "-C";
            cmd[2] = repo.toString();
            System.arraycopy(args, 0, cmd, 3, args.length);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String o;
            try (InputStream is = p.getInputStream()) {
                o = new String(is.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            return p.waitFor() == 0 ? o : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void file(ObjectNode o, Path p) {
        o.put("path", p.toString());
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            o.put("sha256", HexFormat.of().formatHex(md.digest()));
        } catch (IOException | NoSuchAlgorithmException e) {
            o.put("sha256", (String) null);
        }
    }
}
