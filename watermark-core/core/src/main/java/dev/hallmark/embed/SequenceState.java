package dev.hallmark.embed;

import dev.hallmark.scheme.KeyedScheme;
import dev.hallmark.scheme.VllmKeyed;
import dev.hallmark.scheme.TupleSet;
import java.util.Objects;

/**
 * What one sequence carries from step to step: its decoding settings, its key schedule (none for
 * plain sampling), the watermark contexts it has already used, and its step counts. A
 * {@link WatermarkSampler} owns one; a {@link BatchSampler} one per slot.
 */
final class SequenceState {

    SamplingConfig config;
    /** {@code null}: no watermark. */
    KeySchedule schedule;
    int contextWidth;
    final TupleSet seenContexts = new TupleSet(1024, false);
    long watermarkedSteps;
    long plainSteps;
    /** The candidate workspace's gathering hint for this sequence ({@code Candidates#recentSize}). */
    int recentNucleus = 2048;

    /** Checks and takes the settings of a new sequence, and forgets the previous one's state. */
    void start(SamplingConfig config, KeySchedule schedule) {
        Objects.requireNonNull(config, "config");
        KeyedScheme rep = schedule == null ? null : schedule.representative();
        if (rep != null && !rep.scheme().canEmbed()) {
            throw new IllegalArgumentException("scheme " + rep.scheme() + " verifies only; it cannot embed");
        }
        if (rep instanceof VllmKeyed) {
            throw new IllegalArgumentException("scheme " + rep.scheme() + " embeds with vLLM's sampling rules: use "
                    + "VllmSampler, not WatermarkSampler");
        }
        this.config = config;
        this.schedule = schedule;
        this.contextWidth = rep == null ? 0 : rep.scheme().contextWidth();
        reset();
    }

    void reset() {
        seenContexts.clear();
        recentNucleus = 2048;
        watermarkedSteps = 0;
        plainSteps = 0;
    }
}
