package dev.hallmark.detect;

import dev.hallmark.scheme.Scheme;
import dev.hallmark.scheme.TupleSet;
import dev.hallmark.scheme.Tuples;
import dev.hallmark.scheme.VllmScheme;
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
 * <p>The context of a position is described by a {@link Window}: the h tokens before it for
 * Hallmark's schemes (positions t &lt; h are never scored), and for vLLM's schemes the W tokens
 * before it padded with -1 before the document's first token, as vLLM's generator and detector form
 * it (vLLM scores every position; {@link Window#of(Scheme)}).
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
     * The context window the filters read at a position.
     *
     * <ul>
     *   <li>unpadded (Hallmark's schemes): the {@code width} tokens before position t; filters are
     *       only asked about positions t &gt;= width;
     *   <li>padded (vLLM's schemes): the {@code width} tokens before t, with -1 in place of the
     *       tokens before the document's first one, so every position t &gt;= 0 has a context. A
     *       padded context of position t &lt; width is distinct from every full context (-1 is never
     *       a token), and is the same in every document that starts with the same t tokens: such
     *       contexts are counted and de-duplicated like any other. Against a prompt, the known part
     *       of a padded context (the document's first t tokens) is what is looked for
     *       ({@link ContextFilters#excludingPrompt(int[], Window)}).
     * </ul>
     *
     * @param width  h, or vLLM's W
     * @param padded whether positions before {@code width} have a -1-padded context
     */
    public record Window(int width, boolean padded) {

        /** Validates: width &gt;= 0, and &gt;= 1 when padded. */
        public Window {
            if (width < 0 || (padded && width < 1)) {
                throw new IllegalArgumentException("context window width must be >= " + (padded ? 1 : 0) + ", got "
                        + width);
            }
        }

        /**
         * The window of a scheme: for a {@link VllmScheme} its context width W, padded (its
         * {@link Scheme#contextWidth()} is 0 because vLLM scores every position, but its PRF reads
         * W tokens); for every other scheme {@link Scheme#contextWidth()}, unpadded.
         */
        public static Window of(Scheme scheme) {
            return scheme instanceof VllmScheme v ? new Window(v.context(), true)
                    : new Window(scheme.contextWidth(), false);
        }

        /** The first position with a context: 0 when padded, else the width. */
        public int firstPosition() {
            return padded ? 0 : width;
        }

        /** Writes the identity of the context of position {@code t} (0 &lt;= t &lt;= ids.length) to {@code out}. */
        void identity(int[] ids, int t, long[] out) {
            if (t >= width) {
                Tuples.of(ids, t - width, width - 1, ids[t - 1], out);
                return;
            }
            int[] pad = new int[width];
            int missing = width - t;
            java.util.Arrays.fill(pad, 0, missing, -1);
            System.arraycopy(ids, 0, pad, missing, t);
            Tuples.of(pad, 0, width - 1, pad[width - 1], out);
        }
    }

    /**
     * The served-data filter: keeps positions whose context is one of the {@code topN} most frequent
     * h-token contexts of {@code served}, the watermarked text the lab served. <b>Heuristic</b>: the
     * served text depends on the key, so the kept set does too and the p-values of a test using this
     * filter are not exact (see the class comment). Prefer {@link #frequentContexts} over an
     * unwatermarked counterpart or over the suspect text.
     */
    public static PositionFilter servedContexts(Iterable<int[]> served, int h, int topN) {
        return frequentContexts(served, new Window(h, false), topN);
    }

    /** {@link #servedContexts(Iterable, int, int)} over contexts of {@code window} (heuristic as well). */
    public static PositionFilter servedContexts(Iterable<int[]> served, Window window, int topN) {
        return frequentContexts(served, window, topN);
    }

    /** {@link #frequentContexts(Iterable, Window, int)} over the h tokens before each position. */
    public static PositionFilter frequentContexts(Iterable<int[]> texts, int h, int topN) {
        return frequentContexts(texts, new Window(h, false), topN);
    }

    /**
     * Keeps positions whose context (of {@code window}, never the scored token) is one of the
     * {@code topN} most frequent contexts of {@code texts}; counts are of every occurrence, ties
     * broken by first occurrence; {@code topN <= 0} keeps every context that occurs. With a padded
     * window the texts' padded contexts (their first {@code width} positions) count too, as the
     * generator formed them. Whether a test using it stays exact depends only on {@code texts}:
     * exact when they are independent of the key under H0 (an unwatermarked counterpart of the
     * served data, or the suspect text itself), heuristic when they are watermarked (see the class
     * comment).
     */
    public static PositionFilter frequentContexts(Iterable<int[]> texts, Window window, int topN) {
        Iterable<int[]> served = texts;
        if (window.width() <= 0) {
            throw new IllegalArgumentException("a context filter needs a scheme with context width >= 1");
        }
        Map<Ctx, long[]> counts = new HashMap<>();
        long[] id = new long[2];
        long order = 0;
        for (int[] doc : served) {
            if (doc.length == 0) {
                continue;
            }
            for (int t = window.firstPosition(); t <= doc.length; t++) {
                window.identity(doc, t, id);
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
        return contextIn(keep, window, true);
    }

    /** Drops positions whose h-token context also occurs in {@code prompt}. */
    public static PositionFilter excludingPrompt(int[] prompt, int h) {
        return excludingPrompt(prompt, new Window(h, false));
    }

    /**
     * Drops positions whose context also occurs in {@code prompt}. With a padded window (vLLM),
     * a position t &gt;= W is dropped when its W-token context occurs in the prompt, and a position
     * t &lt; W (padded context) when its known part, the document's first t tokens, occurs anywhere in
     * the prompt; position 0 (no known token) is dropped whenever the prompt is not empty. The prompt
     * never seeds vLLM's PRF, but a suspect that starts by copying its prompt reproduces the padded
     * contexts of whatever response the prompt quotes, so the known part is all a filter can match;
     * this drops at most W positions per document more than necessary.
     */
    public static PositionFilter excludingPrompt(int[] prompt, Window window) {
        int h = window.width();
        if (h <= 0 || prompt.length == 0) {
            return PositionFilter.ALL;
        }
        PositionFilter full = PositionFilter.ALL;
        if (prompt.length >= h) {
            TupleSet set = new TupleSet(prompt.length, false);
            long[] id = new long[2];
            for (int t = h; t <= prompt.length; t++) {
                Tuples.of(prompt, t - h, h - 1, prompt[t - 1], id);
                set.add(id[0], id[1]);
            }
            full = contextIn(set, window, false);
        }
        if (!window.padded()) {
            return full;
        }
        PositionFilter fullContexts = full;
        return new PositionFilter() {
            private int[] doc;
            private int known; // the longest prefix of doc that occurs in the prompt, at most h - 1

            @Override
            public boolean accept(int[] ids, int t) {
                if (t >= h) {
                    return fullContexts.accept(ids, t);
                }
                if (ids != doc) {
                    doc = ids;
                    known = longestPrefixIn(prompt, ids, h - 1);
                }
                return t > known;
            }
        };
    }

    /** The largest k &lt;= cap such that {@code ids[0..k)} occurs contiguously in {@code text}. */
    static int longestPrefixIn(int[] text, int[] ids, int cap) {
        int best = 0;
        int limit = Math.min(cap, ids.length);
        for (int i = 0; i < text.length && best < limit; i++) {
            int k = 0;
            while (k < limit && i + k < text.length && text[i + k] == ids[k]) {
                k++;
            }
            best = Math.max(best, k);
        }
        return best;
    }

    /** Both filters must accept. */
    public static PositionFilter and(PositionFilter a, PositionFilter b) {
        return (ids, t) -> a.accept(ids, t) && b.accept(ids, t);
    }

    private static PositionFilter contextIn(TupleSet set, Window window, boolean keepIfPresent) {
        // TupleSet is not thread-safe for writes; reads of a set no longer written are safe
        return (ids, t) -> {
            long[] id = new long[2];
            window.identity(ids, t, id);
            return set.contains(id[0], id[1]) == keepIfPresent;
        };
    }

    private record Ctx(long hi, long lo) {}
}
