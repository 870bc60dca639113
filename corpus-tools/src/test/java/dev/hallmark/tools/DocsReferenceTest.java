package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The documentation (README.md and every page under docs/) mentions only options and environment
 * variables that exist: each {@code --option} is one of a {@code hallmark} command, of the verifier
 * service, or of another tool named in {@link #OTHER_TOOLS}; on a line that runs a {@code hallmark}
 * command ({@code hallmark detect ...}, {@code hallmark.jar detect ...}, {@code $H detect ...}, with
 * its {@code \} continuation lines) each option must be that command's; and every
 * {@code HALLMARK_*} variable is read by the code or the scripts.
 */
class DocsReferenceTest {

    static final Path REPO = HumanText.repoRoot();

    /** Options of other tools the docs show, with the tool. */
    static final Map<String, String> OTHER_TOOLS = Map.ofEntries(
            Map.entry("--class", "spark-submit"), Map.entry("--files", "spark-submit"),
            Map.entry("--deploy-mode", "spark-submit"), Map.entry("--long", "zstd"),
            Map.entry("--add-reads", "javac/java"), Map.entry("--timeout", "wrk"), Map.entry("--latency", "wrk"),
            Map.entry("--arg", "jq"), Map.entry("--auth-local", "initdb"), Map.entry("--auth-host", "initdb"),
            Map.entry("--no-locale", "initdb"), Map.entry("--cacert", "curl"), Map.entry("--no-owner", "pg_restore"),
            Map.entry("--watermark-config", "vllm serve"));

    /** Option prefixes written as a family ({@code --database-*}). */
    static final Set<String> FAMILIES = Set.of("--database-", "--analyst-daily-", "--tenant-daily-");

    static final Pattern OPTION = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");
    static final Pattern RUN = Pattern.compile("(?:\\bhallmark(?:\\.jar)?|\\$H)\\s+([a-z][a-z-]*)(\\s[^`|;#&]*)?");

    static List<Path> docs() throws IOException {
        List<Path> out = new ArrayList<>();
        out.add(REPO.resolve("README.md"));
        try (Stream<Path> s = Files.walk(REPO.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
        }
        return out;
    }

    static Map<String, Set<String>> cliOptions() {
        Map<String, Set<String>> m = new HashMap<>();
        for (Map.Entry<String, CommandLine> e : Hallmark.commandLine().getSubcommands().entrySet()) {
            Set<String> names = new TreeSet<>();
            for (OptionSpec o : e.getValue().getCommandSpec().options()) {
                names.addAll(List.of(o.names()));
            }
            m.put(e.getKey(), names);
        }
        return m;
    }

    /**
     * The verifier service's options: those its usage text lists ({@code Main.USAGE}) and its parser
     * handles (a {@code "--..."} string literal in Main.java).
     */
    static Set<String> serviceOptions() throws IOException {
        String main = Files.readString(REPO.resolve("verifier-service/src/main/java/dev/hallmark/service/Main.java"));
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^ {14}(--[a-z][a-z-]*)").matcher(main);
        while (m.find()) {
            if (main.contains("\"" + m.group(1) + "\"")) {
                out.add(m.group(1));
            }
        }
        assertTrue(out.contains("--data-dir") && out.contains("--version"), "found the service's parser: " + out);
        return out;
    }

    @Test
    void everyOptionTheDocsMentionExists() throws IOException {
        Map<String, Set<String>> cli = cliOptions();
        Set<String> known = new TreeSet<>(serviceOptions());
        cli.values().forEach(known::addAll);
        known.addAll(OTHER_TOOLS.keySet());
        List<String> wrong = new ArrayList<>();
        for (Path f : docs()) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                int first = i;
                String line = lines.get(i);
                while (line.stripTrailing().endsWith("\\") && i + 1 < lines.size()) {
                    line = line.stripTrailing();
                    line = line.substring(0, line.length() - 1) + " " + lines.get(++i);
                }
                String where = REPO.relativize(f) + ":" + (first + 1);
                String joined = line;
                Matcher o = OPTION.matcher(line);
                while (o.find()) {
                    String opt = o.group();
                    boolean family = FAMILIES.stream().anyMatch(p -> opt.equals(p) && joined.contains(p + "*"));
                    if (!known.contains(opt) && !family) {
                        wrong.add(where + ": " + opt + " is no option of hallmark, the service, or "
                                + "OTHER_TOOLS");
                    }
                }
                Matcher r = RUN.matcher(line);
                while (r.find()) {
                    Set<String> own = cli.get(r.group(1));
                    if (own == null || r.group(2) == null) {
                        continue;
                    }
                    Matcher ro = OPTION.matcher(r.group(2));
                    while (ro.find()) {
                        if (!own.contains(ro.group())) {
                            wrong.add(where + ": hallmark " + r.group(1) + " has no option " + ro.group());
                        }
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void everyEnvironmentVariableTheDocsMentionIsRead() throws IOException {
        StringBuilder code = new StringBuilder();
        try (Stream<Path> s = Files.walk(REPO)) {
            s.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = REPO.relativize(p).toString();
                        return !n.contains("/test/") && !n.contains("target/") && !n.startsWith(".git")
                                && !n.endsWith(".md") && (n.endsWith(".java") || n.endsWith(".sh") || n.endsWith(".py")
                                || n.startsWith(".ci/"));
                    })
                    .forEach(p -> {
                        try {
                            code.append(Files.readString(p, StandardCharsets.ISO_8859_1));
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
        }
        List<String> wrong = new ArrayList<>();
        int seen = 0;
        for (Path f : docs()) {
            Matcher m = Pattern.compile("\\bHALLMARK_[A-Z0-9_]*[A-Z0-9]").matcher(Files.readString(f));
            while (m.find()) {
                seen++;
                if (!code.toString().contains("\"" + m.group() + "\"") && !code.toString().contains(m.group() + "=")
                        && !code.toString().contains("$" + m.group()) && !code.toString().contains("${" + m.group())) {
                    wrong.add(REPO.relativize(f) + ": " + m.group() + " is read nowhere");
                }
            }
        }
        assertTrue(seen > 0, "the docs mention some variables");
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }
}
