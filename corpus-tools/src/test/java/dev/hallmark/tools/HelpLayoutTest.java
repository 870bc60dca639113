package dev.hallmark.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The help of every command, at several widths: lines wrap at spaces only, so every word of every
 * description (scheme specs, paths, option names) comes out whole and in order, and no line is
 * wider than the usage width unless it holds one word too long to fit (which is then not cut).
 */
class HelpLayoutTest {

    static List<CommandLine> all(CommandLine cl) {
        List<CommandLine> out = new ArrayList<>();
        out.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) {
            out.addAll(all(sub));
        }
        return out;
    }

    static String help(CommandLine cl, int width) {
        cl.setUsageHelpWidth(width);
        StringWriter w = new StringWriter();
        cl.usage(new PrintWriter(w));
        return w.toString();
    }

    static List<String> words(String s) {
        return Arrays.stream(s.strip().split("\\s+")).filter(x -> !x.isEmpty()).toList();
    }

    /** True if {@code needle} occurs in {@code hay} as consecutive words. */
    static boolean containsRun(List<String> hay, List<String> needle) {
        return needle.isEmpty() || java.util.Collections.indexOfSubList(hay, needle) >= 0;
    }

    @ParameterizedTest
    @ValueSource(ints = {80, 60, 120})
    void wrapsAtSpacesOnlyAndKeepsEveryWordWhole(int width) {
        int commands = 0;
        for (CommandLine cl : all(Hallmark.commandLine())) {
            commands++;
            String h = help(cl, width);
            String name = cl.getCommandSpec().qualifiedName();
            for (String line : h.split("\n")) {
                assertTrue(line.length() <= width || words(line).size() == 1,
                        name + " at width " + width + ": line of " + line.length() + " columns:\n" + line);
            }
            List<String> hw = words(h);
            List<String> desc = words(String.join(" ", cl.getCommandSpec().usageMessage().description()));
            assertTrue(containsRun(hw, desc), name + ": the description's words, whole and in order:\n" + h);
            for (OptionSpec o : cl.getCommandSpec().options()) {
                List<String> od = words(String.join(" ", o.renderedDescription()));
                assertTrue(containsRun(hw, od), name + " " + o.longestName() + ": its description, whole:\n" + h);
                assertTrue(hw.stream().anyMatch(w -> w.startsWith(o.longestName())), name + ": " + o.longestName());
            }
            for (String sub : cl.getSubcommands().keySet()) {
                assertTrue(hw.contains(sub), name + " lists " + sub);
            }
            assertEquals(h.indexOf("Commands:"), h.lastIndexOf("Commands:"), "one heading");
        }
        assertTrue(commands >= 15, "every subcommand checked: " + commands);
    }

    @ParameterizedTest
    @ValueSource(ints = {80, 60})
    void aSchemeSpecIsNeverCut(int width) {
        CommandLine cl = Hallmark.commandLine();
        for (String cmd : List.of("detect", "radioactivity", "attribute", "spark-detect")) {
            String h = help(cl.getSubcommands().get(cmd), width);
            assertTrue(words(h).contains("kgw:gamma=0.25,delta=2,context=1,seeding=lefthash"), cmd + ":\n" + h);
            assertFalse(h.contains("kgw:gamma=0.\n"), h);
        }
        String top = help(cl, width);
        // a command's summary is its first sentence, not cut at "et al."
        assertTrue(top.replaceAll("\\s+", " ").contains(
                "radioactivity Radioactivity test (Sander et al. 2024): does a suspect model's output carry our watermark?"),
                top);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Radioactivity test (Sander et al. 2024): does it? Tuples are", "Use e.g. kgw. Then more",
        "One. Two"})
    void firstSentenceStopsAtTheRealEnd(String text) {
        CommandLine.Model.CommandSpec s = CommandLine.Model.CommandSpec.create();
        s.usageMessage().description(text);
        String first = HelpLayout.firstSentence(s);
        assertTrue(text.startsWith(first) && (first.endsWith("?") || first.endsWith(".")), first);
        assertFalse(first.endsWith("al.") || first.endsWith("e.g."), first);
    }

    /** {@code --version} prints the one version every Hallmark jar reports (the service's {@code --version} too). */
    @org.junit.jupiter.api.Test
    void versionIsTheSharedOne() {
        DetectInteropTest.Run r = DetectInteropTest.run("--version");
        assertEquals(0, r.exit());
        assertEquals("hallmark " + dev.hallmark.detect.HallmarkVersion.get(), r.out().strip());
        assertFalse(r.out().contains("dev"), r.out());
    }
}
