package dev.hallmark.tools.attack;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A sequence of attacks applied one after the other to documents, measuring what each changed.
 *
 * <p>A document is text or token ids. Token attacks on text encode it first and word attacks on
 * ids decode them first (both need a {@link TokenCodec}); the result comes back in the input's
 * form. Every step draws from its own generator seeded by (seed, document index, step index)
 * through SplitMix64 mixing, so each document's attack is reproducible on its own, whatever the
 * order or subset of documents processed.
 *
 * <p>Measured edit rates (Levenshtein distance / input length, in units):
 * <ul>
 *   <li>per step: in the step's own unit, between that step's input and output (token ids as the
 *       step saw them; words of {@link Words});
 *   <li>for the whole chain: token ids for ids input; for text input, words when every step is a
 *       word attack, else tokens of the original and the final text (re-encoded, i.e. what a
 *       detector sees).
 * </ul>
 * An empty input gives an edit rate of NaN (reported as null).
 */
public final class AttackChain {

    /** A document: exactly one of {@code text} and {@code ids} is non-null. */
    public record Document(String text, int[] ids) {
        public Document {
            if ((text == null) == (ids == null)) {
                throw new IllegalArgumentException("a document is either text or token ids");
            }
        }

        public static Document text(String text) {
            return new Document(Objects.requireNonNull(text, "text"), null);
        }

        public static Document ids(int[] ids) {
            return new Document(null, Objects.requireNonNull(ids, "ids"));
        }
    }

    /** What one step did. */
    public record Step(String kind, double strength, Attack.Unit unit, int inputUnits, int distance,
            double editRate, Map<String, Long> changes, Map<String, Double> derived) {
    }

    /** The attacked document and the measurements. */
    public record Result(Document document, List<Step> steps, Attack.Unit unit, int inputUnits, int distance,
            double editRate) {
    }

    private final List<Attack> steps;

    private AttackChain(List<Attack> steps) {
        this.steps = List.copyOf(steps);
    }

    public static AttackChain of(List<Attack> steps) {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("an attack chain needs at least one attack");
        }
        return new AttackChain(steps);
    }

    public List<Attack> steps() {
        return steps;
    }

    /** Whether attacking a document of this form needs a tokenizer. */
    public boolean needsCodec(boolean textInput) {
        for (Attack a : steps) {
            if (textInput == (a.unit() == Attack.Unit.TOKEN)) {
                return true;
            }
        }
        return false;
    }

    /** The generator for step {@code step} of document {@code index}. */
    public static SplittableRandom random(long seed, long index, int step) {
        return new SplittableRandom(mix64(mix64(seed ^ mix64(index + 0x9E3779B97F4A7C15L)) + step));
    }

    /** SplitMix64's finaliser: a bijective 64-bit mixer. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Attacks one document.
     *
     * @param codec tokenizer, needed when {@link #needsCodec} says so (else may be null)
     */
    public Result apply(Document in, long seed, long index, TokenCodec codec) {
        boolean textInput = in.text() != null;
        if (needsCodec(textInput) && codec == null) {
            throw new IllegalStateException("this attack chain on " + (textInput ? "text" : "token ids")
                    + " needs a tokenizer");
        }
        String text = in.text();
        int[] ids = in.ids();
        List<Step> reports = new ArrayList<>(steps.size());
        boolean allWord = true;
        for (int s = 0; s < steps.size(); s++) {
            Attack a = steps.get(s);
            SplittableRandom r = random(seed, index, s);
            if (a instanceof TokenAttack ta) {
                allWord = false;
                if (ids == null) {
                    ids = codec.encode(text);
                }
                Attack.Changed<int[]> c = ta.apply(ids, r);
                int d = EditDistance.levenshtein(ids, c.value());
                reports.add(new Step(a.kind(), a.strength(), Attack.Unit.TOKEN, ids.length, d, rate(d, ids.length),
                        c.changes(), a.derived(c.changes())));
                ids = c.value();
                text = null;
            } else {
                WordAttack wa = (WordAttack) a;
                if (text == null) {
                    text = codec.decode(ids);
                }
                Attack.Changed<String> c = wa.apply(text, r);
                List<String> before = Words.list(text);
                int d = EditDistance.levenshtein(before, Words.list(c.value()));
                reports.add(new Step(a.kind(), a.strength(), Attack.Unit.WORD, before.size(), d,
                        rate(d, before.size()), c.changes(), a.derived(c.changes())));
                text = c.value();
                ids = null;
            }
        }
        Document out;
        Attack.Unit unit;
        int units;
        int dist;
        if (!textInput) {
            int[] finalIds = ids != null ? ids : codec.encode(text);
            out = Document.ids(finalIds);
            unit = Attack.Unit.TOKEN;
            units = in.ids().length;
            dist = EditDistance.levenshtein(in.ids(), finalIds);
        } else {
            String finalText = text != null ? text : codec.decode(ids);
            out = Document.text(finalText);
            if (allWord) {
                unit = Attack.Unit.WORD;
                List<String> before = Words.list(in.text());
                units = before.size();
                dist = EditDistance.levenshtein(before, Words.list(finalText));
            } else {
                unit = Attack.Unit.TOKEN;
                int[] before = codec.encode(in.text());
                units = before.length;
                dist = EditDistance.levenshtein(before, codec.encode(finalText));
            }
        }
        return new Result(out, reports, unit, units, dist, rate(dist, units));
    }

    private static double rate(int distance, int units) {
        return units == 0 ? Double.NaN : (double) distance / units;
    }
}
