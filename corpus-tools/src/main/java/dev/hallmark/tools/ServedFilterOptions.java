package dev.hallmark.tools;

import dev.hallmark.detect.ContextFilters;
import dev.hallmark.detect.PositionFilter;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Mixin {@code [--filter FILE] [--filter-top N] [--filter-text watermarked|unwatermarked]}: score
 * only contexts frequent in FILE. Exact when FILE is an unwatermarked counterpart of the served
 * data (the same prompts answered with the watermark off); heuristic (p-values not exact) when it
 * is the watermarked served data itself, whose context counts depend on the key
 * ({@link ContextFilters}).
 */
public final class ServedFilterOptions {

    @Option(names = "--filter", paramLabel = "FILE", description = {"Score only contexts frequent in this file (any "
            + "input format, detected; the suspect's --field): the lab's served data, or",
            "(exact) its unwatermarked counterpart (see --filter-text)."})
    Path filter;

    @Option(names = "--filter-text", defaultValue = "watermarked",
            description = {"What --filter holds: watermarked (the served data itself: heuristic, p-values not exact)",
                "or unwatermarked (the same prompts answered with the watermark off: exact). Default: ${DEFAULT-VALUE}."})
    String filterText;

    @Option(names = "--filter-top", defaultValue = "0",
            description = "Keep the N most frequent served contexts (0 = every served context; default ${DEFAULT-VALUE}).")
    int filterTop;

    /** True if the p-values stay exact: no filter, or one built from unwatermarked text. */
    public boolean exact() {
        return filter == null || unwatermarked();
    }

    private boolean unwatermarked() {
        return switch (filterText) {
            case "unwatermarked" -> true;
            case "watermarked" -> false;
            default -> throw new IllegalArgumentException("--filter-text must be watermarked or unwatermarked, got '"
                    + filterText + "'");
        };
    }

    /** The filter's name in reports. */
    public String kind() {
        return filter == null ? "none" : unwatermarked() ? "counterpart-contexts" : "served-contexts";
    }

    /** True if {@code --filter} was given. */
    public boolean given() {
        return filter != null;
    }

    /**
     * The filter over contexts of {@code window} ({@link ContextFilters.Window#of} the scheme):
     * {@link PositionFilter#ALL} without {@code --filter}, else the served file read with the
     * suspect's fields (its format detected).
     */
    PositionFilter filter(TokenizedRecords records, SuspectOptions fields, ContextFilters.Window window)
            throws IOException {
        return filter == null ? PositionFilter.ALL
                : ContextFilters.frequentContexts(fields.readAll(records, filter), window, filterTop);
    }
}
