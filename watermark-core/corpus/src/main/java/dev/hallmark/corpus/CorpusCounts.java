package dev.hallmark.corpus;

import java.util.EnumMap;
import java.util.Map;

/**
 * What a reader has read so far: records, and per role the chat turns seen and the turns that
 * became documents. Outside chats every record's document counts as one document of no role.
 *
 * @param records records read (lines, rows)
 * @param documents documents handed out
 * @param turns chat turns seen, by role (empty outside chats)
 * @param documentTurns chat turns handed out as documents, by role (only {@link Role#ASSISTANT})
 */
public record CorpusCounts(long records, long documents, Map<Role, Long> turns, Map<Role, Long> documentTurns) {

    public CorpusCounts {
        turns = Map.copyOf(turns);
        documentTurns = Map.copyOf(documentTurns);
    }

    /** Turns of {@code r} seen (0 if none). */
    public long turns(Role r) {
        return turns.getOrDefault(r, 0L);
    }

    /** Turns of {@code r} handed out as documents (0 if none). */
    public long documentTurns(Role r) {
        return documentTurns.getOrDefault(r, 0L);
    }

    /** The mutable tally behind a reader. */
    static final class Tally {
        long records;
        long documents;
        final long[] turns = new long[Role.values().length];
        final long[] docTurns = new long[Role.values().length];

        CorpusCounts snapshot() {
            Map<Role, Long> t = new EnumMap<>(Role.class);
            Map<Role, Long> d = new EnumMap<>(Role.class);
            for (Role r : Role.values()) {
                if (turns[r.ordinal()] > 0) {
                    t.put(r, turns[r.ordinal()]);
                }
                if (docTurns[r.ordinal()] > 0) {
                    d.put(r, docTurns[r.ordinal()]);
                }
            }
            return new CorpusCounts(records, documents, t, d);
        }
    }
}
