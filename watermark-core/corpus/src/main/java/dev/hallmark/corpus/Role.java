package dev.hallmark.corpus;

import java.util.Locale;
import java.util.Map;

/**
 * The speaker of a chat turn. Assistant turns are the documents scored; the others before an
 * assistant turn are its prompt.
 */
public enum Role {
    SYSTEM, USER, ASSISTANT, TOOL;

    /** The role names of the common chat formats, lower case. */
    private static final Map<String, Role> NAMES = Map.ofEntries(
            Map.entry("system", SYSTEM), Map.entry("developer", SYSTEM),
            Map.entry("user", USER), Map.entry("human", USER),
            Map.entry("assistant", ASSISTANT), Map.entry("gpt", ASSISTANT), Map.entry("chatgpt", ASSISTANT),
            Map.entry("model", ASSISTANT),
            Map.entry("tool", TOOL), Map.entry("function", TOOL), Map.entry("function_call", TOOL),
            Map.entry("observation", TOOL), Map.entry("ipython", TOOL));

    /** The known role names and the role each stands for, as a sentence for error messages. */
    public static final String KNOWN = "system, developer (system); user, human (user); assistant, gpt, chatgpt, "
            + "model (assistant); tool, function, function_call, observation, ipython (tool)";

    /** The name used in reports ({@code system}, {@code user}, ...). */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role a name stands for (case-insensitive), or null if the name is not known. */
    public static Role of(String name) {
        return name == null ? null : NAMES.get(name.trim().toLowerCase(Locale.ROOT));
    }
}
