package dev.hallmark.embed;

import dev.hallmark.key.WatermarkKey;
import dev.hallmark.scheme.GumbelKeyed;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.KgwKeyed;
import dev.hallmark.scheme.Scheme;
import dev.hallmark.scheme.SynthIdKeyed;
import dev.hallmark.scheme.SynthIdScheme;
import dev.hallmark.scheme.TupleSet;
import dev.hallmark.scheme.Tuples;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Frozen copy of {@code LegacySampler} as of commit 0727d74 (before the fast pass), on
 * {@link LegacyCandidates}: the reference for {@link FastPathEqualityTest}.
 */
final class LegacySampler implements TokenSampler {

    private final SamplingConfig config;
    private final int vocab;
    private final LegacyCandidates cand;
    private final KeySchedule schedule;
    private final int contextWidth;
    private final TupleSet seenContexts;
    private final long[] tuple = new long[2];
    private final long[] gbits;
    private long watermarkedSteps;
    private long plainSteps;

    private LegacySampler(KeySchedule schedule, SamplingConfig config, int vocab) {
        if (vocab < 1) {
            throw new IllegalArgumentException("vocabulary size must be >= 1, got " + vocab);
        }
        this.config = Objects.requireNonNull(config, "config");
        this.vocab = vocab;
        this.cand = new LegacyCandidates(vocab);
        this.schedule = schedule;
        KeyedScheme rep = schedule == null ? null : schedule.representative();
        if (rep != null && !rep.scheme().canEmbed()) {
            throw new IllegalArgumentException("scheme " + rep.scheme() + " verifies only; it cannot embed");
        }
        this.contextWidth = rep == null ? 0 : rep.scheme().contextWidth();
        this.seenContexts = new TupleSet(1024, false);
        this.gbits = rep instanceof SynthIdKeyed ? new long[vocab] : null;
    }

    /** A sampler without watermark (the baseline, and the {@code --no-watermark} path). */
    static LegacySampler plain(SamplingConfig config, int vocabularySize) {
        return new LegacySampler((KeySchedule) null, config, vocabularySize);
    }

    /** A watermarking sampler for a scheme and key. */
    static LegacySampler watermarked(Scheme scheme, WatermarkKey key, SamplingConfig config,
            int vocabularySize) {
        return watermarked(KeyedScheme.of(scheme, key), config, vocabularySize);
    }

    /** A watermarking sampler for an already keyed scheme (share one KeyedScheme across sequences). */
    static LegacySampler watermarked(KeyedScheme keyed, SamplingConfig config, int vocabularySize) {
        return new LegacySampler(KeySchedule.fixed(Objects.requireNonNull(keyed, "keyed")), config, vocabularySize);
    }

    /** A watermarking sampler whose key may change from step to step (e.g. account codes). */
    static LegacySampler watermarked(KeySchedule schedule, SamplingConfig config, int vocabularySize) {
        return new LegacySampler(Objects.requireNonNull(schedule, "schedule"), config, vocabularySize);
    }

    @Override
    public int next(float[] logits, int[] context, int contextOffset, int contextLength, RandomGenerator random) {
        cand.compute(logits, config);
        return choose(context, contextOffset, contextLength, random);
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
        cand.set(ids, probs, size);
        return choose(context, contextOffset, contextLength, random);
    }

    private int choose(int[] context, int contextOffset, int contextLength, RandomGenerator random) {
        int end = contextOffset + contextLength;
        if (schedule == null || contextLength < contextWidth || repeated(context, end)) {
            plainSteps++;
            return cand.ids[cand.drawUnweighted(random.nextDouble())];
        }
        watermarkedSteps++;
        KeyedScheme keyed = schedule.keyFor(context, end);
        if (keyed instanceof KgwKeyed kgw) {
            return sampleKgw(kgw, context, end, random);
        } else if (keyed instanceof GumbelKeyed gumbel) {
            return sampleGumbel(gumbel, context, end);
        } else {
            return sampleSynthId((SynthIdKeyed) keyed, context, end, random);
        }
    }

