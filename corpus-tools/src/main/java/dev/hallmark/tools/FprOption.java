package dev.hallmark.tools;

import picocli.CommandLine.Option;

/** Mixin {@code --fpr RATE}: the false-positive rate at which a test calls a watermark. */
public final class FprOption {

    @Option(names = "--fpr", defaultValue = "1e-3",
            description = "False-positive rate of the verdict (default: ${DEFAULT-VALUE}).")
    double fpr;

    public double fpr() {
        return fpr;
    }
}
