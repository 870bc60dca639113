package dev.hallmark.text;

import java.text.Normalizer;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Undoes cheap character-level edits that change a text's tokens without changing what a reader
 * sees, before tokenizing it for detection.
 *
 * <p>Steps, always applied in this order:
 * <ol>
 *   <li>{@link Step#NFKC}: Unicode compatibility composition (full-width Latin, ligatures,
 *       superscripts, non-breaking spaces ... to their plain forms).
 *   <li>{@link Step#ZERO_WIDTH}: removes invisible format characters: U+200B..U+200F (zero-width
 *       space / non-joiner / joiner, LRM, RLM), U+2060..U+2064 (word joiner, invisible operators),
 *       U+FEFF (BOM / ZWNBSP), U+00AD (soft hyphen), U+180E (Mongolian vowel separator) and
 *       U+034F (combining grapheme joiner). Removing U+200D splits emoji ZWJ sequences into their
 *       parts; that is accepted, the goal is a canonical token stream, not display fidelity.
 *   <li>{@link Step#HOMOGLYPHS}: folds Cyrillic and Greek letters that look like Latin letters in
 *       common fonts (Cyrillic a e o p c y x i j s h d q w and capitals A B E K M H O P C T X I J S Y;
 *       Greek capitals A B E Z H I K M N O P T Y X and small omicron, nu, rho, iota, kappa, upsilon)
 *       to the Latin letter. This also rewrites genuine Russian or Greek text; use it only on text
 *       that is expected to be English (the attack it undoes is swapping Latin letters for
 *       look-alikes).
 * </ol>
 * Instances are immutable and thread-safe.
 */
public final class TextNormalizer {

    /** A normalisation step. */
    public enum Step {
        /** Unicode NFKC. */
        NFKC,
        /** Removal of zero-width / invisible format characters. */
        ZERO_WIDTH,
        /** Cyrillic/Greek look-alike folding to Latin. */
        HOMOGLYPHS
    }

    private static final char[] HOMOGLYPH_MAP = buildHomoglyphMap();
    private static final TextNormalizer ALL = new TextNormalizer(EnumSet.allOf(Step.class));
    private static final TextNormalizer NONE = new TextNormalizer(EnumSet.noneOf(Step.class));

    private final EnumSet<Step> steps;

    private TextNormalizer(EnumSet<Step> steps) {
        this.steps = steps;
    }

    /** All steps. */
    public static TextNormalizer all() {
        return ALL;
    }

    /** No step: {@link #apply} returns its input. */
    public static TextNormalizer none() {
        return NONE;
    }

    /** The given steps (applied in the fixed order of {@link Step}, whatever the argument order). */
    public static TextNormalizer of(Step... steps) {
        EnumSet<Step> s = EnumSet.noneOf(Step.class);
        for (Step st : steps) {
            s.add(Objects.requireNonNull(st, "step"));
        }
        return new TextNormalizer(s);
    }

    /** The steps this normaliser applies. */
    public Set<Step> steps() {
        return EnumSet.copyOf(steps);
    }

    /** Normalises {@code text}. */
    public String apply(String text) {
        Objects.requireNonNull(text, "text");
        String s = text;
        if (steps.contains(Step.NFKC)) {
            s = Normalizer.normalize(s, Normalizer.Form.NFKC);
        }
        if (steps.contains(Step.ZERO_WIDTH)) {
            s = removeZeroWidth(s);
        }
        if (steps.contains(Step.HOMOGLYPHS)) {
            s = foldHomoglyphs(s);
        }
        return s;
    }

    /** True for the invisible format characters removed by {@link Step#ZERO_WIDTH}. */
    public static boolean isZeroWidth(char c) {
        return (c >= '\u200B' && c <= '\u200F') || (c >= '\u2060' && c <= '\u2064')
                || c == '\uFEFF' || c == '\u00AD' || c == '\u180E' || c == '\u034F';
    }

    static String removeZeroWidth(String s) {
        int i = 0;
        int n = s.length();
        while (i < n && !isZeroWidth(s.charAt(i))) {
            i++;
        }
        if (i == n) {
            return s;
        }
        StringBuilder b = new StringBuilder(n);
        b.append(s, 0, i);
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (!isZeroWidth(c)) {
                b.append(c);
            }
        }
        return b.toString();
    }

    static String foldHomoglyphs(String s) {
        char[] out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '\u0370' && c < '\u0530') {
                char m = HOMOGLYPH_MAP[c - '\u0370'];
                if (m != 0) {
                    if (out == null) {
                        out = s.toCharArray();
                    }
                    out[i] = m;
                }
            }
        }
        return out == null ? s : new String(out);
    }

    /** Table over U+0370..U+052F (Greek and Cyrillic blocks): look-alike Latin letter or 0. */
    private static char[] buildHomoglyphMap() {
        char[] m = new char['\u0530' - '\u0370'];
        String[] pairs = {
            // Cyrillic small
            "\u0430a", "\u0435e", "\u043Eo", "\u0440p", "\u0441c", "\u0443y", "\u0445x", "\u0456i",
            "\u0458j", "\u0455s", "\u04BBh", "\u0501d", "\u051Bq", "\u051Dw", "\u04CFl",
            // Cyrillic capital
            "\u0410A", "\u0412B", "\u0415E", "\u041AK", "\u041CM", "\u041DH", "\u041EO", "\u0420P",
            "\u0421C", "\u0422T", "\u0425X", "\u0406I", "\u0408J", "\u0405S", "\u04AEY",
            // Greek capital
            "\u0391A", "\u0392B", "\u0395E", "\u0396Z", "\u0397H", "\u0399I", "\u039AK", "\u039CM",
            "\u039DN", "\u039FO", "\u03A1P", "\u03A4T", "\u03A5Y", "\u03A7X",
            // Greek small
            "\u03BFo", "\u03BDv", "\u03C1p", "\u03B9i", "\u03BAk", "\u03C5u",
        };
        for (String p : pairs) {
            m[p.charAt(0) - '\u0370'] = p.charAt(1);
        }
        return m;
    }
}
