package dev.hallmark.tools;

import dev.hallmark.embed.SamplingConfig;
import picocli.CommandLine.Option;

/** Mixin: how tokens are sampled from the model ({@code --temperature --top-p --top-k --no-skip-repeated}). */
public final class SamplingOptions {

    @Option(names = "--temperature", defaultValue = "1.0", description = "Temperature (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "0.95", description = "Nucleus mass, 1 = off (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", description = "Top-k, 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--no-skip-repeated", description = "Watermark repeated contexts too (default: skip them, as vLLM does).")
    boolean noSkipRepeated;

    /** The sampler configuration these options give. */
    public SamplingConfig config() {
        return new SamplingConfig(temperature, topK, topP, !noSkipRepeated);
    }

    public double temperature() {
        return temperature;
    }

    public double topP() {
        return topP;
    }

    public int topK() {
        return topK;
    }
}
