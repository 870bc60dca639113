package dev.hallmark.detect;

import dev.hallmark.scheme.TupleSet;
import dev.hallmark.scheme.Tuples;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Key-independent filters on the context window of a position, for the radioactivity test
 * (Sander et al., "Watermarking Makes Language Models Radioactive", 2024).
 *
 * <ul>
 *   <li>{@link #servedContexts}: score only positions whose context (the h tokens before) is among
 *       the most frequent contexts of the watermarked text the lab served. A student learns the
 *       watermark where it saw a context often, so this concentrates the signal; because the
 *       choice ignores the key, each kept tuple is still a fair draw under the null.
 *   <li>{@link #excludingPrompt}: drop positions whose context also occurs in the document's
 *       prompt (text the suspect model was given, which it may copy).
 * </ul>
 */
public final class ContextFilters {

    private ContextFilters() {}

    /**
     * Keeps positions whose context is one of the {@code topN} most frequent h-token contexts of
     * {@code served} (ties broken by first occurrence); {@code topN <= 0} keeps every served context.
     */
    public static PositionFilter servedContexts(Iterable<int[]> served, int h, int topN) {
        if (h <= 0) {
            throw new IllegalArgumentException("the served-data filter needs a scheme with context width >= 1");
        }
        Map<Ctx, long[]> counts = new HashMap<>();
        long[] id = new long[2];
        long order = 0;
        for (int[] doc : served) {
            for (int t = h; t <= doc.length; t++) {
                Tuples.of(doc, t - h, h - 1, doc[t - 1], id);
                long[] c = counts.computeIfAbsent(new Ctx(id[0], id[1]), k -> new long[2]);
                if (c[0] == 0) {
                    c[1] = order++;
                }
                c[0]++;
            }
        }
        List<Map.Entry<Ctx, long[]>> entries = new ArrayList<>(counts.entrySet());
        if (topN > 0 && entries.size() > topN) {
            entries.sort((a, b) -> a.getValue()[0] != b.getValue()[0] ? Long.compare(b.getValue()[0], a.getValue()[0])
                    : Long.compare(a.getValue()[1], b.getValue()[1]));
            entries = entries.subList(0, topN);
        }
        TupleSet keep = new TupleSet(entries.size(), false);
        for (Map.Entry<Ctx, long[]> e : entries) {
            keep.add(e.getKey().hi(), e.getKey().lo());
        }
        return contextIn(keep, h, true);
    }

    /** Drops positions whose h-token context also occurs in {@code prompt}. */
    public static PositionFilter excludingPrompt(int[] prompt, int h) {
        if (h <= 0 || prompt.length < h) {
            return PositionFilter.ALL;
        }
        TupleSet set = new TupleSet(prompt.length, false);
        long[] id = new long[2];
        for (int t = h; t <= prompt.length; t++) {
            Tuples.of(prompt, t - h, h - 1, prompt[t - 1], id);
            set.add(id[0], id[1]);
        }
        return contextIn(set, h, false);
    }

    /** Both filters must accept. */
    public static PositionFilter and(PositionFilter a, PositionFilter b) {
        return (ids, t) -> a.accept(ids, t) && b.accept(ids, t);
    }

    private static PositionFilter contextIn(TupleSet set, int h, boolean keepIfPresent) {
        // TupleSet is not thread-safe for writes; reads of a set no longer written are safe
        return (ids, t) -> {
            long[] id = new long[2];
            Tuples.of(ids, t - h, h - 1, ids[t - 1], id);
            return set.contains(id[0], id[1]) == keepIfPresent;
        };
    }

    private record Ctx(long hi, long lo) {}
}
