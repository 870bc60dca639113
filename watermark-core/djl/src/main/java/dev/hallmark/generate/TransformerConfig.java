package dev.hallmark.generate;

/**
 * Architecture of a {@link TransformerLm}: a pre-LayerNorm GPT-style causal decoder.
 *
 * @param dModel width of the residual stream
 * @param layers number of decoder blocks
 * @param heads attention heads per block ({@code dModel} must be divisible by it)
 * @param ffDim hidden width of the feed-forward sub-layer (GELU)
 * @param maxContext number of learned positions: the longest context attended to
 */
public record TransformerConfig(int dModel, int layers, int heads, int ffDim, int maxContext) {

    /** Validates the shape. */
    public TransformerConfig {
        if (dModel <= 0 || layers <= 0 || heads <= 0 || ffDim <= 0 || maxContext < 2) {
            throw new IllegalArgumentException("all sizes must be positive and maxContext >= 2: " + this);
        }
        if (dModel % heads != 0) {
            throw new IllegalArgumentException("dModel " + dModel + " is not divisible by heads " + heads);
        }
    }

    /** Width of one attention head. */
    public int headDim() {
        return dModel / heads;
    }

    /**
     * Number of trainable parameters with an output layer of {@code outputSize} ids (input
     * embedding tied to the output layer, plus one unknown-token row).
     */
    public long parameterCount(int outputSize) {
        long d = dModel;
        long perLayer = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * ffDim + ffDim) + (ffDim * d + d);
        return (long) outputSize * d + d + (long) maxContext * d + layers * perLayer + 2 * d + outputSize;
    }
}
