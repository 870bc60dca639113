package dev.hallmark.tools;

import dev.hallmark.detect.ContextFilters;
import dev.hallmark.detect.PositionFilter;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Mixin {@code [--filter FILE] [--filter-top N]}: the served-data filter of the radioactivity
 * tests (score only contexts that occur in the watermarked data the lab served). It is
 * key-independent, so it keeps the null valid.
 */
public final class ServedFilterOptions {

    @Option(names = "--filter", description = "Watermarked data the lab served (JSONL): score only contexts frequent in it.")
    Path filter;

    @Option(names = "--filter-top", defaultValue = "0",
            description = "Keep the N most frequent served contexts (0 = every served context; default ${DEFAULT-VALUE}).")
    int filterTop;

    /** True if {@code --filter} was given. */
    public boolean given() {
        return filter != null;
    }

    /**
     * The filter over contexts of {@code window} ({@link ContextFilters.Window#of} the scheme):
     * {@link PositionFilter#ALL} without {@code --filter}, else the served file read with the
     * suspect's fields.
     */
    PositionFilter filter(TokenizedRecords records, SuspectOptions fields, ContextFilters.Window window)
            throws IOException {
        return filter == null ? PositionFilter.ALL
                : ContextFilters.servedContexts(fields.readAll(records, filter), window, filterTop);
    }
}
