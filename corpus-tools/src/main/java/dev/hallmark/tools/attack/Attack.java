package dev.hallmark.tools.attack;

import java.util.Map;

/**
 * One text-editing attack at a strength. Implementations are immutable and thread-safe; all their
 * randomness comes from the generator passed to {@code apply}, so a seed reproduces an attack
 * exactly. Two kinds exist: {@link TokenAttack} edits token ids, {@link WordAttack} edits text.
 * {@link AttackChain} runs a sequence of them on documents and measures what each changed.
 */
public interface Attack {

    /** The unit an attack edits, and in which its edit rate is measured. */
    enum Unit {
        /** Token ids of the tokenizer (edit rate: token-level Levenshtein distance / input tokens). */
        TOKEN,
        /** Words as defined by {@link Words} (edit rate: word-level Levenshtein distance / input words). */
        WORD
    }

    /** The kind name, as given on the command line ({@code delete}, {@code synonym}, ...). */
    String kind();

    /** The strength (for most kinds a rate in [0, 1]; see {@link Attacks} for each kind's meaning). */
    double strength();

    Unit unit();

    /**
     * Figures derived from a result's change counts that are not counts (e.g. dilution's
     * watermarked fraction); empty by default.
     */
    default Map<String, Double> derived(Map<String, Long> changes) {
        return Map.of();
    }

    /**
     * What an attack did to one document: the new value, and counts of what it changed, by
     * operation (e.g. {@code deleted}, {@code eligible}, {@code replaced}).
     */
    record Changed<T>(T value, Map<String, Long> changes) {
        public Changed {
            changes = Map.copyOf(changes);
        }
    }
}
