package dev.hallmark.tools.serve;

import dev.hallmark.embed.KeySchedule;
import dev.hallmark.embed.SamplingConfig;
import dev.hallmark.embed.WatermarkSampler;
import java.util.random.RandomGenerator;

/**
 * The server's sampling seam: one call per decoding step over all running rows, each row bound
 * (through its slot) to its own settings, key schedule and random source. The signature is that of
 * the batched sampler ({@code dev.hallmark.embed.BatchSampler}: {@code open}, {@code sample},
 * {@code close}), so plugging it in is one small adapter; until it is on this branch,
 * {@link #perSequence} runs one {@link WatermarkSampler} per slot, which returns the same tokens.
 */
interface StepSampler {

    /**
     * Binds a free slot to a sequence.
     *
     * @param schedule the account's key schedule, or {@code null} for no watermark
     */
    void open(int slot, SamplingConfig config, KeySchedule schedule, RandomGenerator random);

    /** Frees a slot. */
    void close(int slot);

    /**
     * Samples one token for each of {@code rows} rows: row r's logits are {@code logits[r]}, its
     * slot {@code slotOfRow[r]}, its context (prompt and tokens so far)
     * {@code contexts[r][offsets[r] .. offsets[r] + lengths[r])}.
     */
    void sample(float[][] logits, int rows, int[] slotOfRow, int[][] contexts, int[] offsets, int[] lengths,
            int[] tokens);

    /** Per-sequence {@link WatermarkSampler}s, one per slot. */
    static StepSampler perSequence(int vocabularySize, int slots) {
        return new StepSampler() {
            private final WatermarkSampler[] samplers = new WatermarkSampler[slots];
            private final RandomGenerator[] randoms = new RandomGenerator[slots];

            @Override
            public void open(int slot, SamplingConfig config, KeySchedule schedule, RandomGenerator random) {
                if (randoms[slot] != null) {
                    throw new IllegalStateException("slot " + slot + " is already open");
                }
                samplers[slot] = schedule == null ? WatermarkSampler.plain(config, vocabularySize)
                        : WatermarkSampler.watermarked(schedule, config, vocabularySize);
                randoms[slot] = random;
            }

            @Override
            public void close(int slot) {
                samplers[slot] = null;
                randoms[slot] = null;
            }

            @Override
            public void sample(float[][] logits, int rows, int[] slotOfRow, int[][] contexts, int[] offsets,
                    int[] lengths, int[] tokens) {
                for (int r = 0; r < rows; r++) {
                    int s = slotOfRow[r];
                    tokens[r] = samplers[s].next(logits[r], contexts[r], offsets[r], lengths[r], randoms[s]);
                }
            }
        };
    }
}
