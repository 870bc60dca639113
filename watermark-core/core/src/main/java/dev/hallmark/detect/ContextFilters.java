package dev.hallmark.detect;

import dev.hallmark.scheme.TupleSet;
import dev.hallmark.scheme.Tuples;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Filters on the context window of a position, for the radioactivity test (Sander et al.,
 * "Watermarking Makes Language Models Radioactive", 2024).
 *
 * <p><b>When the null stays exact.</b> The corpus test's p-value is exact when, under H0, the set
 * of scored tuples is independent of the key: given the suspect text, the PRF values of distinct
 * tuples are then i.i.d. uniform whatever the selection was. A filter keeps that property if it is
 * a function of text that is itself independent of the key under H0:
 * <ul>
 *   <li>{@link #frequentContexts} over an <em>unwatermarked counterpart</em> of the served data (the
 *       same prompts answered with the watermark off): exact, provided the prompts themselves do not
 *       depend on the key (e.g. a multi-turn prompt that quotes earlier watermarked answers does);
 *   <li>{@link #frequentContexts} over the <em>suspect text itself</em>: exact (under H0 the suspect
 *       text is independent of the key, so any function of it is);
 *   <li>{@link #excludingPrompt}: a function of the document's prompt, exact on the same condition.
 * </ul>
 *
 * <p><b>The served-data filter is heuristic.</b> {@link #servedContexts} counts contexts in the
 * <em>watermarked</em> text the lab served, whose frequencies depend on the key: after a context c
 * the served continuation favours tokens y with green(c, y), and that continuation feeds back into
 * how often c itself recurs (self-overlapping and short cycles: "a a a", "c y c"), so c's count, and
 * above all its rank in a top-N list, is correlated with the PRF values of exactly the tuples (c, y)
 * a student scores there. The selection then prefers contexts whose likely continuations are green,
 * and the null is biased upwards (measured: docs/experiments/distillation.md, "Is the served-data
 * filter exact?"). Its p-values are <em>not</em> exact; reports that use it must say so.
 * Counting every served context once ({@code topN <= 0}) removes the rank competition but not the
 * dependence of which contexts appear at all on earlier green draws.
 */
public final class ContextFilters {

    private ContextFilters() {}

    /**
     * The served-data filter: keeps positions whose context is one of the {@code topN} most frequent
     * h-token contexts of {@code served}, the watermarked text the lab served. <b>Heuristic</b>: the
     * served text depends on the key, so the kept set does too and the p-values of a test using this
     * filter are not exact (see the class comment). Prefer {@link #frequentContexts} over an
     * unwatermarked counterpart or over the suspect text.
     */
    public static PositionFilter servedContexts(Iterable<int[]> served, int h, int topN) {
        return frequentContexts(served, h, topN);
    }

    /**
     * Keeps positions whose context (the h tokens before the position, never the scored token) is
     * one of the {@code topN} most frequent h-token contexts of {@code texts}; counts are of every
     * h-gram occurrence, ties broken by first occurrence; {@code topN <= 0} keeps every context that
     * occurs. Whether a test using it stays exact depends only on {@code texts}: exact when they are
     * independent of the key under H0 (an unwatermarked counterpart of the served data, or the
     * suspect text itself), heuristic when they are watermarked (see the class comment).
     */
    public static PositionFilter frequentContexts(Iterable<int[]> texts, int h, int topN) {
        Iterable<int[]> served = texts;
        if (h <= 0) {
            throw new IllegalArgumentException("a context filter needs a scheme with context width >= 1");
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
