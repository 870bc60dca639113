package dev.hallmark.tools;

import picocli.CommandLine.Option;

/** Mixin {@code --json}: machine-readable JSON on stdout instead of the text report. */
public final class JsonOption {

    @Option(names = "--json", description = "JSON output on stdout.")
    boolean json;

    public boolean enabled() {
        return json;
    }
}
