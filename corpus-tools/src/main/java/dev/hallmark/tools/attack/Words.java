package dev.hallmark.tools.attack;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text cut into words and the separators between them, so word-level attacks can rewrite words
 * and put the text back together with every separator (spaces, punctuation, newlines) unchanged.
 *
 * <p>A word is a maximal run of letters, combining marks and digits, with internal apostrophes
 * ({@code '} or {@code ’}) followed by letters: {@code don't}, {@code o’clock}, {@code 1776}. Word
 * counts and word-level edit distances throughout the attacks use this definition.
 */
public final class Words {

    static final Pattern WORD = Pattern.compile("[\\p{L}\\p{M}\\p{N}]+(?:['’][\\p{L}\\p{M}]+)*");

    /** Alternating pieces: separator, word, separator, word, ..., separator (separators may be empty). */
    private final List<String> pieces;

    private Words(List<String> pieces) {
        this.pieces = pieces;
    }

    /** Cuts {@code text} into words and separators. */
    public static Words of(String text) {
        List<String> p = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        int last = 0;
        while (m.find()) {
            p.add(text.substring(last, m.start()));
            p.add(m.group());
            last = m.end();
        }
        p.add(text.substring(last));
        return new Words(p);
    }

    /** The words of {@code text}, in order. */
    public static List<String> list(String text) {
        List<String> w = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            w.add(m.group());
        }
        return w;
    }

    /** Number of words. */
    public int size() {
        return pieces.size() / 2;
    }

    /** Word {@code i}. */
    public String word(int i) {
        return pieces.get(2 * i + 1);
    }

    /** Replaces word {@code i} (any string, including one with spaces or an empty one). */
    public void set(int i, String w) {
        pieces.set(2 * i + 1, w);
    }

    /** The separator before word {@code i} ({@code i == size()} gives the trailing separator). */
    public String separatorBefore(int i) {
        return pieces.get(2 * i);
    }

    /** Replaces the separator before word {@code i}. */
    public void setSeparatorBefore(int i, String s) {
        pieces.set(2 * i, s);
    }

    /**
     * Whether word {@code i} starts a sentence: it is the first word, or the separator before it
     * holds a sentence end ({@code . ! ?}) or a line break.
     */
    public boolean startsSentence(int i) {
        if (i == 0) {
            return true;
        }
        String sep = separatorBefore(i);
        for (int k = 0; k < sep.length(); k++) {
            char c = sep.charAt(k);
            if (c == '.' || c == '!' || c == '?' || c == '\n') {
                return true;
            }
        }
        return false;
    }

    /** The text with the current words and separators. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (String s : pieces) {
            sb.append(s);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return text();
    }
}
