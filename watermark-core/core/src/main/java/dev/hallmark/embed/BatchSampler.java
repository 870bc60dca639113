package dev.hallmark.embed;

import dev.hallmark.scheme.KeyedScheme;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Samples the next token of many sequences in one call per decoding step, for servers that run
 * the model over a batch of sequences at once.
 *
 * <p>The sampler has a fixed number of <em>slots</em>. A sequence (one request) occupies a slot
 * from {@link #open} to {@link #close}; opening binds the sequence's own settings: its
 * {@link SamplingConfig} (temperature, top-k, top-p per request), its key (one per account) or no
 * watermark at all ({@code --no-watermark} accounts), and its random source. Each step the caller
 * passes the logits of the rows its model computed and, for each row, the slot it belongs to and
 * its context; rows that finished are closed and simply left out of the next step, and new
 * sequences can be opened into free slots between steps.
 *
 * <pre>{@code
 * BatchSampler sampler = BatchSampler.create(vocab, 64);
 * sampler.open(slot, SamplingConfig.defaults(), accountKey, new SplittableRandom(seed)); // per request
 * // each decoding step, over the rows still running:
 * sampler.sample(logits, 0, vocab, rows, slotOfRow, contexts, contextOffsets, contextLengths, tokens);
 * sampler.close(slot);                                                                  // request done
 * }</pre>
 *
 * <p>Every row gets exactly the token a {@link WatermarkSampler} with the same settings would
 * return for the same logits, context and random stream (the same code runs on it), including
 * repeated-context skipping per sequence. The rows are sampled one after another on one shared
 * workspace (about 36 bytes per vocabulary entry), instead of one workspace per sequence.
 *
 * <p>After construction nothing is allocated per step (opening a SynthID sequence allocates its
 * workspace once; a sequence's set of seen contexts grows by doubling). Not thread-safe: to sample
 * on several threads, give each thread its own {@code BatchSampler} and its own slots.
 */
public final class BatchSampler {

    private final WatermarkStep step;
    private final SequenceState[] slots;
    private final RandomGenerator[] randoms;
    private final long[] stamp;
    private long steps;

    private BatchSampler(int vocabularySize, int maxSequences) {
        if (maxSequences < 1) {
            throw new IllegalArgumentException("a batch sampler needs at least 1 slot, got " + maxSequences);
        }
        this.step = new WatermarkStep(vocabularySize);
        this.slots = new SequenceState[maxSequences];
        this.randoms = new RandomGenerator[maxSequences];
        this.stamp = new long[maxSequences];
        for (int i = 0; i < maxSequences; i++) {
            slots[i] = new SequenceState();
        }
    }

    /**
     * A batch sampler for a vocabulary of {@code vocabularySize} tokens (the number of logits per
     * row) with {@code maxSequences} slots.
     */
    public static BatchSampler create(int vocabularySize, int maxSequences) {
        return new BatchSampler(vocabularySize, maxSequences);
    }

    /** Starts a sequence without watermark in a free slot (a {@code --no-watermark} account). */
    public void open(int slot, SamplingConfig config, RandomGenerator random) {
        open(slot, config, (KeySchedule) null, random);
    }

    /**
     * Starts a sequence in a free slot.
     *
     * @param slot in {@code [0, maxSequences)}, not open
     * @param config the sequence's decoding settings
     * @param keyed the sequence's keyed scheme (e.g. its account's key), or {@code null} for no watermark
     * @param random the sequence's random source, used by this slot's rows only
     */
    public void open(int slot, SamplingConfig config, KeyedScheme keyed, RandomGenerator random) {
        open(slot, config, keyed == null ? null : KeySchedule.fixed(keyed), random);
    }

    /**
     * Starts a sequence in a free slot with a key schedule (e.g. account codes), or {@code null}
     * for no watermark; see {@link #open(int, SamplingConfig, KeyedScheme, RandomGenerator)}.
     */
    public void open(int slot, SamplingConfig config, KeySchedule schedule, RandomGenerator random) {
        checkSlot(slot);
        if (randoms[slot] != null) {
            throw new IllegalStateException("slot " + slot + " is already open; close it first");
        }
        Objects.requireNonNull(random, "random");
        slots[slot].start(config, schedule);
        step.prepare(slots[slot]);
        randoms[slot] = random;
    }

    /** Ends the sequence in {@code slot} (it may be reopened for another sequence). */
    public void close(int slot) {
        checkSlot(slot);
        if (randoms[slot] == null) {
            throw new IllegalStateException("slot " + slot + " is not open");
        }
        randoms[slot] = null;
        slots[slot].schedule = null;
        slots[slot].config = null;
    }

    /** Whether a sequence occupies {@code slot}. */
    public boolean isOpen(int slot) {
        checkSlot(slot);
        return randoms[slot] != null;
    }

    /**
     * One decoding step over rows laid out in one array: row r's logits are
     * {@code logits[logitsOffset + r * rowStride ..][0 .. vocabularySize)}.
     *
     * @param rowStride distance between the starts of consecutive rows, at least the vocabulary size
     * @param rows number of rows (may be 0)
     * @param slotOfRow {@code slotOfRow[r]}: the open slot row r belongs to; no slot twice
     * @param contexts {@code contexts[r]}: the array holding row r's context (the same array may
     *     serve several rows)
     * @param contextOffsets {@code contextOffsets[r]}: first index of row r's context
     * @param contextLengths {@code contextLengths[r]}: number of context tokens of row r (prompt included)
     * @param tokens receives the chosen token of each row
     * @throws IllegalArgumentException for bad arguments, or bad logits in a row (NaN, +infinity,
     *     all -infinity): the message names the row; rows before it were sampled, rows after were not
     */
    public void sample(float[] logits, int logitsOffset, int rowStride, int rows, int[] slotOfRow, int[][] contexts,
            int[] contextOffsets, int[] contextLengths, int[] tokens) {
        int vocab = step.vocab();
        checkRows(rows, slotOfRow, contexts, contextOffsets, contextLengths, tokens);
        if (rowStride < vocab && rows > 1) {
            throw new IllegalArgumentException("row stride " + rowStride + " is below the vocabulary size " + vocab);
        }
        if (rows > 0 && (logitsOffset < 0
                || logitsOffset + (long) (rows - 1) * rowStride + vocab > logits.length)) {
            throw new IllegalArgumentException(rows + " rows of " + vocab + " logits at offset " + logitsOffset
                    + ", stride " + rowStride + " do not fit in an array of " + logits.length);
        }
        for (int r = 0; r < rows; r++) {
            tokens[r] = sampleRow(r, logits, logitsOffset + r * rowStride, slotOfRow, contexts, contextOffsets,
                    contextLengths);
        }
    }

    /**
     * One decoding step over rows given as separate arrays: row r's logits are
     * {@code logits[r][0 .. vocabularySize)}; the other parameters are those of
     * {@link #sample(float[], int, int, int, int[], int[][], int[], int[], int[])}.
     */
    public void sample(float[][] logits, int rows, int[] slotOfRow, int[][] contexts, int[] contextOffsets,
            int[] contextLengths, int[] tokens) {
        checkRows(rows, slotOfRow, contexts, contextOffsets, contextLengths, tokens);
        if (logits.length < rows) {
            throw new IllegalArgumentException("logits has " + logits.length + " rows, " + rows + " requested");
        }
        for (int r = 0; r < rows; r++) {
            tokens[r] = sampleRow(r, logits[r], 0, slotOfRow, contexts, contextOffsets, contextLengths);
        }
    }

    private int sampleRow(int r, float[] logits, int offset, int[] slotOfRow, int[][] contexts, int[] contextOffsets,
            int[] contextLengths) {
        int slot = slotOfRow[r];
        try {
            return step.next(slots[slot], logits, offset, contexts[r], contextOffsets[r], contextLengths[r],
                    randoms[slot]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("row " + r + " (slot " + slot + "): " + e.getMessage(), e);
        }
    }

    private void checkRows(int rows, int[] slotOfRow, int[][] contexts, int[] contextOffsets, int[] contextLengths,
            int[] tokens) {
        if (rows < 0 || rows > slotOfRow.length || rows > contexts.length || rows > contextOffsets.length
                || rows > contextLengths.length || rows > tokens.length) {
            throw new IllegalArgumentException("rows = " + rows + " exceeds one of the per-row arrays (slots "
                    + slotOfRow.length + ", contexts " + contexts.length + ", offsets " + contextOffsets.length
                    + ", lengths " + contextLengths.length + ", tokens " + tokens.length + ")");
        }
        long stepId = ++steps;
        for (int r = 0; r < rows; r++) {
            int slot = slotOfRow[r];
            if (slot < 0 || slot >= slots.length || randoms[slot] == null) {
                throw new IllegalArgumentException("row " + r + ": slot " + slot + " is not open");
            }
            if (stamp[slot] == stepId) {
                throw new IllegalArgumentException("row " + r + ": slot " + slot + " appears twice in one step");
            }
            stamp[slot] = stepId;
            int[] ctx = contexts[r];
            int off = contextOffsets[r];
            int len = contextLengths[r];
            if (ctx == null || off < 0 || len < 0 || (long) off + len > ctx.length) {
                throw new IllegalArgumentException("row " + r + ": context [" + off + ", " + off + " + " + len
                        + ") is outside its array of " + (ctx == null ? "null" : String.valueOf(ctx.length)));
            }
        }
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= slots.length) {
            throw new IllegalArgumentException("slot " + slot + " is outside [0, " + slots.length + ")");
        }
    }

    /** Steps of the sequence in {@code slot} that carried the watermark. */
    public long watermarkedSteps(int slot) {
        checkSlot(slot);
        return slots[slot].watermarkedSteps;
    }

    /** Steps of the sequence in {@code slot} sampled without it (short or repeated context, or no key). */
    public long plainSteps(int slot) {
        checkSlot(slot);
        return slots[slot].plainSteps;
    }

    /** Number of logits per row. */
    public int vocabularySize() {
        return step.vocab();
    }

    /** Number of slots. */
    public int maxSequences() {
        return slots.length;
    }
}
