package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Common commands", parsed out of README.md and run as written, in order, in a
 * scratch directory that holds only links to the repository's {@code datasets/} and {@code docs/}:
 * every command must succeed on the files the commands before it made, so the README cannot
 * drift from the CLI. {@code $H} is the README's {@code java -jar corpus-tools/target/hallmark.jar}
 * with the jar's main class on this test's class path (the jar is built after the tests), each
 * command in a JVM of its own as from a shell. The "longer runs" block is parsed by the CLI (its
 * options must exist) and its files must exist, but it is not run.
 */
class ReadmeCommandsTest {

    static final Path REPO = HumanText.repoRoot();

    /** The {@code ```bash} blocks of the section that starts with {@code heading}. */
    static List<List<String>> blocks(String readme, String heading) {
        int from = readme.indexOf(heading);
        assertTrue(from >= 0, "README has a section '" + heading + "'");
        int to = readme.indexOf("\n## ", from + heading.length());
        String section = readme.substring(from, to < 0 ? readme.length() : to);
        List<List<String>> out = new ArrayList<>();
        Matcher m = Pattern.compile("```bash\n(.*?)```", Pattern.DOTALL).matcher(section);
        while (m.find()) {
            List<String> cmds = new ArrayList<>();
            for (String line : m.group(1).split("\n")) {
                if (line.startsWith("$H ")) {
                    cmds.add(line);
                }
            }
            out.add(cmds);
        }
        return out;
    }

    /** The arguments of a {@code $H ...} line: split at spaces, a trailing {@code # comment} dropped. */
    static List<String> args(String line) {
        String s = line.substring(3).replaceAll("\\s+#.*$", "").strip();
        List<String> out = new ArrayList<>();
        for (String a : s.split("\\s+")) {
            assertFalse(a.contains("\"") || a.contains("'") || a.contains("$") || a.contains("|") || a.contains(">"),
                    "the README's commands are plain words (no quoting, variables or redirection): " + line);
            out.add(a);
        }
        return out;
    }

    record Ran(int exit, String out, String err) {}

    static Ran shell(Path dir, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true"));
        for (String p : List.of("hallmark.cache", "DJL_CACHE_DIR")) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Hallmark.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("HALLMARK_REPO");
        Path out = Files.createTempFile(dir.getParent(), "out", ".txt");
        Path err = Files.createTempFile(dir.getParent(), "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(20, TimeUnit.MINUTES), "timed out: " + args);
        return new Ran(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void commonCommandsRunAsWrittenOnTheFilesTheReadmeCreates(@TempDir Path tmp) throws Exception {
        String readme = Files.readString(REPO.resolve("README.md"), StandardCharsets.UTF_8);
        List<List<String>> blocks = blocks(readme, "## Common commands");
        assertEquals(2, blocks.size(), "the commands to run, then the longer runs");
        assertTrue(readme.contains("H=\"java -jar corpus-tools/target/hallmark.jar\""), "$H is the CLI jar");
        Path dir = Files.createDirectory(tmp.resolve("work"));
        Files.createSymbolicLink(dir.resolve("datasets"), REPO.resolve("datasets"));
        Files.createSymbolicLink(dir.resolve("docs"), REPO.resolve("docs"));
        List<String> run = blocks.get(0);
        assertTrue(run.size() >= 8, run.toString());
        List<String> transcript = new ArrayList<>();
        for (String line : run) {
            Ran r = shell(dir, args(line));
            transcript.add(line + "\n" + r.out() + r.err());
            assertEquals(0, r.exit(), () -> "README command failed:\n" + String.join("\n", transcript));
            List<String> a = args(line);
            String cmd = a.get(0);
            if (cmd.equals("generate")) {
                String file = a.get(a.indexOf("--out") + 1);
                assertTrue(r.out().contains("wrote 10 records to " + file), r.out());
                assertTrue(r.err().startsWith("generate: "), "progress from the start: " + r.err());
            } else if (cmd.equals("detect")) {
                // every record is accounted for: a line each, or (a completion the model ended at once,
                // with its first token: the keys are fresh each run) named on stderr as not scorable
                long shown = r.out().strip().split("\n").length;
                long empty = r.err().lines().filter(l -> l.matches("gen-\\d+: empty text: nothing to score")).count();
                assertEquals(10, shown + empty, r.out() + r.err());
                assertTrue(empty == 0 || r.err().contains(empty + " of 10 records could not be scored"), r.err());
                assertTrue(r.out().lines().filter(l -> l.contains("WATERMARKED")).count() >= 8, r.out());
            } else if (cmd.equals("radioactivity")) {
                boolean positive = line.contains("wm.jsonl");
                assertEquals(positive, r.out().contains("RADIOACTIVE"), r.out());
            } else if (cmd.equals("attribute")) {
                assertTrue(r.out().contains("): 0\n"), "nobody accused: " + r.out());
            }
        }
        assertEquals(10, Files.readAllLines(dir.resolve("ids.jsonl")).size());

        for (String line : blocks.get(1)) {
            List<String> a = args(line);
            Hallmark.commandLine().parseArgs(a.toArray(new String[0])); // options exist, required ones given
            for (String x : a) {
                // the committed inputs they name (outputs and URLs are not checked)
                if (x.startsWith("datasets/") || x.startsWith("docs/")) {
                    assertTrue(Files.exists(REPO.resolve(x)), "README names a file that does not exist: " + x);
                }
            }
        }
    }

    @Test
    void everyHallmarkCommandInTheReadmeParses() throws IOException {
        String readme = Files.readString(REPO.resolve("README.md"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("java -jar corpus-tools/target/hallmark\\.jar ([a-z-]+(?: [^`\\n]*)?)").matcher(readme);
        int n = 0;
        while (m.find()) {
            String[] a = m.group(1).strip().split("\\s+");
            Hallmark.commandLine().parseArgs(a);
            n++;
        }
        assertTrue(n >= 1, "the demo command");
    }
}
