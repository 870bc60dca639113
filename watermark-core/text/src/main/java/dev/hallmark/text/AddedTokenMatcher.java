package dev.hallmark.text;

import java.util.Arrays;
import java.util.List;

/**
 * Finds added tokens in text as HF's {@code AddedVocabulary} does: Aho-Corasick with
 * leftmost-longest semantics over the token contents, then the {@code lstrip} / {@code rstrip}
 * adjustments of each match. Matching is exact (no normalization here; the caller matches
 * non-normalized tokens on the raw text and normalized ones on normalized text).
 *
 * <p>Immutable and thread-safe.
 */
final class AddedTokenMatcher {

    /** One added token as the matcher needs it. */
    record Pattern(String content, int id, boolean lstrip, boolean rstrip) {
    }

    /** Trie node: sorted edge labels and children; {@code pattern} is the index of a token ending here. */
    private static final class Node {
        char[] labels = new char[0];
        Node[] children = new Node[0];
        int pattern = -1;

        Node child(char c) {
            int i = Arrays.binarySearch(labels, c);
            return i >= 0 ? children[i] : null;
        }
    }

    private final Node root = new Node();
    private final List<Pattern> patterns;
    /** First chars of the patterns, for a quick skip over positions that cannot start a match. */
    private final boolean[] firstChar = new boolean[65536];
    private final boolean empty;

    AddedTokenMatcher(List<Pattern> patterns) {
        this.patterns = List.copyOf(patterns);
        for (int p = 0; p < this.patterns.size(); p++) {
            String s = this.patterns.get(p).content();
            if (s.isEmpty()) {
                continue;
            }
            Node n = root;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                Node next = n.child(c);
                if (next == null) {
                    next = new Node();
                    int at = -Arrays.binarySearch(n.labels, c) - 1;
                    char[] labels = new char[n.labels.length + 1];
                    Node[] children = new Node[labels.length];
                    System.arraycopy(n.labels, 0, labels, 0, at);
                    System.arraycopy(n.children, 0, children, 0, at);
                    labels[at] = c;
                    children[at] = next;
                    System.arraycopy(n.labels, at, labels, at + 1, n.labels.length - at);
                    System.arraycopy(n.children, at, children, at + 1, n.labels.length - at);
                    n.labels = labels;
                    n.children = children;
                }
                n = next;
            }
            if (n.pattern < 0) {
                n.pattern = p; // the first of equal contents wins, as in Aho-Corasick's pattern order
            }
            firstChar[s.charAt(0)] = true;
        }
        empty = root.labels.length == 0;
    }

    /** The patterns, in priority order. */
    List<Pattern> patterns() {
        return patterns;
    }

    boolean isEmpty() {
        return empty;
    }

    /**
     * Splits {@code s[from, to)} like HF's {@code find_matches}: appends to {@code out} triples
     * {@code (start, end, id)} covering the text in order, with {@code id = -1} for text between
     * tokens. Offsets are absolute indices into {@code s}.
     *
     * @return the number of triples appended (at {@code out.size() / 3} before the call)
     */
    int split(char[] s, int from, int to, TokenIds out) {
        int before = out.size();
        int startOffset = from;
        int search = from;
        while (search < to) {
            int matchStart = -1;
            int matchEnd = -1;
            int pattern = -1;
            for (int i = search; i < to && matchStart < 0; i++) {
                if (!firstChar[s[i]]) {
                    continue;
                }
                Node n = root;
                for (int j = i; j < to; j++) {
                    n = n.child(s[j]);
                    if (n == null) {
                        break;
                    }
                    if (n.pattern >= 0) {
                        matchStart = i;
                        matchEnd = j + 1;
                        pattern = n.pattern;
                    }
                }
            }
            if (matchStart < 0) {
                break;
            }
            search = matchEnd;
            Pattern p = patterns.get(pattern);
            int start = matchStart;
            int stop = matchEnd;
            if (p.lstrip()) {
                int ws = start;
                while (ws > from && UnicodeTables.isWhiteSpace(s[ws - 1])) { // White_Space is all BMP
                    ws--;
                }
                start = Math.max(ws, startOffset);
            }
            if (p.rstrip()) {
                while (stop < to && UnicodeTables.isWhiteSpace(s[stop])) {
                    stop++;
                }
            }
            if (startOffset < start) {
                triple(out, startOffset, start, -1);
            }
            triple(out, start, stop, p.id());
            startOffset = stop;
        }
        if (startOffset != to) {
            triple(out, startOffset, to, -1);
        }
        return (out.size() - before) / 3;
    }

    private static void triple(TokenIds out, int a, int b, int id) {
        out.add(a);
        out.add(b);
        out.add(id);
    }
}