    private boolean repeated(int[] context, int end) {
        if (!config.skipRepeatedContexts() || contextWidth == 0) {
            return false;
        }
        int h = contextWidth;
        Tuples.of(context, end - h, h - 1, context[end - 1], tuple);
        return !seenContexts.add(tuple[0], tuple[1]);
    }

    /** Proposals before the rejection draw hands over to the scan (which keeps the law exact). */
    private static final int MAX_PROPOSALS = 64;

    private int sampleKgw(KgwKeyed kgw, int[] context, int end, RandomGenerator random) {
        if (config.kgwRejection()) {
            // propose from the unwatermarked candidates; accept green always, red with
            // probability e^-delta: accepted draws follow p_i * bias_i / sum exactly. After
            // MAX_PROPOSALS rejections the scan below draws from that same law, so the mixture is
            // still exact (and the scan is what a step with almost no green mass costs anyway).
            double keepRed = 1 / kgw.biasFactor();
            for (int t = 0; t < MAX_PROPOSALS; t++) {
                int id = cand.ids[cand.drawUnweighted(random.nextDouble())];
                if (kgw.isGreen(context, end, id) || random.nextDouble() < keepRed) {
                    return id;
                }
            }
        }
        int n = cand.size;
        int[] ids = cand.ids;
        double[] p = cand.probs;
        double biasFactor = kgw.biasFactor();
        double sum = 0;
        for (int j = 0; j < n; j++) {
            if (kgw.isGreen(context, end, ids[j])) {
                p[j] *= biasFactor;
            }
            sum += p[j];
        }
        return ids[cand.draw(random.nextDouble(), sum)];
    }

    private int sampleGumbel(GumbelKeyed gumbel, int[] context, int end) {
        int n = cand.size;
        int[] ids = cand.ids;
        double[] p = cand.probs;
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            if (p[j] <= 0) {
                continue;
            }
            double s = Math.log(gumbel.uniform(context, end, ids[j])) / p[j];
            if (s > bestScore) {
                bestScore = s;
                best = j;
            }
        }
        return ids[best];
    }

    private int sampleSynthId(SynthIdKeyed synthId, int[] context, int end, RandomGenerator random) {
        int layers = synthId.scheme().layers();
        int leaves = synthId.scheme().leaves();
        int n = cand.size;
        int[] ids = cand.ids;
        double[] p = cand.probs;
        for (int j = 0; j < n; j++) {
            gbits[j] = synthId.gBits(context, end, ids[j]);
        }
        for (int l = 0; l < layers; l++) {
            double m = 0;
            for (int j = 0; j < n; j++) {
                if ((gbits[j] >>> l & 1L) != 0) {
                    m += p[j];
                }
            }
            if (m <= 0 || m >= 1) {
                continue; // every candidate has the same g-value: the layer changes nothing
            }
            if (leaves == 2) {
                for (int j = 0; j < n; j++) {
                    p[j] *= (gbits[j] >>> l & 1L) != 0 ? 2 - m : 1 - m;
                }
            } else {
                double up = (1 - Math.pow(1 - m, leaves)) / m;
                double down = Math.pow(1 - m, leaves - 1);
                for (int j = 0; j < n; j++) {
                    p[j] *= (gbits[j] >>> l & 1L) != 0 ? up : down;
                }
            }
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += p[j];
        }
        return ids[cand.draw(random.nextDouble(), sum)];
    }

    @Override
    public void reset() {
        seenContexts.clear();
        watermarkedSteps = 0;
        plainSteps = 0;
    }

    @Override
    public int vocabularySize() {
        return vocab;
    }

    /** Steps of the current sequence that carried the watermark. */
    public long watermarkedSteps() {
        return watermarkedSteps;
    }

    /** Steps of the current sequence sampled without it (short context, repeated context, or plain). */
    public long plainSteps() {
        return plainSteps;
    }

    /** The (representative) keyed scheme, or {@code null} for a plain sampler. */
    public KeyedScheme keyedScheme() {
        return schedule == null ? null : schedule.representative();
    }
}
