package dev.hallmark.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The help of every {@code hallmark} command, laid out so that text wraps only at spaces: a word
 * (a scheme spec such as {@code kgw:gamma=0.25,delta=2,context=1,seeding=lefthash}, a path, an
 * option name) is never cut, and a word longer than its column stands alone on its line rather
 * than being split. picocli's own layout breaks wherever {@link java.text.BreakIterator} allows,
 * which includes after {@code .}, {@code -} and {@code /} inside such words, and prints each
 * element of a description array as a line of its own. Here the elements of a description are
 * joined into one paragraph and wrapped to the usage width ({@link UsageMessageSpec#width()}, 80
 * unless the {@code picocli.usage.width} system property says otherwise).
 */
final class HelpLayout {

    /** The widest the option-name column grows; longer names put their description on the next line. */
    static final int MAX_NAME_COLUMN = 26;

    private HelpLayout() {}

    /** Installs the layout on {@code cl} and every subcommand under it. */
    static void install(CommandLine cl) {
        Map<String, CommandLine.IHelpSectionRenderer> m = cl.getHelpSectionMap();
        m.put(UsageMessageSpec.SECTION_KEY_SYNOPSIS, HelpLayout::synopsis);
        m.put(UsageMessageSpec.SECTION_KEY_DESCRIPTION, HelpLayout::description);
        m.put(UsageMessageSpec.SECTION_KEY_PARAMETER_LIST, HelpLayout::parameters);
        m.put(UsageMessageSpec.SECTION_KEY_OPTION_LIST, HelpLayout::options);
        m.put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, HelpLayout::commands);
        cl.setHelpSectionMap(m);
        for (CommandLine sub : cl.getSubcommands().values()) {
            install(sub);
        }
    }

    private static int width(CommandLine.Help help) {
        return help.commandSpec().usageMessage().width();
    }

    /** picocli's synopsis on one line (its width raised for the call), re-wrapped at spaces. */
    static String synopsis(CommandLine.Help help) {
        UsageMessageSpec u = help.commandSpec().usageMessage();
        int w = u.width();
        String one;
        u.width(100_000);
        try {
            one = help.synopsis(0).strip();
        } finally {
            u.width(w);
        }
        int head = help.synopsisHeadingLength();
        int indent = Math.min(head + help.commandSpec().qualifiedName().length() + 1, w / 2);
        return wrap(one, w - head, w - indent, indent, 0);
    }

    /** The description's elements as one paragraph ({@code %n} starts a new one). */
    static String description(CommandLine.Help help) {
        String[] d = help.commandSpec().usageMessage().description();
        if (d.length == 0) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (String para : String.join(" ", d).split("%n")) {
            if (!para.isBlank()) {
                b.append(wrap(para, width(help), width(help), 0, 0));
            }
        }
        return b.toString();
    }

    static String options(CommandLine.Help help) {
        List<OptionSpec> opts = new ArrayList<>();
        for (OptionSpec o : help.commandSpec().options()) {
            if (!o.hidden()) {
                opts.add(o);
            }
        }
        opts.sort(CommandLine.Help.createShortOptionNameComparator());
        List<String[]> rows = new ArrayList<>();
        for (OptionSpec o : opts) {
            rows.add(new String[] {optionNames(help, o), String.join(" ", o.renderedDescription())});
        }
        return table(rows, width(help));
    }

    static String parameters(CommandLine.Help help) {
        List<String[]> rows = new ArrayList<>();
        for (PositionalParamSpec p : help.commandSpec().positionalParameters()) {
            if (!p.hidden()) {
                rows.add(new String[] {help.parameterLabelRenderer().renderParameterLabel(p, help.ansi(),
                        List.of()).toString(), String.join(" ", p.renderedDescription())});
            }
        }
        return rows.isEmpty() ? "" : table(rows, width(help));
    }

    /** Each subcommand with the first sentence of its description. */
    static String commands(CommandLine.Help help) {
        Map<String, CommandLine.Help> subs = help.subcommands();
        if (subs.isEmpty()) {
            return "";
        }
        List<String[]> rows = new ArrayList<>();
        for (Map.Entry<String, CommandLine.Help> e : subs.entrySet()) {
            rows.add(new String[] {e.getKey(), firstSentence(e.getValue().commandSpec())});
        }
        return table(rows, width(help));
    }

    /** Where the first sentence ends: {@code .?!} before a capital letter, not after an abbreviation. */
    private static final java.util.regex.Pattern SENTENCE_END = java.util.regex.Pattern.compile(
            "(?<!\\be\\.g|\\bi\\.e|\\bal|\\bcf|\\bvs|\\betc)[.?!](?=\\s+[A-Z])");

    static String firstSentence(CommandSpec spec) {
        String d = String.join(" ", spec.usageMessage().description()).strip();
        java.util.regex.Matcher m = SENTENCE_END.matcher(d);
        return m.find() ? d.substring(0, m.end()) : d;
    }

    private static String optionNames(CommandLine.Help help, OptionSpec o) {
        String[] names = o.names().clone();
        java.util.Arrays.sort(names, (a, b) -> Integer.compare(a.length(), b.length()));
        String label = help.parameterLabelRenderer().renderParameterLabel(o, help.ansi(), List.of()).toString();
        String joined = String.join(", ", names) + label;
        // long-only options line up under the long names of options that also have a short one
        return (names[0].startsWith("--") ? "    " : "") + joined;
    }

    /** Two columns: names (indented by 2) and descriptions, the descriptions wrapped at spaces. */
    static String table(List<String[]> rows, int width) {
        int col = 0;
        for (String[] r : rows) {
            col = Math.max(col, 2 + r[0].length() + 2);
        }
        col = Math.min(col, MAX_NAME_COLUMN);
        col = Math.min(col, width / 2);
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            String names = "  " + r[0];
            String desc = r[1].strip();
            int hanging = col + 2;
            if (names.length() + 2 > col) {
                b.append(names).append('\n');
                if (!desc.isEmpty()) {
                    b.append(wrap(desc, width - col, width - hanging, hanging, col));
                }
            } else {
                String wrapped = desc.isEmpty() ? "\n" : wrap(desc, width - col, width - hanging, hanging, 0);
                b.append(names).append(" ".repeat(col - names.length())).append(wrapped);
            }
        }
        return b.toString();
    }

    /**
     * Greedy word wrap at spaces. The first line has {@code firstWidth} columns and is indented by
     * {@code firstIndent}; the others have {@code width} columns, indented by {@code indent}. A
     * word longer than its line stands alone on it, whole. Ends with a newline.
     */
    static String wrap(String text, int firstWidth, int width, int indent, int firstIndent) {
        String[] words = text.strip().split("\\s+");
        StringBuilder out = new StringBuilder(" ".repeat(firstIndent));
        int room = Math.max(1, firstWidth);
        int used = 0;
        for (String w : words) {
            if (w.isEmpty()) {
                continue;
            }
            if (used > 0 && used + 1 + w.length() > room) {
                out.append('\n').append(" ".repeat(indent));
                room = Math.max(1, width);
                used = 0;
            }
            if (used > 0) {
                out.append(' ');
                used++;
            }
            out.append(w);
            used += w.length();
        }
        return out.append('\n').toString();
    }
}
