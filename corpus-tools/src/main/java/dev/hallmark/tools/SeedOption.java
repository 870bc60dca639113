package dev.hallmark.tools;

import picocli.CommandLine.Option;

/** Mixin {@code --seed N}: the seed every random draw of the command derives from. */
public final class SeedOption {

    @Option(names = "--seed", defaultValue = "1",
            description = "Random seed: the same seed and inputs give the same output (default: ${DEFAULT-VALUE}).")
    long seed;

    public long seed() {
        return seed;
    }
}
