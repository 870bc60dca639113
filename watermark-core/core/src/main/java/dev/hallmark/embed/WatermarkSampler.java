package dev.hallmark.embed;

import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.scheme.SynthIdScheme;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The sampling-time watermark: temperature, top-k and top-p select the candidates, then the
 * scheme acts on the candidates only, so the watermark's cost is O(candidates), never
 * O(vocabulary).
 *
 * <ul>
 *   <li>KGW / Unigram: green candidates get their weight multiplied by e^delta (the logit bias
 *       delta applied to the temperature-scaled logits), then a draw from {@code random}; with
 *       {@link SamplingConfig#kgwRejection()} the same law is drawn by rejection, with a few PRF
 *       calls per step instead of one per candidate.
 *   <li>Gumbel: the candidate maximising ln(r_i) / p_i, with r_i from the keyed PRF of the
 *       context: deterministic given the context; {@code random} is not used.
 *   <li>SynthID: the tournament update of {@link SynthIdScheme} over the layers, then a draw.
 * </ul>
 * The watermark needs {@code contextWidth} preceding tokens; earlier steps (a prompt shorter than
 * the context) and, with {@link SamplingConfig#skipRepeatedContexts()}, steps whose context
 * already occurred in this sequence are sampled from the unmodified distribution.
 *
 * <p>Note on ordering: the candidate set is chosen from the unwatermarked distribution and the
 * watermark reweights inside it. (Applying a KGW bias to all logits before top-p, as some
 * libraries do, would need the PRF on every vocabulary entry.)
 *
 * <p>Cost: the candidate set is computed without an {@code exp} per vocabulary entry and without
 * sorting the vocabulary (see {@code Candidates}); the tokens are the same as those of the exact
 * softmax-sort-walk for the same random stream. For many sequences stepped together, see
 * {@link BatchSampler} (the same tokens, one shared workspace).
 *
 * <p>One instance per sequence; reuse with {@link #reset()}. Allocation-free per token.
 */
public final class WatermarkSampler implements TokenSampler {

    private final WatermarkStep step;
    private final SequenceState state = new SequenceState();

    private WatermarkSampler(KeySchedule schedule, SamplingConfig config, int vocab) {
        this.step = new WatermarkStep(vocab);
        state.start(Objects.requireNonNull(config, "config"), schedule);
        step.prepare(state);
    }

    /** A sampler without watermark (the baseline, and the {@code --no-watermark} path). */
    public static WatermarkSampler plain(SamplingConfig config, int vocabularySize) {
        return new WatermarkSampler((KeySchedule) null, config, vocabularySize);
    }

    /** A watermarking sampler for a scheme and key. */
    public static WatermarkSampler watermarked(Scheme scheme, WatermarkKey key, SamplingConfig config,
            int vocabularySize) {
        return watermarked(KeyedScheme.of(scheme, key), config, vocabularySize);
    }

    /** A watermarking sampler for an already keyed scheme (share one KeyedScheme across sequences). */
    public static WatermarkSampler watermarked(KeyedScheme keyed, SamplingConfig config, int vocabularySize) {
        return new WatermarkSampler(KeySchedule.fixed(Objects.requireNonNull(keyed, "keyed")), config, vocabularySize);
    }

    /** A watermarking sampler whose key may change from step to step (e.g. account codes). */
    public static WatermarkSampler watermarked(KeySchedule schedule, SamplingConfig config, int vocabularySize) {
        return new WatermarkSampler(Objects.requireNonNull(schedule, "schedule"), config, vocabularySize);
    }

    @Override
    public int next(float[] logits, int[] context, int contextOffset, int contextLength, RandomGenerator random) {
        return step.next(state, logits, 0, context, contextOffset, contextLength, random);
    }

    /**
     * {@link #next(float[], int[], int, int, RandomGenerator)} on the logits at
     * {@code logits[logitsOffset .. logitsOffset + vocabularySize)}, e.g. one row of a batch
     * laid out in one array; the array is not modified.
     */
    public int next(float[] logits, int logitsOffset, int[] context, int contextOffset, int contextLength,
            RandomGenerator random) {
        return step.next(state, logits, logitsOffset, context, contextOffset, contextLength, random);
    }

    /**
     * Chooses the next token from a candidate set the caller already selected (for example top-k /
     * top-p computed next to the model, on an accelerator): the watermark then costs only its own
     * work over these candidates. Temperature, top-k and top-p of this sampler's config are not
     * applied again; repeated-context skipping and the KGW draw mode are.
     *
     * @param ids candidate token ids, each in {@code [0, vocabularySize)}, none repeated
     * @param probs their probabilities (>= 0, not all 0); normalised here. Listing the most likely
     *     first makes the draw cheaper; any order gives the same law.
     * @param size number of candidates read from {@code ids} and {@code probs}
     */
    public int nextFromCandidates(int[] ids, double[] probs, int size, int[] context, int contextOffset,
            int contextLength, RandomGenerator random) {
        return step.nextFromCandidates(state, ids, probs, size, context, contextOffset, contextLength, random);
    }

    @Override
    public void reset() {
        state.reset();
    }

    @Override
    public int vocabularySize() {
        return step.vocab();
    }

    /** Steps of the current sequence that carried the watermark. */
    public long watermarkedSteps() {
        return state.watermarkedSteps;
    }

    /** Steps of the current sequence sampled without it (short context, repeated context, or plain). */
    public long plainSteps() {
        return state.plainSteps;
    }

    /** The (representative) keyed scheme, or {@code null} for a plain sampler. */
    public KeyedScheme keyedScheme() {
        return state.schedule == null ? null : state.schedule.representative();
    }

    /** The candidate workspace (tests: which pass decided). */
    Candidates candidates() {
        return step.cand;
    }
}
