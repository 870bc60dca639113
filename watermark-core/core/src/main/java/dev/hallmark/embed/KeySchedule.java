package dev.hallmark.embed;

import dev.hallmark.scheme.KeyedScheme;

/**
 * Chooses the keyed scheme that watermarks each step, from the context. The usual schedule is a
 * single key; account codes ({@code dev.hallmark.attribution}) pick one of several group keys
 * per step. Every key of a schedule must share one scheme (hence one context width), and the
 * choice must depend only on the scheme's context window, so that a detector can recompute it.
 */
public interface KeySchedule {

    /** The keyed scheme for the step whose context ends just before index {@code end}. */
    KeyedScheme keyFor(int[] context, int end);

    /** Any key of the schedule (all share its scheme). */
    KeyedScheme representative();

    /** The schedule that always uses {@code keyed}. */
    static KeySchedule fixed(KeyedScheme keyed) {
        return new KeySchedule() {
            @Override
            public KeyedScheme keyFor(int[] context, int end) {
                return keyed;
            }

            @Override
            public KeyedScheme representative() {
                return keyed;
            }
        };
    }
}
