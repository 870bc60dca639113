package dev.hallmark.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.hallmark.embed.TokenSampler;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Adapter for DJL generation loops: feeds an {@link NDArray} of next-token logits to a
 * {@link TokenSampler}. The logits are copied into a buffer this adapter reuses, so a loop that
 * keeps one adapter per sequence allocates no Java arrays per token (DJL itself may allocate a
 * native-to-heap byte buffer per copy).
 */
public final class DjlSampling {

    private final TokenSampler sampler;
    private final float[] buffer;

    public DjlSampling(TokenSampler sampler) {
        this.sampler = Objects.requireNonNull(sampler, "sampler");
        this.buffer = new float[sampler.vocabularySize()];
    }

    /**
     * Samples the next token from {@code logits}: a float32 array of shape (vocabulary) or
     * (1, vocabulary), or (positions, vocabulary) of which the last row is used.
     */
    public int next(NDArray logits, int[] context, int contextOffset, int contextLength, RandomGenerator random) {
        NDArray row = logits;
        long[] shape = logits.getShape().getShape();
        int vocab = buffer.length;
        if (shape.length == 0 || shape[shape.length - 1] != vocab) {
            throw new IllegalArgumentException("logits shape " + logits.getShape() + " does not end in the vocabulary size "
                    + vocab);
        }
        boolean sliced = false;
        if (shape.length == 2) {
            row = logits.get(shape[0] - 1);
            sliced = true;
        } else if (shape.length != 1) {
            throw new IllegalArgumentException("logits must be 1-D or 2-D, got shape " + logits.getShape());
        }
        try {
            if (row.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("logits must be float32, got " + row.getDataType());
            }
            FloatBuffer fb = row.toByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
            fb.get(buffer, 0, vocab);
        } finally {
            if (sliced) {
                row.close();
            }
        }
        return sampler.next(buffer, context, contextOffset, contextLength, random);
    }

    /** Starts a new sequence. */
    public void reset() {
        sampler.reset();
    }

    public TokenSampler sampler() {
        return sampler;
    }
}
