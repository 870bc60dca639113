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
 *
 * <p>The context of a position is described by a {@link Window}: the h tokens before it for
 * Hallmark's schemes (positions t &lt; h are never scored), and for vLLM's schemes the W tokens
 * before it padded with -1 before the document's first token, as vLLM's generator and detector form
 * it (vLLM scores every position; {@link Window#of(Scheme)}).
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
     * Keeps positions whose context is one of the {@code topN} most frequent h-token contexts of
     * {@code served} (ties broken by first occurrence); {@code topN <= 0} keeps every served context.
     */
    public static PositionFilter servedContexts(Iterable<int[]> served, int h, int topN) {
        return servedContexts(served, new Window(h, false), topN);
    }

    /**
     * {@link #servedContexts(Iterable, int, int)} over contexts of {@code window}; with a padded
     * window the served documents' padded contexts (their first {@code width} positions) count too,
     * as the generator formed them.
     */
    public static PositionFilter servedContexts(Iterable<int[]> served, Window window, int topN) {
        if (window.width() <= 0) {
            throw new IllegalArgumentException("the served-data filter needs a scheme with context width >= 1");
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
