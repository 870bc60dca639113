package dev.hallmark.embed;

import dev.hallmark.scheme.GumbelKeyed;
import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.KgwKeyed;
import dev.hallmark.scheme.SynthIdKeyed;
import dev.hallmark.scheme.Tuples;
import java.util.random.RandomGenerator;

/**
 * One sampling step of one sequence on a reusable workspace: the candidate set from the logits
 * ({@link Candidates}), then the sequence's watermark over the candidates, or the plain draw.
 * The workspace holds nothing that outlives a step, so one instance serves many sequences in turn
 * (a {@link BatchSampler}'s rows), each with its own {@link SequenceState}. Not thread-safe.
 */
final class WatermarkStep {

    /** Proposals before the rejection draw hands over to the scan (which keeps the law exact). */
    private static final int MAX_PROPOSALS = 64;

    final Candidates cand;
    private final int vocab;
    private final long[] tuple = new long[2];
    private long[] gbits;

    WatermarkStep(int vocab) {
        if (vocab < 1) {
            throw new IllegalArgumentException("vocabulary size must be >= 1, got " + vocab);
        }
        this.vocab = vocab;
        this.cand = new Candidates(vocab);
    }

    int vocab() {
        return vocab;
    }

    /** Allocates the SynthID workspace once, when a sequence that needs it starts (not per step). */
    void prepare(SequenceState s) {
        if (gbits == null && s.schedule != null && s.schedule.representative() instanceof SynthIdKeyed) {
            gbits = new long[vocab];
        }
    }

    int next(SequenceState s, float[] logits, int logitsOffset, int[] context, int contextOffset, int contextLength,
            RandomGenerator random) {
        cand.recentSize = s.recentNucleus;
        cand.compute(logits, logitsOffset, s.config);
        s.recentNucleus = cand.recentSize;
        return choose(s, context, contextOffset, contextLength, random);
    }

    int nextFromCandidates(SequenceState s, int[] ids, double[] probs, int size, int[] context, int contextOffset,
            int contextLength, RandomGenerator random) {
        cand.set(ids, probs, size);
        return choose(s, context, contextOffset, contextLength, random);
    }

    private int choose(SequenceState s, int[] context, int contextOffset, int contextLength, RandomGenerator random) {
        int end = contextOffset + contextLength;
        if (s.schedule == null || contextLength < s.contextWidth || repeated(s, context, end)) {
            s.plainSteps++;
            return cand.drawToken(random.nextDouble());
        }
        s.watermarkedSteps++;
        KeyedScheme keyed = s.schedule.keyFor(context, end);
        if (keyed instanceof KgwKeyed kgw) {
            return sampleKgw(s.config, kgw, context, end, random);
        }
        cand.ensureSorted();
        if (keyed instanceof GumbelKeyed gumbel) {
            return sampleGumbel(gumbel, context, end);
        } else {
            return sampleSynthId((SynthIdKeyed) keyed, context, end, random);
        }
    }

    private boolean repeated(SequenceState s, int[] context, int end) {
        if (!s.config.skipRepeatedContexts() || s.contextWidth == 0) {
            return false;
        }
        int h = s.contextWidth;
        Tuples.of(context, end - h, h - 1, context[end - 1], tuple);
        return !s.seenContexts.add(tuple[0], tuple[1]);
    }

    private int sampleKgw(SamplingConfig config, KgwKeyed kgw, int[] context, int end, RandomGenerator random) {
        if (config.kgwRejection()) {
            // propose from the unwatermarked candidates; accept green always, red with
            // probability e^-delta: accepted draws follow p_i * bias_i / sum exactly. After
            // MAX_PROPOSALS rejections the scan below draws from that same law, so the mixture is
            // still exact (and the scan is what a step with almost no green mass costs anyway).
            double keepRed = 1 / kgw.biasFactor();
            // each proposal is the plain draw's token (Candidates.drawToken: the sorted draw's token,
            // found without sorting the nucleus unless u falls within rounding of a boundary)
            for (int t = 0; t < MAX_PROPOSALS; t++) {
                int id = cand.drawToken(random.nextDouble());
                if (kgw.isGreen(context, end, id) || random.nextDouble() < keepRed) {
                    return id;
                }
            }
        }
        cand.ensureSorted();
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
            double sc = Math.log(gumbel.uniform(context, end, ids[j])) / p[j];
            if (sc > bestScore) {
                bestScore = sc;
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
        long[] g = gbits;
        for (int j = 0; j < n; j++) {
            g[j] = synthId.gBits(context, end, ids[j]);
        }
        for (int l = 0; l < layers; l++) {
            double m = 0;
            for (int j = 0; j < n; j++) {
                if ((g[j] >>> l & 1L) != 0) {
                    m += p[j];
                }
            }
            if (m <= 0 || m >= 1) {
                continue; // every candidate has the same g-value: the layer changes nothing
            }
            if (leaves == 2) {
                for (int j = 0; j < n; j++) {
                    p[j] *= (g[j] >>> l & 1L) != 0 ? 2 - m : 1 - m;
                }
            } else {
                double up = (1 - Math.pow(1 - m, leaves)) / m;
                double down = Math.pow(1 - m, leaves - 1);
                for (int j = 0; j < n; j++) {
                    p[j] *= (g[j] >>> l & 1L) != 0 ? up : down;
                }
            }
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += p[j];
        }
        return ids[cand.draw(random.nextDouble(), sum)];
    }
}
